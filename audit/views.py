from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render

from audit.models import AuditEntry
from cases.permissions import role_required


@role_required("er_administrator")
def audit_list(request):
    """The access log of the administrator's own myndighed."""
    qs = AuditEntry.objects.filter(myndighed_id=request.user.myndighed_id).select_related("bruger")
    forloeb = request.GET.get("forloeb", "")
    if forloeb:
        # ASCII digits only: "²".isdigit() is true, int("²") is not (a 500 before).
        if not (forloeb.isascii() and forloeb.isdecimal() and len(forloeb) <= 18):
            return HttpResponseBadRequest("Kontaktforløb skal være et nummer.")
        qs = qs.filter(forloeb_id=int(forloeb))
    page = Paginator(qs, 50).get_page(request.GET.get("side"))
    return render(request, "audit/audit_list.html", {"page": page, "forloeb": forloeb})
