"""The app's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from smdb_web.urls import urlpatterns as app_urlpatterns


@login_not_required
def fails(request):
    raise RuntimeError("en fejl i koden")


urlpatterns = [*app_urlpatterns, path("fejl-i-koden/", fails)]
