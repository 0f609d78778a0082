"""Issue 24: with the broker down a caseworker's submit is stored and answers at once,
and the first beat sweep after the outage queues what could not be queued."""

from __future__ import annotations

import socket
import time

import pytest

from cases import services
from smdb import demo, outbox, sync
from smdb.models import SyncOperation, SyncOperationStatus
from tests.smdb_sync import harness

S = SyncOperationStatus


@pytest.fixture
def broker_down():
    """The Celery app pointed at a Redis URL where nothing listens."""

    with socket.socket() as s:  # a port the OS just gave out and nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    undo = harness.point_celery_at(f"redis://127.0.0.1:{port}/0")
    yield
    undo()


def test_a_submit_with_the_broker_down_is_stored_and_answers_at_once(
    sagsbehandler, broker_down, django_capture_on_commit_callbacks, caplog
):
    data = demo.anmodning_values(harness.anmodningsdato())
    for n in range(3):  # the first pays for the producer pool; each must be quick
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            forloeb = services.anmodning_create(user=sagsbehandler, cpr=harness.cpr(n), data=data)
        # Generous for a loaded CI machine; without the bounded broker settings each
        # enqueue waited for kombu's connection retries (the production test checks
        # "usual + 1 s" end to end).
        assert time.monotonic() - started < 3.0

    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.VENTER
    assert op.next_attempt_at is not None  # due: its message never reached the broker
    # One warning line per failed enqueue, no traceback in the log.
    failed = [r for r in caplog.records if "Kunne ikke lægge forløb" in r.getMessage()]
    assert len(failed) == 3 and all(r.exc_info is None for r in failed)


def test_the_first_sweep_after_the_outage_queues_what_could_not_be_queued(
    sagsbehandler, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    data = demo.anmodning_values(harness.anmodningsdato())
    with django_capture_on_commit_callbacks(execute=True):
        lost = services.anmodning_create(user=sagsbehandler, cpr=harness.cpr(1), data=data)

    # Broker back: one queued normally (its message is on its way) is left alone.
    queued: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: queued.append(ref))
    with django_capture_on_commit_callbacks(execute=True):
        on_its_way = services.anmodning_create(user=sagsbehandler, cpr=harness.cpr(2), data=data)
    assert queued == [on_its_way.pk]
    queued.clear()

    # Seconds after the outage, well inside SMDB_SYNC_WAITING_AFTER.
    assert sync.sweep() == 1
    assert queued == [lost.pk]
