"""R-IVAER: Iværksæt behandling."""

from __future__ import annotations

from smdb.fields import DAGE_VARIABLES
from smdb.rules import computed_values, validate_forloeb, validate_insert
from tests.smdb.factories import (
    CPR_UNG,
    IVAER_DATO,
    TODAY,
    dage,
    forloeb,
    ivaerksaettelse,
    only,
    rules,
)


def validate(f, andre=()):
    return validate_forloeb(f, today=TODAY, andre_forloeb=andre)


def paa_dag(n: int, **ivaer):
    """An iværksat forløb n days after its anmodning (tilknytning on that day)."""
    return forloeb(
        anm={"BehandlingAnmodningDato": IVAER_DATO - dage(n)},
        ivaer=ivaer,
    )


GARANTI = "BehandlingGarantiOverskredeAarsagKode"

# R-IVAER-1 ----------------------------------------------------------------------------


def test_R_IVAER_1_accepts_inserting_the_first_ivaerksaettelse():
    f = forloeb(ivaersat=False)
    assert validate_insert(f, "ivaerksaettelse", ivaerksaettelse(), today=TODAY) == []


def test_R_IVAER_1_rejects_inserting_a_second_ivaerksaettelse():
    f = forloeb()
    (v,) = validate_insert(f, "ivaerksaettelse", ivaerksaettelse(), today=TODAY)
    assert (v.rule, v.felt_id, v.schema) == ("R-IVAER-1", "1-IVÆR", "ivaerksaettelse")


def test_R_IVAER_1_allows_editing_the_one_ivaerksaettelse():
    f = forloeb()
    edited = f.with_schema("ivaerksaettelse", ivaerksaettelse(BehandlingFormaalKode="02"))
    assert validate(edited) == []


# R-IVAER-2 ----------------------------------------------------------------------------


def test_R_IVAER_2_accepts_an_ivaerksaettelse_with_its_anmodning():
    assert validate(forloeb(tilknyttet=False)) == []


def test_R_IVAER_2_rejects_an_ivaerksaettelse_without_anmodning():
    f = forloeb(tilknyttet=False).with_schema("anmodning", None)
    (v,) = only(validate(f), "R-IVAER-2")
    assert v.felt_id == "1-IVÆR"


# R-IVAER-3 ----------------------------------------------------------------------------


def test_R_IVAER_3_accepts_ivaerksaettelse_on_the_anmodningsdato():
    assert validate(paa_dag(0)) == []


def test_R_IVAER_3_rejects_ivaerksaettelse_before_the_anmodningsdato():
    (v,) = only(validate(paa_dag(-1)), "R-IVAER-3")
    assert (v.felt_id, v.variable) == ("1-IVÆR", "IvaerksatBehandlingDato")


# R-IVAER-4 ----------------------------------------------------------------------------


def test_R_IVAER_4_accepts_no_reason_at_14_days():
    assert validate(paa_dag(14)) == []


def test_R_IVAER_4_rejects_missing_reason_after_15_days():
    (v,) = only(validate(paa_dag(15)), "R-IVAER-4")
    assert (v.felt_id, v.variable) == ("4-IVÆR", GARANTI)
    assert v.message.startswith("Feltet skal udfyldes")


def test_R_IVAER_4_accepts_a_reason_after_15_days():
    assert validate(paa_dag(15, **{GARANTI: "01"})) == []


def test_R_IVAER_4_rejects_a_reason_at_14_days():
    (v,) = only(validate(paa_dag(14, **{GARANTI: "01"})), "R-IVAER-4")
    assert "tomt" in v.message


def test_R_IVAER_4_rejects_a_wrong_computed_day_count():
    ok = paa_dag(9, IvaerksatBehandlingDageSidenAnmodningKvantitet=9)
    assert validate(ok) == []
    (v,) = only(validate(paa_dag(9, IvaerksatBehandlingDageSidenAnmodningKvantitet=8)), "R-IVAER-4")
    assert v.variable == "IvaerksatBehandlingDageSidenAnmodningKvantitet"


# R-IVAER-5 ----------------------------------------------------------------------------


def test_R_IVAER_5_accepts_frit_valg_from_18_and_samtykke_under_18():
    assert validate(paa_dag(20, **{GARANTI: "05"})) == []
    ung = forloeb(
        cpr=CPR_UNG,
        anm={"BehandlingAnmodningDato": IVAER_DATO - dage(20)},
        ivaer={GARANTI: "06", "HovedstofFoersteBrugAlderKvantitet": 14},
    )
    assert validate(ung) == []


