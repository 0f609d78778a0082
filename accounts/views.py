"""Account pages: the administrator's user administration under /konto/brugere/
(issue 9), and the two-factor pages (enrolment, the code after the password)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import services, two_factor
from accounts.forms import BrugerOpretForm, BrugerRetForm
from accounts.models import Godkendelse
from accounts.permissions import administrator_required
from accounts.selectors import brugere_i_myndighed


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
            if isinstance(bruger, Godkendelse):
                messages.info(
                    request,
                    f"{bruger.beskrivelse()}: venter på, at en anden administrator godkender det.",
                )
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
            if form.cleaned_data["email"] != bruger.email:
                messages.info(
                    request,
                    "Den nye e-mailadresse træder i kraft, når en anden administrator "
                    "har godkendt den.",
                )
            if (
                form.cleaned_data["rolle"] != bruger.rolle
                and form.cleaned_data["rolle"] in services.ROLLER_MED_GODKENDELSE
            ):
                messages.info(
                    request,
                    "Den nye rolle træder i kraft, når en anden administrator har godkendt den.",
                )
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
@require_http_methods(["GET", "POST"])
def bruger_deactivate(request, pk: int):
    """GET asks first (issue 23): the user is logged out and cannot log in again."""
    if request.method == "GET":
        bruger = _bruger(request, pk)
        navn = bruger.get_full_name() or bruger.username
        return render(
            request,
            "bekraeft.html",
            {
                "titel": f"Deaktivér {navn} ({bruger.username})?",
                "tekst": [
                    f"{navn} bliver logget ud og kan ikke logge ind igen, før brugeren "
                    "genaktiveres. Brugerens registreringer og adgangslog bevares.",
                ],
                "knap": "Ja, deaktivér brugeren",
                "knap_css": "btn-danger",
                "annuller_url": reverse("brugere:bruger_edit", args=[bruger.pk]),
            },
        )
    return _aktiv(request, pk, aktiv=False)


@administrator_required
@require_POST
def bruger_reactivate(request, pk: int):
    return _aktiv(request, pk, aktiv=True)


@administrator_required
@require_POST
def bruger_nulstil_to_faktor(request, pk: int):
    bruger = _bruger(request, pk)
    try:
        fjernet = services.bruger_nulstil_to_faktor(administrator=request.user, bruger=bruger)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if fjernet:
            messages.info(
                request,
                f"Nulstilling af to-faktor-login for {bruger.username} venter på, at en "
                "anden administrator godkender den. Derefter sættes en ny "
                "godkendelses-app op ved næste login.",
            )
        else:
            messages.info(request, f"{bruger.username} har ingen godkendelses-app sat op.")
    return redirect("brugere:bruger_edit", pk=bruger.pk)


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


def _beslut(request, pk: int, godkend: bool):
    try:
        if godkend:
            anmodning = services.godkendelse_godkend(administrator=request.user, pk=pk)
        else:
            anmodning = services.godkendelse_afvis(administrator=request.user, pk=pk)
    except PermissionDenied:
        raise Http404("Anmodningen findes ikke i din myndighed.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        tekst = "godkendt" if godkend else "afvist"
        messages.success(request, f"{anmodning.beskrivelse()}: {tekst}.")
    return redirect("cases:home")


@administrator_required
@require_POST
def godkendelse_godkend(request, pk: int):
    return _beslut(request, pk, godkend=True)


@administrator_required
@require_POST
def godkendelse_afvis(request, pk: int):
    return _beslut(request, pk, godkend=False)


class KodeForm(forms.Form):
    kode = forms.CharField(
        label="Engangskode",
        max_length=20,
        help_text="De 6 cifre fra godkendelses-appen, eller en af dine gendannelseskoder.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class BekraeftAppForm(forms.Form):
    device = forms.IntegerField(widget=forms.HiddenInput)
    kode = forms.CharField(
        label="Kode fra appen",
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, erstatter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if erstatter:
            self.fields["adgangskode"] = forms.CharField(
                label="Din adgangskode",
                help_text="Du skifter din godkendelses-app: bekræft med din adgangskode.",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )


def _anden_faktor_givet(request, device) -> None:
    """The second factor is accepted: a new session key (issue 21), so a key
    learnt before the code was given (fixation) is worth nothing after it."""
    otp_login(request, device)
    request.session.cycle_key()


def _adgangskode_fejl(request) -> str | None:
    """Replacing the app or the recovery codes asks for the password again, so an
    open, unattended session alone cannot take over the second factor (issue 21)."""
    if request.user.check_password(request.POST.get("adgangskode", "")):
        return None
    return "Adgangskoden passer ikke. Skriv din nuværende adgangskode for at fortsætte."


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return "/"


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("kode")
def totp_verify(request):
    """The second step of login for administrators and ledere."""
    user = request.user
    if not two_factor.kraever_totp(user) or user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.har_app(user):
        return redirect("totp_enrol")
    form = KodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kode = form.cleaned_data["kode"]
        try:
            device = two_factor.kontroller_kode(user, kode)
        except two_factor.SkalVente as vent:
            form.add_error("kode", two_factor.vent_tekst(vent.sekunder))
        else:
            if device is not None:
                _anden_faktor_givet(request, device)
                return redirect(_next_url(request))
            fejl = (
                "Koden passer ikke. Brug den kode, appen viser nu, eller en ubrugt "
                "gendannelseskode."
            )
            if vent := two_factor.ventetid_efter_fejl(user, kode):
                fejl += f" Vent {vent} {'sekund' if vent == 1 else 'sekunder'} før næste forsøg."
            form.add_error("kode", fejl)
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("kode")
@sensitive_variables("codes", "result")
def totp_enrol(request):
    """Set up an authenticator app: a QR code (and the secret to type in), then
    one code from the app to confirm; the recovery codes are shown once."""
    user = request.user
    if two_factor.har_app(user) and not user.is_verified():
        # A password alone may not replace the app: give the code first.
        return redirect("totp_verify")
    erstatter = two_factor.har_app(user)  # a verified user replacing the app
    device = None
    if request.method == "POST":
        form = BekraeftAppForm(request.POST, erstatter=erstatter)
        if form.is_valid():
            device_id = form.cleaned_data["device"]
            pending = two_factor.TOTPDevice.objects.filter(
                user=user, pk=device_id, confirmed=False
            ).first()
            vent = two_factor.ventetid(pending) if pending else 0
            if erstatter and (fejl := _adgangskode_fejl(request)):
                form.add_error("adgangskode", fejl)
            elif vent:
                form.add_error("kode", two_factor.vent_tekst(vent))
            else:
                result = two_factor.bekraeft_app(
                    user=user, device_id=device_id, token=form.cleaned_data["kode"]
                )
                if result is not None:
                    device, codes = result
                    _anden_faktor_givet(request, device)
                    messages.success(request, "To-faktor-login er slået til.")
                    return render(
                        request,
                        "accounts/totp_koder.html",
                        {"codes": codes, "next": _next_url(request)},
                    )
                form.add_error("kode", "Koden passer ikke. Skriv den kode, appen viser nu.")
        device_id = form.cleaned_data.get("device")
        if device_id is not None:
            device = two_factor.TOTPDevice.objects.filter(
                user=user, pk=device_id, confirmed=False
            ).first()
    if device is None:
        device = two_factor.ny_app(user)
        form = BekraeftAppForm(initial={"device": device.pk}, erstatter=erstatter)
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "hemmelighed": two_factor.hemmelighed(device),
            "next": _next_url(request),
        },
    )


@require_POST
@sensitive_variables("codes")
def totp_nye_koder(request):
    """A fresh set of recovery codes (the old ones stop working), shown once."""
    user = request.user
    if not (two_factor.kraever_totp(user) and user.is_verified()):
        raise PermissionDenied("Kun for brugere med to-faktor-login.")
    if fejl := _adgangskode_fejl(request):
        messages.error(request, fejl)
        return redirect("password_change")
    codes = two_factor.nye_gendannelseskoder(user)
    return render(request, "accounts/totp_koder.html", {"codes": codes, "next": "/"})


@administrator_required
@require_POST
def bruger_ophaev_laas(request, pk: int):
    bruger = _bruger(request, pk)
    services.bruger_ophaev_laas(administrator=request.user, bruger=bruger)
    messages.success(
        request, f"Login-spærringen for {bruger.username} er ophævet; brugeren kan logge ind igen."
    )
    return redirect("brugere:bruger_edit", pk=bruger.pk)


class VaelgAdgangskodeView(auth_views.PasswordResetConfirmView):
    """The e-mailed link: Django moves the token into the session and shows the form
    at ``<uidb64>/<reset_url_token>/``; the word in the address is Danish (issue 23)."""

    reset_url_token = "vaelg-adgangskode"
