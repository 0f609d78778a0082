"""Afstem nu in the background (issue 23): with eager Celery (the embedded default)
the comparison ran inside the request, 7.6–7.9 s in the demo, and the browser just
waited. Now the kontrolliste comes back at once, shows how far the run has come and
then its result and the new list, without the page being reloaded."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from smdb_simulator import seeding, store
from systemskifte import afstemning, services, tasks
from systemskifte.models import Afstemning, AfstemningStatus
from tests.smdb_sync import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def efter_foerste_forloeb(monkeypatch):
    """The run stops after its first forløb until the test lets it go (bounded), so
    the page is seen mid-run without timing anything."""
    gate = threading.Event()
    original = afstemning.hent_smdb_forloeb
    kald = []

    def hent(klient, anmodning_id):
        kald.append(anmodning_id)
        if len(kald) == 2:
            gate.wait(timeout=30)
        return original(klient, anmodning_id)

    monkeypatch.setattr(afstemning, "hent_smdb_forloeb", hent)
    monkeypatch.setattr(afstemning, "PULS_HVER", 0)  # progress written after each forløb
    return gate


def test_afstem_nu_shows_progress_then_the_result_without_reload(
    login, charlie, live_server, settings, efter_foerste_forloeb
):
    harness.configure_simulator(settings, live_server.url)
    # Four forløb both in SMDB and here; SMDB has lost one of them.
    seeding.seed_active(4, 101)
    services.start(
        user=charlie,
        model="mellemloesning",
        skiftedato=today_dk() - timedelta(days=10),
        proevekoersel=False,
    )
    Kontaktforloeb.objects.update(vedligeholdes_i_smdb_web=False)
    mangler = Kontaktforloeb.objects.select_related("anmodning").order_by("pk").last()
    store.slet_helt_forloeb(mangler.anmodning.smdb_id)
    settings.LOKALE_JOB_I_BAGGRUNDEN = True  # as in the demo

    page = login(charlie)
    page.get_by_role("link", name="Systemskifte").click()
    page.get_by_role("link", name="afstemningen med SMDB").click()
    expect(page.get_by_text("Ingen afvigelser.")).to_be_visible()
    page.get_by_role("button", name="Afstem nu").click()
    try:
        expect(page.get_by_test_id("afstemning-status")).to_contain_text(
            "Afstemning i gang: 1 af 4 forløb sammenlignet", timeout=20_000
        )
        expect(page.get_by_label("Afstemning i gang: 1 af 4 forløb sammenlignet")).to_be_visible()
        run = Afstemning.objects.get()
        assert run.status == AfstemningStatus.KOERER
        page.evaluate("window.ikkeGenindlaest = true")
    finally:
        efter_foerste_forloeb.set()

    expect(page.get_by_test_id("afstemning-status")).to_contain_text(
        "Afstemt: 1 afvigelse.", timeout=30_000
    )
    expect(page.get_by_role("cell", name="Aktivt her, findes ikke i SMDB")).to_be_visible()
    expect(page.get_by_role("button", name="Send vores igen")).to_be_visible()
    assert page.evaluate("window.ikkeGenindlaest") is True  # the same page, not reloaded
    expect(page.locator("#afstemning-status[hx-trigger]")).to_have_count(0)  # polling stopped

    for _ in range(100):
        if ("afstemning", run.pk) not in tasks._i_gang:
            break
        page.wait_for_timeout(100)
    assert ("afstemning", run.pk) not in tasks._i_gang
    run.refresh_from_db()
    assert (run.status, run.antal_sammenlignet, run.antal_i_alt) == (AfstemningStatus.FAERDIG, 4, 4)
