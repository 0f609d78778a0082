"""Celery tasks of the system change. They take ids and continue from each
citizen's recorded step, so a duplicate or late message is harmless."""

from __future__ import annotations

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from smdb import sync
from systemskifte import services
from systemskifte.models import JobStatus


# The first run fetches the myndighed's whole active list in one SOAP call, which
# may take minutes for a large municipality; the later runs keep to the budget.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=900, time_limit=960)
def koer_systemskifte(skifte_id: int) -> str:
    """Work on the job for one time budget (SYSTEMSKIFTE_BUDGET, under the soft time
    limit); queue it again while it is running. Each citizen's step commits on its
    own, so a time limit loses at most the step under way."""
    if koer_systemskifte.app.conf.task_always_eager:
        return koer_til_ende(skifte_id)
    try:
        status = services.koer(skifte_id)
    except SoftTimeLimitExceeded:
        status = JobStatus.KOERER
    if status == JobStatus.KOERER:
        # Its outbox operations are being sent by other tasks: look again shortly,
        # leaving the worker free meanwhile.
        koer_systemskifte.apply_async((skifte_id,), countdown=1)
    return status


def koer_til_ende(skifte_id: int, *, stille_i: float = 60.0) -> str:
    """Eager Celery (the embedded default) has no worker to come back: run the job
    until it ends, sending due retries meanwhile. If nothing moves for ``stille_i``
    seconds (SMDB is down), leave it running for the command or the sweeper."""
    sidst = None
    stille_siden = time.monotonic()
    while (status := services.koer(skifte_id)) == JobStatus.KOERER:
        tal = services.fremdrift(services.Systemskifte.objects.get(pk=skifte_id))
        if tal != sidst:
            sidst, stille_siden = tal, time.monotonic()
        elif time.monotonic() - stille_siden > stille_i:
            break
        sync.sweep()
        time.sleep(0.2)
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
