"""Drafts (kladder) are not kept for ever (issue 9): a draft untouched for
KLADDE_RETENTION_DAYS is deleted, and its owner gets a notice (accounts.Besked)
at their next login."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Besked
from cases.models import Kladde


@transaction.atomic
def slet_gamle_kladder(*, now=None) -> int:
    """Delete drafts not changed for the retention period; how many."""
    now = now or timezone.now()
    days = settings.KLADDE_RETENTION_DAYS
    old = list(Kladde.objects.filter(aendret__lt=now - timedelta(days=days)).order_by("pk"))
    per_user: dict[int, list[Kladde]] = defaultdict(list)
    for kladde in old:
        per_user[kladde.bruger_id].append(kladde)
    Besked.objects.bulk_create(
        Besked(bruger_id=user_id, tekst=besked(kladder, days)[:500])
        for user_id, kladder in per_user.items()
    )
    Kladde.objects.filter(pk__in=[k.pk for k in old]).delete()
    return len(old)


def besked(kladder: list[Kladde], days: int) -> str:
    which = ", ".join(
        f"{k.get_schema_display().lower()} i kontaktforløb {k.forloeb_id}" for k in kladder
    )
    noun = "kladde" if len(kladder) == 1 else "kladder"
    return f"{len(kladder)} {noun} er slettet, fordi de ikke var ændret i {days} dage: {which}."
