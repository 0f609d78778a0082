"""visible_fields: which questions a form shows, from what is filled so far."""

from __future__ import annotations

from smdb.fields import DAGE_VARIABLES, SCHEMAS
from smdb.rules import Forloeb, required_fields, visible_fields
from smdb.rules.visibility import CONDITIONS
from tests.smdb.factories import IVAER_DATO, afslutning, dage, forloeb, ivaerksaettelse

ALLE_IVAER = {f.variable for f in SCHEMAS["ivaerksaettelse"].fields}


def shown_ivaer(n_dage=9, **values):
    f = forloeb(anm={"BehandlingAnmodningDato": IVAER_DATO - dage(n_dage)})
    return visible_fields("ivaerksaettelse", ivaerksaettelse(**values), f)


def test_every_conditional_field_has_a_condition_and_nothing_else_does():
    for key, schema in SCHEMAS.items():
        assert set(CONDITIONS[key]) == {f.variable for f in schema.fields if f.conditional}


def test_an_empty_ivaerksaettelse_shows_only_the_unconditional_questions():
    shown = visible_fields("ivaerksaettelse", {})
    conditional = {f.variable for f in SCHEMAS["ivaerksaettelse"].fields if f.conditional}
    # hovedstof is shown until 19-IVÆR is ticked
    assert shown == (ALLE_IVAER - conditional) | {
        "PersonAktueltHovedstofKode",
        "HovedstofDageIndtagetSenesteMaanedKvantitet",
        "HovedstofFoersteBrugAlderKvantitet",
        "HovedstofFoersteBrugAlderVilIkkeOplyseIndikator",
        "HovedstofIndtagelseshyppighedKode",
        "HovedstofTypiskIndtagelsesmaadeKode",
    }


def test_4_ivaer_shown_after_14_days_only():
    assert "BehandlingGarantiOverskredeAarsagKode" not in shown_ivaer(14)
    assert "BehandlingGarantiOverskredeAarsagKode" in shown_ivaer(15)


def test_4_ivaer_hidden_without_the_forloeb_or_the_date():
    assert "BehandlingGarantiOverskredeAarsagKode" not in visible_fields(
        "ivaerksaettelse", ivaerksaettelse()
    )
    assert "BehandlingGarantiOverskredeAarsagKode" not in shown_ivaer(
        30, IvaerksatBehandlingDato=None
    )


def test_26_and_29_ivaer_follow_the_laegesamtale():
    assert "LaegesamtaleAfholdtDato" not in shown_ivaer()
    held = {"LaegesamtaleAfholdtIndikator": True}
    assert "LaegesamtaleAfholdtDato" in shown_ivaer(**held)
    aarsag = "LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode"
    assert aarsag not in shown_ivaer(9, **held, LaegesamtaleAfholdtDato=IVAER_DATO)
    assert aarsag in shown_ivaer(9, **held, LaegesamtaleAfholdtDato=IVAER_DATO + dage(1))
    assert aarsag in shown_ivaer(20, **held, LaegesamtaleAfholdtDato=IVAER_DATO - dage(5))
    assert aarsag not in shown_ivaer(20, **held, LaegesamtaleAfholdtDato=IVAER_DATO - dage(6))


def test_18_ivaer_counts_follow_46():
    assert set(DAGE_VARIABLES) <= shown_ivaer()
    hidden = shown_ivaer(PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator=False)
    assert not set(DAGE_VARIABLES) & hidden


def test_hovedstof_hidden_when_not_possible_and_age_when_not_told():
    shown = shown_ivaer(PersonHovedstofAngivelseIkkeMuligIndikator=True)
    assert "PersonAktueltHovedstofKode" not in shown
    shown = shown_ivaer(HovedstofFoersteBrugAlderVilIkkeOplyseIndikator=True)
    assert "PersonAktueltHovedstofKode" in shown
    assert "HovedstofFoersteBrugAlderKvantitet" not in shown


def test_22_41_43_45_ivaer():
    shown = shown_ivaer()
    for variable in (
        "PersonFoersteInjektionAlderKode",
        "PersonFoersteSubstitutionsbehandlingAlderKvantitet",
        "ScreeningsvaerktoejAnvendtIvaerksaetTekst",
        "BoernErTilknyttetHusstandenIndikator",
    ):
        assert variable not in shown
    shown = shown_ivaer(
        PersonNogensindeInjiceretEllerInjicererForTidenKode="04",
        PersonNogensindeSubstitutionsbehandlingKode="02",
        ScreeningsvaerktoejAnvendtIvaerksaetKode="05",
        PersonEllerPartnerHarBoernUnder18Indikator=True,
    )
    for variable in (
        "PersonFoersteInjektionAlderKode",
        "PersonFoersteSubstitutionsbehandlingAlderKvantitet",
        "ScreeningsvaerktoejAnvendtIvaerksaetTekst",
        "BoernErTilknyttetHusstandenIndikator",
    ):
        assert variable in shown


def test_9_tilb_shown_for_substitution_types():
    for kode in ("01", "07", "08", "05", "03"):
        assert "AutorisationKodeTekst" in visible_fields(
            "tilbudstilknytning", {"BehandlingTypeKode": kode}
        )
    for kode in ("04", "06", None):
        assert "AutorisationKodeTekst" not in visible_fields(
            "tilbudstilknytning", {"BehandlingTypeKode": kode}
        )


def test_4_afsl_and_the_description_follow_the_aarsag():
    shown = visible_fields("afslutning", afslutning(BehandlingAfsluttetAarsagKode="06"))
    assert "BehandlingAfsluttetHvemHarOvertagetBehandling" in shown
    assert "BehandlingAfsluttetAarsagTekst" not in shown
    shown = visible_fields("afslutning", afslutning(BehandlingAfsluttetAarsagKode="10"))
    assert "BehandlingAfsluttetHvemHarOvertagetBehandling" not in shown
    assert "BehandlingAfsluttetAarsagTekst" in shown


def test_visible_fields_tolerates_garbage_values():
    garbage = {"IvaerksatBehandlingDato": "i går", "LaegesamtaleAfholdtIndikator": "ja"}
    f = Forloeb(101, None, {"BehandlingAnmodningDato": "2025-01-01"}, None)
    assert "BehandlingGarantiOverskredeAarsagKode" not in visible_fields(
        "ivaerksaettelse", garbage, f
    )


def test_required_fields_leaves_out_computed_optional_and_tick_boxes():
    required = required_fields("ivaerksaettelse", ivaerksaettelse())
    assert "IvaerksatBehandlingDageSidenAnmodningKvantitet" not in required
    assert "PersonHovedstofAngivelseIkkeMuligIndikator" not in required
    assert not set(DAGE_VARIABLES) & required
    assert "IvaerksatBehandlingDato" in required
    assert "TilbudTilknyttetBehandlingSlutDato" not in required_fields("tilbudstilknytning", {})
    assert required_fields("anmodning", {}) == {
        "BehandlingAnmodningDato",
        "BehandlingTidligereKode",
        "PersonEllerPartnerGravidKode",
        "PersonPsykiskFunktionsnedsaettelseKode",
    }
