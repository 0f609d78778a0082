"""Properties: every valid forløb is accepted, and moving one date across a rule's
boundary yields exactly that rule's violation."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smdb.rules import Forloeb, Violation, validate_forloeb
from tests.smdb.strategies import valid_forloeb

SETTINGS = settings(max_examples=100, deadline=None)
START, SLUT = "TilbudTilknyttetBehandlingStartDato", "TilbudTilknyttetBehandlingSlutDato"


def ivaer_with(f: Forloeb, **values) -> Forloeb:
    return f.with_schema("ivaerksaettelse", {**f.ivaerksaettelse, **values})


def anm_with(f: Forloeb, **values) -> Forloeb:
    return f.with_schema("anmodning", {**f.anmodning, **values})


def tilb_with(f: Forloeb, index: int, **values) -> Forloeb:
    return f.with_schema("tilbudstilknytning", {**f.tilbudstilknytninger[index], **values}, index)


def exactly(violations: list[Violation], rule: str, felt_id: str) -> None:
    assert [(v.rule, v.felt_id) for v in violations] == [(rule, felt_id)], violations


@SETTINGS
@given(valid_forloeb())
def test_every_generated_valid_forloeb_is_accepted(drawn):
    f, today = drawn
    assert validate_forloeb(f, today=today) == []


@SETTINGS
@given(valid_forloeb(), st.data())
def test_the_other_forloeb_of_a_closed_one_do_not_matter(drawn, data):
    f, today = drawn
    closed, _ = data.draw(valid_forloeb(afsluttet=True))
    assert validate_forloeb(f, today=today, andre_forloeb=[closed]) == []


# R-GEN-1 ------------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=False, afsluttet=False), st.integers(1, 400))
def test_R_GEN_1_anmodningsdato_moved_after_today(drawn, k):
    f, today = drawn
    moved = anm_with(f, BehandlingAnmodningDato=today + timedelta(days=k))
    exactly(validate_forloeb(moved, today=today), "R-GEN-1", "2-ANM")


@SETTINGS
@given(valid_forloeb(ivaersat=True, afsluttet=True, max_tilknytninger=0), st.integers(1, 400))
def test_R_GEN_1_afslutning_moved_after_today(drawn, k):
    f, today = drawn
    moved = f.with_schema(
        "afslutning", {**f.afslutning, "BehandlingAfsluttetDato": today + timedelta(days=k)}
    )
    exactly(validate_forloeb(moved, today=today), "R-GEN-1", "1-AFSL")


@SETTINGS
@given(valid_forloeb(ivaersat=True, afsluttet=False, min_tilknytninger=1), st.data())
def test_R_GEN_1_open_tilknytning_ending_after_today(drawn, data):
    f, today = drawn
    open_ = [i for i, t in enumerate(f.tilbudstilknytninger) if SLUT not in t]
    assume(open_)
    i = data.draw(st.sampled_from(open_))
    moved = tilb_with(f, i, **{SLUT: today + timedelta(days=data.draw(st.integers(1, 400)))})
    exactly(validate_forloeb(moved, today=today), "R-GEN-1", "4-TILB")


# R-IVAER-3 ----------------------------------------------------------------------------


@SETTINGS
@given(
    valid_forloeb(ivaersat=True, max_dage=14, laegesamtale_afholdt=False, beregnede=False),
    st.data(),
)
def test_R_IVAER_3_anmodning_moved_after_ivaerksaettelse(drawn, data):
    f, today = drawn
    ivaer = f.ivaerksaettelse["IvaerksatBehandlingDato"]
    assume(ivaer < today)
    k = data.draw(st.integers(1, (today - ivaer).days))
    moved = anm_with(f, BehandlingAnmodningDato=ivaer + timedelta(days=k))
    exactly(validate_forloeb(moved, today=today), "R-IVAER-3", "1-IVÆR")
    at_boundary = anm_with(f, BehandlingAnmodningDato=ivaer)
    assert validate_forloeb(at_boundary, today=today) == []


# R-IVAER-4: 14/15 days ----------------------------------------------------------------


@SETTINGS
@given(
    valid_forloeb(ivaersat=True, dage=14, laegesamtale_afholdt=False, oensker="02", beregnede=False)
)
def test_R_IVAER_4_boundary_from_14_to_15_days_demands_the_reason(drawn):
    f, today = drawn
    anm = f.anmodning["BehandlingAnmodningDato"]
    moved = anm_with(f, BehandlingAnmodningDato=anm - timedelta(days=1))
    (v,) = validate_forloeb(moved, today=today)
    assert (v.rule, v.felt_id, v.message[:21]) == ("R-IVAER-4", "4-IVÆR", "Feltet skal udfyldes,")


@SETTINGS
@given(
    valid_forloeb(ivaersat=True, dage=15, laegesamtale_afholdt=False, oensker="03", beregnede=False)
)
def test_R_IVAER_4_boundary_from_15_to_14_days_forbids_the_reason(drawn):
    f, today = drawn
    anm = f.anmodning["BehandlingAnmodningDato"]
    moved = anm_with(f, BehandlingAnmodningDato=anm + timedelta(days=1))
    (v,) = validate_forloeb(moved, today=today)
    assert (v.rule, v.felt_id, v.message[:21]) == ("R-IVAER-4", "4-IVÆR", "Feltet skal være tomt")


# R-IVAER-20 ---------------------------------------------------------------------------


@SETTINGS
@given(
    valid_forloeb(ivaersat=True, laegesamtale_afholdt=True, laegesamtale_i_tide=True),
    st.integers(1, 300),
)
def test_R_IVAER_20_laegesamtale_moved_before_anmodning(drawn, k):
    f, today = drawn
    assume("LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode" not in f.ivaerksaettelse)
    anm = f.anmodning["BehandlingAnmodningDato"]
    moved = ivaer_with(f, LaegesamtaleAfholdtDato=anm - timedelta(days=k))
    exactly(validate_forloeb(moved, today=today), "R-IVAER-20", "26-IVÆR")


# R-TILB-2 -----------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=True, min_tilknytninger=2), st.data())
def test_R_TILB_2_tilknytning_moved_before_ivaerksaettelse(drawn, data):
    f, today = drawn
    ivaer = f.ivaerksaettelse["IvaerksatBehandlingDato"]
    tilb = f.tilbudstilknytninger
    candidates = [
        i
        for i, t in enumerate(tilb)
        if t["BehandlingTypeKode"] in ("04", "06")
        and t["BehandlingIntensitetKode"] != "03"
        and any(o[START] == ivaer for j, o in enumerate(tilb) if j != i)
    ]
    assume(candidates)
    i = data.draw(st.sampled_from(candidates))
    moved = tilb_with(f, i, **{START: ivaer - timedelta(days=data.draw(st.integers(1, 60)))})
    violations = validate_forloeb(moved, today=today)
    exactly(violations, "R-TILB-2", "3-TILB")
    assert violations[0].index == i


# R-TILB-4 -----------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=True, afsluttet=False, min_tilknytninger=1), st.data())
def test_R_TILB_4_slut_moved_before_start(drawn, data):
    f, today = drawn
    closed = [i for i, t in enumerate(f.tilbudstilknytninger) if SLUT in t]
    assume(closed)
    i = data.draw(st.sampled_from(closed))
    start = f.tilbudstilknytninger[i][START]
    moved = tilb_with(f, i, **{SLUT: start - timedelta(days=data.draw(st.integers(1, 60)))})
    exactly(validate_forloeb(moved, today=today), "R-TILB-4", "4-TILB")


# R-AFSL-3 -----------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=True, afsluttet=True, max_tilknytninger=0), st.integers(1, 60))
def test_R_AFSL_3_afslutning_moved_before_ivaerksaettelse(drawn, k):
    f, today = drawn
    ivaer = f.ivaerksaettelse["IvaerksatBehandlingDato"]
    moved = f.with_schema(
        "afslutning", {**f.afslutning, "BehandlingAfsluttetDato": ivaer - timedelta(days=k)}
    )
    exactly(validate_forloeb(moved, today=today), "R-AFSL-3", "1-AFSL")
    at_boundary = dataclasses.replace(
        f, afslutning={**f.afslutning, "BehandlingAfsluttetDato": ivaer}
    )
    assert validate_forloeb(at_boundary, today=today) == []


# R-AFSL-2 -----------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=False, afsluttet=True), st.integers(1, 60))
def test_R_AFSL_2_afslutning_moved_before_anmodning(drawn, k):
    f, today = drawn
    anm = f.anmodning["BehandlingAnmodningDato"]
    moved = f.with_schema(
        "afslutning", {**f.afslutning, "BehandlingAfsluttetDato": anm - timedelta(days=k)}
    )
    exactly(validate_forloeb(moved, today=today), "R-AFSL-2", "1-AFSL")


# R-AFSL-6 -----------------------------------------------------------------------------


@SETTINGS
@given(valid_forloeb(ivaersat=True, afsluttet=True, min_tilknytninger=1), st.data())
def test_R_AFSL_6_afslutning_moved_after_the_latest_slut(drawn, data):
    f, today = drawn
    afsl = f.afslutning["BehandlingAfsluttetDato"]
    assume(afsl < today)
    k = data.draw(st.integers(1, (today - afsl).days))
    moved = f.with_schema(
        "afslutning", {**f.afslutning, "BehandlingAfsluttetDato": afsl + timedelta(days=k)}
    )
    exactly(validate_forloeb(moved, today=today), "R-AFSL-6", "1-AFSL")
