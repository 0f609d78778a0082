from django.urls import path

from systemskifte import views

app_name = "systemskifte"

urlpatterns = [
    path("", views.oversigt, name="oversigt"),
    path("mellemloesning/", views.mellemloesning, name="mellemloesning"),
    path("afstemning/", views.kontrolliste, name="kontrolliste"),
    path("afstemning/afstem/", views.afstem, name="afstem"),
    path(
        "afstemning/koersel/<int:pk>/fremdrift/",
        views.afstemning_fremdrift,
        name="afstemning_fremdrift",
    ),
    path("afstemning/<int:pk>/<str:rettelse>/", views.ret, name="ret"),
    path("<int:pk>/", views.detalje, name="detalje"),
    path("<int:pk>/fremdrift/", views.fremdrift, name="fremdrift"),
    path("<int:pk>/stop/", views.stop, name="stop"),
    path("<int:pk>/genoptag/", views.genoptag, name="genoptag"),
    path("<int:pk>/udfoer/", views.udfoer, name="udfoer"),
    path("<int:pk>/excel/", views.excel, name="excel"),
]
