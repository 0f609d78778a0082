"""Celery tasks of the SMDB sync. They take ids and start from the database
state (guards in smdb.sync), so a duplicate or late message is harmless."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from smdb import outbox, sync


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


@shared_task(ignore_result=True)
def recover_claims(watch: list[int] | None = None) -> None:
    """A worker's start: take over the claims of workers that died (their lease ran
    out) and wake the outbox, whose messages may have died with them. Claims whose
    lease is still running are watched: this task comes back when the first of
    them ends, until none of them is claimed any more (their worker finished them,
    or they were taken over). So a restarted worker resumes within a lease of its
    start, without waiting for the beat sweep or Redis' visibility timeout."""
    refs = sync.take_over_expired()
    if watch is None:
        watch = sync.claimed_operations()
        heads = sync.waiting_heads(1)
        if heads:
            refs.add(heads[0].forloeb_ref)  # its task drains the rest
    for ref in sorted(refs):
        outbox.enqueue(ref)
    still, wait = sync.lease_wait(watch)
    if still and wait is not None:
        recover_claims.apply_async((still,), countdown=wait + 1)


@worker_ready.connect
def _recover_at_start(sender=None, **kwargs) -> None:
    recover_claims.delay()
