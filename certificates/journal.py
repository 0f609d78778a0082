"""The message journal: every SOAP call to SMDB kept with who or which job,
environment, action, duration, outcome, SMDB's error codes and the bodies with
CPR numbers masked (certificates.models.Besked).

- ``Capture`` is a zeep plugin smdb.client installs on every client: it keeps
  the outgoing envelope (before WS-Security signs it) and the reply.
- ``kontekst(...)`` says who is calling (a user, a job, a forløb) for the calls
  made inside it.
- ``record(...)`` is called by ``SmdbKlient.call`` after each call; it never
  lets a journal failure break the call itself.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from lxml import etree
from zeep.plugins import Plugin

from accounts.log_filters import mask_cpr
from certificates.models import Besked, Udfald
from smdb.contract import IKKE_FUNDET

logger = logging.getLogger(__name__)

MAX_BODY = 100_000

_kontekst: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "smdb_journal", default=None
)
_exchange: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "smdb_exchange", default=None
)
_buffer: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "smdb_journal_buffer", default=None
)


@contextmanager
def kontekst(*, bruger=None, job: str | None = None, forloeb_ref: int | None = None):
    """Who calls, for the calls made inside; an inner block adds to an outer one."""
    given = {"bruger": bruger, "job": job, "forloeb_ref": forloeb_ref}
    token = _kontekst.set(
        (_kontekst.get() or {}) | {k: v for k, v in given.items() if v is not None}
    )
    try:
        yield
    finally:
        _kontekst.reset(token)


def _text(envelope) -> str:
    return mask_cpr(etree.tostring(envelope, encoding="unicode")[:MAX_BODY])


class Capture(Plugin):
    def egress(self, envelope, http_headers, operation, binding_options):
        exchange = _exchange.get()
        if exchange is not None:
            exchange["request"] = _text(envelope)
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        exchange = _exchange.get()
        if exchange is not None:
            exchange["response"] = _text(envelope)
        return envelope, http_headers


@contextmanager
def exchange():
    """Collect the bodies of the call made inside."""
    found: dict = {}
    token = _exchange.set(found)
    try:
        yield found
    finally:
        _exchange.reset(token)


def _fejlkoder(result) -> tuple[str, list[str]]:
    succes = getattr(result, "Succes", None)
    fejlliste = getattr(result, "Fejlliste", None)
    koder = [f.Kode for f in (getattr(fejlliste, "Fejl", None) or [])]
    # A Hent* that finds nothing answers Succes=false with IKKE_FUNDET: not a rejection.
    if succes is False and (not koder or any(k != IKKE_FUNDET for k in koder)):
        return Udfald.AFVIST, koder
    return Udfald.OK, koder


def record(
    *,
    klient,
    operation: str,
    seconds: float,
    exchange: dict,
    result=None,
    error: BaseException | None = None,
) -> None:
    info = getattr(klient, "journal_info", None) or {}
    ctx = _kontekst.get() or {}
    if error is not None:
        udfald, koder = Udfald.FEJL, []
    else:
        udfald, koder = _fejlkoder(result)
    try:
        bruger = ctx.get("bruger")
        besked = Besked(
            myndighed_id=info.get("myndighed_id"),
            miljoe=info.get("miljoe", ""),
            endpoint=(klient.endpoint or settings.SMDB_ENDPOINT)[:300],
            bruger=bruger if getattr(bruger, "pk", None) else None,
            job=(ctx.get("job") or "")[:50],
            forloeb_ref=ctx.get("forloeb_ref"),
            handling=operation[:80],
            varighed_ms=max(0, round(seconds * 1000)),
            udfald=udfald,
            fejlkoder=koder,
            fejl=mask_cpr(str(error))[:2000] if error is not None else "",
            request=exchange.get("request", ""),
            response=exchange.get("response", ""),
            tidspunkt=timezone.now(),
        )
        pending = _buffer.get()
        if pending is not None:
            pending.append(besked)
        else:
            besked.save()
    except Exception:  # the journal must never stop a call to SMDB
        logger.exception("Beskedjournalen kunne ikke skrive kaldet %s", operation)


@contextmanager
def buffer():
    """Keep the calls made inside for ``flush``: the outbox writes them in the
    same commit as the outcomes (one commit per batch, smdb.sync)."""
    pending: list = []
    token = _buffer.set(pending)
    try:
        yield pending
    finally:
        _buffer.reset(token)


def flush(pending: list) -> None:
    if pending:
        Besked.objects.bulk_create(pending)
        pending.clear()


def ryd_op(*, now=None) -> int:
    """Delete calls older than SMDB_JOURNAL_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SMDB_JOURNAL_RETENTION_DAYS)
    deleted, _ = Besked.objects.filter(tidspunkt__lt=cutoff).delete()
    return deleted
