"""Celery tasks of the SMDB sync. They take ids and start from the database
state (guards in smdb.sync), so a duplicate or late message is harmless."""

from __future__ import annotations

from celery import shared_task

from smdb import sync


@shared_task(acks_late=True, ignore_result=True)
def send_forloeb(forloeb_ref: int) -> int:
    """Send the forløb's due outbox operations to SMDB, in order, then whatever
    else waits in the outbox (``sync.drain_outbox``): a burst of commits is sent
    by the first of their tasks, and the others find their forløb sent."""
    return sync.process_forloeb(forloeb_ref, drain=True)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Beat: re-queue operations stuck in sending or waiting for their retry."""
    return sync.sweep()


@shared_task(ignore_result=True)
def rens_outbox() -> int:
    """Beat: confirmed outbox operations lose the CPR and answers after
    SMDB_OUTBOX_RETENTION_DAYS (smdb.retention)."""
    from smdb import retention

    return retention.rens_outbox()
