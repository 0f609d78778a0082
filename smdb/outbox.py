"""The outbox: services record every schema change for SMDB in their own transaction.

A service calls ``record(schema_row=..., action=...)`` inside its
``transaction.atomic``; the operation row commits (or rolls back) with the
change, and the Celery task that sends it is queued only on commit. Nothing is
sent to SMDB from inside a transaction, and nothing committed is lost: if the
broker is down at commit time, the beat sweeper (``smdb.sync.sweep``) queues it.

Imports point one way: the outbox records (it imports neither ``smdb.sync`` nor
``smdb.tasks``); ``smdb.sync`` sends what it recorded; ``smdb.tasks`` calls the
sync. The outbox queues the sending task by its name, the way Celery addresses a
task from code that must not import it (``tests/smdb_sync/test_imports.py``).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.apps import apps
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from cases.signals import meld_opdatering
from smdb.contract import KVALHEP
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb.schema_json import to_json

logger = logging.getLogger(__name__)

S = SyncOperationStatus
#: Not yet accepted by SMDB and not in flight: an edit may still change what is sent.
UNSENT = (S.VENTER, S.FEJL, S.AFVIST, S.OPGIVET, S.BLOKERET)

#: The Celery task that sends a forløb's operations (``smdb.tasks.send_forloeb``).
SEND_TASK = "smdb.tasks.send_forloeb"

#: operation status -> the schema row's sync_status (cases.models.SyncStatus)
ROW_STATUS = {
    S.VENTER: "afventer",
    S.SENDER: "afventer",
    S.BLOKERET: "afventer",
    S.SENDT: "sendt",
    S.AFVIST: "afvist",
    S.FEJL: "fejl",
    S.OPGIVET: "fejl",
}

SCHEMA_MODELS = {
    "anmodning": "cases.Anmodning",
    "ivaerksaettelse": "cases.Ivaerksaettelse",
    "tilbudstilknytning": "cases.Tilbudstilknytning",
    "afslutning": "cases.Afslutning",
}


def schema_model(schema_key: str) -> type[Model]:
    return apps.get_model(SCHEMA_MODELS[schema_key])


def snapshot(schema_row) -> dict:
    """What SMDB is to receive for this row, as JSON."""
    forloeb = schema_row.forloeb
    payload = {
        "values": to_json(schema_row.smdb_values()),
        "smdb_id": schema_row.smdb_id,
        "version": schema_row.version,
    }
    if schema_row.schema.key == "anmodning":
        payload["person_identifikator"] = forloeb.person_identifikator
        payload["kommune_kode"] = forloeb.kommune_kode
    return payload


def record(
    *, schema_row, action: SyncAction | str, oprettet_afventer: bool = False
) -> SyncOperation | None:
    """Record that ``schema_row`` must be created, edited or deleted in SMDB.

    Call it inside the service's ``transaction.atomic``:

    - create: ``record(schema_row=row, action=SyncAction.INDSAET)`` after saving;
    - edit ("Rediger"): ``record(schema_row=row, action=SyncAction.RET)`` after
      saving (an edit before the first send just updates what will be sent);
    - delete: ``record(schema_row=row, action=SyncAction.SLET)`` BEFORE
      ``row.delete()``, one call per schema, bagfra (Afslutning, the
      Tilbudstilknytninger newest first, Iværksættelse, Anmodning).

    The schema's ``sync_status`` becomes "afventer"; the sending task is queued
    when the transaction commits. Returns the operation, or None when a deletion
    cancelled a schema SMDB never received. ``oprettet_afventer``: the caller
    created the row in this transaction with ``sync_status`` "afventer" (a create),
    so it needs no update (one query less on a submit).
    """
    action = SyncAction(action)
    schema_key = schema_row.schema.key
    forloeb_id = schema_row.forloeb_id
    payload = snapshot(schema_row)
    ops = SyncOperation.objects.filter(schema=schema_key, object_id=schema_row.pk)
    # A schema just created has no operations yet (primary keys are never reused),
    # so a create skips the look-up: one query less on every form submit.
    # A deletion asks its own questions below (and never coalesces).
    latest = (
        None
        if action in (SyncAction.INDSAET, SyncAction.SLET)
        else ops.exclude(status=S.ANNULLERET).order_by("-pk").first()
    )
    op = None

    if action is SyncAction.SLET:
        # SMDB may hold the schema if it has an Id, or if an attempt to send it
        # ended any other way than a rejection (a rejection stores nothing).
        maybe_in_smdb = (
            schema_row.smdb_id is not None
            or ops.filter(status__in=[S.SENDT, S.SENDER]).exists()
            or ops.filter(attempts__gt=0).exclude(status__in=[S.AFVIST, S.ANNULLERET]).exists()
        )
        # Creates and edits not yet sent are moot once the schema is deleted.
        ops.filter(
            Q(attempts=0) | Q(status=S.AFVIST),
            status__in=UNSENT,
            action__in=[SyncAction.INDSAET, SyncAction.RET],
        ).update(status=S.ANNULLERET, updated=timezone.now())
        if not maybe_in_smdb:
            return None
    elif latest is not None and latest.status in UNSENT and latest.action != SyncAction.SLET:
        # Coalesce: the unsent operation sends the newest values instead. The
        # compare-and-set fails if a worker claimed it meanwhile; then a new one.
        payload = keep_earlier_values(latest, payload)
        if SyncOperation.objects.filter(pk=latest.pk, status=latest.status).update(
            payload=payload,
            status=S.VENTER,
            next_attempt_at=None,
            last_error="",
            smdb_response=None,
            updated=timezone.now(),
        ):
            op = latest

    if op is None:
        if action is SyncAction.RET and schema_row.smdb_id is None and latest is None:
            action = SyncAction.INDSAET  # an edit of a schema SMDB has not got yet
        op = SyncOperation.objects.create(
            forloeb_id=forloeb_id,
            forloeb_ref=forloeb_id,
            schema=schema_key,
            object_id=schema_row.pk,
            action=action,
            payload=payload,
        )
    if action is not SyncAction.SLET and not (
        oprettet_afventer and action is SyncAction.INDSAET and schema_row.sync_status == "afventer"
    ):
        type(schema_row).objects.filter(pk=schema_row.pk).update(sync_status="afventer")
        schema_row.sync_status = "afventer"
        meld_opdatering(forloeb_id)
    _queue_on_commit(forloeb_id)
    return op


def record_slet_kvalhep(*, forloeb, kvalhep_id: int) -> SyncOperation:
    """Record that SMDB's KvalHep ``kvalhep_id`` on the forløb's anmodning must be
    deleted (SletKvalHep; a system change, model 1). smdb-web holds no row for a
    KvalHep (discontinued 1 July 2025, ``smdb.contract.KVALHEP``), so the operation's
    ``object_id`` is the KvalHep's SMDB Id. Record it after the iværksættelse's
    deletion and before the anmodning's: the outbox sends a forløb's operations in
    the order recorded (R-DEL-1, ``smdb.rules.deletion``)."""
    op = SyncOperation.objects.create(
        forloeb_id=forloeb.pk,
        forloeb_ref=forloeb.pk,
        schema=KVALHEP,
        object_id=kvalhep_id,
        action=SyncAction.SLET,
        payload={"smdb_id": kvalhep_id},
    )
    _queue_on_commit(forloeb.pk)
    return op


def keep_earlier_values(op: SyncOperation, payload: dict) -> dict:
    """``payload`` to replace ``op``'s, remembering the values op's attempts sent.

    An attempt that did not end in a rejection may have reached SMDB with the values
    sent then; a retry must still be able to find that schema by them
    (``smdb.sync.find_in_smdb``) rather than insert it a second time.
    """
    if not op.attempts or op.status == S.AFVIST:
        return payload
    earlier = op.payload.get("tidligere", [])
    if op.payload["values"] != payload["values"]:
        earlier = [*earlier, op.payload["values"]]
    return {**payload, "tidligere": earlier} if earlier else payload


def retry(op: SyncOperation) -> bool:
    """ "Prøv igen": send a rejected or failed operation again, with the row's
    current values (the caseworker has fixed the case meanwhile). True if queued."""
    if not op.kan_proeves_igen:
        return False
    payload = op.payload
    if op.action != SyncAction.SLET:
        row = schema_model(op.schema).objects.filter(pk=op.object_id).first()
        if row is not None:
            payload = keep_earlier_values(op, snapshot(row))
    updated = SyncOperation.objects.filter(pk=op.pk, status=op.status).update(
        status=S.VENTER,
        payload=payload,
        next_attempt_at=None,
        smdb_response=None,
        last_error="",
        updated=timezone.now(),
    )
    if updated:
        refresh_row_status(op.schema, op.object_id, forloeb_id=op.forloeb_id)
        _queue_on_commit(op.forloeb_ref)
    return bool(updated)


def refresh_row_status(schema_key: str, object_id: int, *, forloeb_id: int | None) -> None:
    """The schema row shows the state of its newest operation."""
    latest = (
        SyncOperation.objects.filter(schema=schema_key, object_id=object_id)
        .exclude(status=S.ANNULLERET)
        .exclude(action=SyncAction.SLET)
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
    )
    if latest is not None:
        schema_model(schema_key).objects.filter(pk=object_id).update(sync_status=ROW_STATUS[latest])
        meld_opdatering(forloeb_id)


def latest_operation(schema_row) -> SyncOperation | None:
    """The operation that decides what the case page shows for this schema."""
    return (
        SyncOperation.objects.filter(schema=schema_row.schema.key, object_id=schema_row.pk)
        .exclude(status=S.ANNULLERET)
        .order_by("-pk")
        .first()
    )


def enqueue(forloeb_ref: int, *, countdown: float | None = None) -> None:
    """Queue the task that sends the forløb's operations. A broker failure is
    logged, not raised: the operation is committed and the sweeper will queue it.

    By name: the task's own ``apply_async`` when this process has it registered
    (``SmdbConfig.ready`` imports ``smdb.tasks``, so eager mode runs it in place),
    else a message to the broker."""
    try:
        current_app.signature(SEND_TASK, args=(forloeb_ref,)).apply_async(countdown=countdown)
    except Exception as exc:  # any broker error: the row is safe in the outbox
        # One line, not a traceback per submit while Redis is down. Marked due now,
        # so the first beat sweep after the outage queues it (smdb.sync.sweep), not
        # only once it has waited SMDB_SYNC_WAITING_AFTER.
        logger.warning(
            "Kunne ikke lægge forløb %s i køen (%s: %s); sweeperen tager det",
            forloeb_ref,
            type(exc).__name__,
            exc,
        )
        SyncOperation.objects.filter(
            forloeb_ref=forloeb_ref, status=S.VENTER, next_attempt_at__isnull=True
        ).update(next_attempt_at=timezone.now())


def _queue_on_commit(forloeb_ref: int) -> None:
    transaction.on_commit(lambda: enqueue(forloeb_ref))
