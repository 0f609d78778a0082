"""User administration for a myndighed's administrator, under /konto/brugere/."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import BrugerOpretForm, BrugerRetForm
from accounts.selectors import brugere_i_myndighed
from cases.permissions import role_required

administrator_required = role_required("er_administrator")


def _bruger(request, pk: int):
    """One of the administrator's own users, or 404 (another myndighed, superuser)."""
    return get_object_or_404(brugere_i_myndighed(myndighed_id=request.user.myndighed_id), pk=pk)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@administrator_required
def bruger_list(request):
    brugere = brugere_i_myndighed(myndighed_id=request.user.myndighed_id)
    return render(request, "accounts/bruger_list.html", {"brugere": list(brugere)})


@administrator_required
def bruger_create(request):
    form = BrugerOpretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bruger = services.bruger_opret(
                administrator=request.user, base_url=_base_url(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Brugeren {bruger.username} er oprettet; et link til at vælge "
                f"adgangskode er sendt til {bruger.email}.",
            )
            return redirect("brugere:bruger_list")
    return render(request, "accounts/bruger_form.html", {"form": form})


@administrator_required
def bruger_edit(request, pk: int):
    bruger = _bruger(request, pk)
    egen = bruger.pk == request.user.pk
    initial = {f: getattr(bruger, f) for f in ("first_name", "last_name", "email", "rolle")}
    form = BrugerRetForm(request.POST or None, initial=initial, egen_bruger=egen)
    if request.method == "POST" and form.is_valid():
        try:
            services.bruger_aendr(administrator=request.user, bruger=bruger, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Brugeren {bruger.username} er gemt.")
            return redirect("brugere:bruger_list")
    return render(
        request, "accounts/bruger_form.html", {"form": form, "bruger": bruger, "egen": egen}
    )


def _aktiv(request, pk: int, aktiv: bool):
    bruger = _bruger(request, pk)
    try:
        services.bruger_saet_aktiv(administrator=request.user, bruger=bruger, aktiv=aktiv)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        tekst = "genaktiveret" if aktiv else "deaktiveret"
        messages.success(request, f"Brugeren {bruger.username} er {tekst}.")
    return redirect("brugere:bruger_edit", pk=bruger.pk)


@administrator_required
@require_POST
def bruger_deactivate(request, pk: int):
    return _aktiv(request, pk, aktiv=False)


@administrator_required
@require_POST
def bruger_reactivate(request, pk: int):
    return _aktiv(request, pk, aktiv=True)


@administrator_required
@require_POST
def bruger_send_link(request, pk: int):
    bruger = _bruger(request, pk)
    try:
        services.bruger_send_link(
            administrator=request.user, bruger=bruger, base_url=_base_url(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Et link til at vælge adgangskode er sendt til {bruger.email}.")
    return redirect("brugere:bruger_edit", pk=bruger.pk)
