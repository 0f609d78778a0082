"""What a caseworker types reaches the server as typed: a count written as a word or
with a decimal comma is refused with a Danish message next to the field and kept
(issue 11); long text shows a live counter and is never cut silently."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.forloeb_helpers import live, svar
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
