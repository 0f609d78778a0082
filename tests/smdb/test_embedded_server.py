"""The embedded simulator's server ends its request threads with it (issue 24): a
client that keeps its connection alive (zeep's requests session does) must not
leave a thread running on into the next test or a closed log stream."""

from __future__ import annotations

import threading

import pytest
import requests

from smdb_simulator.embedded import simulator_in_thread

pytestmark = pytest.mark.django_db(transaction=True)


def request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def test_a_kept_alive_connection_leaves_no_request_thread_behind():
    before = set(request_threads())
    session = requests.Session()
    session.trust_env = False
    try:
        with simulator_in_thread() as endpoint:
            base = endpoint.split("/smdbwebservice/")[0]
            response = session.get(f"{base}/konto/log-ind/", timeout=10)
            assert response.status_code == 200
            assert response.headers.get("Connection", "").lower() != "close"
            assert set(request_threads()) - before, "the connection is kept open"
        assert set(request_threads()) - before == set()
    finally:
        session.close()
