"""Model 2 with a real Redis broker and a real ``celery worker`` that is killed
(SIGKILL) mid-run and replaced: the job continues from each citizen's step, no
step is sent twice, and at no moment has a citizen two active forløb in SMDB
(R-ANM-1). Fails (never skips) without Redis when CI=true."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from smdb import sync
from smdb.simulator import seeding
from systemskifte import services
from systemskifte.models import JobStatus, Systemskifte
from tests.smdb_sync import harness
from tests.systemskifte.checks import R_ANM_1_Vagt, tjek_model2

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The size; the three tests take about 18 minutes together on this 2-core
# machine (model 1 9, model 2 with the killed worker 5, mellemløsning 4).
# SYSTEMSKIFTE_TEST_N=200 for a quicker local run.
N = int(os.environ.get("SYSTEMSKIFTE_TEST_N", "2000"))
GLEMTE = max(1, N // 100)


@pytest.fixture
def broker():
    harness.require_broker_and_shared_db()
    undo = harness.use_real_broker()
    yield
    undo()


def test_model2_survives_a_killed_worker(simulator, broker, charlie, skiftedato):
    seeding.seed_active(N, 101, glemte=GLEMTE)
    workers = [harness.Worker(simulator).start()]
    try:
        with R_ANM_1_Vagt(101) as vagt:
            skifte = services.start(
                user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
            )

            def faerdige():
                return services.fremdrift(skifte)["faerdige"]

            harness.wait_for(lambda: faerdige() >= N // 10, timeout=1800, what="10 % done")
            workers[0].kill()
            foer = faerdige()
            assert foer < N, "the job ended before the worker was killed"
            workers.append(harness.Worker(simulator).start())
            # The new worker takes the dead one's outbox claims over when their lease
            # ends (issue 10); the job itself is queued again by the beat job that
            # resumes stuck jobs, run here at once.
            services.genoptag_haengende(stale_after=timedelta(0))

            def done():
                sync.sweep(waiting_after=timedelta(seconds=5))  # the beat's outbox sweep
                return Systemskifte.objects.get(pk=skifte.pk).status == JobStatus.FAERDIG

            harness.wait_for(done, timeout=3600, interval=2, what="the job to finish")
        assert vagt.kig > 0 and vagt.fund == []
        skifte.refresh_from_db()
        tjek_model2(skifte, skiftedato, n_aktive=N, n_glemte=GLEMTE)
    finally:
        for w in workers:
            w.stop()
