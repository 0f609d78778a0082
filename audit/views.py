from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit import selectors
from audit.filtersets import AdgangslogFilterSet
from audit.services import cpr_noegle
from cases.forms import FindBorgerForm
from cases.permissions import role_required

# The keyed hash of the CPR searched for in the log; the number itself is not kept.
SESSION_CPR_NOEGLE = "adgangslog_cpr_noegle"


class CprFilterForm(FindBorgerForm):
    """The same CPR field and check as Find borger."""


@role_required("er_administrator")
@require_http_methods(["GET", "POST"])
def audit_list(request):
    """The access log of the administrator's own myndighed. A CPR is entered by
    POST; its keyed hash is kept in the session so that paging keeps the filter."""
    cpr_form = CprFilterForm(request.POST or None)
    if request.method == "POST":
        if "ryd_cpr" in request.POST:
            request.session.pop(SESSION_CPR_NOEGLE, None)
            return redirect(request.get_full_path())
        if cpr_form.is_valid():
            request.session[SESSION_CPR_NOEGLE] = cpr_noegle(cpr_form.cleaned_data["cpr"])
            return redirect(request.get_full_path())
    noegle = request.session.get(SESSION_CPR_NOEGLE, "")
    filterset = AdgangslogFilterSet(
        request.GET or None,
        queryset=selectors.adgangslog(myndighed_id=request.user.myndighed_id, cpr_noegle=noegle),
        myndighed_id=request.user.myndighed_id,
    )
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        qs, status = filterset.queryset.none(), 400  # bad parameters: a 400, never a 500
    else:
        qs = filterset.qs
    if request.method == "POST":
        status = 400  # the CPR form's errors are shown
    page = Paginator(qs, 50).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(
        request,
        "audit/audit_list.html",
        {
            "page": page,
            "filter": filterset,
            "cpr_form": cpr_form if request.method == "POST" else CprFilterForm(),
            "cpr_filter": bool(noegle),
            "query": query.urlencode(),
        },
        status=status,
    )
