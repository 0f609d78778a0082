"""R-TILB: Tilknytning til tilbud."""

from __future__ import annotations

from smdb.rules import validate_forloeb
from tests.smdb.factories import (
    IVAER_DATO,
    SLUT_DATO,
    TODAY,
    dage,
    forloeb,
    only,
    rules,
    substitution,
    tilknytning,
)

START, SLUT = "TilbudTilknyttetBehandlingStartDato", "TilbudTilknyttetBehandlingSlutDato"


def validate(f):
    return validate_forloeb(f, today=TODAY)


def med(*tilknytninger, **kw):
    return forloeb(tilb=list(tilknytninger), **kw)


def periode(start_dag: int, slut_dag: int | None = None, **kw):
    """A tilknytning from IVAER_DATO + start_dag to IVAER_DATO + slut_dag (open if None)."""
    slut = IVAER_DATO + dage(slut_dag) if slut_dag is not None else None
    return {START: IVAER_DATO + dage(start_dag), SLUT: slut, **kw}


# R-TILB-1 -----------------------------------------------------------------------------


def test_R_TILB_1_accepts_tilknytninger_on_an_ivaerksaettelse():
    assert validate(med(tilknytning(), tilknytning(TilbudId=1))) == []


def test_R_TILB_1_rejects_a_tilknytning_without_ivaerksaettelse():
    f = med(tilknytning(), ivaersat=False)
    (v,) = only(validate(f), "R-TILB-1")
    assert (v.schema, v.index, v.felt_id) == ("tilbudstilknytning", 0, "3-TILB")


# R-TILB-2 -----------------------------------------------------------------------------


def test_R_TILB_2_accepts_a_start_on_or_after_ivaerksaettelse():
    assert validate(med(tilknytning(), tilknytning(**periode(30)))) == []


def test_R_TILB_2_rejects_a_start_before_ivaerksaettelse():
    f = med(tilknytning(), tilknytning(**periode(-1)))
    (v,) = only(validate(f), "R-TILB-2")
    assert (v.index, v.felt_id) == (1, "3-TILB")


# R-TILB-3 -----------------------------------------------------------------------------


def test_R_TILB_3_accepts_one_tilknytning_starting_on_ivaerksaettelse():
    assert validate(med(tilknytning(**periode(5)), tilknytning(**periode(0)))) == []


def test_R_TILB_3_rejects_when_none_starts_on_ivaerksaettelse():
    f = med(tilknytning(**periode(7)), tilknytning(**periode(3)))
    (v,) = only(validate(f), "R-TILB-3")
    assert (v.index, v.felt_id) == (1, "3-TILB")  # the earliest-starting one


def test_R_TILB_3_accepts_an_ivaerksaettelse_without_tilknytninger():
    assert validate(forloeb(tilknyttet=False)) == []


# R-TILB-4 -----------------------------------------------------------------------------


def test_R_TILB_4_accepts_start_equal_to_slut():
    assert validate(med(tilknytning(**periode(0, 0)))) == []


def test_R_TILB_4_rejects_slut_before_start():
    f = med(tilknytning(), tilknytning(**periode(10, 9)))
    (v,) = only(validate(f), "R-TILB-4")
    assert (v.index, v.felt_id) == (1, "4-TILB")


# R-TILB-5 -----------------------------------------------------------------------------


def test_R_TILB_5_accepts_a_draft_without_start_and_slut():
    f = med(tilknytning(), tilknytning(**{START: None}))
    assert rules(validate(f)) == ["R-GEN-2"]  # only the missing start itself


def test_R_TILB_5_rejects_a_slut_without_start():
    f = med(tilknytning(), tilknytning(**{START: None, SLUT: IVAER_DATO + dage(3)}))
    assert sorted(rules(validate(f))) == ["R-GEN-2", "R-TILB-5"]
    (v,) = [v for v in validate(f) if v.rule == "R-TILB-5"]
    assert (v.index, v.felt_id) == (1, "4-TILB")


# R-TILB-6 -----------------------------------------------------------------------------


def test_R_TILB_6_accepts_closed_tilknytninger_on_a_closed_forloeb():
    f = forloeb(
        afsluttet=True,
        tilb=[tilknytning(**periode(0, 10)), tilknytning(**{START: IVAER_DATO, SLUT: SLUT_DATO})],
    )
    assert validate(f) == []


def test_R_TILB_6_rejects_an_open_tilknytning_on_a_closed_forloeb():
    f = forloeb(
        afsluttet=True,
        tilb=[tilknytning(**periode(0, 10)), tilknytning()],
        afsl={"BehandlingAfsluttetDato": IVAER_DATO + dage(10)},
    )
    violations = validate(f)
    assert sorted(rules(violations)) == ["R-AFSL-5", "R-TILB-6"]
    (v,) = [v for v in violations if v.rule == "R-TILB-6"]
    assert (v.schema, v.index, v.felt_id) == ("tilbudstilknytning", 1, "4-TILB")


