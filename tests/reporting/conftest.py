"""Hand-made forløb for the reports: each built at the boundary a test names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases.models import Anmodning, Ivaerksaettelse, SyncStatus, Tilbudstilknytning
from tests.factories import ForloebFactory

REF = date(2026, 6, 10)


def lav(myndighed, anmodet: date, stadie: str = "anmodet", dage: int = 7, **kwargs):
    """A forløb anmodet on ``anmodet``, iværksat ``dage`` later (for stages past anmodet)."""
    return ForloebFactory(
        myndighed=myndighed,
        stadie=stadie,
        anmodningsdato=anmodet,
        dage_til_ivaerksaettelse=dage,
        **kwargs,
    )


def alt_sendt(forloeb) -> None:
    """Mark every schema of the forløb as received by SMDB."""
    for model in (Anmodning, Ivaerksaettelse, Tilbudstilknytning):
        model.objects.filter(forloeb=forloeb).update(sync_status=SyncStatus.SENDT)
    from cases.models import Afslutning

    Afslutning.objects.filter(forloeb=forloeb).update(sync_status=SyncStatus.SENDT)


@pytest.fixture
def ref():
    return REF


def dage_foer(n: int) -> date:
    return REF - timedelta(days=n)


def genberegn(*forloeb) -> None:
    """After a test set a state with ``QuerySet.update`` (which sends no signal): the
    reports' rows of these forløb, recomputed as production code would have."""
    from reporting.forloebsstatus import opdater

    opdater(f.pk for f in forloeb)
