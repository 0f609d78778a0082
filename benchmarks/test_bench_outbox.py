"""Schemas per second through the outbox with one Celery worker, beside a bare zeep
loop against the same simulator in the same run.

Targets (issue 6): the outbox sends >= 50 schemas/s, and takes <= 1.5x the bare
loop's time. Both sides talk to one standalone simulator process
(``run_smdb_simulator``) over HTTP on 127.0.0.1; the outbox side is a real
``celery -A smdb_web worker --concurrency=1`` on Redis. Needs Redis and a
database two processes can share (PostgreSQL via DATABASE_URL, as in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smdb_web \\
        .venv/bin/pytest benchmarks/test_bench_outbox.py --benchmark-only

The figures are in each benchmark's ``extra_info`` (``--benchmark-json``) and
printed; they are measurements, not asserts.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Rolle
from cases import demo, services
from smdb import outbox
from smdb.client import SmdbKlient
from smdb.models import SyncOperation, SyncOperationStatus
from smdb.simulator.models import SimSkema
from tests.factories import MyndighedFactory, UserFactory
from tests.smdb_sync import harness

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

N = 300
ROUNDS = 3
GROUP = "smdb-sync"


@pytest.fixture
def standalone_simulator():
    harness.require_broker_and_shared_db()
    simulator = harness.StandaloneSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def user(db):
    myndighed = MyndighedFactory(kommune_kode=101, navn="København")
    return UserFactory(username="bench", myndighed=myndighed, rolle=Rolle.SAGSBEHANDLER)


def report(benchmark, label: str, seconds: float) -> None:
    """Median round: N schemas in ``seconds``."""
    rate = N / seconds
    benchmark.extra_info.update({"schemas": N, "seconds": round(seconds, 3), "per_s": rate})
    print(f"\n{label}: {N} schemas in {seconds:.2f} s = {rate:.0f} schemas/s")


@pytest.mark.benchmark(group=GROUP)
def test_bench_bare_zeep_loop(benchmark, standalone_simulator):
    klient = SmdbKlient(endpoint=standalone_simulator.endpoint)
    klient.echo("warm up")
    values = demo.anmodning_values(harness.anmodningsdato())
    rounds = iter(range(ROUNDS))

    def loop():
        base = 10_000 + next(rounds) * N
        for i in range(N):
            svar = klient.indsaet(
                "anmodning", values, person_identifikator=harness.cpr(base + i), kommune_kode=101
            )
            assert svar.succes, svar.fejl

    benchmark.pedantic(loop, rounds=ROUNDS, iterations=1)
    report(benchmark, "bare zeep loop", benchmark.stats.stats.median)


@pytest.mark.benchmark(group=GROUP)
def test_bench_outbox_one_worker(benchmark, standalone_simulator, user, monkeypatch):
    undo = harness.use_real_broker()
    # CONN_MAX_AGE: a deployed worker keeps its database connection between tasks.
    worker = harness.Worker(
        standalone_simulator.endpoint, concurrency=1, extra_env={"CONN_MAX_AGE": "60"}
    ).start()
    values = demo.anmodning_values(harness.anmodningsdato())
    enqueue = outbox.enqueue
    rounds = iter(range(ROUNDS))
    try:
        # Warm up: the worker is up and has built its zeep client.
        services.anmodning_create(user=user, cpr=harness.cpr(0), data=values)
        harness.wait_for(lambda: harness.open_operations() == 0, timeout=60, what="warm-up")

        def record_batch():
            """N anmodninger with their outbox rows; their tasks are queued in the
            timed part, so the worker cannot start before the clock."""
            refs: list[int] = []
            monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: refs.append(ref))
            base = 1 + next(rounds) * N
            with transaction.atomic():
                for i in range(base, base + N):
                    services.anmodning_create(user=user, cpr=harness.cpr(i), data=values)
            monkeypatch.setattr(outbox, "enqueue", enqueue)
            return (refs,), {}

        def send(refs):
            for ref in refs:
                enqueue(ref)
            harness.wait_for(
                lambda: harness.open_operations() == 0, timeout=300, interval=0.02, what="outbox"
            )

        benchmark.pedantic(send, setup=record_batch, rounds=ROUNDS, iterations=1)
    finally:
        worker.stop()
        undo()
    assert SyncOperation.objects.filter(status=SyncOperationStatus.SENDT).count() == (
        ROUNDS * N + 1
    )
    assert SimSkema.objects.count() == ROUNDS * N + 1
    report(benchmark, "outbox, one worker", benchmark.stats.stats.median)
