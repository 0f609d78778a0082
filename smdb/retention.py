"""Personal data in the outbox is kept no longer than needed (issue 9).

Once SMDB has confirmed an operation (status sendt) and
SMDB_OUTBOX_RETENTION_DAYS have passed, its payload loses the CPR number and
the answers; what stays is what later operations read: the SMDB Id and the
row's version. The schema rows themselves hold the case as it stands.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from smdb.models import SyncOperation
from smdb.models import SyncOperationStatus as S

PERSONAL_KEYS = ("values", "tidligere", "person_identifikator", "kommune_kode")


def rens_outbox(*, now=None) -> int:
    """Strip confirmed operations older than the retention period; how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SMDB_OUTBOX_RETENTION_DAYS)
    has_personal = Q()
    for key in PERSONAL_KEYS:
        has_personal |= Q(payload__has_key=key)
    due = SyncOperation.objects.filter(has_personal, status=S.SENDT, updated__lt=cutoff)
    count = 0
    for op in due.only("pk", "payload", "smdb_id").iterator():
        kept = {k: op.payload[k] for k in ("smdb_id", "version") if k in op.payload}
        kept["smdb_id"] = kept.get("smdb_id") or op.smdb_id
        # A plain update: `updated` (when SMDB confirmed) stays as it was.
        count += SyncOperation.objects.filter(pk=op.pk, status=S.SENDT).update(
            payload=kept, last_error=""
        )
    return count
