"""An administrator enrols an authenticator app, logs out, and logs in with a code (issue 9)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.bruger_helpers import opret_sagsbehandler
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.two_factor,
]


def code(key: bytes, steps_ahead: int = 0) -> str:
    """What the app shows (``steps_ahead`` 30-second steps from now)."""
    return f"{totp(key, drift=steps_ahead):06d}"


def password_login(page, base: str, user) -> None:
    page.goto(f"{base}/konto/log-ind/")
    page.get_by_label("Brugernavn").fill(user.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_administrator_enrols_totp_logs_out_and_logs_in_with_a_code_and_creates_a_caseworker(
    page, live_server, charlie, kbh, aarhus
):
    base = live_server.url
    # Password first; an administrator without an app is sent to enrolment.
    password_login(page, base, charlie)
    page.wait_for_url(re.compile(r".*/konto/to-faktor/opret/"))
    expect(page.get_by_role("img", name="QR-kode til godkendelses-appen")).to_be_visible()
    key = b32decode(page.get_by_test_id("totp-hemmelighed").inner_text().strip())
    page.get_by_label("Kode fra appen").fill(code(key))
    page.get_by_role("button", name="Slå to-faktor-login til").click()
    expect(page.get_by_role("heading", name="Dine gendannelseskoder")).to_be_visible()
    expect(
        page.get_by_role("list", name="Gendannelseskoder").get_by_role("listitem")
    ).to_have_count(10)
    page.get_by_role("link", name="Fortsæt").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("button", name="Log ud").click()

    # Log in again: the code is asked for after the password.
    password_login(page, base, charlie)
    page.wait_for_url(re.compile(r".*/konto/to-faktor/\?next="))
    assert page.get_by_role("link", name="Adgangslog").count() == 0
    # The next step's code: the one used at enrolment may not be used twice.
    page.get_by_label("Engangskode").fill(code(key, steps_ahead=1))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Adgangslog").first.click()
    expect(page.get_by_role("heading", name=re.compile("Adgangslog for"))).to_be_visible()

    # Verified by the code, the administrator creates a caseworker in its own
    # myndighed; there is no myndighed to pick (issue 9).
    opret_sagsbehandler(page, kbh=kbh, aarhus=aarhus)
