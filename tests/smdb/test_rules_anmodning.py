"""R-ANM: Registrér anmodning."""

from __future__ import annotations

from smdb.rules import validate_forloeb
from tests.smdb.factories import ANM_DATO, TODAY, dage, forloeb, only, rules, tilknytning


def validate(f, andre=()):
    return validate_forloeb(f, today=TODAY, andre_forloeb=andre)


def test_R_ANM_1_accepts_a_new_anmodning_when_the_earlier_forloeb_is_closed():
    earlier = forloeb(afsluttet=True, anm={"BehandlingAnmodningDato": ANM_DATO - dage(300)})
    new = forloeb(ivaersat=False, anm={"BehandlingAnmodningDato": TODAY})
    assert validate(new, [earlier]) == []
    assert validate(earlier, [new]) == []


def test_R_ANM_1_rejects_a_second_active_kontaktforloeb():
    active = forloeb()
    new = forloeb(ivaersat=False, anm={"BehandlingAnmodningDato": TODAY})
    (v,) = only(validate(new, [active]), "R-ANM-1")
    assert (v.felt_id, v.schema) == ("2-ANM", "anmodning")
    assert "01.09.2025" in v.message
    # and the other one sees it too
    assert rules(validate(active, [new])) == ["R-ANM-1"]


def test_R_ANM_1_ignores_a_draft_without_anmodning_among_the_others():
    draft = forloeb(ivaersat=False).with_schema("anmodning", None)
    assert validate(forloeb(), [draft]) == []


def test_R_ANM_2_accepts_a_forloeb_closed_without_ivaerksaettelse():
    assert validate(forloeb(ivaersat=False, afsluttet=True)) == []


def test_R_ANM_2_rejects_tilknytninger_on_a_forloeb_closed_without_ivaerksaettelse():
    slut = ANM_DATO + dage(20)
    f = forloeb(
        ivaersat=False,
        afsluttet=True,
        tilb=[
            tilknytning(
                TilbudTilknyttetBehandlingStartDato=ANM_DATO,
                TilbudTilknyttetBehandlingSlutDato=slut,
            )
        ],
        afsl={"BehandlingAfsluttetDato": slut},
    )
    violations = validate(f)
    assert sorted(rules(violations)) == ["R-ANM-2", "R-TILB-1"]
    (v,) = [v for v in violations if v.rule == "R-ANM-2"]
    assert (v.schema, v.felt_id) == ("afslutning", "1-AFSL")
