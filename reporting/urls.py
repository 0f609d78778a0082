from django.urls import path

from reporting import selectors, views

app_name = "reporting"

# One URL per list and per number (not a <slug:...>): the list names are the app's
# own, not objects of a myndighed; reverse("reporting:kontrolliste", kwargs={"liste": s}).
urlpatterns = [
    path("", views.forside, name="forside"),
    *[
        path(f"uge/{noegle}/", views.uge_raekker, {"noegle": noegle}, name="uge")
        for noegle in selectors.UGENS_NAVNE
    ],
    path("overblik/", views.overblik, name="overblik"),
    path(
        "overblik/aktivliste.xlsx",
        views.overblik_download,
        {"format": "xlsx"},
        name="overblik_xlsx",
    ),
    path("overblik/overblik.csv", views.overblik_download, {"format": "csv"}, name="overblik_csv"),
    *[
        path(f"kontrolliste/{slug}/", views.kontrolliste, {"liste": slug}, name="kontrolliste")
        for slug in selectors.KONTROLLISTER
    ],
    path("hovedtal/", views.hovedtal, name="hovedtal"),
    path("hovedtal/hovedtal.xlsx", views.hovedtal_excel, name="hovedtal_xlsx"),
    path("godkendelse/", views.godkendelse, name="godkendelse"),
    path("godkendelse/godkendelse.xlsx", views.godkendelse_excel, name="godkendelse_xlsx"),
    *[
        path(f"godkendelse/{noegle}/", views.godkendelse_raekker, {"noegle": noegle}, name="tal")
        for noegle in selectors.HOVEDTAL_NAVNE
    ],
]
