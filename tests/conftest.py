"""Shared fixtures: two myndigheder, users of each role, services that must exist in CI."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from accounts.log_filters import CPR_PATTERN, mask_cpr
from accounts.models import Rolle
from smdb_simulator.embedded import JoiningThreadsMixIn
from tests.factories import MyndighedFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# then refuses to run without this (the live server still runs in its thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_service(available: bool, what: str) -> None:
    """Skip a test locally when a service is missing; in CI that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} mangler, men CI=true: testen må ikke springes over.")
    pytest.skip(f"{what} mangler på denne maskine")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service(bool(shutil.which(CHROMIUM_PATH)) or os.path.exists(CHROMIUM_PATH), "chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture
def kbh(db):
    return MyndighedFactory(kommune_kode=101, navn="København")


@pytest.fixture
def aarhus(db):
    return MyndighedFactory(kommune_kode=751, navn="Aarhus")


@pytest.fixture
def alice(kbh):
    """Caseworker in København."""
    return UserFactory(username="alice", myndighed=kbh, rolle=Rolle.SAGSBEHANDLER)


@pytest.fixture
def bob(aarhus):
    """Caseworker in Aarhus: must never see København's cases."""
    return UserFactory(username="bob", myndighed=aarhus, rolle=Rolle.SAGSBEHANDLER)


@pytest.fixture
def charlie(kbh):
    """Administrator in København."""
    return UserFactory(username="charlie", myndighed=kbh, rolle=Rolle.ADMINISTRATOR)


@pytest.fixture
def leder(kbh):
    return UserFactory(username="lise", myndighed=kbh, rolle=Rolle.LEDER)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


# --- No CPR number in any log line, across the whole suite (issue 9) -----------


class CprLogWatch(logging.Handler):
    """Formats every record as a plain, unmasked handler would and keeps the lines
    that hold a CPR pattern (10 digits, or 6+4 with a dash)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            return
        self.records += 1
        if CPR_PATTERN.search(text):
            self.leaks.append(f"{record.name}: {mask_cpr(text)[:500]}")

    def attach(self) -> None:
        """Root, and every logger that does not propagate to it (django.server...)."""
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
            if isinstance(logger, logging.Logger) and (
                logger.name == "root" or not logger.propagate
            ):
                if self not in logger.handlers:
                    logger.addHandler(self)

    def detach(self) -> None:
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
            if isinstance(logger, logging.Logger) and self in logger.handlers:
                logger.removeHandler(self)


_cpr_log_watch = CprLogWatch()


@pytest.fixture(scope="session", autouse=True)
def no_cpr_in_logs():
    """Every log line the suite produces, exceptions and tracebacks included, is
    checked for a CPR number; the session fails at the end if one got through."""
    _cpr_log_watch.attach()
    yield _cpr_log_watch
    _cpr_log_watch.detach()
    if _cpr_log_watch.leaks:
        pytest.fail(
            "CPR-nummer i loggen (vist maskeret her):\n" + "\n".join(_cpr_log_watch.leaks[:20])
        )


@pytest.fixture(autouse=True)
def _watch_new_loggers(no_cpr_in_logs):
    # Loggers made during the run (a library's, propagate=False) are watched too.
    no_cpr_in_logs.attach()


# --- Two-factor (issue 9) -------------------------------------------------------


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(request, settings):
    """Tests of other features log administrators and ledere in with force_login;
    two-factor is on only in tests marked ``two_factor`` (as in production)."""
    if request.node.get_closest_marker("two_factor") is None:
        settings.OTP_REQUIRED = False


# --- The reports' read model (issue 12) ---------------------------------------------


@pytest.fixture(autouse=True)
def _forloebsstatus_passer(request):
    """After every test that used the database, each forløb's row in the reports' read
    model (reporting.models.Forloebsstatus) equals a fresh computation from its schemas:
    every write path the suite takes keeps it true. A test that sets up a state with
    ``QuerySet.update`` recomputes the rows it touched (``reporting.forloebsstatus.opdater``),
    as production code does through ``cases.signals.meld_opdatering``."""
    bruger_db = request.node.get_closest_marker("django_db") is not None or any(
        navn in request.fixturenames for navn in ("db", "transactional_db", "live_server")
    )
    if not bruger_db:
        yield
        return
    # Requested here, so this check runs before the test's database is rolled back.
    request.getfixturevalue("db")
    yield
    from reporting.forloebsstatus import afvigelser

    forkerte = afvigelser()
    if forkerte:
        vist = dict(list(forkerte.items())[:5])
        pytest.fail(f"Forløbsstatus passer ikke med skemaerne ({len(forkerte)} forløb): {vist}")


# --- A green run is quiet (issue 24) ---------------------------------------------------


class JoiningWSGIServer(JoiningThreadsMixIn, ThreadedWSGIServer):
    """The live server's WSGI server, but its request threads end with it.

    Django's leaves them running as daemons: a thread held open by a keep-alive
    connection (chromium, a requests session) ended only when its client went away,
    after the server had stopped and pytest had closed its capture stream (the one
    sys.stderr was when LOGGING bound its handlers); it then closed a database
    connection no longer shared with it and logged into the closed stream
    ("DatabaseWrapper objects created in a thread...", "--- Logging error ---").
    The mixin shuts the sockets still open and waits for their threads before the
    fixture stops sharing the database connection."""


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server (same address option), with JoiningWSGIServer."""
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = JoiningWSGIServer
    server.start()
    yield server
    server.stop()


#: The two checks below fail a passing test that printed a logging error or a thread
#: exception, and the run if a test server's request thread is left behind (issue 24).
#: On by default; SMDB_TEST_STILLE=0 turns them off while hunting a noisy test.
STRICT_QUIET = os.environ.get("SMDB_TEST_STILLE", "1") != "0"

#: What a passing test must not print: a log record that could not be written, an
#: exception that killed a thread or was raised where nobody could catch it.
NOISE = ("--- Logging error ---", "Exception in thread", "Exception ignored in")
_thread_failures: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.passed and STRICT_QUIET:
        for title, content in report.sections:
            own = title.startswith("Captured") and title.endswith(report.when)
            if own and any(marker in content for marker in NOISE):
                report.outcome = "failed"
                report.longrepr = (
                    f"Testen bestod, men skrev en fejl i sit output ({title}); "
                    f"en grøn kørsel skal være stille:\n{content[-3000:]}"
                )
                break
    return report


@pytest.fixture(scope="session", autouse=True)
def quiet_run():
    """Between and after the tests (where pytest's own thread-exception check does not
    look): an exception that kills a thread fails the run, and the live server leaves
    no request thread behind."""
    previous = threading.excepthook

    def record(args):
        _thread_failures.append(f"{args.thread.name if args.thread else '?'}: {args.exc_value!r}")
        previous(args)

    threading.excepthook = record
    yield
    threading.excepthook = previous
    left = [t.name for t in threading.enumerate() if "process_request_thread" in t.name]
    if STRICT_QUIET and (_thread_failures or left):
        pytest.fail(
            "Tråde fejlede uden for en test eller blev hængende efter en testserver: "
            f"{_thread_failures[:10]} {left[:10]}"
        )


# --- Long jobs (issue 23) ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _lokale_job_inline(settings):
    """In eager mode the app runs long jobs in a background thread; tests run them
    inline, so each test sees the job done when its request returns (deterministic).
    A test of the background runner turns it on."""
    settings.LOKALE_JOB_I_BAGGRUNDEN = False
