from django.urls import path

from smdb import views

app_name = "smdb"

urlpatterns = [
    path("sync/<str:schema>/<int:pk>/proev-igen/", views.sync_retry, name="sync_retry"),
]
