"""Sending the outbox to SMDB: order, claims, retries, idempotency, R-DEL-3.

Order. A forløb's operations are sent one at a time in the order they were
committed. Every local write was validated against the local forløb as it was
after all earlier writes, so replaying them in that order walks SMDB through the
same valid states: ANM before IVÆR before TILB before AFSL, deletions bagfra
(R-DEL-1), exactly as the caseworker did them. A transient failure stops the
forløb until its retry; a rule rejection does not stop later operations, but an
operation whose parent schema has no SMDB Id waits ("blokeret") until it has.

Claims. A worker takes an operation with a compare-and-set on its status, so
two workers never send the same operation. The claim names the worker process
("host:pid") and is a lease (``SMDB_SYNC_LEASE``, 30 s) the worker renews while it
sends (every third of a lease, and before each send once that is due); its result
is recorded only while the claim is still its own. A worker that dies (``kill -9``,
a crash, a deploy) stops renewing, and any live worker takes its claims over once
the lease has run out: at worker start (``smdb.tasks.recover_claims``, which looks
again when the leases it saw end), before each batch it drains, and in the beat
sweep. Taken over, an operation counts as attempted, so its retry looks SMDB up
before inserting (see Idempotency). Celery's own redelivery (acks_late,
reject_on_worker_lost) covers a lost pool child, but a message a killed worker had
taken waits for Redis' visibility timeout (an hour, and it must stay above the
longest countdown of a retry), so recovery does not rest on it.

Retries. Timeouts, refused connections, HTTP 5xx and SOAP Server faults are
retried with exponential backoff; a rule rejection is permanent until a person
fixes the case (``smdb.outbox.retry``, the "Prøv igen" button).

Idempotency. An insert that was attempted before (the worker died after the
call, or the answer was lost) first looks the schema up in SMDB (by the
citizen's CPR and anmodningsdato, or by the parent's Id) and adopts its Id
instead of inserting it twice.

"Rediger". The spec has no Ret* action. Section 5.1 says system-to-system
clients can "indberette og redigere" and insert "ud fra ... tidligere hentet Id
specifikt for de enkelte skemaer"; the new 2026 Slet* actions exist to
slette-markere a case so it can be created again when a start date crosses a
saneringsdato (R-GEN-4). So an edit is sent as Indsaet* carrying the schema's
existing Id, which updates it in place: the Id stays stable (other systems and
HentAktiveKontaktForloebIMyndighed refer to it) and there is no window in which
the case is missing from SMDB, as delete + re-insert would leave (and re-insert
would have to be bagfra-deleted children first).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from cases.signals import meld_opdatering
from certificates import journal
from certificates.klient import klient_for, klienter_for
from smdb import contract, outbox
from smdb.client import SmdbError, SmdbKlient, Svar
from smdb.contract import AFSL, ANM, IVAER, KVALHEP, PARENT, TILB
from smdb.fields import SCHEMAS
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb.schema_json import from_json

logger = logging.getLogger(__name__)
S = SyncOperationStatus

DUE = (S.VENTER, S.FEJL, S.BLOKERET)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: base, 2x base, 4x base ... capped."""
    base = settings.SMDB_SYNC_RETRY_BASE
    cap = settings.SMDB_SYNC_RETRY_MAX
    return min(base * 2 ** max(attempts - 1, 0), cap) * random.uniform(0.8, 1.2)


def lease_seconds() -> float:
    return settings.SMDB_SYNC_LEASE


