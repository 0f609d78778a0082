"""R-SKIFT-2 and R-SKIFT-4: closing on a system change (model 2) and restarting."""

from __future__ import annotations

from datetime import date

from smdb.rules import validate_forloeb
from smdb.rules.systemskifte import er_systemskifte_afslutning, genstartsdato, luk_ved_systemskifte
from tests.smdb.factories import IVAER_DATO, TODAY, dage, forloeb, tilknytning

SKIFT = date(2025, 12, 31)


def test_R_SKIFT_2_closes_open_tilknytninger_and_the_forloeb_on_the_change_date():
    f = forloeb(
        tilb=[
            tilknytning(TilbudTilknyttetBehandlingSlutDato=IVAER_DATO + dage(5)),
            tilknytning(),
        ]
    )
    closed = luk_ved_systemskifte(f, SKIFT, status_kode="05")
    assert closed.tilbudstilknytninger[1]["TilbudTilknyttetBehandlingSlutDato"] == SKIFT
    assert closed.tilbudstilknytninger[0][
        "TilbudTilknyttetBehandlingSlutDato"
    ] == IVAER_DATO + dage(5)
    assert closed.afslutning["BehandlingAfsluttetDato"] == SKIFT
    assert er_systemskifte_afslutning(closed.afslutning)
    assert validate_forloeb(closed, today=TODAY) == []
    assert genstartsdato(SKIFT) == date(2026, 1, 1)


def test_R_SKIFT_2_keeps_R_AFSL_6_when_every_tilknytning_had_ended():
    f = forloeb(tilb=[tilknytning(TilbudTilknyttetBehandlingSlutDato=IVAER_DATO + dage(5))])
    closed = luk_ved_systemskifte(f, SKIFT, status_kode="05")
    assert closed.afslutning["BehandlingAfsluttetDato"] == IVAER_DATO + dage(5)
    assert validate_forloeb(closed, today=TODAY) == []


def test_R_SKIFT_2_closes_a_forloeb_never_iverksat():
    closed = luk_ved_systemskifte(forloeb(ivaersat=False), SKIFT, status_kode="05")
    assert validate_forloeb(closed, today=TODAY) == []


def test_R_SKIFT_4_recognises_only_anden_aarsag_with_systemskift():
    assert er_systemskifte_afslutning(
        {"BehandlingAfsluttetAarsagKode": "10", "BehandlingAfsluttetAarsagTekst": "Systemskifte"}
    )
    assert not er_systemskifte_afslutning(
        {"BehandlingAfsluttetAarsagKode": "10", "BehandlingAfsluttetAarsagTekst": "Flyttet"}
    )
    assert not er_systemskifte_afslutning(
        {"BehandlingAfsluttetAarsagKode": "01", "BehandlingAfsluttetAarsagTekst": "Systemskift"}
    )
    assert not er_systemskifte_afslutning(None)
