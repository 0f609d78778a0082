"""Dates no SMDB period covers, or before the citizen was born (issue 15, issue 9).

0001-01-01 as anmodningsdato used to pick the oldest, loosest rule set and was saved;
its outbox row then stopped at SMDB's XSD. Now R-GEN-3 refuses a date before every
period and R-GEN-6 one before the birth date the CPR number gives."""

from __future__ import annotations

from datetime import date

import pytest

from smdb.rules import rule_set_for, start_date_change_error, validate_forloeb
from smdb.rules.dato import SMDB_FOERSTE_DATO, dansk_dato
from tests.smdb.factories import TODAY, forloeb, rules, tilknytning


def validate(f):
    return validate_forloeb(f, today=TODAY)


def of(violations, rule):
    return [v for v in violations if v.rule == rule]


def test_R_GEN_3_accepts_the_first_day_smdb_covers():
    f = forloeb(
        ivaersat=False,
        cpr="0101701234",
        anm={"BehandlingAnmodningDato": SMDB_FOERSTE_DATO},
    )
    assert "R-GEN-3" not in rules(validate(f))
    assert rule_set_for(SMDB_FOERSTE_DATO).key == "foer-2019"


@pytest.mark.parametrize("d", [date(1, 1, 1), date(885, 4, 29), date(2007, 12, 31)])
def test_R_GEN_3_rejects_an_anmodningsdato_no_period_covers(d):
    f = forloeb(ivaersat=False, cpr="0101104234", anm={"BehandlingAnmodningDato": d})
    (v,) = of(validate(f), "R-GEN-3")
    assert (v.felt_id, v.variable) == ("2-ANM", "BehandlingAnmodningDato")
    assert "01.01.2008" in v.message and dansk_dato(d) in v.message


def test_R_GEN_3_rejects_any_date_before_smdb_in_any_schema():
    f = forloeb(
        afsluttet=True, tilknyttet=False, afsl={"BehandlingAfsluttetDato": date(885, 4, 29)}
    )
    (v,) = of(validate(f), "R-GEN-3")
    assert v.felt_id == "1-AFSL"
    f = forloeb(tilb=[tilknytning(TilbudTilknyttetBehandlingSlutDato=date(1, 1, 1))])
    (v,) = of(validate(f), "R-GEN-3")
    assert (v.felt_id, v.index) == ("4-TILB", 0)


def test_R_GEN_6_accepts_dates_from_the_birth_date():
    f = forloeb(ivaersat=False, cpr="0101204234", anm={"BehandlingAnmodningDato": date(2020, 1, 1)})
    assert validate(f) == []


def test_R_GEN_6_rejects_a_date_before_the_citizens_birth():
    f = forloeb(
        ivaersat=False, cpr="0101204234", anm={"BehandlingAnmodningDato": date(2019, 12, 31)}
    )
    (v,) = of(validate(f), "R-GEN-6")
    assert (v.felt_id, v.variable) == ("2-ANM", "BehandlingAnmodningDato")
    assert "fødselsdato" in v.message and "01.01.2020" in v.message


def test_a_start_date_moved_before_smdb_is_left_to_R_GEN_3():
    # Not "crosses the saneringsdato 01.01.2008": no such boundary exists.
    assert start_date_change_error(date(2025, 9, 1), date(1, 1, 1)) is None


def test_dansk_dato_writes_four_digit_years():
    assert dansk_dato(date(1, 1, 1)) == "01.01.0001"


def test_a_start_date_saved_before_smdb_may_be_corrected():
    assert start_date_change_error(date(1, 1, 1), date(2025, 9, 1)) is None


# R-GEN-2: a text SMDB's XML can carry -----------------------------------------------------


def test_R_GEN_2_accepts_any_printable_text():
    f = forloeb(afsluttet=True, tilknyttet=False, afsl=systemskift("Systemskift 😀 <b>æøå</b>"))
    assert "R-GEN-2" not in rules(validate(f))


@pytest.mark.parametrize("tegn", ["\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_R_GEN_2_refuses_a_control_character_xml_cannot_carry(tegn):
    f = forloeb(afsluttet=True, tilknyttet=False, afsl=systemskift(f"System{tegn}skift"))
    (v,) = of(validate(f), "R-GEN-2")
    assert v.variable == "BehandlingAfsluttetAarsagTekst" and "tegn" in v.message


def systemskift(tekst: str) -> dict:
    return {
        "BehandlingAfsluttetAarsagKode": "10",
        "BehandlingAfsluttetStatusKode": "05",
        "BehandlingAfsluttetAarsagTekst": tekst,
    }
