"""Beat jobs of the cases app."""

from __future__ import annotations

from celery import shared_task

from cases import retention


@shared_task(ignore_result=True)
def slet_gamle_kladder() -> int:
    """Beat: delete drafts older than KLADDE_RETENTION_DAYS, with a notice to their owner."""
    return retention.slet_gamle_kladder()
