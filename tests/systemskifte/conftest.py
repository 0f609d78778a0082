from __future__ import annotations

from datetime import timedelta

import pytest

from smdb.rules import today_dk
from smdb_simulator.embedded import simulator_in_thread
from tests.smdb_sync import harness


@pytest.fixture
def simulator(transactional_db, settings):
    """The SMDB simulator over real HTTP on 127.0.0.1, served from a thread of this
    process by the TCP_NODELAY server ``seed_demo`` uses (the live server's would
    add a delayed-ACK stall of ~40 ms to every call, and there are thousands)."""
    harness.configure_simulator(settings, "http://unused")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    with simulator_in_thread() as endpoint:
        settings.SMDB_ENDPOINT = endpoint
        yield endpoint


@pytest.fixture
def skiftedato():
    """After every date the seeder writes, and yesterday at the latest (R-GEN-1)."""
    return today_dk() - timedelta(days=10)


@pytest.fixture
def broker():
    """This process's Celery on a real Redis broker, for a real ``celery worker``
    (skipped locally without Redis or a shareable database; a failure in CI)."""
    harness.require_broker_and_shared_db()
    undo = harness.use_real_broker()
    yield
    undo()