def test_R_IVAER_5_rejects_frit_valg_under_18():
    ung = forloeb(
        cpr=CPR_UNG,
        anm={"BehandlingAnmodningDato": IVAER_DATO - dage(20)},
        ivaer={GARANTI: "05", "HovedstofFoersteBrugAlderKvantitet": 14},
    )
    (v,) = only(validate(ung), "R-IVAER-5")
    assert v.felt_id == "4-IVÆR" and "15 år" in v.message


def test_R_IVAER_5_rejects_samtykkeerklaering_from_18():
    (v,) = only(validate(paa_dag(20, **{GARANTI: "06"})), "R-IVAER-5")
    assert v.felt_id == "4-IVÆR"


def test_R_IVAER_5_turns_18_on_the_birthday():
    # born 2007-09-10: 18 on IVAER_DATO exactly
    atten = forloeb(
        cpr="1009074321",
        anm={"BehandlingAnmodningDato": IVAER_DATO - dage(20)},
        ivaer={GARANTI: "05"},
    )
    assert validate(atten) == []
    assert computed_values(atten)["PersonIvaerksatBehandlingAlderKvantitet"] == 18


def test_R_IVAER_5_rejects_a_wrong_computed_age():
    assert validate(paa_dag(9, PersonIvaerksatBehandlingAlderKvantitet=35)) == []
    (v,) = only(validate(paa_dag(9, PersonIvaerksatBehandlingAlderKvantitet=36)), "R-IVAER-5")
    assert v.felt_id == "23-IVÆR"


# R-IVAER-6 ----------------------------------------------------------------------------

HOLDT = {"OenskerBorgerTilbudLaegesamtaleKode": "01", "LaegesamtaleAfholdtIndikator": True}
AARSAG29 = "LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode"


def test_R_IVAER_6_accepts_a_laegesamtale_by_day_14_and_ivaerksaettelse_without_reason():
    f = paa_dag(14, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO)
    assert validate(f) == []
    f = paa_dag(9, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO)
    assert validate(f) == []


def test_R_IVAER_6_rejects_missing_reason_when_laegesamtale_held_after_15_days():
    f = paa_dag(20, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO, **{GARANTI: "01"})
    (v,) = only(validate(f), "R-IVAER-6")
    assert (v.felt_id, v.variable) == ("29-IVÆR", AARSAG29)
    f = paa_dag(20, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO, **{GARANTI: "01", AARSAG29: "05"})
    assert validate(f) == []


def test_R_IVAER_6_rejects_missing_reason_when_laegesamtale_held_on_day_15():
    f = paa_dag(20, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO - dage(5), **{GARANTI: "01"})
    (v,) = only(validate(f), "R-IVAER-6")


def test_R_IVAER_6_rejects_missing_reason_when_laegesamtale_after_ivaerksaettelse():
    f = paa_dag(5, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO + dage(1))
    (v,) = only(validate(f), "R-IVAER-6")
    assert v.felt_id == "29-IVÆR"


def test_R_IVAER_6_interpretation_wanted_not_held_and_late():
    onsket = {"OenskerBorgerTilbudLaegesamtaleKode": "01", "LaegesamtaleAfholdtIndikator": False}
    assert validate(paa_dag(14, **onsket)) == []
    (v,) = only(validate(paa_dag(15, **onsket, **{GARANTI: "01"})), "R-IVAER-6")
    assert v.felt_id == "29-IVÆR"
    assert validate(paa_dag(15, **onsket, **{GARANTI: "01", AARSAG29: "01"})) == []
    # not wanted: no reason asked
    assert validate(paa_dag(15, **{GARANTI: "01"})) == []


def test_R_IVAER_6_rejects_a_reason_when_the_deadline_was_kept():
    (v,) = only(validate(paa_dag(9, **{AARSAG29: "01"})), "R-IVAER-6")
    assert "tomt" in v.message


# R-IVAER-7 ----------------------------------------------------------------------------


def test_R_IVAER_7_accepts_a_date_when_held_and_none_when_not():
    assert validate(paa_dag(9, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO)) == []
    assert validate(paa_dag(9)) == []


def test_R_IVAER_7_rejects_a_missing_date_when_held():
    (v,) = only(validate(paa_dag(9, **HOLDT)), "R-IVAER-7")
    assert v.felt_id == "26-IVÆR"


def test_R_IVAER_7_rejects_a_date_when_not_held():
    (v,) = only(validate(paa_dag(9, LaegesamtaleAfholdtDato=IVAER_DATO)), "R-IVAER-7")
    assert v.felt_id == "26-IVÆR"


