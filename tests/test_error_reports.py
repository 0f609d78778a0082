"""No error report shows a password, a private key or a CPR number (issue 23).

Every view that receives one is listed here and made to fail with DEBUG on, after it
has read what was posted: Django's debug page (the one the demo shows, and the text
an error mail carries) must not hold the value anywhere, not in POST, not in a local
variable of any frame, not in the exception's message."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.debug import get_exception_reporter_class
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.certificates.certgen import make_cert
from tests.factories import PASSWORD, cpr_for_age

pytestmark = pytest.mark.django_db

HEMMELIG = "Meget-hemmelig-kode-4711"
KODE = "913572"  # a one-time code


class Brud(RuntimeError):
    pass


@pytest.fixture
def debug_client(client, settings, monkeypatch):
    """DEBUG on, as in the demo; every page fails when it is rendered (after the view
    has read the POST), and the client gets Django's debug page back."""
    settings.DEBUG = True
    settings.OTP_REQUIRED = True

    bryd_sider(monkeypatch)
    client.raise_request_exception = False
    return client


def bryd_sider(monkeypatch):
    def brud(self, context=None, request=None):
        raise Brud("siden kunne ikke vises")

    monkeypatch.setattr("django.template.backends.django.Template.render", brud)


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


def debug_page(client, url, data, **kwargs):
    response = client.post(url, data, **kwargs)
    assert response.status_code == 500, (url, response.status_code)
    html = response.content.decode()
    assert "Brud" in html, url  # it is the debug page of our failure
    return html


def absent(html: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in html
        assert secret.replace("-", "") not in html


def test_login_hides_the_password(debug_client, alice):
    html = debug_page(
        debug_client, reverse("login"), {"username": alice.username, "password": HEMMELIG}
    )
    absent(html, HEMMELIG)


def test_password_change_hides_old_and_new(debug_client, alice):
    login(debug_client, alice)
    html = debug_page(
        debug_client,
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": HEMMELIG, "new_password2": HEMMELIG + "x"},
    )
    absent(html, PASSWORD, HEMMELIG)


def test_set_password_link_hides_the_new_password(debug_client, alice, monkeypatch):
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    # The link swaps its token for a session and shows the form (pages work here).
    monkeypatch.undo()
    response = debug_client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200
    bryd_sider(monkeypatch)
    html = debug_page(
        debug_client,
        response.request["PATH_INFO"],
        {"new_password1": HEMMELIG, "new_password2": HEMMELIG + "x"},
    )
    absent(html, HEMMELIG)


@pytest.mark.two_factor
def test_two_factor_code_is_hidden(debug_client, leder):
    TOTPDevice.objects.create(user=leder, name="app", confirmed=True)
    login(debug_client, leder)
    html = debug_page(debug_client, reverse("totp_verify"), {"kode": KODE})
    absent(html, KODE)


@pytest.mark.two_factor
def test_two_factor_enrolment_hides_the_code_and_the_secret(debug_client, leder):
    login(debug_client, leder)
    device = TOTPDevice.objects.create(user=leder, name="app", confirmed=False)
    html = debug_page(debug_client, reverse("totp_enrol"), {"device": device.pk, "kode": KODE})
    absent(html, KODE, device.key)


def test_certificate_upload_hides_the_password_and_the_private_key(
    debug_client, charlie, settings, monkeypatch, tmp_path
):
    """The issue's case: storing failed after the PKCS#12 was opened."""
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_DEV_KEY_FILE = tmp_path / "dev.key"
    settings.OTP_REQUIRED = False

    def uden_noegle(data):
        raise Brud("kryptering fejlede")

    monkeypatch.setattr("certificates.crypto.encrypt", uden_noegle)
    cert = make_cert("Testkommune SMDB FOCES")
    debug_client.force_login(charlie)
    p12 = tmp_path / "foces.p12"
    p12.write_bytes(cert.p12(HEMMELIG))
    with p12.open("rb") as fil:
        html = debug_page(
            debug_client,
            reverse("certificates:upload"),
            {"fil": fil, "adgangskode": HEMMELIG, "miljoe": "test", "navn": ""},
        )
    absent(html, HEMMELIG)
    assert "PRIVATE KEY" not in html
    assert "kryptering fejlede" in html  # the frames are there, their secrets not


def test_find_borger_hides_the_cpr(debug_client, alice):
    cpr = cpr_for_age(40)
    login(debug_client, alice)
    html = debug_page(debug_client, reverse("cases:find_borger"), {"cpr": cpr})
    absent(html, cpr)


def test_registrer_anmodning_hides_the_cpr(debug_client, alice):
    cpr = cpr_for_age(40)
    login(debug_client, alice)
    html = debug_page(
        debug_client,
        reverse("cases:anmodning_create"),
        {"person_identifikator": cpr, "behandling_anmodning_dato": "2026-13-45"},
    )
    absent(html, cpr)


def test_adgangslog_cpr_search_hides_the_cpr(debug_client, charlie, settings):
    settings.OTP_REQUIRED = False
    cpr = cpr_for_age(40)
    login(debug_client, charlie)
    # A number the form refuses (no 32nd of January): the page is shown again.
    cpr = "320190" + cpr[6:]
    html = debug_page(debug_client, reverse("audit:audit_list"), {"cpr": cpr})
    absent(html, cpr)


def test_any_frame_holding_a_cpr_or_a_key_is_hidden_and_the_message_masked(rf, settings):
    """The net under the decorators: a function deep in a job (systemskifte,
    afstemning, the outbox) that holds a CPR or a key in a variable of any name."""
    settings.DEBUG = True
    cpr = cpr_for_age(30)
    key_pem = make_cert("X").key_pem

    def job(borgere):
        forloeb = {"PersonIdentifikator": cpr, "id": 7}  # noqa: F841 (shown on the page)
        pem = key_pem  # noqa: F841
        raise Brud(f"SMDB afviste {cpr}")

    try:
        job([cpr])
    except Brud:
        request = rf.post("/systemskifte/1/udfoer/", {"note": f"borger {cpr}"})
        request.user = None
        # The reporter the DEBUG page and error mails use (settings).
        reporter = get_exception_reporter_class(request)
        html = reporter(request, *sys.exc_info()).get_traceback_html()
        text = reporter(request, *sys.exc_info()).get_traceback_text()
    for page in (html, text):
        absent(page, cpr)
        assert "PRIVATE KEY" not in page
        assert "SMDB afviste ******-****" in page
