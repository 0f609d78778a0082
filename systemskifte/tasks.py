"""Celery tasks of the system change. They take ids and continue from each
citizen's recorded step, so a duplicate or late message is harmless."""

from __future__ import annotations

from celery import shared_task

from systemskifte import services
from systemskifte.models import JobStatus


@shared_task(acks_late=True, ignore_result=True)
def koer_systemskifte(skifte_id: int) -> str:
    """Work on the job for one time budget; queue it again while it is running."""
    status = services.koer(skifte_id)
    if status == JobStatus.KOERER and not koer_systemskifte.app.conf.task_always_eager:
        # Its outbox operations are being sent by other tasks: look again shortly,
        # leaving the worker free meanwhile.
        koer_systemskifte.apply_async((skifte_id,), countdown=1)
    return status


@shared_task(ignore_result=True)
def genoptag_haengende() -> int:
    """Beat: queue running jobs whose worker died."""
    return services.genoptag_haengende()


@shared_task(ignore_result=True, soft_time_limit=3000, time_limit=3600)
def afstem_alle() -> int:
    """Beat (nightly): compare every myndighed's active forløb with SMDB's."""
    from systemskifte import afstemning

    return afstemning.afstem_alle()
