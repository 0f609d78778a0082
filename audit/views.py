from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.permissions import administrator_required
from audit import selectors
from audit.filtersets import AdgangslogFilterSet
from audit.services import cpr_noegle
from smdb.formfields import CprField

# The keyed hash of the CPR searched for in the log; the number itself is not kept.
SESSION_CPR_NOEGLE = "adgangslog_cpr_noegle"


# In the URL while the CPR filter is on (the number is in the session, never in the
# URL): paging and the other filters keep it, the menu's plain link turns it off, so
# it never stays on unseen (issue 23).
CPR_FILTER_PARAM = "cpr_filter"


class CprFilterForm(forms.Form):
    """The same CPR field and check as Find borger. Optional here: it narrows the log,
    the page works without it (no "*"; empty is "no CPR filter")."""

    cpr = CprField(required=False)


@administrator_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("cpr")
def audit_list(request):
    """The access log of the administrator's own myndighed. A CPR is entered by
    POST; its keyed hash is kept in the session so that paging keeps the filter."""
    cpr_form = CprFilterForm(request.POST or None)
    query = request.GET.copy()
    query.pop("side", None)
    if request.method == "POST":
        # Whatever is typed replaces the previous CPR: a refused number leaves no
        # filter on (and shows its error), never the one before it unseen.
        request.session.pop(SESSION_CPR_NOEGLE, None)
        query.pop(CPR_FILTER_PARAM, None)
        if "ryd_cpr" in request.POST or (cpr_form.is_valid() and not cpr_form.cleaned_data["cpr"]):
            return redirect(f"{request.path}?{query.urlencode()}")
        if cpr_form.is_valid():
            request.session[SESSION_CPR_NOEGLE] = cpr_noegle(cpr_form.cleaned_data["cpr"])
            query[CPR_FILTER_PARAM] = "1"
            return redirect(f"{request.path}?{query.urlencode()}")
    elif CPR_FILTER_PARAM not in request.GET:
        request.session.pop(SESSION_CPR_NOEGLE, None)
    noegle = request.session.get(SESSION_CPR_NOEGLE, "")
    if not noegle:
        query.pop(CPR_FILTER_PARAM, None)
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
        qs, status = qs.none(), 400  # the CPR form's errors are shown, and no rows
    page = Paginator(qs, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/audit_list.html",
        {
            "page": page,
            "filter": filterset,
            "cpr_form": cpr_form if request.method == "POST" else CprFilterForm(),
            "cpr_filter": bool(noegle),
            "cpr_afvist": request.method == "POST",
            "query": query.urlencode(),
            # Only entries of some kinds have an address; no empty column otherwise.
            "vis_adresse": any(e.sti for e in page),
        },
        status=status,
    )