def worker_name() -> str:
    """This process, as a claim names it (a prefork child has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Blocked(Exception):
    """The parent schema has no SMDB Id yet."""


# --- the loop ---------------------------------------------------------------------------


def process_forloeb(
    forloeb_ref: int, *, klient: SmdbKlient | None = None, drain: bool = False
) -> int:
    """Send the forløb's due operations in order; returns how many were handled.

    With ``drain`` (the Celery task) it then goes on with the other forløb's
    waiting operations (``drain_outbox``) within the same time budget, so one
    task empties a burst and the tasks queued for forløb it already drained
    return after a query or two."""
    given = klient
    deadline = time.monotonic() + settings.SMDB_SYNC_TASK_BUDGET
    seen: set[int] = set()
    handled = 0
    while True:
        op = _next_operation(forloeb_ref, seen)
        if op is None:
            break
        if time.monotonic() > deadline:
            outbox.enqueue(forloeb_ref)  # a long queue continues in a fresh task
            return handled
        seen.add(op.pk)
        if not claim(op):
            break  # another worker has it and will carry on in order
        klient = klient or klienter_for([forloeb_ref])[forloeb_ref]
        result = send_operation(op, klient)
        handled += 1
        if result.retry_in is not None:  # a transient error stops the forløb
            _retry_later(op.forloeb_ref, result.retry_in)
            return handled
    if drain:
        handled += drain_outbox(klient=given, deadline=deadline)
    return handled


def _retry_later(forloeb_ref: int, retry_in: float) -> None:
    if not _eager():
        outbox.enqueue(forloeb_ref, countdown=retry_in)


def _next_operation(forloeb_ref: int, seen: set[int]) -> SyncOperation | None:
    now = timezone.now()
    pending = SyncOperation.objects.filter(
        forloeb_ref=forloeb_ref, status__in=(*DUE, S.SENDER)
    ).order_by("pk")
    for op in pending:
        if op.pk in seen:
            continue
        if op.status == S.SENDER:
            return None  # in flight elsewhere: keep the order
        if op.status == S.FEJL and op.next_attempt_at and op.next_attempt_at > now:
            return None  # waiting for its retry: keep the order
        return op
    return None


def claim(op: SyncOperation) -> bool:
    """Compare-and-set: take the operation only if nobody changed it since it was
    read. Every change sets ``updated``, so a payload coalesced in by an edit, or
    a whole attempt by another worker, makes the claim fail (no ABA)."""
    now = timezone.now()
    lease = _lease_fields(now)
    claimed = SyncOperation.objects.filter(pk=op.pk, status=op.status, updated=op.updated).update(
        status=S.SENDER, attempts=F("attempts") + 1, updated=now, **lease
    )
    if claimed:
        _claimed(op, now, lease)
    return claimed == 1


def _lease_fields(now) -> dict:
    return {
        "claimed_at": now,
        "claimed_by": worker_name(),
        "lease_until": now + timedelta(seconds=lease_seconds()),
    }


def _claimed(op: SyncOperation, now, lease: dict) -> None:
    op.status, op.updated = S.SENDER, now
    op.claimed_at, op.claimed_by, op.lease_until = (
        lease["claimed_at"],
        lease["claimed_by"],
        lease["lease_until"],
    )
    op.attempts += 1


class Lease:
    """This worker's claims on a batch, renewed while it works through them: one
    UPDATE per third of a lease, so a batch of quick sends costs nothing extra."""

    def __init__(self, ops: list[SyncOperation]):
        self.renewed = time.monotonic()
        self.held = {op.pk for op in ops}

    def holds(self, op: SyncOperation, rest: list[SyncOperation]) -> bool:
        """Renew the claims on ``rest`` (op and those after it) when due; False
        when op's lease ran out and another worker took it over: not to be sent."""
        if time.monotonic() - self.renewed >= lease_seconds() / 3:
            self.renew(rest)
        return op.pk in self.held

    def renew(self, ops: list[SyncOperation]) -> None:
        pks = [op.pk for op in ops]
        mine = SyncOperation.objects.filter(pk__in=pks, status=S.SENDER, claimed_by=worker_name())
        until = timezone.now() + timedelta(seconds=lease_seconds())
        mine.update(lease_until=until)
        self.held = set(mine.values_list("pk", flat=True))
        self.renewed = time.monotonic()
        for op in ops:
            op.lease_until = until


# --- draining: the heads of many forløb, a batch at a time -----------------------------------


