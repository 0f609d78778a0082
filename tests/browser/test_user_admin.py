"""An administrator creates a caseworker in its own myndighed; the caseworker sets a
password from the e-mailed link and logs in (issue 9)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.bruger_helpers import opret_sagsbehandler

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_creates_a_caseworker_who_sets_a_password_and_logs_in(
    login, charlie, kbh, aarhus, live_server, mailoutbox
):
    page = login(charlie)
    # The myndighed is the administrator's own, shown and not to be picked.
    opret_sagsbehandler(page, kbh=kbh, aarhus=aarhus)
    expect(page.get_by_role("link", name="nina")).to_be_visible()

    page.get_by_role("button", name="Log ud").click()
    link = re.search(r"http://\S+/konto/adgangskode/ny/\S+/", mailoutbox[0].body)[0]
    page.goto(link)
    password = "Nina-vælger-en-lang-kode-7"
    page.get_by_label(re.compile(r"^\s*Ny adgangskode")).fill(password)
    page.get_by_label("Bekræftelse af ny adgangskode").fill(password)
    page.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_role("heading", name="Adgangskoden er gemt")).to_be_visible()

    page.get_by_role("link", name="Log ind").click()
    page.get_by_label("Brugernavn").fill("nina")
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("link", name="Find borger")).to_be_visible()
