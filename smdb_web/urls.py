from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cases.urls")),
    path("konto/", include("accounts.urls")),
    path("adgangslog/", include("audit.urls")),
    path("django-admin/", admin.site.urls),
    path("smdb/", include("smdb.urls")),
    path("systemskifte/", include("systemskifte.urls")),
    # The local SMDB simulator; it answers 404 unless SMDB_SIMULATOR_ENABLED.
    path("smdbwebservice/api/external/v1/", include("smdb.simulator.urls")),
]
