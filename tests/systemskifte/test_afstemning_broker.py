"""Afstem nu with a real Redis broker and a real ``celery worker`` (issue 23): the
button only queues the run, the worker compares, and a duplicate message for the
same run finds it claimed and does nothing. Fails (never skips) without Redis when
CI=true."""

from __future__ import annotations

import pytest
import redis

from certificates.models import Besked
from smdb_simulator import seeding
from systemskifte import tasks
from systemskifte.models import Afstemning, AfstemningStatus
from tests.smdb_sync import harness

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_afstem_nu_runs_once_on_the_worker(simulator, broker, charlie, client):
    seeding.seed_active(3, 101)  # SMDB's three are not ours: three differences
    client.force_login(charlie)
    response = client.post("/systemskifte/afstemning/afstem/")
    assert response.status_code == 302
    run = Afstemning.objects.get()
    assert run.status == AfstemningStatus.VENTER  # queued, not run by the request
    tasks.koer_afstemning.apply_async((run.pk,))  # a duplicate message
    # Both are taken at once, one by each of the worker's two processes.
    worker = harness.Worker(simulator, concurrency=2).start()
    try:

        def faerdig():
            return Afstemning.objects.get(pk=run.pk).status not in (
                AfstemningStatus.VENTER,
                AfstemningStatus.KOERER,
            )

        harness.wait_for(faerdig, timeout=120, what="the run on the worker")
        run.refresh_from_db()
        assert run.status == AfstemningStatus.FAERDIG, run.fejl
        assert (run.antal_sammenlignet, run.antal_i_alt) == (3, 3)
        assert run.afvigelser.count() == 3
        body = client.get(f"/systemskifte/afstemning/koersel/{run.pk}/fremdrift/").content.decode()
        assert "Afstemt: 3 afvigelser." in body
    finally:
        worker.stop()
    # Both messages were taken by the worker; SMDB's list was asked for once.
    assert redis.Redis.from_url(harness.REDIS_URL).llen("celery") == 0
    assert Besked.objects.filter(handling="HentAktiveKontaktForloebIMyndighed").count() == 1
