"""R-GEN: rules for every schema and question."""

from __future__ import annotations

from datetime import date

from smdb.rules import Forloeb, rule_set_for, start_date_change_error, validate_forloeb
from tests.smdb.factories import (
    ANM_DATO,
    IVAER_DATO,
    TODAY,
    anmodning,
    dage,
    forloeb,
    ivaerksaettelse,
    only,
    rules,
    tilknytning,
)


def validate(f, **kw):
    return validate_forloeb(f, today=kw.pop("today", TODAY), **kw)


# R-GEN-1 ------------------------------------------------------------------------------


def test_R_GEN_1_accepts_dates_up_to_today():
    f = forloeb(afsluttet=True, tilknyttet=False, afsl={"BehandlingAfsluttetDato": TODAY})
    assert validate(f) == []


def test_R_GEN_1_rejects_a_date_tomorrow():
    f = forloeb(afsluttet=True, tilknyttet=False, afsl={"BehandlingAfsluttetDato": TODAY + dage(1)})
    (v,) = only(validate(f), "R-GEN-1")
    assert (v.felt_id, v.schema, v.variable) == ("1-AFSL", "afslutning", "BehandlingAfsluttetDato")
    assert "fremtiden" in v.message


def test_R_GEN_1_rejects_every_future_date_in_every_schema():
    f = forloeb(ivaersat=False, anm={"BehandlingAnmodningDato": TODAY + dage(3)})
    (v,) = only(validate(f), "R-GEN-1")
    assert v.felt_id == "2-ANM"
    open_slut = forloeb(tilb=[tilknytning(TilbudTilknyttetBehandlingSlutDato=TODAY + dage(1))])
    (v,) = only(validate(open_slut), "R-GEN-1")
    assert (v.felt_id, v.index) == ("4-TILB", 0)


# R-GEN-2 ------------------------------------------------------------------------------


def test_R_GEN_2_accepts_a_complete_schema():
    assert validate(forloeb()) == []


def test_R_GEN_2_rejects_a_partially_filled_anmodning():
    f = forloeb(ivaersat=False, anm={"BehandlingTidligereKode": None})
    (v,) = only(validate(f), "R-GEN-2")
    assert (v.felt_id, v.variable, v.message) == (
        "3-ANM",
        "BehandlingTidligereKode",
        "Feltet skal udfyldes.",
    )


def test_R_GEN_2_rejects_an_empty_string_and_an_empty_list_as_unanswered():
    f = forloeb(ivaer={"BehandlingFormaalKode": "", "PersonBoligsituationKode": "  "})
    assert sorted(v.felt_id for v in only(validate(f), "R-GEN-2")) == ["6-IVÆR", "9-IVÆR"]
    f = forloeb(ivaer={"HenvisningPaaOpfordringAfListe": []})
    (v,) = validate(f)
    assert v.rule == "R-IVAER-18"  # 31-IVÆR's own rule demands at least one code


def test_R_GEN_2_reports_each_missing_field_of_a_draft():
    f = Forloeb(101, "0101901234", {"BehandlingAnmodningDato": ANM_DATO}, {})
    violations = validate(f)
    missing = {v.variable for v in violations}
    assert "IvaerksatBehandlingDato" in missing and "BehandlingTidligereKode" in missing
    assert all(v.message.startswith("Feltet skal udfyldes") for v in violations)


def test_R_GEN_2_rejects_an_answer_to_a_hidden_question():
    # 45-IVÆR is hidden when 44 = nej; it has its own rule, R-IVAER-8. The plain
    # R-GEN-2 hidden case is our own text field, shown only for årsag Anden (10).
    f = forloeb(afsluttet=True, afsl={"BehandlingAfsluttetAarsagTekst": "Flyttet til Grønland"})
    (v,) = only(validate(f), "R-GEN-2")
    assert v.felt_id == "BehandlingAfsluttetAarsagTekst"
    assert "tomt" in v.message


def test_R_GEN_2_requires_the_description_of_anden_aarsag():
    f = forloeb(afsluttet=True, afsl={"BehandlingAfsluttetAarsagKode": "10"})
    (v,) = only(validate(f), "R-GEN-2")
    assert v.variable == "BehandlingAfsluttetAarsagTekst" and "Systemskift" in v.message
    f = forloeb(
        afsluttet=True,
        afsl={
            "BehandlingAfsluttetAarsagKode": "10",
            "BehandlingAfsluttetAarsagTekst": "Systemskift",
        },
    )
    assert validate(f) == []


def test_R_GEN_2_rejects_a_code_outside_the_code_list():
    f = forloeb(ivaer={"BehandlingFormaalKode": "03"})  # 03 is not a 6-IVÆR code
    (v,) = only(validate(f), "R-GEN-2")
    assert v.felt_id == "6-IVÆR" and "'03'" in v.message
    f = forloeb(ivaer={"HenvisningPaaOpfordringAfListe": ["01", "05"]})
    (v,) = only(validate(f), "R-GEN-2")
    assert v.felt_id == "31-IVÆR"


def test_R_GEN_2_rejects_numbers_out_of_range_and_too_long_texts():
    f = forloeb(ivaer={"CannabisDageIndtagetSenesteMaanedKvantitet": 31})
    (v,) = only(validate(f), "R-GEN-2")
    assert v.felt_id == "18-IVÆR" and "mellem 0 og 30" in v.message
    f = forloeb(
        ivaer={
            "ScreeningsvaerktoejAnvendtIvaerksaetKode": "05",
            "ScreeningsvaerktoejAnvendtIvaerksaetTekst": "x" * 251,
        }
    )
    (v,) = only(validate(f), "R-GEN-2")
    assert v.felt_id == "43-IVÆR" and "250" in v.message
    f = forloeb(
        ivaer={
            "ScreeningsvaerktoejAnvendtIvaerksaetKode": "05",
            "ScreeningsvaerktoejAnvendtIvaerksaetTekst": "x" * 250,
        }
    )
    assert validate(f) == []


