"""Refused requests go into the access log (issue 9): every 403, and every 404 on
a case URL, with user, time and path (CPR-masked).

A refused row holds only what the requester was allowed to know (issue 21): the
forløb of the URL (and its citizen's CPR hash) only if it belongs to the
requester's own myndighed. Another myndighed's forløb is never loaded, so its
access log cannot be turned into a lookup of who is in treatment elsewhere, nor
of which forløb numbers exist; the path tried is still there."""

from __future__ import annotations

from audit.models import Handling
from audit.services import audit_record
from cases.models import Kontaktforloeb

CASE_PATH = "/forloeb/"


class RefusedRequestsMiddleware:
    """After AuthenticationMiddleware; sees the response of every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.myndighed_id:
            return response  # nobody to hold to account (or the operator)
        if response.status_code == 403:
            handling = Handling.AFVIST
        elif response.status_code == 404 and self.is_case_url(request):
            handling = Handling.IKKE_FUNDET
        else:
            return response
        audit_record(
            user=user,
            handling=handling,
            forloeb=self.forloeb(request, myndighed_id=user.myndighed_id),
            beskrivelse=f"{request.method} svar {response.status_code}",
            sti=request.path,
        )
        return response

    @staticmethod
    def is_case_url(request) -> bool:
        match = request.resolver_match
        return request.path.startswith(CASE_PATH) or bool(match and match.namespace == "cases")

    @staticmethod
    def forloeb(request, *, myndighed_id: int):
        """The forløb the URL names, if it is one of the requester's own myndighed."""
        match = request.resolver_match
        pk = match.kwargs.get("pk") if match else None
        if not isinstance(pk, int):
            return None
        return (
            Kontaktforloeb.objects.for_myndighed(myndighed_id)
            .filter(pk=pk)
            .only("pk", "person_identifikator")
            .first()
        )
