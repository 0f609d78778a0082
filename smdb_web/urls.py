from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cases.urls")),
    path("konto/", include("accounts.urls")),
    path("adgangslog/", include("audit.urls")),
    path("certifikater/", include("certificates.urls")),
    path("django-admin/", admin.site.urls),
    path("smdb/", include("smdb.urls")),
    path("rapporter/", include("reporting.urls")),
    path("systemskifte/", include("systemskifte.urls")),
]
if settings.SMDB_SIMULATOR_ROUTED:
    # The local SMDB simulator, never routed with DEBUG off; it also answers 404
    # while SMDB_SIMULATOR_ENABLED is switched off.
    urlpatterns.append(
        path("smdbwebservice/api/external/v1/", include("smdb_simulator.urls")),
    )
