from __future__ import annotations

from datetime import timedelta

import pytest

from smdb.rules import today_dk
from tests.smdb_sync import harness


@pytest.fixture
def simulator(live_server, settings):
    """The SMDB simulator over real HTTP on 127.0.0.1 (the live server)."""
    return harness.configure_simulator(settings, live_server.url)


@pytest.fixture
def skiftedato():
    """After every date the seeder writes, and yesterday at the latest (R-GEN-1)."""
    return today_dk() - timedelta(days=10)
