"""Schemas per second through the outbox with one Celery worker, beside a bare zeep
loop against the same simulator in the same run.

Targets (issue 6): the outbox sends >= 50 schemas/s, and takes <= 1.5x the bare
loop's time. Both sides talk to one standalone simulator process
(``run_smdb_simulator``) over HTTP on 127.0.0.1; the outbox side is one real
``celery -A smdb_web worker`` process on Redis, with a pool of 1 and of 2
(``--concurrency``). One task per forløb is queued, as commits queue them; the
first drains the outbox across forløb (``smdb.sync.drain_outbox``) and the rest
find their forløb sent. The clock stops when every schema is in SMDB; how long
the worker then spends on those leftover messages is printed beside it. Needs
Redis and a database two processes can share (PostgreSQL via DATABASE_URL, as
in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smdb_web \\
        .venv/bin/pytest benchmarks/test_bench_outbox.py --benchmark-only

The figures are in each benchmark's ``extra_info`` (``--benchmark-json``) and
printed; they are measurements, not asserts.
"""

from __future__ import annotations

import time

import pytest
import redis
from django.db import transaction

from accounts.models import Rolle
from cases import services
from smdb import demo, outbox
from smdb.client import SmdbKlient
from smdb.models import SyncOperation, SyncOperationStatus
from smdb_simulator.models import SimSkema
from tests.factories import MyndighedFactory, UserFactory
from tests.smdb_sync import harness

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

N = 300
ROUNDS = 3
GROUP = "smdb-sync"
#: The bare loop's median round in this run, for the ratio.
BARE: dict[str, float] = {}


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
    """Median round: N schemas in ``seconds``, and the ratio to the bare loop."""
    rate = N / seconds
    benchmark.extra_info.update({"schemas": N, "seconds": round(seconds, 3), "per_s": rate})
    ratio = f" = {seconds / BARE['seconds']:.2f}x the bare loop" if "seconds" in BARE else ""
    print(f"\n{label}: {N} schemas in {seconds:.2f} s = {rate:.0f} schemas/s{ratio}")


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
    BARE["seconds"] = benchmark.stats.stats.median


def wait_for_idle_worker(queue: redis.Redis, *, timeout: float = 60) -> float:
    """Until the broker queue is empty and the last message is done; seconds waited.
    Gives up quietly after ``timeout`` (another process may share the queue)."""
    start = time.perf_counter()
    while queue.llen("celery") and time.perf_counter() - start < timeout:
        time.sleep(0.01)
    time.sleep(0.05)  # the message taken last
    return time.perf_counter() - start


@pytest.mark.benchmark(group=GROUP)
@pytest.mark.parametrize("concurrency", [1, 2])
def test_bench_outbox_one_worker(benchmark, standalone_simulator, user, monkeypatch, concurrency):
    undo = harness.use_real_broker()
    # CONN_MAX_AGE: a deployed worker keeps its database connection between tasks.
    worker = harness.Worker(
        standalone_simulator.endpoint, concurrency=concurrency, extra_env={"CONN_MAX_AGE": "60"}
    ).start()
    values = demo.anmodning_values(harness.anmodningsdato())
    enqueue = outbox.enqueue
    rounds = iter(range(ROUNDS))
    queue = redis.Redis.from_url(harness.REDIS_URL)
    tails: list[float] = []
    try:
        # Warm up: the worker is up and has built its zeep client.
        services.anmodning_create(user=user, cpr=harness.cpr(0), data=values)
        harness.wait_for(lambda: harness.open_operations() == 0, timeout=60, what="warm-up")

        def record_batch():
            """N anmodninger with their outbox rows; their tasks are queued in the
            timed part, so the worker cannot start before the clock. First the
            worker finishes the previous round's leftover messages."""
            tails.append(wait_for_idle_worker(queue))
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
        tails.append(wait_for_idle_worker(queue))
    finally:
        worker.stop()
        undo()
    assert SyncOperation.objects.filter(status=SyncOperationStatus.SENDT).count() == (
        ROUNDS * N + 1
    )
    assert SimSkema.objects.count() == ROUNDS * N + 1
    report(
        benchmark, f"outbox, one worker, --concurrency={concurrency}", benchmark.stats.stats.median
    )
    tail = sorted(tails[1:])[len(tails[1:]) // 2]
    benchmark.extra_info["leftover_messages_s"] = round(tail, 3)
    print(f"  then the leftover messages (their forløb already sent): {tail:.2f} s (median)")
