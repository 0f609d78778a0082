"""Ret anmodning (issue 10, R-IVAER-4): the caseworker moves the anmodningsdato of an
iværksat forløb earlier, past 14 days; the page asks 4-IVÆR at once (live update),
refuses a save without it with the rule's message, and saves it with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Anmodning, Ivaerksaettelse
from tests.browser.forloeb_helpers import check_page, dato, hidden_field, vaelg, visible_field
from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GARANTI = "4-IVÆR Årsag til overskredet behandlingsgaranti"


def test_an_anmodningsdato_moved_past_14_days_asks_for_the_reason_and_saves_it(
    login, alice, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=10)
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/anmodning/rediger/")
    hidden_field(page, GARANTI)

    dato(page, "2-ANM Anmodningsdato", anmodet - timedelta(days=5))
    visible_field(page, GARANTI)
    expect(page.get_by_text("går der 15 dage fra anmodning til iværksættelse")).to_be_visible()
    check_page(page, "24-ret-anmodning-4-ivaer")
    # Back within 14 days the question goes; past them again it comes back.
    dato(page, "2-ANM Anmodningsdato", anmodet - timedelta(days=4))
    hidden_field(page, GARANTI)
    dato(page, "2-ANM Anmodningsdato", anmodet - timedelta(days=5))

    page.get_by_role("button", name="Gem ændringer").click()  # without the reason
    expect(page.get_by_role("alert")).to_contain_text("R-IVAER-4")
    expect(page.get_by_label("2-ANM Anmodningsdato")).to_have_value(
        (anmodet - timedelta(days=5)).isoformat()
    )
    assert Anmodning.objects.get().behandling_anmodning_dato == anmodet

    vaelg(page, GARANTI, "Mangel på ledig plads")
    page.get_by_role("button", name="Gem ændringer").click()
    expect(page.get_by_text("Anmodningen er rettet.")).to_be_visible()
    ivaer = Ivaerksaettelse.objects.get()
    assert ivaer.behandling_garanti_overskrede_aarsag_kode == "01"
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 15
    assert Anmodning.objects.get().behandling_anmodning_dato == anmodet - timedelta(days=5)