def test_R_TILB_6_rejects_a_slut_after_the_afslutning():
    f = forloeb(
        afsluttet=True,
        tilb=[tilknytning(**periode(0, 10)), tilknytning(**periode(0, 12))],
        afsl={"BehandlingAfsluttetDato": IVAER_DATO + dage(10)},
    )
    violations = validate(f)
    assert sorted(rules(violations)) == ["R-AFSL-4", "R-TILB-6"]
    (v,) = [v for v in violations if v.rule == "R-TILB-6"]
    assert v.index == 1


# R-TILB-7 -----------------------------------------------------------------------------


def test_R_TILB_7_accepts_any_number_of_parallel_04_and_06_also_to_the_same_tilbud():
    f = med(
        tilknytning(TilbudId=1),
        tilknytning(TilbudId=1),
        tilknytning(TilbudId=1, BehandlingTypeKode="06"),
        tilknytning(**periode(3), BehandlingTypeKode="06"),
        tilknytning(**periode(5), BehandlingIntensitetKode="02"),
    )
    assert validate(f) == []


def test_R_TILB_7_accepts_one_substitution_beside_04_and_06():
    f = med(tilknytning(), tilknytning(BehandlingTypeKode="06"), substitution(**periode(2)))
    assert validate(f) == []


def test_R_TILB_7_rejects_parallel_tilknytninger_when_neither_is_04_or_06():
    # R-TILB-7 only permits; its complement is what R-TILB-8 rejects.
    f = med(substitution(), substitution(BehandlingTypeKode="08"))
    (v,) = only(validate(f), "R-TILB-8")
    assert v.index == 1


# R-TILB-8 -----------------------------------------------------------------------------


def test_R_TILB_8_accepts_substitutions_one_after_another():
    f = med(
        substitution(**periode(0, 20)),
        substitution(**periode(21), BehandlingTypeKode="07"),
    )
    assert validate(f) == []


def test_R_TILB_8_rejects_overlapping_substitutions():
    f = med(
        tilknytning(),
        substitution(**periode(0, 20)),
        substitution(**periode(20), BehandlingTypeKode="05"),  # both active on day 20
    )
    (v,) = only(validate(f), "R-TILB-8")
    assert (v.index, v.felt_id) == (2, "8-TILB")
    assert "nr. 2" in v.message


def test_R_TILB_8_rejects_a_substitution_inside_an_open_one():
    f = med(substitution(), substitution(**periode(10, 15), BehandlingTypeKode="03"))
    (v,) = only(validate(f), "R-TILB-8")
    assert v.index == 1


# R-TILB-9 -----------------------------------------------------------------------------

DOEGN = {"BehandlingIntensitetKode": "03"}


def test_R_TILB_9_accepts_doegn_one_after_another_and_beside_ambulant():
    f = med(
        tilknytning(**periode(0, 9), **DOEGN), tilknytning(**periode(10), **DOEGN), tilknytning()
    )
    assert validate(f) == []


def test_R_TILB_9_rejects_two_doegn_at_the_same_time():
    f = med(tilknytning(**DOEGN), tilknytning(**periode(30, 40), **DOEGN))
    (v,) = only(validate(f), "R-TILB-9")
    assert (v.index, v.felt_id) == (1, "7-TILB")


# R-TILB-10 ----------------------------------------------------------------------------


def test_R_TILB_10_accepts_an_autorisations_id_for_substitution_and_none_for_04_06():
    assert validate(med(substitution())) == []
    assert validate(med(tilknytning(BehandlingTypeKode="06"))) == []


def test_R_TILB_10_rejects_a_missing_autorisations_id_for_substitution():
    for kode in ("01", "07", "08", "05", "03"):
        (v,) = only(validate(med(tilknytning(BehandlingTypeKode=kode))), "R-TILB-10")
        assert v.felt_id == "9-TILB"


def test_R_TILB_10_rejects_an_autorisations_id_for_04_and_06():
    for kode in ("04", "06"):
        f = med(tilknytning(BehandlingTypeKode=kode, AutorisationKodeTekst="0A1B2"))
        (v,) = only(validate(f), "R-TILB-10")
        assert "tomt" in v.message


def test_R_TILB_10_rejects_an_autorisations_id_that_is_not_5_characters():
    for bad in ("0A1B", "0A1B23", "0A-B2"):
        (v,) = only(validate(med(substitution(AutorisationKodeTekst=bad))), "R-TILB-10")
        assert "5 tegn" in v.message


def test_R_TILB_10_rejects_an_autorisations_id_padded_with_spaces():
    # The value goes to SMDB as it is: " 0A1B2 " is 7 characters, not 5.
    for bad in (" 0A1B2", "0A1B2 "):
        (v,) = only(validate(med(substitution(AutorisationKodeTekst=bad))), "R-TILB-10")
        assert "5 tegn" in v.message
