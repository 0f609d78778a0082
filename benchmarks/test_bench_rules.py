"""Validate 10,000 complete forløb (anmodning, iværksættelse, tilknytninger,
afslutning). Target: under 2 s on the development machine.

Run: ``.venv/bin/pytest benchmarks --benchmark-only``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from smdb.rules import Forloeb, validate_forloeb
from tests.smdb.factories import (
    CPR_UNG,
    CPR_VOKSEN,
    afslutning,
    anmodning,
    ivaerksaettelse,
    substitution,
    tilknytning,
)

pytestmark = pytest.mark.bench

TODAY = date(2026, 3, 1)
N = 10_000


def komplet(i: int) -> Forloeb:
    """A complete, closed, valid forløb; the dates and answers vary with i."""
    anm = date(2025, 7, 1) + timedelta(days=i % 150)
    dage = i % 30  # half of them over the 14-day guarantee
    ivaer = anm + timedelta(days=dage)
    slut = ivaer + timedelta(days=20 + i % 40)
    ung = i % 7 == 0
    ivaer_values = {"IvaerksatBehandlingDato": ivaer}
    if dage > 14:
        ivaer_values["BehandlingGarantiOverskredeAarsagKode"] = "06" if ung else "01"
    if ung:
        ivaer_values["HovedstofFoersteBrugAlderKvantitet"] = 13
    if i % 3 == 0:
        ivaer_values.update(
            OenskerBorgerTilbudLaegesamtaleKode="01",
            LaegesamtaleAfholdtIndikator=True,
            LaegesamtaleAfholdtDato=anm + timedelta(days=min(dage, 14)),
        )
    return Forloeb(
        kommune_kode=101 + i % 50,
        person_identifikator=CPR_UNG if ung else CPR_VOKSEN,
        anmodning=anmodning(BehandlingAnmodningDato=anm),
        ivaerksaettelse=ivaerksaettelse(**ivaer_values),
        tilbudstilknytninger=(
            tilknytning(
                TilbudTilknyttetBehandlingStartDato=ivaer, TilbudTilknyttetBehandlingSlutDato=slut
            ),
            substitution(
                TilbudTilknyttetBehandlingStartDato=ivaer + timedelta(days=3),
                TilbudTilknyttetBehandlingSlutDato=slut - timedelta(days=1),
            ),
        ),
        afslutning=afslutning(BehandlingAfsluttetDato=slut),
    )


@pytest.fixture(scope="module")
def forloeb():
    alle = [komplet(i) for i in range(N)]
    assert all(validate_forloeb(f, today=TODAY) == [] for f in alle[:500])
    return alle


def test_validate_10000_complete_forloeb(benchmark, forloeb):
    def run():
        return sum(len(validate_forloeb(f, today=TODAY)) for f in forloeb)

    assert benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1) == 0