# R-IVAER-8 ----------------------------------------------------------------------------

BOERN = "PersonEllerPartnerHarBoernUnder18Indikator"
HUSSTAND = "BoernErTilknyttetHusstandenIndikator"


def test_R_IVAER_8_accepts_45_answered_when_children_and_null_when_not():
    assert validate(paa_dag(9, **{BOERN: True, HUSSTAND: False})) == []
    assert validate(paa_dag(9, **{BOERN: True, HUSSTAND: True})) == []
    assert validate(paa_dag(9, **{BOERN: False})) == []


def test_R_IVAER_8_rejects_45_missing_when_children():
    (v,) = only(validate(paa_dag(9, **{BOERN: True})), "R-IVAER-8")
    assert v.felt_id == "45-IVÆR"


def test_R_IVAER_8_rejects_45_answered_when_no_children():
    (v,) = only(validate(paa_dag(9, **{BOERN: False, HUSSTAND: False})), "R-IVAER-8")
    assert v.felt_id == "45-IVÆR"


# R-IVAER-9 ----------------------------------------------------------------------------


def test_R_IVAER_9_accepts_first_use_at_the_current_age():
    assert validate(paa_dag(9, HovedstofFoersteBrugAlderKvantitet=35)) == []


def test_R_IVAER_9_rejects_first_use_after_the_current_age():
    (v,) = only(validate(paa_dag(9, HovedstofFoersteBrugAlderKvantitet=36)), "R-IVAER-9")
    assert v.felt_id == "20-IVÆR" and v.variable == "HovedstofFoersteBrugAlderKvantitet"


# R-IVAER-10 ---------------------------------------------------------------------------


def test_R_IVAER_10_accepts_vil_ikke_oplyse_instead_of_the_age():
    f = paa_dag(
        9,
        HovedstofFoersteBrugAlderKvantitet=None,
        HovedstofFoersteBrugAlderVilIkkeOplyseIndikator=True,
    )
    assert validate(f) == []


def test_R_IVAER_10_rejects_a_partly_filled_hovedstof():
    f = paa_dag(9, HovedstofIndtagelseshyppighedKode=None, HovedstofTypiskIndtagelsesmaadeKode=None)
    violations = only(validate(f), "R-IVAER-10")
    assert {v.variable for v in violations} == {
        "HovedstofIndtagelseshyppighedKode",
        "HovedstofTypiskIndtagelsesmaadeKode",
    }


def test_R_IVAER_10_rejects_both_an_age_and_vil_ikke_oplyse():
    f = paa_dag(9, HovedstofFoersteBrugAlderVilIkkeOplyseIndikator=True)
    (v,) = only(validate(f), "R-IVAER-10")
    assert v.variable == "HovedstofFoersteBrugAlderKvantitet"


def test_R_IVAER_10_rejects_neither_an_age_nor_vil_ikke_oplyse():
    (v,) = only(validate(paa_dag(9, HovedstofFoersteBrugAlderKvantitet=None)), "R-IVAER-10")
    assert v.variable == "HovedstofFoersteBrugAlderKvantitet"


# R-IVAER-11 ---------------------------------------------------------------------------

STOF, MAADE = "PersonAktueltHovedstofKode", "HovedstofTypiskIndtagelsesmaadeKode"


def test_R_IVAER_11_accepts_the_possible_routes():
    for stof, maade in [("15", "04"), ("13", "02"), ("13", "03"), ("12", "03"), ("08", "01")]:
        assert validate(paa_dag(9, **{STOF: stof, MAADE: maade})) == [], (stof, maade)


def test_R_IVAER_11_rejects_the_impossible_routes():
    for stof, maade in [
        ("15", "01"),
        ("15", "02"),
        ("15", "03"),
        ("13", "01"),
        ("13", "04"),
        ("12", "04"),
    ]:
        (v,) = only(validate(paa_dag(9, **{STOF: stof, MAADE: maade})), "R-IVAER-11")
        assert v.variable == MAADE


# R-IVAER-12 ---------------------------------------------------------------------------

TAGET = "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator"
NUL_DAGE = {d: None for d in DAGE_VARIABLES}


def test_R_IVAER_12_accepts_no_counts_when_no_drugs_taken():
    assert validate(paa_dag(9, **{TAGET: False}, **NUL_DAGE)) == []


def test_R_IVAER_12_rejects_counts_when_no_drugs_taken():
    violations = only(validate(paa_dag(9, **{TAGET: False})), "R-IVAER-12")
    assert {v.felt_id for v in violations} == {"18-IVÆR"} and len(violations) == 2


