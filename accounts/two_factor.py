"""Two-factor login for administrators, ledere and the operator (issues 9, 21), with django-otp.

After the password, a user of those roles must give a code from an
authenticator app (a TOTP device) or one of their recovery codes (a static
device) before any other page opens; one without an app is sent to enrolment.
A login through single sign-on whose ID token shows multi-factor at the provider
(accounts.oidc.mfa_i_token) has given the second factor there: no code is asked.
``settings.OTP_REQUIRED`` may turn this off in development only: a system
check refuses it when DEBUG is off (accounts.checks).
"""

from __future__ import annotations

import math
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Rolle
from accounts.oidc import mfa_fra_udbyder

ROLLER_MED_TOTP = {Rolle.ADMINISTRATOR, Rolle.LEDER}
RECOVERY_CODES = 10
APP_NAVN = "Godkendelses-app"
GENDANNELSE_NAVN = "Gendannelseskoder"
GENDANNELSE_SALT = "smdb_web.accounts.gendannelseskode"
# Pages a user who still owes the code may open.
OPEN_URL_NAMES = {"totp_verify", "totp_enrol", "logout"}


def kraever_totp(user) -> bool:
    """Administrators and ledere, and every superuser and staff user (issue 21: the
    operator, who has the widest rights, must not get in with a password alone)."""
    if not (settings.OTP_REQUIRED and user.is_authenticated):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(user.myndighed_id and user.rolle in ROLLER_MED_TOTP)


def har_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def ny_app(user) -> TOTPDevice:
    """The unconfirmed device enrolment shows: the same secret on every visit
    until it is confirmed with a code (issue 23: a QR code already scanned must
    keep working after a reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAVN, confirmed=False)


def hemmelighed(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in (base32)."""
    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, made on the server (no scripts)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def bekraeft_app(*, user, device_id: int, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the enrolled app with its first code; replaces any older app and
    makes a fresh set of recovery codes, returned once to show the user."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, nye_gendannelseskoder(user)


def gendannelseskode_hash(code: str, *, secret: str | None = None) -> str:
    """A recovery code as it is stored: a keyed hash (HMAC-SHA256 under SECRET_KEY,
    16 hex digits, what StaticToken.token holds), so that the table alone lets nobody
    past the second factor. Codes are shown in lower case; case is not significant."""
    return salted_hmac(
        GENDANNELSE_SALT, code.lower(), secret=secret, algorithm="sha256"
    ).hexdigest()[:16]


def nye_gendannelseskoder(user) -> list[str]:
    """A fresh set of recovery codes, returned once to show the user; only their
    hashes are kept."""
    static, _ = StaticDevice.objects.get_or_create(user=user, name=GENDANNELSE_NAVN)
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=gendannelseskode_hash(c)) for c in codes]
    )
    return codes


def _gemt_som(device: StaticDevice, code: str) -> str:
    """The stored form of ``code`` on ``device``: its hash under SECRET_KEY or, after a
    key rotation, under one of SECRET_KEY_FALLBACKS (codes made before it still work)."""
    hashes = [
        gendannelseskode_hash(code, secret=key)
        for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    ]
    found = device.token_set.filter(token__in=hashes).values_list("token", flat=True).first()
    return found or hashes[0]


class SkalVente(Exception):
    """Too many wrong codes lately: no code, right or wrong, is tried until then."""

    def __init__(self, sekunder: int):
        super().__init__(sekunder)
        self.sekunder = sekunder


def ventetid(device) -> int:
    """Seconds until ``device`` tries a code again after wrong ones (django-otp's
    back-off doubles with each failure), 0 when it does now."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def vent_tekst(sekunder: int) -> str:
    enhed = "sekund" if sekunder == 1 else "sekunder"
    return (
        f"Der er tastet en forkert kode for nylig. Vent {sekunder} {enhed}, "
        "og prøv så igen med den kode, appen viser."
    )


def _kandidater(user, token: str) -> tuple[str, bool, list]:
    token = token.strip().replace(" ", "")
    is_totp = len(token) == 6 and token.isascii() and token.isdigit()
    devices = [d for d in devices_for_user(user) if isinstance(d, TOTPDevice) == is_totp]
    return token, is_totp, devices


def kontroller_kode(user, token: str):
    """The device that accepts ``token``: six digits are tried on the app, anything
    else as a recovery code (used once). Each device throttles failed tries; while
    every device that could take the code waits, SkalVente says for how long
    (issue 23: a right code in the back-off is not "wrong")."""
    token, is_totp, devices = _kandidater(user, token)
    waits = [ventetid(d) for d in devices]
    if devices and all(waits):
        raise SkalVente(min(waits))
    for device, wait in zip(devices, waits, strict=True):
        if wait:
            continue
        kode = token if is_totp else _gemt_som(device, token)
        verified = verify_token(user, device.persistent_id, kode)
        if verified is not None:
            return verified
    return None


def ventetid_efter_fejl(user, token: str) -> int:
    """After a wrong ``token``: seconds before the next try is taken (0: now)."""
    _, _, devices = _kandidater(user, token)
    waits = [ventetid(d) for d in devices]
    return min(waits) if devices and all(waits) else 0


class TwoFactorMiddleware:
    """After OTPMiddleware and LoginRequiredMiddleware: a user who owes the second
    factor reaches only the code page, enrolment and log out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not kraever_totp(user) or user.is_verified() or mfa_fra_udbyder(request):
            return None
        request.mangler_anden_faktor = True  # base.html hides the menu
        match = request.resolver_match
        if match and match.url_name in OPEN_URL_NAMES and not match.namespace:
            return None
        target = "totp_verify" if har_app(user) else "totp_enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def har_enheder(user) -> bool:
    return TOTPDevice.objects.filter(user=user).exists() or (
        StaticDevice.objects.filter(user=user).exists()
    )


def fjern_alle(user) -> int:
    """Delete every two-factor device of ``user`` (app and recovery codes)."""
    n = 0
    for model in (TOTPDevice, StaticDevice):
        n += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return n
