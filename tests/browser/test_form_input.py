"""What a caseworker types reaches the server as typed: a count written as a word or
with a decimal comma is refused with a Danish message next to the field and kept
(issue 11); long text shows a live counter and is never cut silently."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.forloeb_helpers import live, svar, vaelg
from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANNABIS = "18-IVÆR Antal dage med cannabis seneste måned"
HOVEDSTOF_DAGE = "20-IVÆR Hovedstof: antal dage indtaget seneste måned"


def test_a_count_typed_as_a_word_or_with_a_comma_is_refused_and_kept(
    login, alice, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/stofbrug/")
    live(
        page,
        lambda: svar(
            page,
            "46-IVÆR Har borgeren taget ikke-ordinerede stoffer inden for den seneste måned",
            "Ja",
        ),
    )
    # Typed key by key, as a person does (fill() would bypass what the browser drops).
    page.get_by_label(CANNABIS).press_sequentially("fem")
    page.get_by_label(HOVEDSTOF_DAGE).press_sequentially("3,5")
    page.get_by_role("button", name="Næste trin").click()

    expect(page.get_by_label(CANNABIS)).to_have_value("fem")
    expect(page.get_by_label(HOVEDSTOF_DAGE)).to_have_value("3,5")
    for label in (CANNABIS, HOVEDSTOF_DAGE):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = f"{field.get_attribute('id')}_fejl"
        expect(field).to_have_attribute("aria-describedby", re.compile(error_id))
        expect(page.locator(f"#{error_id}")).to_contain_text("Skriv et helt tal")
    expect(page.get_by_role("heading", name=re.compile("Trin 3 af 4"))).to_be_visible()


AARSAG_TEKST = "Beskriv afslutningsårsag"


def test_long_text_has_a_live_counter_and_is_never_cut(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/afslutning/ny/")
    live(page, lambda: vaelg(page, "3-AFSL Årsag til afslutning", "Anden årsag"))
    box = page.get_by_label(AARSAG_TEKST)
    counter = page.locator("[data-taeller-for]")
    expect(counter).to_have_text("0 / 250 tegn")
    expect(box).to_have_attribute("aria-describedby", re.compile(r"_taeller"))
    box.press_sequentially("x" * 12)
    expect(counter).to_have_text("12 / 250 tegn")
    # A paste of 300 characters: all of them stay, and the page says so.
    box.fill("")
    box.focus()
    page.keyboard.insert_text("y" * 300)
    expect(box).to_have_value("y" * 300)
    expect(counter).to_contain_text("300 / 250 tegn – 50 tegn for mange")
    page.get_by_role("button", name="Afslut behandling").click()
    expect(page.get_by_label(AARSAG_TEKST)).to_have_value("y" * 300)
    expect(page.locator("[data-taeller-for]")).to_have_text("300 / 250 tegn")
    expect(page.get_by_text("Teksten må højst være 250 tegn, men er 300").first).to_be_visible()
    expect(page.get_by_label(AARSAG_TEKST)).to_have_attribute("aria-invalid", "true")


def test_43_ivaer_has_the_counter_too(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/screening/")
    live(page, lambda: vaelg(page, "42-IVÆR Anvendt screeningsværktøj", "Andet screeningsværktøj"))
    box = page.get_by_label("43-IVÆR Andet screeningsværktøj, beskriv")
    box.focus()
    page.keyboard.insert_text("z" * 251)
    expect(box).to_have_value("z" * 251)
    expect(page.locator("[data-taeller-for]")).to_contain_text("251 / 250 tegn – 1 tegn for mange")