def test_R_IVAER_12_rejects_drugs_taken_without_any_count():
    (v,) = only(validate(paa_dag(9, **{TAGET: True}, **NUL_DAGE)), "R-IVAER-12")
    assert v.felt_id == "18-IVÆR"
    zero = {d: 0 for d in DAGE_VARIABLES}
    (v,) = only(validate(paa_dag(9, **{TAGET: True}, **zero)), "R-IVAER-12")


# R-IVAER-13 ---------------------------------------------------------------------------

IKKE_MULIG = "PersonHovedstofAngivelseIkkeMuligIndikator"
UDEN_HOVEDSTOF = {
    "PersonAktueltHovedstofKode": None,
    "HovedstofDageIndtagetSenesteMaanedKvantitet": None,
    "HovedstofFoersteBrugAlderKvantitet": None,
    "HovedstofIndtagelseshyppighedKode": None,
    "HovedstofTypiskIndtagelsesmaadeKode": None,
}


def test_R_IVAER_13_accepts_no_hovedstof_when_not_possible():
    assert validate(paa_dag(9, **{IKKE_MULIG: True}, **UDEN_HOVEDSTOF)) == []


def test_R_IVAER_13_accepts_a_hovedstof_whatever_46_says():
    assert validate(paa_dag(9, **{TAGET: False}, **NUL_DAGE)) == []  # hovedstof given


def test_R_IVAER_13_rejects_no_hovedstof_when_possible():
    violations = only(validate(paa_dag(9, **UDEN_HOVEDSTOF)), "R-IVAER-13")
    assert len(violations) == 5 and {v.felt_id for v in violations} == {"20-IVÆR"}


def test_R_IVAER_13_rejects_a_hovedstof_when_not_possible():
    violations = only(validate(paa_dag(9, **{IKKE_MULIG: True})), "R-IVAER-13")
    assert "PersonAktueltHovedstofKode" in {v.variable for v in violations}


# R-IVAER-14 ---------------------------------------------------------------------------


def test_R_IVAER_14_accepts_answered_injection_questions():
    assert validate(paa_dag(9)) == []


def test_R_IVAER_14_rejects_missing_injection_or_sharing():
    f = paa_dag(
        9,
        PersonNogensindeInjiceretEllerInjicererForTidenKode=None,
        PersonNogensindeDeltEllerDelerVaerktoejForTidenKode=None,
    )
    violations = only(validate(f), "R-IVAER-14")
    assert sorted(v.felt_id for v in violations) == ["32-IVÆR", "33-IVÆR"]


# R-IVAER-15 ---------------------------------------------------------------------------

INJ, INJ_ALDER = (
    "PersonNogensindeInjiceretEllerInjicererForTidenKode",
    "PersonFoersteInjektionAlderKode",
)


def test_R_IVAER_15_accepts_age_of_first_injection_when_injected():
    for kode in ("03", "04", "05"):
        assert validate(paa_dag(9, **{INJ: kode, INJ_ALDER: "03"})) == []
    for kode in ("01", "99"):
        assert validate(paa_dag(9, **{INJ: kode})) == []


def test_R_IVAER_15_rejects_missing_age_when_injected():
    (v,) = only(validate(paa_dag(9, **{INJ: "05"})), "R-IVAER-15")
    assert v.felt_id == "22-IVÆR"


def test_R_IVAER_15_rejects_age_when_never_injected_or_unknown():
    for kode in ("01", "99"):
        (v,) = only(validate(paa_dag(9, **{INJ: kode, INJ_ALDER: "02"})), "R-IVAER-15")


# R-IVAER-16 ---------------------------------------------------------------------------


def test_R_IVAER_16_accepts_answered_test_questions():
    assert validate(paa_dag(9, PersonNogensindeTestetHCVKode="99")) == []


def test_R_IVAER_16_rejects_missing_hcv_or_hiv():
    f = paa_dag(9, PersonNogensindeTestetHCVKode=None, PersonNogensindeTestetHIVKode=None)
    violations = only(validate(f), "R-IVAER-16")
    assert sorted(v.felt_id for v in violations) == ["34-IVÆR", "35-IVÆR"]


# R-IVAER-17 ---------------------------------------------------------------------------

SUB, SUB_ALDER = (
    "PersonNogensindeSubstitutionsbehandlingKode",
    "PersonFoersteSubstitutionsbehandlingAlderKvantitet",
)


