"""GET /healthz (issue 24): no sign-in, no data, 200 when the database and the broker
answer, 503 naming what is down, fast."""

from __future__ import annotations

import socket
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError

from audit.models import AuditEntry
from cases import services
from smdb import demo
from smdb_web import health
from tests.smdb_sync import harness


@pytest.fixture
def broker_down():

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    undo = harness.point_celery_at(f"redis://127.0.0.1:{port}/0")
    yield
    undo()


def test_healthz_answers_without_sign_in_and_creates_no_session_or_log(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "smdb_outbox_oldest_pending_seconds": None,
    }
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert Session.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_healthz_gives_the_age_of_the_oldest_operation_waiting_for_smdb(client, alice, monkeypatch):
    from smdb import outbox

    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: None)  # never sent
    data = demo.anmodning_values(harness.anmodningsdato())
    services.anmodning_create(user=alice, cpr=harness.cpr(1), data=data)

    body = client.get("/healthz").json()
    assert isinstance(body["smdb_outbox_oldest_pending_seconds"], int)
    assert 0 <= body["smdb_outbox_oldest_pending_seconds"] < 60


def test_healthz_answers_a_probe_over_plain_http_on_any_host_in_production(client, db, settings):
    # docker-compose probes gunicorn inside its container: http://127.0.0.1:8000/healthz.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["smdb.kommune.dk"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    # Every other path still redirects to HTTPS (or is refused for its host).
    assert client.get("/", HTTP_HOST="smdb.kommune.dk").status_code == 301
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_healthz_is_503_naming_the_broker_when_it_does_not_answer(client, db, broker_down):
    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["down"] == ["broker"]
    assert body["database"] == "ok" and body["broker"] == "down"


def test_healthz_is_503_naming_the_database_when_it_does_not_answer(client, db, monkeypatch):
    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", refused)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
    assert response.json()["broker"] == "ok"


def test_only_get_and_head_are_answered(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code != 200
