"""``beregning_hindret``: when a day count between two dates cannot be shown (issue 23)."""

from datetime import date

import pytest

from smdb.rules.dato import Hindring, beregning_hindret, dage_mellem, dagetal_tekst

TODAY = date(2026, 12, 8)


def test_accepted_dates_are_counted():
    assert beregning_hindret(date(2026, 1, 1), date(2026, 1, 15), today=TODAY) is None
    assert dage_mellem(date(2026, 1, 1), date(2026, 1, 15), today=TODAY) == 14


def test_R_IVAER_3_the_same_day_is_zero_days_not_refused():
    assert beregning_hindret(date(2026, 3, 1), date(2026, 3, 1), today=TODAY) is None
    assert dage_mellem(date(2026, 3, 1), date(2026, 3, 1)) == 0


def test_R_GEN_3_the_first_date_smdb_covers_is_counted():
    assert beregning_hindret(date(2008, 1, 1), date(2008, 1, 2)) is None


@pytest.mark.parametrize(
    ("start", "slut"),
    [(date(1971, 5, 3), date(2008, 2, 1)), (date(2008, 2, 1), date(2007, 12, 31))],
    ids=["start-before-2008", "slut-before-2008"],
)
def test_R_GEN_3_a_date_before_2008_has_no_count(start, slut):
    assert beregning_hindret(start, slut) is Hindring.DATO_AFVIST
    assert dage_mellem(start, slut) is None


def test_R_GEN_1_a_date_after_today_has_no_count():
    assert (
        beregning_hindret(date(2026, 1, 1), date(2027, 1, 1), today=TODAY) is Hindring.DATO_AFVIST
    )
    assert beregning_hindret(date(2026, 1, 1), TODAY, today=TODAY) is None


def test_R_GEN_6_a_date_before_the_birth_date_has_no_count():
    born = date(2015, 6, 1)
    assert beregning_hindret(date(2014, 1, 1), date(2016, 1, 1), foedselsdato=born) is (
        Hindring.DATO_AFVIST
    )
    assert beregning_hindret(date(2015, 6, 1), date(2016, 1, 1), foedselsdato=born) is None


def test_R_IVAER_3_an_end_before_the_start_reads_anmodet_senere():
    assert beregning_hindret(date(2026, 5, 2), date(2026, 5, 1)) is Hindring.ANMODET_SENERE
    assert dage_mellem(date(2026, 5, 2), date(2026, 5, 1)) is None
    assert Hindring.ANMODET_SENERE.tekst == "anmodet senere"


@pytest.mark.parametrize(("start", "slut"), [(None, date(2026, 1, 1)), (date(2026, 1, 1), None)])
def test_a_missing_date_has_no_count(start, slut):
    assert beregning_hindret(start, slut) is Hindring.DATO_MANGLER
    assert dage_mellem(start, slut) is None


def test_R_IVAER_3_the_text_of_a_count_is_never_negative():
    assert dagetal_tekst(1) == "1 dag"
    assert dagetal_tekst(13) == "13 dage"
    assert dagetal_tekst(0) == "0 dage"
    assert dagetal_tekst(-13462) == "anmodet senere"
    assert dagetal_tekst(None, Hindring.DATO_AFVIST) == "kan ikke beregnes: datoen er afvist"


def _forloeb(anmodet, ivaerksat, cpr="0101901234"):
    from smdb.rules import Forloeb

    return Forloeb(
        kommune_kode=101,
        person_identifikator=cpr,
        anmodning={"BehandlingAnmodningDato": anmodet},
        ivaerksaettelse={"IvaerksatBehandlingDato": ivaerksat},
    )


def test_R_IVAER_3_computed_values_of_an_ivaerksaettelse_before_the_anmodning_are_hindret():
    from smdb.rules import beregninger_hindret
    from smdb.rules import variabler as v

    hindret = beregninger_hindret(_forloeb(date(2026, 5, 2), date(2026, 5, 1)), today=TODAY)
    assert hindret == {v.DAGE_SIDEN_ANMODNING: Hindring.ANMODET_SENERE}  # the age is fine


def test_R_GEN_6_the_age_at_an_ivaerksaettelse_before_the_birth_date_is_hindret():
    from smdb.rules import beregninger_hindret
    from smdb.rules import variabler as v

    born_2020 = "0101204000"  # 7th digit 4, year 20: born 1 January 2020
    hindret = beregninger_hindret(
        _forloeb(date(2019, 1, 1), date(2019, 6, 1), cpr=born_2020), today=TODAY
    )
    assert hindret[v.ALDER] is Hindring.DATO_AFVIST
    assert hindret[v.DAGE_SIDEN_ANMODNING] is Hindring.DATO_AFVIST


def test_accepted_dates_leave_the_computed_values_to_be_shown():
    from smdb.rules import beregninger_hindret

    assert beregninger_hindret(_forloeb(date(2026, 5, 1), date(2026, 5, 9)), today=TODAY) == {}
    # An answer that is no date (R-GEN-2) is simply not counted, not a crash.
    assert beregninger_hindret(_forloeb(date(2026, 5, 1), "9. maj"), today=TODAY) == {}
