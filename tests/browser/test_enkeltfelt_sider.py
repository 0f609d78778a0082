"""Pages whose whole purpose is one answer (issue 23): submitted without it they say
so at the field, save nothing and send nothing to SMDB."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Tilbudstilknytning
from smdb.models import SyncOperation
from tests.browser.forloeb_helpers import check_page
from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_afslut_tilbudstilknytning_without_a_slut_date_is_refused_at_4_tilb(
    login, alice, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    tilknytning = forloeb.tilbudstilknytninger.get()
    sendt = SyncOperation.objects.count()
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/tilknytning/{tilknytning.pk}/afslut/")
    page.get_by_role("button", name="Afslut tilbudstilknytning").click()

    slut = page.get_by_label("4-TILB Slutdato")
    expect(slut).to_have_attribute("aria-invalid", "true")
    # The message is the field's own, read out with it.
    fejl_id = slut.get_attribute("aria-describedby").split()
    fejl = page.locator(", ".join(f"#{i}" for i in fejl_id)).filter(has_text="Feltet skal udfyldes")
    expect(fejl).to_have_text("4-TILB: Feltet skal udfyldes.")
    expect(page.get_by_text("Tilbudstilknytningen er afsluttet.")).to_have_count(0)
    check_page(page, "23-afslut-tilknytning-uden-dato")
    saved = Tilbudstilknytning.objects.get(pk=tilknytning.pk)
    assert saved.version == tilknytning.version  # not saved, not marked "rettet"
    assert saved.tilbud_tilknyttet_behandling_slut_dato is None
    assert SyncOperation.objects.count() == sendt  # nothing sent


def test_ret_afslutning_that_changes_nothing_saves_and_sends_nothing(
    login, alice, kbh, live_server
):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    afslutning = forloeb.afslutning
    sendt = SyncOperation.objects.count()
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/afslutning/rediger/")
    page.get_by_role("button", name="Gem ændringer").click()

    expect(
        page.get_by_text("Intet er ændret, så intet er gemt eller sendt til SMDB.")
    ).to_be_visible()
    expect(page.get_by_text("Afslutningen er rettet.")).to_have_count(0)
    afslutning.refresh_from_db()
    assert afslutning.version == 1
    assert SyncOperation.objects.count() == sendt
