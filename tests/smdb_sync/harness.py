"""Helpers for the SMDB sync tests and benchmarks: forløb built through the outbox,
a real ``celery worker`` process, waiting for the outbox to drain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction

from cases.models import Afslutning, Ivaerksaettelse, Kontaktforloeb, Tilbudstilknytning
from cases.schema_models import model_kwargs
from smdb import demo, outbox
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb.rules import today_dk
from smdb_simulator import store
from smdb_simulator.catalogue import DEMO_TILBUD

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
TILBUD_ID = DEMO_TILBUD[0]["tilbud_id"]

S = SyncOperationStatus
OPEN = (S.VENTER, S.SENDER, S.FEJL, S.BLOKERET)


def cpr(n: int, *, born: date = date(1980, 1, 1)) -> str:
    """A distinct valid CPR number per ``n`` (20th century, 7th digit 1)."""
    d = born + timedelta(days=n // 900)
    return f"{d:%d%m%y}1{n % 900 + 100:03d}"


def anmodningsdato() -> date:
    return today_dk() - timedelta(days=60)


def reported_by_another_system(n: int):
    """SMDB already holds an active forløb for citizen ``n`` (KommuneKode 101), entered
    five days before ours, so our Anmodning breaches R-ANM-1 there."""
    return store.indsaet(
        "anmodning",
        demo.anmodning_values(anmodningsdato() - timedelta(days=5)),
        person_identifikator=cpr(n),
        kommune_kode=101,
    )


def add_schema(forloeb: Kontaktforloeb, model, values: dict):
    """Create a schema row as a service does: row + outbox operation, one transaction."""
    with transaction.atomic():
        row = model.objects.create(forloeb=forloeb, **model_kwargs(values))
        outbox.record(schema_row=row, action=SyncAction.INDSAET)
    return row


def full_forloeb(user, n: int, *, afsluttet: bool = True) -> Kontaktforloeb:
    """ANM -> IVÆR -> TILB (-> AFSL), each committed with its outbox operation."""
    from cases import services

    anmodet = anmodningsdato()
    forloeb = services.anmodning_create(user=user, cpr=cpr(n), data=demo.anmodning_values(anmodet))
    ivaerksat = anmodet + timedelta(days=7)
    add_schema(
        forloeb,
        Ivaerksaettelse,
        demo.ivaerksaettelse_values(forloeb.person_identifikator, anmodet, ivaerksat),
    )
    slut = ivaerksat + timedelta(days=20) if afsluttet else None
    add_schema(
        forloeb, Tilbudstilknytning, demo.tilbudstilknytning_values(TILBUD_ID, ivaerksat, slut)
    )
    if afsluttet:
        add_schema(forloeb, Afslutning, demo.afslutning_values(slut))
    return forloeb


def open_operations() -> int:
    return SyncOperation.objects.filter(status__in=OPEN).count()


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")


def database_url() -> str:
    """The test database as a URL another process can open."""
    d = connection.settings_dict
    if d["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{d['NAME']}"
    auth = d["USER"] or ""
    if d.get("PASSWORD"):
        auth += f":{d['PASSWORD']}"
    host = d["HOST"] or "127.0.0.1"
    port = d["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{d['NAME']}"


def database_shareable() -> bool:
    d = connection.settings_dict
    if d["ENGINE"].endswith("sqlite3"):
        name = str(d["NAME"])
        return not (name == ":memory:" or "mode=memory" in name)
    return True


class Worker:
    """A real ``celery -A smdb_web worker`` process in its own process group."""

    def __init__(self, endpoint: str, *, concurrency: int = 2, extra_env: dict | None = None):
        self.endpoint = endpoint
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"test-celery-worker-{os.getpid()}.log"

    def env(self) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "smdb_web.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SMDB_ENDPOINT": self.endpoint,
            "SMDB_TIMEOUT": "5",
            "SMDB_SYNC_RETRY_BASE": "0.5",
            "SMDB_SYNC_RETRY_MAX": "2",
            "SMDB_SYNC_MAX_ATTEMPTS": "1000",
            "DEBUG": "true",
            "LOG_LEVEL": "WARNING",
        }
        env.update(self.extra_env)
        return env

    def start(self) -> Worker:
        self.log.parent.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "smdb_web",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={self.concurrency}",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no cleanup, no acks."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to the main process only), SIGKILL if it hangs."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def point_celery_at(broker_url: str):
    """Point this process's Celery app at a broker, not eager; returns an undo function.

    Both connection pools are dropped: a producer pool made for another broker
    (an earlier test's memory://) would otherwise keep publishing there."""
    from smdb_web.celery import app

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    drop_pools()

    def undo():
        app.conf.task_always_eager, app.conf.broker_url = old
        drop_pools()

    return undo


def use_real_broker():
    """Point this process's Celery app at Redis, not eager; returns an undo function."""
    return point_celery_at(REDIS_URL)


def simulator_endpoint(live_server_url: str) -> str:
    return f"{live_server_url}/smdbwebservice/api/external/v1/"


def configure_simulator(settings_fixture, live_server_url: str) -> str:
    settings_fixture.SMDB_SIMULATOR_ENABLED = True
    settings_fixture.SMDB_SIMULATOR_FAULT = ""
    settings_fixture.SMDB_SIMULATOR_FAIL_RATE = 0
    settings_fixture.SMDB_SIMULATOR_DELAY = 0
    settings_fixture.SMDB_ENDPOINT = simulator_endpoint(live_server_url)
    settings_fixture.SMDB_TIMEOUT = 5
    return settings_fixture.SMDB_ENDPOINT


def require_broker_and_shared_db() -> None:
    """Skip locally without Redis or without a database a second process can
    open; in CI (CI=true) that is a failure, never a skip."""
    from tests.conftest import port_open, require_service

    require_service(port_open("127.0.0.1", 6379), "Redis på 127.0.0.1:6379")
    require_service(
        database_shareable(),
        "en database som worker-processen kan åbne (PostgreSQL via DATABASE_URL, "
        "som i CI, eller en SQLite-fil)",
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandaloneSimulator:
    """``manage.py run_smdb_simulator`` in its own process, on the test database."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.endpoint = f"http://127.0.0.1:{self.port}/smdbwebservice/api/external/v1/"

    def start(self) -> StandaloneSimulator:
        # Persistent database connections, as a deployed service would have.
        env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "true", "CONN_MAX_AGE": "60"}
        env.pop("SMDB_SIMULATOR_FAULT", None)
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "run_smdb_simulator", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        from tests.conftest import port_open

        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=30, what="simulator")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