def waiting_heads(limit: int) -> list[SyncOperation]:
    """Up to ``limit`` operations waiting for their first send ("venter"), each
    the first open operation of its forløb, oldest first. At most one per forløb,
    and none behind an operation that is in flight, waiting for its retry or
    blocked: those forløb are left to their own task, which keeps their order."""
    earlier_open = SyncOperation.objects.filter(
        forloeb_ref=OuterRef("forloeb_ref"), pk__lt=OuterRef("pk"), status__in=(*DUE, S.SENDER)
    )
    return list(
        SyncOperation.objects.filter(status=S.VENTER)
        .exclude(Exists(earlier_open))
        .order_by("pk")[:limit]
    )


def drain_outbox(*, klient: SmdbKlient | None = None, deadline: float | None = None) -> int:
    """Send the waiting heads of all forløb until none are left or the time
    budget is spent; returns how many operations were handled.

    Crash safety needs one durable point before a send (the claim, so a retry
    knows an attempt may have reached SMDB and looks it up first) and one after
    (the result). Neither has to be per operation: a batch of heads, one per
    forløb and so independent of each other, is claimed in one commit, sent one
    by one, and the results are recorded in one commit. A worker that dies in
    between leaves the batch "sender"; the sweeper hands it back and each retry
    looks SMDB up before inserting. The next operation of a forløb becomes a head
    only when the batch's results are committed, so order and parent Ids hold.
    """
    if deadline is None:
        deadline = time.monotonic() + settings.SMDB_SYNC_TASK_BUDGET
    size = settings.SMDB_SYNC_BATCH
    handled = 0
    while heads := waiting_heads(size):
        # Each batch first takes over dead workers' claims (one query while none).
        for ref in sorted(take_over_expired()):
            outbox.enqueue(ref)  # its own task keeps the forløb's order
        if time.monotonic() > deadline:
            outbox.enqueue(heads[0].forloeb_ref)  # the rest in a fresh task
            break
        claimed = claim_batch(heads)
        sent, retry_in = send_batch(claimed, klient, deadline)
        handled += sent
        if retry_in is not None:
            break  # SMDB is failing: its retry (and the sweeper) take it from here
    return handled


def claim_batch(ops: list[SyncOperation]) -> list[SyncOperation]:
    """Claim waiting operations by compare-and-set in one commit: in one statement
    when nobody touched them since they were read, else one by one (the others
    are then someone else's)."""
    if not ops:
        return []
    now = timezone.now()
    lease = _lease_fields(now)
    unchanged = reduce(or_, (Q(pk=op.pk, updated=op.updated) for op in ops))
    with transaction.atomic():
        claimed = SyncOperation.objects.filter(unchanged, status=S.VENTER).update(
            status=S.SENDER, attempts=F("attempts") + 1, updated=now, **lease
        )
        if claimed == len(ops):
            for op in ops:
                _claimed(op, now, lease)
            return ops
        transaction.set_rollback(True)  # contended: undo, and claim one by one
    with transaction.atomic():
        return [op for op in ops if claim(op)]


def send_batch(
    ops: list[SyncOperation], klient: SmdbKlient | None, deadline: float
) -> tuple[int, float | None]:
    """Send claimed operations of different forløb, then record all outcomes in
    one commit. Stops at a transient error or the deadline; what was not sent
    goes back to "venter" in the same commit. Returns how many were sent and,
    after a transient error, the seconds until its retry."""
    results: list[Result] = []
    lease = Lease(ops)
    lost: list[SyncOperation] = []
    # Each forløb's calls go to its myndighed's active SMDB environment.
    klienter = klienter_for(op.forloeb_ref for op in ops) if klient is None and ops else {}
    with journal.buffer() as calls:
        try:
            for i, op in enumerate(ops):
                if time.monotonic() > deadline:
                    break
                if not lease.holds(op, ops[i:]):
                    lost.append(op)  # taken over: the other worker sends it
                    continue
                result = attempt(op, klient or klienter[op.forloeb_ref])
                results.append(result)
                if result.error is not None or result.retry_in is not None:
                    break
        finally:
            with transaction.atomic():
                _record_batch(results)
                done = {r.op.pk for r in results} | {op.pk for op in lost}
                for op in ops:
                    if op.pk not in done:
                        _release(op)
                journal.flush(calls)
    if not results:
        return 0, None
    last = results[-1]
    if last.error is not None:
        raise last.error
    if last.retry_in is not None:
        _retry_later(last.op.forloeb_ref, last.retry_in)
    return len(results), last.retry_in


