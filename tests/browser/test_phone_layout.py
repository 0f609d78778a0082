"""Issue 23: every page a new user tripped over, at 1280 and 390 px: nothing scrolls
sideways, the SMDB environment badge is visible, and no English word is on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ForloebFactory
from tests.smdb_sync import harness
from tests.ui_text import engelske_ord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAGSBEHANDLER_SIDER = ["/", "/anmodning/ny/", "/borger/", "/findes-ikke/"]
LEDER_SIDER = ["/rapporter/", "/rapporter/overblik/", "/rapporter/godkendelse/"]
ADMIN_SIDER = [
    "/certifikater/",
    "/certifikater/journal/",
    "/konto/brugere/",
    "/konto/brugere/sso/",
    "/systemskifte/",
    "/adgangslog/",
]


def check_pages(page, base: str, sider: list[str]) -> list[str]:
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for sti in sider:
            page.goto(base + sti)
            bredde, vindue = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            if bredde > vindue:
                problems.append(f"{sti} at {width}px is {bredde}px wide")
            # Which SMDB the calls go to is visible on every page, the menu folded or not.
            expect(page.locator(".navbar .miljoe-badge")).to_be_visible()
            if ord := engelske_ord(page.content()):
                problems.append(f"{sti}: English {ord}")
    return problems


def test_caseworker_pages(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, stadie="tilknyttet")
    page = login(alice)
    sider = [*SAGSBEHANDLER_SIDER, f"/forloeb/{forloeb.pk}/"]
    assert check_pages(page, live_server.url, sider) == []


def test_leder_pages(login, leder, kbh, live_server):
    for _ in range(3):
        ForloebFactory(myndighed=kbh, stadie="tilknyttet")
    page = login(leder)
    assert check_pages(page, live_server.url, LEDER_SIDER) == []


def test_administrator_pages(login, charlie, live_server):
    page = login(charlie)
    assert check_pages(page, live_server.url, ADMIN_SIDER) == []


def test_connection_test_result_fits_a_phone(login, charlie, live_server, settings):
    """The endpoint, a long URL without spaces, once made the page 455 px wide."""
    harness.configure_simulator(settings, live_server.url)
    page = login(charlie)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/certifikater/")
    page.get_by_role("button", name="Test forbindelse").first.click()
    expect(page.get_by_text("Forbindelsen virker.")).to_be_visible()
    bredde, vindue = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert bredde <= vindue
