"""User administration for a myndighed's administrator: /konto/brugere/."""

from django.urls import path

from accounts import views

app_name = "brugere"

urlpatterns = [
    path("", views.bruger_list, name="bruger_list"),
    path("ny/", views.bruger_create, name="bruger_create"),
    path("<int:pk>/", views.bruger_edit, name="bruger_edit"),
    path("<int:pk>/deaktiver/", views.bruger_deactivate, name="bruger_deactivate"),
    path("<int:pk>/genaktiver/", views.bruger_reactivate, name="bruger_reactivate"),
    path("<int:pk>/send-link/", views.bruger_send_link, name="bruger_send_link"),
    path("godkendelse/<int:pk>/godkend/", views.godkendelse_godkend, name="godkendelse_godkend"),
    path("godkendelse/<int:pk>/afvis/", views.godkendelse_afvis, name="godkendelse_afvis"),
    path(
        "<int:pk>/nulstil-to-faktor/",
        views.bruger_nulstil_to_faktor,
        name="bruger_nulstil_to_faktor",
    ),
    path("<int:pk>/ophaev-spaerring/", views.bruger_ophaev_laas, name="bruger_ophaev_laas"),
]
