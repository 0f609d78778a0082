from __future__ import annotations

import pytest

from accounts.models import Rolle
from tests.factories import MyndighedFactory, UserFactory
from tests.smdb_sync import harness


@pytest.fixture
def simulator(live_server, settings):
    """The SMDB simulator served over real HTTP on 127.0.0.1 by the live server,
    and the app's SMDB endpoint pointed at it. Yields the endpoint."""
    return harness.configure_simulator(settings, live_server.url)


@pytest.fixture
def sagsbehandler(db):
    myndighed = MyndighedFactory(kommune_kode=101, navn="København")
    return UserFactory(username="alice", myndighed=myndighed, rolle=Rolle.SAGSBEHANDLER)


@pytest.fixture
def broker():
    """A real Redis broker for this process; skipped locally without Redis or
    without a database another process can open, a failure when CI=true."""
    harness.require_broker_and_shared_db()
    undo = harness.use_real_broker()
    yield harness.REDIS_URL
    undo()


@pytest.fixture
def worker_factory(broker, simulator):
    workers: list[harness.Worker] = []

    def start(**kwargs) -> harness.Worker:
        w = harness.Worker(simulator, **kwargs).start()
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.stop()
