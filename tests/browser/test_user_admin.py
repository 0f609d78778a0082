"""An administrator creates a caseworker in its own myndighed; the caseworker sets a
password from the e-mailed link and logs in (issue 9)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Rolle, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_creates_a_caseworker_who_sets_a_password_and_logs_in(
    login, charlie, kbh, aarhus, live_server, mailoutbox
):
    page = login(charlie)
    page.get_by_role("link", name="Brugere").click()
    page.get_by_role("link", name="Opret bruger").click()
    # The myndighed is the administrator's own, shown and not to be picked.
    expect(page.get_by_label("Myndighed")).to_have_value(str(kbh))
    expect(page.get_by_label("Myndighed")).not_to_be_editable()
    expect(page.locator("select[name=myndighed], input[name=myndighed]")).to_have_count(0)
    expect(page.get_by_text(str(aarhus))).to_have_count(0)

    page.get_by_label("Brugernavn").fill("nina")
    page.get_by_label("Fornavn").fill("Nina")
    page.get_by_label("Efternavn").fill("Ny")
    page.get_by_label("E-mail").fill("nina@example.dk")
    page.get_by_label("Rolle").select_option(label="Sagsbehandler")
    page.get_by_role("button", name="Opret og send link").click()
    expect(page.get_by_text("Brugeren nina er oprettet")).to_be_visible()
    expect(page.get_by_role("link", name="nina")).to_be_visible()
    nina = User.objects.get(username="nina")
    assert (nina.myndighed, nina.rolle) == (kbh, Rolle.SAGSBEHANDLER)

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
