"""R-AFSL: Afslut behandling."""

from __future__ import annotations

from smdb.rules import validate_forloeb, validate_insert
from tests.smdb.factories import (
    ANM_DATO,
    IVAER_DATO,
    SLUT_DATO,
    TODAY,
    afslutning,
    dage,
    forloeb,
    only,
    rules,
    tilknytning,
)

AFSL_DATO = "BehandlingAfsluttetDato"
START, SLUT = "TilbudTilknyttetBehandlingStartDato", "TilbudTilknyttetBehandlingSlutDato"


def validate(f, andre=()):
    return validate_forloeb(f, today=TODAY, andre_forloeb=andre)


def lukket(slut_dage: list[int], afsl_dag: int):
    """A closed forløb with tilknytninger ending IVAER_DATO + each of slut_dage."""
    tilb = [tilknytning(**{SLUT: IVAER_DATO + dage(d)}) for d in slut_dage]
    return forloeb(afsluttet=True, tilb=tilb, afsl={AFSL_DATO: IVAER_DATO + dage(afsl_dag)})


# R-AFSL-1 -----------------------------------------------------------------------------


def test_R_AFSL_1_accepts_inserting_the_afslutning():
    f = forloeb(tilknyttet=False)
    afsl = afslutning(**{AFSL_DATO: IVAER_DATO + dage(3)})
    assert validate_insert(f, "afslutning", afsl, today=TODAY) == []


def test_R_AFSL_1_rejects_inserting_a_second_afslutning():
    f = forloeb(ivaersat=False, afsluttet=True)
    (v,) = validate_insert(f, "afslutning", afslutning(**{AFSL_DATO: ANM_DATO}), today=TODAY)
    assert (v.rule, v.schema, v.felt_id) == ("R-AFSL-1", "afslutning", "1-AFSL")


def test_R_AFSL_1_rejects_an_afslutning_without_anmodning():
    f = forloeb(ivaersat=False, afsluttet=True).with_schema("anmodning", None)
    (v,) = only(validate(f), "R-AFSL-1")


# R-AFSL-2 -----------------------------------------------------------------------------


def test_R_AFSL_2_accepts_closing_without_ivaerksaettelse_on_the_anmodningsdato():
    f = forloeb(ivaersat=False, afsluttet=True, afsl={AFSL_DATO: ANM_DATO})
    assert validate(f) == []


def test_R_AFSL_2_rejects_closing_before_the_anmodningsdato():
    f = forloeb(ivaersat=False, afsluttet=True, afsl={AFSL_DATO: ANM_DATO - dage(1)})
    (v,) = only(validate(f), "R-AFSL-2")
    assert v.felt_id == "1-AFSL"


# R-AFSL-3 -----------------------------------------------------------------------------


def test_R_AFSL_3_accepts_closing_on_the_ivaerksaettelse():
    f = forloeb(tilknyttet=False, afsluttet=True, afsl={AFSL_DATO: IVAER_DATO})
    assert validate(f) == []


def test_R_AFSL_3_rejects_closing_before_the_ivaerksaettelse():
    f = forloeb(tilknyttet=False, afsluttet=True, afsl={AFSL_DATO: IVAER_DATO - dage(1)})
    (v,) = only(validate(f), "R-AFSL-3")
    assert v.felt_id == "1-AFSL"


# R-AFSL-4 -----------------------------------------------------------------------------


def test_R_AFSL_4_accepts_closing_on_the_latest_slut():
    assert validate(lukket([10, 30, 20], 30)) == []


def test_R_AFSL_4_rejects_closing_before_the_latest_slut():
    violations = validate(lukket([10, 30], 20))
    assert sorted(rules(violations)) == ["R-AFSL-4", "R-TILB-6"]
    (v,) = [v for v in violations if v.rule == "R-AFSL-4"]
    assert v.schema == "afslutning" and "10.10.2025" in v.message


# R-AFSL-5 -----------------------------------------------------------------------------


def test_R_AFSL_5_accepts_closing_when_every_tilknytning_has_a_slut():
    assert validate(lukket([0, 5], 5)) == []


def test_R_AFSL_5_rejects_closing_with_an_open_tilknytning():
    f = forloeb(afsluttet=True, tilb=[tilknytning(**{SLUT: SLUT_DATO}), tilknytning()])
    violations = validate(f)
    assert sorted(rules(violations)) == ["R-AFSL-5", "R-TILB-6"]
    (v,) = [v for v in violations if v.rule == "R-AFSL-5"]
    assert v.schema == "afslutning" and "nr. 2" in v.message


# R-AFSL-6 -----------------------------------------------------------------------------


def test_R_AFSL_6_accepts_closing_on_the_latest_slut():
    assert validate(lukket([3], 3)) == []


def test_R_AFSL_6_rejects_closing_after_the_latest_slut():
    (v,) = only(validate(lukket([3, 7], 8)), "R-AFSL-6")
    assert v.felt_id == "1-AFSL" and "17.09.2025" in v.message


def test_R_AFSL_6_does_not_apply_without_tilknytninger():
    f = forloeb(tilknyttet=False, afsluttet=True, afsl={AFSL_DATO: IVAER_DATO + dage(40)})
    assert validate(f) == []


# R-AFSL-7 -----------------------------------------------------------------------------

AARSAG, OVERTAGET = "BehandlingAfsluttetAarsagKode", "BehandlingAfsluttetHvemHarOvertagetBehandling"


def test_R_AFSL_7_accepts_who_took_over_when_transferred():
    assert validate(forloeb(afsluttet=True, afsl={AARSAG: "06", OVERTAGET: "03"})) == []


def test_R_AFSL_7_rejects_a_missing_successor_when_transferred():
    (v,) = only(validate(forloeb(afsluttet=True, afsl={AARSAG: "06"})), "R-AFSL-7")
    assert v.felt_id == "4-AFSL"


def test_R_AFSL_7_rejects_a_successor_for_another_reason():
    (v,) = only(validate(forloeb(afsluttet=True, afsl={AARSAG: "05", OVERTAGET: "03"})), "R-AFSL-7")
    assert "tomt" in v.message
