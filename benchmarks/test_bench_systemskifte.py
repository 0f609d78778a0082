"""Model 2 (R-SKIFT-2) for 2,000 active forløb against the standalone simulator.

Target (issue 14): under 3 minutes from "Start" until every old forløb is closed
in SMDB and every new one is in. The simulator is ``run_smdb_simulator`` in its
own process, loaded with ``seed_active``; the job and the outbox run in one real
``celery -A smdb_web worker`` process (pool of 2) on Redis, as deployed. Needs
Redis and a database two processes can share (PostgreSQL via DATABASE_URL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smdb_web \\
        .venv/bin/pytest benchmarks/test_bench_systemskifte.py --benchmark-only -s

``SYSTEMSKIFTE_BENCH_N`` sets another size. The figure is printed and stored in
``extra_info``; it is a measurement, not an assert.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest

from accounts.models import Rolle
from smdb.rules import today_dk
from smdb_simulator import seeding
from systemskifte import services
from systemskifte.models import JobStatus, Systemskifte
from tests.factories import MyndighedFactory, UserFactory
from tests.smdb_sync import harness

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

N = int(os.environ.get("SYSTEMSKIFTE_BENCH_N", "2000"))


@pytest.fixture
def standalone_simulator():
    harness.require_broker_and_shared_db()
    simulator = harness.StandaloneSimulator().start()
    yield simulator
    simulator.stop()


@pytest.mark.benchmark(group="systemskifte")
def test_bench_model2_2000(benchmark, standalone_simulator):
    myndighed = MyndighedFactory(kommune_kode=101, navn="København")
    admin = UserFactory(username="bench-admin", myndighed=myndighed, rolle=Rolle.ADMINISTRATOR)
    seeding.seed_active(N, 101)
    undo = harness.use_real_broker()
    worker = harness.Worker(
        standalone_simulator.endpoint, concurrency=2, extra_env={"CONN_MAX_AGE": "60"}
    ).start()
    skiftedato = today_dk() - timedelta(days=10)
    try:

        def run():
            skifte = services.start(
                user=admin, model="model2", skiftedato=skiftedato, proevekoersel=False
            )
            harness.wait_for(
                lambda: Systemskifte.objects.get(pk=skifte.pk).status == JobStatus.FAERDIG,
                timeout=3600,
                interval=0.5,
                what="model 2",
            )
            return skifte

        t = time.perf_counter()
        skifte = benchmark.pedantic(run, rounds=1, iterations=1)
        seconds = time.perf_counter() - t
        tal = services.fremdrift(skifte)
        assert tal["faerdige"] == N and tal["fejl"] == 0
        benchmark.extra_info.update({"forloeb": N, "seconds": round(seconds, 1)})
        print(f"\nmodel 2: {N} forløb in {seconds:.1f} s ({N / seconds:.1f} forløb/s)")
    finally:
        worker.stop()
        undo()
