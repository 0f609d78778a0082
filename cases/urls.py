from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("borger/", views.find_borger, name="find_borger"),
    path("borger/glem/", views.glem_soegning, name="glem_soegning"),
    path("anmodning/ny/", views.anmodning_create, name="anmodning_create"),
    path("forloeb/<int:pk>/", views.forloeb_detail, name="forloeb_detail"),
    path("forloeb/<int:pk>/slet/", views.forloeb_slet, name="forloeb_slet"),
    # Before the wizard's <slug:trin>, which "slet" would otherwise match.
    path("forloeb/<int:pk>/<str:schema>/slet/", views.skema_slet, name="skema_slet"),
    path(
        "forloeb/<int:pk>/ivaerksaettelse/",
        views.IvaerksaettelseWizard.as_view(),
        name="ivaerksaettelse",
    ),
    path(
        "forloeb/<int:pk>/ivaerksaettelse/rediger/",
        views.IvaerksaettelseRediger.as_view(),
        name="ivaerksaettelse_rediger",
    ),
    path(
        "forloeb/<int:pk>/ivaerksaettelse/rediger/<slug:trin>/",
        views.IvaerksaettelseRediger.as_view(),
        name="ivaerksaettelse_rediger_trin",
    ),
    path(
        "forloeb/<int:pk>/ivaerksaettelse/<slug:trin>/",
        views.IvaerksaettelseWizard.as_view(),
        name="ivaerksaettelse_trin",
    ),
    path(
        "forloeb/<int:pk>/tilknytning/ny/",
        views.TilknytningCreate.as_view(),
        name="tilknytning_create",
    ),
    path(
        "forloeb/<int:pk>/tilknytning/<int:tilknytning_pk>/rediger/",
        views.TilknytningRediger.as_view(),
        name="tilknytning_rediger",
    ),
    path(
        "forloeb/<int:pk>/tilknytning/<int:tilknytning_pk>/afslut/",
        views.TilknytningAfslut.as_view(),
        name="tilknytning_afslut",
    ),
    path(
        "forloeb/<int:pk>/tilknytning/<int:tilknytning_pk>/slet/",
        views.skema_slet,
        {"schema": "tilbudstilknytning"},
        name="tilknytning_slet",
    ),
    path(
        "forloeb/<int:pk>/afslutning/ny/",
        views.AfslutningCreate.as_view(),
        name="afslutning_create",
    ),
    path(
        "forloeb/<int:pk>/afslutning/rediger/",
        views.AfslutningRediger.as_view(),
        name="afslutning_rediger",
    ),
    path(
        "forloeb/<int:pk>/anmodning/rediger/",
        views.AnmodningRediger.as_view(),
        name="anmodning_rediger",
    ),
    path("forloeb/<int:pk>/kladde/<int:kladde_pk>/kasser/", views.kladde_slet, name="kladde_slet"),
    path("tilbud/", views.tilbud_soeg, name="tilbud_soeg"),
]
