from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Handling
from audit.services import audit_record
from cases import selectors, services
from cases.forms import AnmodningForm, FindBorgerForm
from cases.permissions import sager_required

SESSION_CPR = "soegt_cpr"


def home(request):
    context = {}
    if request.user.kan_se_sager:
        context = {
            "find_form": FindBorgerForm(),
            "forloeb_list": selectors.seneste_forloeb(user=request.user),
        }
    return render(request, "cases/home.html", context)


@sager_required
@require_http_methods(["GET", "POST"])
def find_borger(request):
    """Search by CPR. The CPR is sent by POST and never appears in a URL."""
    form = FindBorgerForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        cpr = form.cleaned_data["cpr"]
        results = selectors.forloeb_for_cpr(user=request.user, cpr=cpr)
        request.session[SESSION_CPR] = cpr
        for forloeb in results:
            audit_record(user=request.user, handling=Handling.SOEGT, forloeb=forloeb)
    return render(request, "cases/find_borger.html", {"form": form, "results": results})


@sager_required
@require_http_methods(["GET", "POST"])
def anmodning_create(request):
    if request.method == "POST":
        form = AnmodningForm(request.POST)
        if form.is_valid():
            try:
                forloeb = services.anmodning_create(
                    user=request.user, cpr=form.cpr, data=form.anmodning_data()
                )
            except services.RuleViolations as exc:
                form.add_violations(exc.violations)
            else:
                request.session.pop(SESSION_CPR, None)
                messages.success(request, "Anmodningen er registreret.")
                return redirect("cases:forloeb_detail", pk=forloeb.pk)
    else:
        form = AnmodningForm(initial={"person_identifikator": request.session.get(SESSION_CPR, "")})
    return render(
        request,
        "cases/anmodning_form.html",
        {"form": form, "myndighed": request.user.myndighed},
    )


@sager_required
def forloeb_detail(request, pk: int):
    forloeb = selectors.forloeb_detail(user=request.user, pk=pk)
    audit_record(user=request.user, handling=Handling.VIST, forloeb=forloeb)
    andre = selectors.andre_forloeb(forloeb)
    return render(request, "cases/forloeb_detail.html", {"forloeb": forloeb, "andre": andre})


@sager_required
@require_POST
def glem_soegning(request):
    request.session.pop(SESSION_CPR, None)
    return redirect("cases:find_borger")
