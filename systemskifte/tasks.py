"""Celery tasks of the system change. They take ids and continue from each
citizen's recorded step, so a duplicate or late message is harmless."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection

from smdb import sync
from systemskifte import services
from systemskifte.models import AfstemningStatus, JobStatus

logger = logging.getLogger(__name__)


# The first run fetches the myndighed's whole active list in one SOAP call, which
# may take minutes for a large municipality; the later runs keep to the budget.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=900, time_limit=960)
def koer_systemskifte(skifte_id: int) -> str:
    """Work on the job for one time budget (SYSTEMSKIFTE_BUDGET, under the soft time
    limit); queue it again while it is running. Each citizen's step commits on its
    own, so a time limit loses at most the step under way."""
    if koer_systemskifte.app.conf.task_always_eager:
        if settings.LOKALE_JOB_I_BAGGRUNDEN:
            koer_i_baggrunden("systemskifte", skifte_id)
            return JobStatus.KOERER
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


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=3000, time_limit=3600)
def koer_afstemning(afstemning_id: int) -> str:
    """One afstemning, queued by "Afstem nu". The run is claimed in the service, so a
    duplicate (or redelivered) message does nothing."""
    from systemskifte import afstemning

    if koer_afstemning.app.conf.task_always_eager and settings.LOKALE_JOB_I_BAGGRUNDEN:
        koer_i_baggrunden("afstemning", afstemning_id)
        return AfstemningStatus.KOERER
    return afstemning.koer(afstemning_id).status


def _koer_afstemning(afstemning_id: int) -> object:
    from systemskifte import afstemning

    return afstemning.koer(afstemning_id)


_i_gang: set[tuple[str, int]] = set()
_i_gang_laas = threading.Lock()


def koer_i_baggrunden(kind: str, job_id: int) -> None:
    """Eager Celery (the embedded default) would run a long job inside the request
    that started it: the browser waited for the whole job (17 s for a system change
    of 52 citizens, 7.6 s for an afstemning), saw the progress bar only at 100 % and
    could not press Stop (issue 23). Here it runs in a thread of the serving process
    instead, once per job; the page polls its progress. A restarted process leaves
    the job unfinished: "Genoptag" a system change, "Afstem nu" again once the
    afstemning's heartbeat is stale."""
    run = LOKALE_JOB[kind]
    with _i_gang_laas:
        if (kind, job_id) in _i_gang:
            return
        _i_gang.add((kind, job_id))

    def koer() -> None:
        try:
            run(job_id)
        except Exception:
            logger.exception("%s %s stoppede med en fejl", kind.capitalize(), job_id)
        finally:
            with _i_gang_laas:
                _i_gang.discard((kind, job_id))
            connection.close()  # the thread's own connection

    threading.Thread(target=koer, name=f"{kind}-{job_id}", daemon=True).start()


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


#: What ``koer_i_baggrunden`` runs, by kind of job.
LOKALE_JOB: dict[str, Callable[[int], object]] = {
    "systemskifte": koer_til_ende,
    "afstemning": _koer_afstemning,
}


@shared_task(ignore_result=True)
def genoptag_haengende() -> int:
    """Beat: queue running jobs whose worker died."""
    return services.genoptag_haengende()


@shared_task(ignore_result=True, soft_time_limit=3000, time_limit=3600)
def afstem_alle() -> int:
    """Beat (nightly): compare every myndighed's active forløb with SMDB's."""
    from systemskifte import afstemning

    return afstemning.afstem_alle()
