from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class Favicon(RedirectView):
    """A browser asks for /favicon.ico where a response has no icon link (an htmx
    fragment, a download): it gets the one icon (templates/base.html's), not a 404."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/favicon.svg")


urlpatterns = [
    path("favicon.ico", login_not_required(Favicon.as_view()), name="favicon"),
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