def _record_batch(results: list[Result]) -> None:
    """``_record`` for a batch. Successes, the usual case, go in one round trip
    per table (``executemany``, the same statements ``_record`` makes): built
    through the ORM, a batch's per-row updates cost as much as its SOAP calls."""
    sent = [r for r in results if r.status == S.SENDT]
    for result in results:
        if result.status != S.SENDT:
            _record(result)
    if not sent:
        return
    ops_table, (pk, status, smdb_id, smdb_response, updated, claimed_by) = _columns(
        SyncOperation, "id", "status", "smdb_id", "smdb_response", "updated", "claimed_by"
    )
    as_json = SyncOperation._meta.get_field("smdb_response").get_db_prep_save
    now = SyncOperation._meta.get_field("updated").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ops_table} SET {status} = %s, {smdb_id} = %s, {smdb_response} = %s, "
            f"{updated} = %s WHERE {pk} = %s AND {status} = %s AND {claimed_by} = %s",
            [
                (
                    S.SENDT,
                    r.fields["smdb_id"],
                    as_json(r.fields["smdb_response"], connection),
                    now,
                    r.op.pk,
                    S.SENDER,
                    r.op.claimed_by,
                )
                for r in sent
            ],
        )
        by_schema: dict[str, list[Result]] = defaultdict(list)
        for r in sent:
            if r.op.action != SyncAction.SLET:
                by_schema[r.op.schema].append(r)
        _, (schema, object_id, action) = _columns(SyncOperation, "schema", "object_id", "action")
        for schema_key, rs in by_schema.items():
            model = outbox.schema_model(schema_key)
            rows, (row_pk, row_smdb_id, sync_status) = _columns(
                model, model._meta.pk.name, "smdb_id", "sync_status"
            )
            # The row's state follows this operation unless a newer one of the row
            # (an edit committed while it was in flight) decides it.
            cursor.executemany(
                f"UPDATE {rows} SET {row_smdb_id} = COALESCE(%s, {row_smdb_id}), "
                f"{sync_status} = CASE WHEN EXISTS (SELECT 1 FROM {ops_table} o "
                f"WHERE o.{schema} = %s AND o.{object_id} = %s AND o.{pk} > %s "
                f"AND o.{status} <> %s AND o.{action} <> %s) "
                f"THEN {sync_status} ELSE %s END WHERE {row_pk} = %s",
                [
                    (
                        r.fields["smdb_id"] or None,
                        schema_key,
                        r.op.object_id,
                        r.op.pk,
                        S.ANNULLERET,
                        SyncAction.SLET,
                        outbox.ROW_STATUS[S.SENDT],
                        r.op.object_id,
                    )
                    for r in rs
                ],
            )
    meld_opdatering(*{r.op.forloeb_id for r in sent})


#: An operation no worker holds.
_NO_CLAIM = {"claimed_by": "", "lease_until": None}


def _columns(model, *names: str) -> tuple[str, list[str]]:
    """The model's table and the named fields' columns, quoted for raw SQL."""
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in names]
    return quote(model._meta.db_table), columns


def _release(op: SyncOperation) -> None:
    """Hand back a claimed operation that was never sent: not an attempt."""
    SyncOperation.objects.filter(pk=op.pk, status=S.SENDER, claimed_by=op.claimed_by).update(
        status=S.VENTER, attempts=F("attempts") - 1, updated=timezone.now(), **_NO_CLAIM
    )


# --- one attempt ---------------------------------------------------------------------------


@dataclass
class Result:
    """What became of one attempt, before it is recorded."""

    op: SyncOperation
    status: str
    fields: dict[str, Any]
    retry_in: float | None = None  # a transient error: stop, and retry after this many s
    error: Exception | None = None  # unexpected: recorded as "fejl", then raised


