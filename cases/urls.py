from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("borger/", views.find_borger, name="find_borger"),
    path("borger/glem/", views.glem_soegning, name="glem_soegning"),
    path("anmodning/ny/", views.anmodning_create, name="anmodning_create"),
    path("forloeb/<int:pk>/", views.forloeb_detail, name="forloeb_detail"),
]
