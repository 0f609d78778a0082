from django.core.paginator import Paginator
from django.shortcuts import render

from audit.models import AuditEntry
from cases.permissions import role_required


@role_required("er_administrator")
def audit_list(request):
    """The access log of the administrator's own myndighed."""
    qs = AuditEntry.objects.filter(myndighed_id=request.user.myndighed_id).select_related("bruger")
    forloeb = request.GET.get("forloeb", "")
    if forloeb.isdigit():
        qs = qs.filter(forloeb_id=int(forloeb))
    page = Paginator(qs, 50).get_page(request.GET.get("side"))
    return render(request, "audit/audit_list.html", {"page": page, "forloeb": forloeb})