def send_operation(op: SyncOperation, klient: SmdbKlient) -> Result:
    """Send one claimed operation and record the outcome on it and its schema row."""
    with journal.buffer() as calls:
        result = attempt(op, klient)
        with transaction.atomic():
            _record(result)
            journal.flush(calls)
    if result.error is not None:
        raise result.error
    return result


def attempt(op: SyncOperation, klient: SmdbKlient) -> Result:
    """Send one claimed operation; what to record. Writes nothing (its calls go
    to the message journal's buffer, written with the outcome)."""
    try:
        with journal.kontekst(job="outbox", forloeb_ref=op.forloeb_ref):
            svar = _send(op, klient)
    except Blocked as exc:
        # Not an attempt: SMDB was not called.
        return _result(op, S.BLOKERET, last_error=str(exc), attempts=F("attempts") - 1)
    except SmdbError as exc:
        if not exc.transient:
            logger.error("SMDB forstod ikke operation %s: %s", op.pk, exc)
            return _result(op, S.OPGIVET, last_error=str(exc))
        if op.attempts >= settings.SMDB_SYNC_MAX_ATTEMPTS:
            return _result(op, S.OPGIVET, last_error=f"Opgivet efter {op.attempts} forsøg: {exc}")
        delay = retry_delay(op.attempts)
        logger.warning("SMDB-fejl for operation %s, forsøger igen om %.0f s: %s", op.pk, delay, exc)
        result = _result(
            op,
            S.FEJL,
            last_error=str(exc),
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        result.retry_in = delay
        return result
    except Exception as exc:
        # A bug or a time limit: never leave the operation claimed for ever. The
        # call may have reached SMDB, which the next attempt's lookup handles.
        logger.exception("Uventet fejl i operation %s", op.pk)
        result = _result(
            op,
            S.FEJL,
            last_error=f"{type(exc).__name__}: {exc}",
            next_attempt_at=timezone.now() + timedelta(seconds=retry_delay(op.attempts)),
        )
        result.error = exc
        return result
    response = {
        "succes": svar.succes,
        "id": svar.id,
        "fejl": [f.as_dict() for f in svar.fejl],
    }
    if svar.succes:
        return _result(op, S.SENDT, smdb_id=svar.id, smdb_response=response)
    return _result(
        op,
        S.AFVIST,
        smdb_response=response,
        last_error="; ".join(f"{f.kode}: {f.tekst}" for f in svar.fejl),
    )


def _result(op: SyncOperation, status: str, **fields) -> Result:
    return Result(op, status, fields)


def _record(result: Result) -> None:
    """Record the outcome on the operation and on its schema row (unless a newer
    operation of the row decides the row's state). Call it in a transaction, so
    both commit together."""
    op, status, fields = result.op, result.status, result.fields
    recorded = SyncOperation.objects.filter(
        pk=op.pk, status=S.SENDER, claimed_by=op.claimed_by
    ).update(status=status, updated=timezone.now(), **_NO_CLAIM, **fields)
    if not recorded:
        logger.warning(
            "Operation %s blev overtaget af en anden worker; resultatet gemmes ikke", op.pk
        )
        return
    if op.action != SyncAction.SLET:
        newer = (
            SyncOperation.objects.filter(schema=op.schema, object_id=op.object_id, pk__gt=op.pk)
            .exclude(status=S.ANNULLERET)
            .exclude(action=SyncAction.SLET)
        )
        row = {
            "sync_status": Case(
                When(Exists(newer), then=F("sync_status")),
                default=Value(outbox.ROW_STATUS[status]),
            )
        }
        if status == S.SENDT and fields.get("smdb_id"):
            row["smdb_id"] = fields["smdb_id"]
        outbox.schema_model(op.schema).objects.filter(pk=op.object_id).update(**row)
        meld_opdatering(op.forloeb_id)


def _eager() -> bool:
    from smdb_web.celery import app

    return bool(app.conf.task_always_eager)


# --- one operation -----------------------------------------------------------------------


def _send(op: SyncOperation, klient: SmdbKlient) -> Svar:
    if op.schema == KVALHEP:
        return _slet_kvalhep(op, klient)
    values = from_json(op.schema, op.payload.get("values", {}))
    retried = op.attempts > 1  # an earlier attempt may have reached SMDB
    if op.action == SyncAction.INDSAET and not retried:
        smdb_id = None  # a first insert, never tried: SMDB cannot have an Id for it
    else:
        smdb_id = known_smdb_id(op.schema, op.object_id, op.payload, before=op.pk)

    if op.action == SyncAction.SLET:
        if smdb_id is None and (retried or _ever_attempted(op)):
            smdb_id = find_in_smdb(op, klient, values)
        if smdb_id is None:
            return Svar(True, None)  # SMDB never got it: nothing to delete
        svar = klient.slet(op.schema, smdb_id)
        if svar.ikke_fundet:
            return Svar(True, smdb_id)  # already gone (our earlier answer was lost)
        return svar

    parent_id = None
    if op.schema != ANM:
        parent_id = parent_smdb_id(op)
        if parent_id is None:
            navn = SCHEMAS[PARENT[op.schema]].title.lower()
            raise Blocked(f"Venter på at {navn} er modtaget af SMDB.")
    if smdb_id is None and retried:
        # The values as sent now, then as sent by earlier attempts of this operation
        # (an edit may have changed them since: smdb.outbox.record keeps them).
        for sent in [values, *(from_json(op.schema, v) for v in op.payload.get("tidligere", []))]:
            smdb_id = find_in_smdb(op, klient, sent, parent_id=parent_id)
            if smdb_id is not None:
                break
        if smdb_id is not None:
            logger.info("Operation %s: fandt skemaet i SMDB (Id %s), retter det", op.pk, smdb_id)
    return klient.indsaet(
        op.schema,
        values,
        smdb_id=smdb_id,
        parent_id=parent_id,
        person_identifikator=op.payload.get("person_identifikator"),
        kommune_kode=op.payload.get("kommune_kode"),
    )


def _slet_kvalhep(op: SyncOperation, klient: SmdbKlient) -> Svar:
    """SletKvalHep by the Id the operation was recorded with (``outbox.
    record_slet_kvalhep``): the only operation on a KvalHep, idempotent as a
    deletion of a schema already gone."""
    smdb_id = op.payload["smdb_id"]
    svar = klient.slet_kvalhep(smdb_id)
    if svar.ikke_fundet:
        return Svar(True, smdb_id)  # already gone (our earlier answer was lost)
    return svar


def _ever_attempted(op: SyncOperation) -> bool:
    """Another operation of the same schema was attempted without a known result."""
    return (
        SyncOperation.objects.filter(schema=op.schema, object_id=op.object_id, attempts__gt=0)
        .exclude(pk=op.pk)
        .exclude(status__in=[S.AFVIST, S.ANNULLERET, S.SENDT])
        .exists()
    )


def known_smdb_id(
    schema_key: str, object_id: int, payload: dict | None = None, *, before: int | None = None
) -> int | None:
    """The schema's SMDB Id as we know it: on the row, in the payload, or from a
    successful earlier operation (the row may be deleted already) -- one after the
    last deletion in SMDB before operation ``before``: a schema deleted in SMDB and
    sent again (``cases.services._slet_i_smdb``) gets a new Id."""
    row_id = (
        outbox.schema_model(schema_key)
        .objects.filter(pk=object_id)
        .values_list("smdb_id", flat=True)
        .first()
    )
    if row_id:
        return row_id
    if payload and payload.get("smdb_id"):
        return payload["smdb_id"]
    ops = SyncOperation.objects.filter(schema=schema_key, object_id=object_id)
    if before is not None:
        ops = ops.filter(pk__lt=before)
    sent = ops.filter(status=S.SENDT, smdb_id__isnull=False).exclude(action=SyncAction.SLET)
    slettet = (
        ops.filter(action=SyncAction.SLET)
        .exclude(status=S.ANNULLERET)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if slettet is not None:
        sent = sent.filter(pk__gt=slettet)
    return sent.order_by("-pk").values_list("smdb_id", flat=True).first()


def _parent_row(op: SyncOperation):
    parent_key = PARENT[op.schema]
    return (
        outbox.schema_model(parent_key)
        .objects.filter(forloeb_id=op.forloeb_ref)
        .only("pk", "smdb_id")
        .first()
    )


def parent_smdb_id(op: SyncOperation) -> int | None:
    parent = _parent_row(op)
    if parent is None:
        return None
    return parent.smdb_id or known_smdb_id(PARENT[op.schema], parent.pk)


def _ids_known_locally(schema_key: str, exclude_object: int) -> set[int]:
    ids = set(
        outbox.schema_model(schema_key)
        .objects.exclude(pk=exclude_object)
        .filter(smdb_id__isnull=False)
        .values_list("smdb_id", flat=True)
    )
    ids |= set(
        SyncOperation.objects.filter(schema=schema_key, status=S.SENDT, smdb_id__isnull=False)
        .exclude(object_id=exclude_object)
        .values_list("smdb_id", flat=True)
    )
    return ids


def same_values(schema_key: str, a: dict, b: dict, *, computed: bool = False) -> bool:
    """Equal on every field a caseworker answers (and on the computed ones, which
    SMDB may fill itself, when ``computed``); empty is empty whatever its form."""

    def norm(v):
        return None if contract.unanswered(v) else v

    return all(
        norm(a.get(f.variable)) == norm(b.get(f.variable))
        for f in SCHEMAS[schema_key].stored_fields
        if computed or not f.computed
    )


def find_in_smdb(
    op: SyncOperation, klient: SmdbKlient, values: dict, *, parent_id: int | None = None
) -> int | None:
    """Look for this operation's schema in SMDB; its Id, or None if SMDB lacks it."""
    taken = _ids_known_locally(op.schema, op.object_id)
    if op.schema == ANM:
        cpr = op.payload.get("person_identifikator")
        kommune = op.payload.get("kommune_kode")
        if not cpr or not kommune:
            return None
        for a in klient.hent_anmodninger(cpr, kommune):
            if a.id not in taken and a.values.get("BehandlingAnmodningDato") == values.get(
                "BehandlingAnmodningDato"
            ):
                return a.id
        return None
    if parent_id is None:
        parent_id = parent_smdb_id(op)
        if parent_id is None:
            return None
    if op.schema == IVAER:
        iv = klient.hent_ivaerksaettelse_for_anmodning(parent_id)
        return iv.id if iv is not None and iv.id not in taken else None
    if op.schema == AFSL:
        anm = klient.hent(ANM, parent_id)
        afsl = anm.afslutning if anm is not None else None
        return afsl.id if afsl is not None and afsl.id not in taken else None
    for t in klient.hent_tilknytninger_for_ivaerksaettelse(parent_id):
        if t.id not in taken and same_values(TILB, t.values, values):
            return t.id
    return None


# --- the sweeper (beat) --------------------------------------------------------------------


def take_over_expired() -> set[int]:
    """Take over claims whose lease ran out (their worker died): back to "fejl",
    due now; attempts > 0, so the retry looks SMDB up before inserting. Returns
    their forløb, for the caller to queue. A compare-and-set on the lease, so
    two workers taking over at once, or a late renewal, cannot both win."""
    now = timezone.now()
    expired = SyncOperation.objects.filter(status=S.SENDER).filter(
        Q(lease_until__lt=now)
        # claimed before leases existed: its claim time plus a lease
        | Q(lease_until__isnull=True, claimed_at__lt=now - timedelta(seconds=lease_seconds()))
    )
    taken = list(expired.values_list("pk", "forloeb_ref", "claimed_by"))
    if not taken:
        return set()
    refs = set()
    for pk, ref, dead in taken:
        if expired.filter(pk=pk, claimed_by=dead).update(
            status=S.FEJL,
            next_attempt_at=now,
            last_error="Afbrudt under afsendelse; slås op i SMDB før den sendes igen.",
            updated=now,
            **_NO_CLAIM,
        ):
            logger.warning("Operation %s: overtaget fra %s, hvis lease er udløbet", pk, dead)
            refs.add(ref)
    return refs


def lease_wait(pks: list[int]) -> tuple[list[int], float | None]:
    """Of ``pks``, those still claimed, and the seconds until the first of their
    leases ends (None when none is claimed any more)."""
    claimed = list(
        SyncOperation.objects.filter(pk__in=pks, status=S.SENDER).values_list("pk", "lease_until")
    )
    if not claimed:
        return [], None
    now = timezone.now()
    ends = [until or now for _, until in claimed]
    return [pk for pk, _ in claimed], max((min(ends) - now).total_seconds(), 0.0)


def claimed_operations() -> list[int]:
    return list(SyncOperation.objects.filter(status=S.SENDER).values_list("pk", flat=True))


def sweep(*, waiting_after: timedelta | None = None) -> int:
    """Re-queue what is stuck; returns how many forløb were queued.

    - claimed ("sender") with its lease run out: the worker died
      (``take_over_expired``);
    - "fejl" whose retry time has come (the delayed message may be lost);
    - "venter" whose message never reached the broker (``outbox.enqueue`` marked it
      due), or older than ``waiting_after`` (its message may be lost).
    """
    now = timezone.now()
    if waiting_after is None:
        waiting_after = timedelta(seconds=settings.SMDB_SYNC_WAITING_AFTER)
    refs = take_over_expired()
    refs |= set(
        SyncOperation.objects.filter(status=S.FEJL, next_attempt_at__lte=now).values_list(
            "forloeb_ref", flat=True
        )
    )
    refs |= set(
        SyncOperation.objects.filter(
            Q(updated__lt=now - waiting_after) | Q(next_attempt_at__lte=now), status=S.VENTER
        ).values_list("forloeb_ref", flat=True)
    )
    for ref in sorted(refs):
        outbox.enqueue(ref)
    return len(refs)


# --- R-DEL-3 ------------------------------------------------------------------------------


class SkemaSlettetISmdb(Exception):
    """SMDB no longer has the schema (another system deleted it)."""


def refresh_from_smdb(schema_row, *, klient: SmdbKlient | None = None) -> bool:
    """R-DEL-3: fetch the schema from SMDB before it is shown for "Rediger".

    If SMDB's copy differs from ours, the local row is updated (its version is
    bumped, so a form opened on the old copy is refused) and True is returned,
    so the view can tell the user. False when equal, never sent, or when we have
    unsent changes of our own (ours are then the newer ones). Raises
    SkemaSlettetISmdb when SMDB no longer has it, and SmdbError when SMDB cannot
    be reached (the view decides whether to allow editing offline).
    """
    schema_key = schema_row.schema.key
    if not schema_row.smdb_id:
        return False
    unsent = SyncOperation.objects.filter(
        schema=schema_key, object_id=schema_row.pk, status__in=(*outbox.UNSENT, S.SENDER)
    ).exists()
    if unsent:
        return False
    klient = klient or klient_for(schema_row.forloeb.myndighed_id)
    anmodning_id = None
    if schema_key == AFSL:
        anmodning = schema_row.forloeb.anmodning
        anmodning_id = anmodning.smdb_id if anmodning else None
    with journal.kontekst(job="Rediger (R-DEL-3)", forloeb_ref=schema_row.forloeb_id):
        remote = klient.hent(schema_key, schema_row.smdb_id, anmodning_id=anmodning_id)
    if remote is None:
        raise SkemaSlettetISmdb(f"{schema_row.schema.title} findes ikke længere i SMDB.")
    local = schema_row.smdb_values()
    if same_values(schema_key, local, remote.values, computed=True):
        return False
    by_variable = schema_row.schema.by_variable()
    changes = {by_variable[k].name: v for k, v in remote.values.items() if k in by_variable}
    model = type(schema_row)
    model.objects.filter(pk=schema_row.pk).update(
        version=F("version") + 1, sync_status="sendt", **changes
    )
    meld_opdatering(schema_row.forloeb_id)
    schema_row.refresh_from_db()
    return True
