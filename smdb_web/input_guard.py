"""Refuse request input no database column can hold (issue 15).

PostgreSQL text and JSON cannot store the NUL character: a NUL byte in any query
parameter or posted field (name or value) gets a 400 with a Danish page here, before
a view could save or search with it. Forms check the rest (lengths, ranges) field by
field, with a message at the field.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest

NUL = "\x00"
BESKED = (
    "Forespørgslen indeholder et ugyldigt tegn (NUL-tegnet), som ikke kan gemmes eller "
    "søges på. Ret feltet, og prøv igen."
)


def _har_nul(query) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


class AfvisNulTegnMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _har_nul(request.GET):
            return self.refuse()
        if request.method == "POST" and _har_nul(request.POST):
            return self.refuse()
        return self.get_response(request)

    @staticmethod
    def refuse() -> HttpResponseBadRequest:
        return HttpResponseBadRequest(
            f'<!doctype html><html lang="da"><title>Ugyldigt tegn</title><p>{BESKED}</p></html>',
            content_type="text/html; charset=utf-8",
        )
