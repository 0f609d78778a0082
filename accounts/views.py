"""Two-factor pages: enrolment of an authenticator app, and the code after the password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import two_factor


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


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return "/"


@require_http_methods(["GET", "POST"])
def totp_verify(request):
    """The second step of login for administrators and ledere."""
    user = request.user
    if not two_factor.kraever_totp(user) or user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.har_app(user):
        return redirect("totp_enrol")
    form = KodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.kontroller_kode(user, form.cleaned_data["kode"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "kode",
            "Koden passer ikke. Brug den kode, appen viser nu, eller en ubrugt gendannelseskode.",
        )
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    """Set up an authenticator app: a QR code (and the secret to type in), then
    one code from the app to confirm; the recovery codes are shown once."""
    user = request.user
    if two_factor.har_app(user) and not user.is_verified():
        # A password alone may not replace the app: give the code first.
        return redirect("totp_verify")
    device = None
    if request.method == "POST":
        form = BekraeftAppForm(request.POST)
        if form.is_valid():
            result = two_factor.bekraeft_app(
                user=user, device_id=form.cleaned_data["device"], token=form.cleaned_data["kode"]
            )
            if result is not None:
                device, codes = result
                otp_login(request, device)
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
        form = BekraeftAppForm(initial={"device": device.pk})
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
def totp_nye_koder(request):
    """A fresh set of recovery codes (the old ones stop working), shown once."""
    user = request.user
    if not (two_factor.kraever_totp(user) and user.is_verified()):
        raise PermissionDenied("Kun for brugere med to-faktor-login.")
    codes = two_factor.nye_gendannelseskoder(user)
    return render(request, "accounts/totp_koder.html", {"codes": codes, "next": "/"})
