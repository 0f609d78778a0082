"""An administrator walks the system-change wizard for a small municipality: a
dry-run, then the real run, watching the htmx-polled progress bar reach 100 %.
The job runs in a thread of this process, as a Celery worker would, so the page
really polls while it works. Nothing is refused by the Content-Security-Policy."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from smdb.rules import today_dk
from smdb_simulator import seeding
from smdb_simulator.store import aktive_forloeb
from systemskifte import services, tasks
from systemskifte.models import Systemskifte
from tests.browser.forloeb_helpers import axe_check
from tests.smdb_sync import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_thread(monkeypatch):
    """``services.koe`` hands the job to a thread instead of Celery, which starts a
    moment after the commit, so the page first shows the job running."""
    threads = []

    def koe(skifte_id, *, countdown=None):
        def run():
            try:
                threading.Event().wait(1.5)
                tasks.koer_til_ende(skifte_id)
            finally:
                connection.close()

        def start():
            t = threading.Thread(target=run, daemon=True)
            threads.append(t)
            t.start()

        transaction.on_commit(start)

    monkeypatch.setattr(services, "koe", koe)
    yield
    for t in threads:
        t.join(timeout=120)


def test_wizard_dry_run_then_real_run_reaches_100_percent(
    login, charlie, live_server, settings, worker_thread
):
    harness.configure_simulator(settings, live_server.url)
    seeding.seed_active(6, 101, glemte=1)
    skiftedato = today_dk() - timedelta(days=10)
    page = login(charlie)
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: (
            refused.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )

    page.get_by_role("link", name="Systemskifte").click()
    page.get_by_label("Model 2 – uden historik").check()
    page.get_by_label("Systemskiftedato").fill(skiftedato.isoformat())
    expect(page.get_by_label("Prøvekørsel (vis planen, send intet til SMDB)")).to_be_checked()
    page.get_by_role("button", name="Start").click()

    procent = page.get_by_test_id("procent")
    expect(procent).to_have_text("100 %", timeout=60_000)
    expect(page.locator(".badge", has_text="Glemt sag")).to_have_count(1)
    expect(page.get_by_text("Registrér ny anmodning").first).to_be_visible()
    axe_check(page)
    assert len(aktive_forloeb(101)) == 7  # the dry-run sent nothing

    page.get_by_role("link", name="Udfør systemskiftet").click()
    # Issue 23: a confirmation step first; nothing has been sent yet.
    expect(page.get_by_role("heading", name="Udfør systemskiftet?")).to_be_visible()
    assert not Systemskifte.objects.filter(proevekoersel=False).exists()
    page.get_by_role("button", name="Ja, udfør systemskiftet").click()
    expect(page.locator("#fremdrift[hx-trigger]")).to_have_count(1)  # polling
    expect(procent).to_have_text("100 %", timeout=120_000)
    expect(page.get_by_text("7 af 7 borgere, 0 med fejl")).to_be_visible()
    expect(page.get_by_role("link", name="Hent rapport (Excel)")).to_be_visible()

    skifte = Systemskifte.objects.get(proevekoersel=False)
    assert skifte.status == "faerdig"
    assert len(aktive_forloeb(101)) == 6  # each citizen once, from the next day
    assert refused == []
