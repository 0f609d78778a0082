"""Logs never hold a CPR number: messages, exceptions, tracebacks, request lines (issue 9)."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.urls import reverse

from accounts.log_filters import CPR_PATTERN, MaskCprFilter, mask_cpr
from cases import selectors
from tests.factories import ForloebFactory

CPR = "1212851337"
CPR_DASH = "121285-1337"


@pytest.fixture
def every_log_line():
    """Everything any logger writes, through a plain, unmasked handler: on root and
    on each logger that does not propagate (django.server ...)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_cpr_numbers_are_masked_in_log_records():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "søgte %s og %s", ("0101901234", "010190-1234"), None
    )
    MaskCprFilter().filter(record)
    assert "0101901234" not in record.getMessage()
    assert "010190-1234" not in record.getMessage()
    assert mask_cpr("forløb 12345") == "forløb 12345"


def test_exception_text_and_traceback_are_masked_for_any_handler(every_log_line):
    log = logging.getLogger("smdb_web.test.nothing.configured")
    try:
        raise ValueError(f"ugyldigt CPR {CPR_DASH}")
    except ValueError:
        log.exception("opslag på %s fejlede", CPR, stack_info=True)
    output = every_log_line.getvalue()
    assert "Traceback (most recent call last)" in output
    assert "ValueError: ugyldigt CPR ******-****" in output
    assert "opslag på ******-**** fejlede" in output
    assert "Stack (most recent call last)" in output
    assert not CPR_PATTERN.search(output), output


def test_runserver_request_lines_are_masked(every_log_line):
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /forloeb/{CPR}/ HTTP/1.1", "404", "0", extra={"status_code": 404}
    )
    output = every_log_line.getvalue()
    assert "/forloeb/******-****/" in output
    assert CPR not in output


def test_djangos_own_loggers_have_no_unmasked_default_handlers():
    # Django's DEFAULT_LOGGING gives "django" a console handler of its own; LOGGING
    # must replace it, or DEBUG's console prints "Not Found: /forloeb/<CPR>/".
    for name in ("django", "django.request", "django.server", "django.security"):
        for handler in logging.getLogger(name).handlers:
            if type(handler).__module__.startswith(("_pytest", "tests.")):
                continue  # pytest's capture and the suite's own CPR watch
            assert type(handler.formatter).__name__.startswith("MaskCpr"), (name, handler)


@pytest.mark.django_db
def test_representative_requests_log_no_cpr(
    client, alice, charlie, kbh, every_log_line, monkeypatch
):
    ForloebFactory(myndighed=kbh, person_identifikator=CPR)
    client.force_login(alice)
    # 404 on a case URL whose number looks like a CPR.
    assert client.get(f"/forloeb/{CPR}/").status_code == 404
    # A search without a hit, and one with.
    client.post(reverse("cases:find_borger"), {"cpr": "010190-1234"})
    client.post(reverse("cases:find_borger"), {"cpr": CPR_DASH})
    # 403: a caseworker on the access log, with a CPR in the query string.
    assert client.get(reverse("audit:audit_list"), {"forloeb": CPR}).status_code == 403
    # A crash whose exception carries the CPR: a 500 with a traceback in the log.
    client.raise_request_exception = False

    def crash(*, user, cpr):
        raise RuntimeError(f"databasen svarede ikke for {cpr}")

    monkeypatch.setattr(selectors, "forloeb_for_cpr", crash)
    assert client.post(reverse("cases:find_borger"), {"cpr": CPR}).status_code == 500
    # A bad query parameter on the access log: 400, not a 500.
    client.force_login(charlie)
    response = client.get(reverse("audit:audit_list"), {"forloeb": f"{CPR}²"})
    assert response.status_code in (200, 400)

    output = every_log_line.getvalue()
    assert "Not Found: /forloeb/******-****/" in output
    assert "RuntimeError: databasen svarede ikke for ******-****" in output
    assert "Forbidden (Permission denied)" in output
    assert not CPR_PATTERN.search(output), output


@pytest.mark.django_db
def test_access_log_filter_with_a_superscript_digit_is_a_400_not_a_500(client, charlie):
    client.force_login(charlie)
    response = client.get(reverse("audit:audit_list"), {"forloeb": "1212851337²"})
    assert response.status_code == 400


def test_the_console_handler_writes_to_the_stderr_of_the_moment(monkeypatch):
    """Issue 24: a handler bound to the stream sys.stderr was at configuration (a
    capture stream pytest has since closed) printed '--- Logging error --- / I/O
    operation on closed file'; ours follows sys.stderr."""
    from accounts.log_filters import StderrHandler

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, StderrHandler)]
    assert handlers, "root's console handler is accounts.log_filters.StderrHandler"
    log = logging.getLogger("smdb_web.test")
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    log.warning("første linje")
    assert "første linje" in first.getvalue()
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    log.warning("anden linje")
    assert "anden linje" in second.getvalue()
