"""The demo's long jobs run in the background (issue 23): with eager Celery (the
embedded default) "Start" used to hold the browser until the whole job was done, the
progress bar was seen only at 100 % and Stop could not be pressed. Now the page comes
back at once, shows the job running and its Stop button stops it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from smdb.rules import today_dk
from smdb_simulator import seeding
from systemskifte import tasks
from systemskifte.models import JobStatus, Systemskifte
from tests.smdb_sync import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_running_system_change_shows_progress_and_can_be_stopped(
    login, charlie, live_server, settings
):
    harness.configure_simulator(settings, live_server.url)
    settings.LOKALE_JOB_I_BAGGRUNDEN = True  # as in the demo
    # A slow SMDB: the job takes seconds, as it does for a real municipality.
    settings.SMDB_SIMULATOR_FAULT = "slow"
    settings.SMDB_SIMULATOR_DELAY = 0.4
    seeding.seed_active(90, 101)
    page = login(charlie)
    page.get_by_role("link", name="Systemskifte").click()
    page.get_by_label("Model 2 – uden historik").check()
    page.get_by_label("Systemskiftedato").fill((today_dk() - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Start").click()

    # Back at once, with the job running: the bar is polled and is short of 100 %.
    expect(page.locator("#fremdrift[hx-trigger]")).to_have_count(1)
    expect(page.get_by_test_id("procent")).not_to_have_text("100 %")
    page.get_by_role("button", name="Stop").click()
    expect(
        page.get_by_text("Systemskiftet stopper efter den borger, der er i gang.")
    ).to_be_visible()
    expect(page.get_by_test_id("procent").locator("..")).to_contain_text("Stoppet", timeout=60_000)
    expect(page.get_by_role("button", name="Genoptag")).to_be_visible()

    skifte = Systemskifte.objects.get()
    assert skifte.status == JobStatus.STOPPET
    assert skifte.borgere.count() == 90
    # The thread is done with the job (nothing left running after the test).
    for _ in range(100):
        if ("systemskifte", skifte.pk) not in tasks._i_gang:
            break
        page.wait_for_timeout(100)
    assert ("systemskifte", skifte.pk) not in tasks._i_gang