def test_R_GEN_2_rejects_a_wrongly_typed_answer():
    f = forloeb(ivaer={"BehandlingFormaalKode": 1, "IvaerksatBehandlingDato": "2025-09-10"})
    violations = only(validate(f), "R-GEN-2")
    assert {v.felt_id for v in violations} == {"6-IVÆR", "1-IVÆR"}
    assert all("Ugyldigt svar" in v.message for v in violations)


def test_R_GEN_2_rejects_a_kommunekode_without_three_digits():
    (v,) = only(validate(forloeb(kommune=42)), "R-GEN-2")
    assert v.felt_id == "8-ANM"


def test_R_GEN_2_reports_a_forloeb_without_any_schema():
    (v,) = validate(Forloeb(101, "0101901234", None, None))
    assert (v.rule, v.felt_id) == ("R-GEN-2", "2-ANM")


# R-GEN-3 ------------------------------------------------------------------------------


def test_R_GEN_3_accepts_the_current_rule_set_from_2025_07_01():
    assert rule_set_for(date(2025, 7, 1)).key == "2025-07"
    assert rule_set_for(date(2025, 6, 30)).key == "2019-07"
    assert rule_set_for(date(2019, 7, 1)).key == "2019-07"
    assert rule_set_for(date(2019, 6, 30)).key == "foer-2019"
    assert rule_set_for(None).key == "2025-07"


def test_R_GEN_3_does_not_demand_2025_fields_from_an_older_forloeb():
    old = date(2024, 3, 1)
    f = Forloeb(
        101,
        "0101901234",
        {"BehandlingAnmodningDato": old},
        {"IvaerksatBehandlingDato": old + dage(40)},  # no 4-IVÆR, no 42/44/46-IVÆR ...
        (tilknytning(TilbudTilknyttetBehandlingStartDato=old + dage(40)),),
    )
    assert validate(f) == []
    new = Forloeb(101, "0101901234", anmodning(), ivaerksaettelse(), ())
    draft = new.with_schema("ivaerksaettelse", {"IvaerksatBehandlingDato": IVAER_DATO})
    assert "R-GEN-2" in rules(validate(draft))


def test_R_GEN_3_still_applies_the_ordering_rules_to_an_older_forloeb():
    old = date(2018, 3, 1)
    f = Forloeb(
        101,
        "0101901234",
        {"BehandlingAnmodningDato": old},
        {"IvaerksatBehandlingDato": old - dage(1)},
    )
    assert rules(validate(f)) == ["R-IVAER-3"]


def test_R_GEN_3_rejects_a_field_that_is_not_in_the_current_schema():
    f = forloeb(ivaer={"AsiSamletScoreKvantitet": 7})  # an old, 'Udgået' kind of field
    (v,) = only(validate(f), "R-GEN-3")
    assert v.felt_id == "AsiSamletScoreKvantitet"
    old = date(2018, 3, 1)
    f_old = Forloeb(
        101, "0101901234", {"BehandlingAnmodningDato": old, "AsiSamletScoreKvantitet": 7}, None
    )
    assert validate(f_old) == []


# R-GEN-4 ------------------------------------------------------------------------------


def test_R_GEN_4_accepts_changing_a_start_date_within_a_period():
    assert start_date_change_error(date(2025, 9, 1), date(2025, 7, 1)) is None
    assert start_date_change_error(date(2019, 7, 1), date(2025, 6, 30)) is None
    assert start_date_change_error(date(2010, 1, 1), date(2019, 6, 30)) is None


def test_R_GEN_4_refuses_changing_a_start_date_across_a_saneringsdato():
    message = start_date_change_error(date(2019, 7, 1), date(2019, 6, 30))
    assert message and "01.07.2019" in message and "Slet" in message
    message = start_date_change_error(date(2025, 6, 30), date(2025, 7, 1))
    assert message and "01.07.2025" in message
    message = start_date_change_error(date(2018, 1, 1), date(2025, 9, 1))
    assert message and "01.07.2019" in message


# R-GEN-5 ------------------------------------------------------------------------------


def test_R_GEN_5_accepts_a_citizen_with_a_cpr_number_in_the_anmodning():
    f = forloeb(cpr=None, anm={"PersonIdentifikator": "010190-1234"})
    assert validate(f) == []


def test_R_GEN_5_rejects_a_citizen_without_a_cpr_number():
    (v,) = only(validate(forloeb(cpr=None)), "R-GEN-5")
    assert (v.felt_id, v.variable) == ("6-ANM", "PersonIdentifikator")
    assert v.message.startswith("Feltet skal udfyldes")


# R-GEN-6 ------------------------------------------------------------------------------


def test_R_GEN_6_accepts_a_valid_cpr_number():
    assert validate(forloeb(cpr="211062-0629")) == []


def test_R_GEN_6_rejects_an_invalid_cpr_number():
    for bad in ("3102901234", "01019012", "0101901a34"):
        (v,) = only(validate(forloeb(cpr=bad)), "R-GEN-6")
        assert v.felt_id == "6-ANM"


def test_R_GEN_6_rejects_a_birth_date_after_today():
    # 7th digit 4, year 26: born 2026-12-01, after TODAY (2026-03-01)
    assert "R-GEN-6" in rules(validate(forloeb(cpr="0112264000")))
