"""Our Danish error pages in the embedded demo too (issue 23).

With DEBUG on, Django answers a 404 or an uncaught exception with its English technical
page, whatever handler404/handler500 say, and a 500's page lists the request and the
local variables. The demo is what a new municipal user tries first, so it shows the
pages the production shape shows; a developer who wants Django's pages sets
DEBUG_TEKNISKE_FEJLSIDER=true. With DEBUG off Django already shows ours and this
middleware does nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404
from django.views import defaults

logger = logging.getLogger("django.request")


def _aktiv() -> bool:
    return settings.DEBUG and not settings.DEBUG_TEKNISKE_FEJLSIDER


class DanskeFejlsiderMiddleware:
    """Last in MIDDLEWARE: its answer still passes every other middleware (CSP,
    CommonMiddleware's added slash), and ``process_exception`` sees a view's exception first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No URL matched (Resolver404 is raised before any view, so process_exception
        # never sees it): the only 404 without a resolver_match.
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and _aktiv()
        ):
            return defaults.page_not_found(request, Resolver404())
        return response

    def process_exception(self, request, exception):
        if not _aktiv():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django shows handler403's page with DEBUG on as well
        if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
            logger.warning("Ugyldig forespørgsel: %s", request.path, extra={"status_code": 400})
            return defaults.bad_request(request, exception)
        # What Django would log before its technical page; the log's CPR mask applies.
        logger.error(
            "Intern fejl: %s", request.path, exc_info=exception, extra={"status_code": 500}
        )
        return defaults.server_error(request)
