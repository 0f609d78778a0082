from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cases.urls")),
    path("konto/", include("accounts.urls")),
    path("adgangslog/", include("audit.urls")),
    path("django-admin/", admin.site.urls),
]