def test_R_IVAER_17_accepts_age_when_in_substitution_before():
    assert validate(paa_dag(9, **{SUB: "02", SUB_ALDER: 30})) == []
    assert validate(paa_dag(9, **{SUB: "02", SUB_ALDER: 35})) == []


def test_R_IVAER_17_rejects_missing_36():
    (v,) = only(validate(paa_dag(9, **{SUB: None})), "R-IVAER-17")
    assert v.felt_id == "36-IVÆR"


def test_R_IVAER_17_rejects_missing_age_when_in_substitution_before():
    (v,) = only(validate(paa_dag(9, **{SUB: "02"})), "R-IVAER-17")
    assert v.felt_id == "41-IVÆR"


def test_R_IVAER_17_rejects_age_when_never_in_substitution():
    (v,) = only(validate(paa_dag(9, **{SUB: "01", SUB_ALDER: 30})), "R-IVAER-17")
    assert v.felt_id == "41-IVÆR"


def test_R_IVAER_17_rejects_age_above_the_age_at_ivaerksaettelse():
    (v,) = only(validate(paa_dag(9, **{SUB: "02", SUB_ALDER: 36})), "R-IVAER-17")
    assert "35 år" in v.message


# R-IVAER-18 ---------------------------------------------------------------------------

HENV = "HenvisningPaaOpfordringAfListe"


def test_R_IVAER_18_accepts_uoplyst_alone_and_several_other_codes():
    assert validate(paa_dag(9, **{HENV: ["99"]})) == []
    assert validate(paa_dag(9, **{HENV: ["01", "18", "23"]})) == []


def test_R_IVAER_18_rejects_uoplyst_with_other_codes():
    (v,) = only(validate(paa_dag(9, **{HENV: ["01", "99"]})), "R-IVAER-18")
    assert v.felt_id == "31-IVÆR"


def test_R_IVAER_18_rejects_no_code():
    (v,) = only(validate(paa_dag(9, **{HENV: None})), "R-IVAER-18")
    assert v.message == "Feltet skal udfyldes."


# R-IVAER-19 ---------------------------------------------------------------------------

SCR, SCR_TEKST = (
    "ScreeningsvaerktoejAnvendtIvaerksaetKode",
    "ScreeningsvaerktoejAnvendtIvaerksaetTekst",
)


def test_R_IVAER_19_accepts_a_text_for_andet_screeningsvaerktoej():
    assert validate(paa_dag(9, **{SCR: "05", SCR_TEKST: "AUDIT"})) == []


def test_R_IVAER_19_rejects_a_missing_text_for_andet():
    (v,) = only(validate(paa_dag(9, **{SCR: "05"})), "R-IVAER-19")
    assert v.felt_id == "43-IVÆR"


def test_R_IVAER_19_rejects_a_text_for_another_tool():
    (v,) = only(validate(paa_dag(9, **{SCR: "01", SCR_TEKST: "AUDIT"})), "R-IVAER-19")
    assert v.felt_id == "43-IVÆR"


# R-IVAER-20 ---------------------------------------------------------------------------


def test_R_IVAER_20_accepts_a_laegesamtale_on_the_anmodningsdato():
    f = paa_dag(9, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO - dage(9))
    assert validate(f) == []


def test_R_IVAER_20_rejects_a_laegesamtale_before_the_anmodningsdato():
    f = paa_dag(9, **HOLDT, LaegesamtaleAfholdtDato=IVAER_DATO - dage(10))
    (v,) = only(validate(f), "R-IVAER-20")
    assert v.felt_id == "26-IVÆR"


def test_R_IVAER_20_rejects_a_laegesamtale_after_today_as_R_GEN_1():
    f = forloeb(
        anm={"BehandlingAnmodningDato": TODAY - dage(5)},
        ivaer={
            "IvaerksatBehandlingDato": TODAY,
            **HOLDT,
            "LaegesamtaleAfholdtDato": TODAY + dage(1),
        },
        tilb=[],
    )
    assert sorted(rules(validate(f))) == ["R-GEN-1", "R-IVAER-6"]  # 26 after 1-IVÆR: late too


# computed values ----------------------------------------------------------------------


def test_computed_values_days_and_age():
    assert computed_values(paa_dag(20)) == {
        "IvaerksatBehandlingDageSidenAnmodningKvantitet": 20,
        "PersonIvaerksatBehandlingAlderKvantitet": 35,
    }


def test_computed_values_leaves_out_what_cannot_be_computed():
    assert computed_values(forloeb(ivaersat=False)) == {}
    assert computed_values(forloeb(cpr="bad")) == {
        "IvaerksatBehandlingDageSidenAnmodningKvantitet": 9
    }
