"""Pure builders of valid forløb for the rule engine (no database).

``forloeb()`` is an open, iværksat forløb with one open tilknytning; traits:
``forloeb(afsluttet=True)``, ``forloeb(ivaersat=False)``, ``forloeb(tilknyttet=False)``.
Every schema builder takes overrides; ``None`` empties a field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from smdb.rules import Forloeb, Violation

TODAY = date(2026, 3, 1)
ANM_DATO = date(2025, 9, 1)
IVAER_DATO = date(2025, 9, 10)  # 9 days after the anmodning
SLUT_DATO = date(2025, 12, 1)
CPR_VOKSEN = "0101901234"  # born 1990-01-01: 35 at iværksættelse
CPR_UNG = "0505104123"  # born 2010-05-05: 15 at iværksættelse
KOMMUNE = 101


def dage(n: int) -> timedelta:
    return timedelta(days=n)


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **overrides}
    return {k: v for k, v in out.items() if v is not None}


def anmodning(**overrides: Any) -> dict[str, Any]:
    return _merge(
        {
            "BehandlingAnmodningDato": ANM_DATO,
            "BehandlingTidligereKode": "02",
            "PersonEllerPartnerGravidKode": "02",
            "PersonPsykiskFunktionsnedsaettelseKode": "99",
        },
        overrides,
    )


def ivaerksaettelse(**overrides: Any) -> dict[str, Any]:
    return _merge(
        {
            "OenskerBorgerTilbudLaegesamtaleKode": "02",
            "LaegesamtaleAfholdtIndikator": False,
            "IvaerksatBehandlingDato": IVAER_DATO,
            "ScreeningsvaerktoejAnvendtIvaerksaetKode": "03",
            "BehandlingFormaalKode": "01",
            "HenvisningPaaOpfordringAfListe": ["01", "04"],
            "PersonBoligsituationKode": "11",
            "PersonEllerPartnerHarBoernUnder18Indikator": False,
            "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator": True,
            "CannabisDageIndtagetSenesteMaanedKvantitet": 20,
            "KokainPulverDageIndtagetSenesteMaanedKvantitet": 2,
            "PersonHovedstofAngivelseIkkeMuligIndikator": False,
            "PersonAktueltHovedstofKode": "13",
            "HovedstofDageIndtagetSenesteMaanedKvantitet": 20,
            "HovedstofFoersteBrugAlderKvantitet": 15,
            "HovedstofFoersteBrugAlderVilIkkeOplyseIndikator": False,
            "HovedstofIndtagelseshyppighedKode": "03",
            "HovedstofTypiskIndtagelsesmaadeKode": "02",
            "PersonNogensindeInjiceretEllerInjicererForTidenKode": "01",
            "PersonNogensindeDeltEllerDelerVaerktoejForTidenKode": "01",
            "PersonNogensindeTestetHCVKode": "04",
            "PersonNogensindeTestetHIVKode": "04",
            "PersonNogensindeSubstitutionsbehandlingKode": "01",
        },
        overrides,
    )


def tilknytning(**overrides: Any) -> dict[str, Any]:
    return _merge(
        {
            "TilbudId": 4711,
            "PersonBehandlingFritValgIndikator": False,
            "TilbudTilknyttetBehandlingStartDato": IVAER_DATO,
            "BehandlingIntensitetKode": "01",
            "BehandlingTypeKode": "04",
        },
        overrides,
    )


def substitution(**overrides: Any) -> dict[str, Any]:
    return tilknytning(
        **{"BehandlingTypeKode": "01", "AutorisationKodeTekst": "0A1B2", **overrides}
    )


def afslutning(**overrides: Any) -> dict[str, Any]:
    return _merge(
        {
            "BehandlingAfsluttetDato": SLUT_DATO,
            "BehandlingAfsluttetStatusKode": "02",
            "BehandlingAfsluttetAarsagKode": "01",
        },
        overrides,
    )


def forloeb(
    *,
    ivaersat: bool = True,
    tilknyttet: bool = True,
    afsluttet: bool = False,
    cpr: str | None = CPR_VOKSEN,
    kommune: int | None = KOMMUNE,
    anm: dict[str, Any] | None = None,
    ivaer: dict[str, Any] | None = None,
    tilb: list[dict[str, Any]] | None = None,
    afsl: dict[str, Any] | None = None,
) -> Forloeb:
    """A valid forløb in the given state; ``anm``/``ivaer``/``afsl`` are overrides of
    the schema's fields, ``tilb`` replaces the tilknytninger."""
    if tilb is None:
        tilb = [tilknytning()] if ivaersat and tilknyttet else []
        if afsluttet:
            tilb = [{**t, "TilbudTilknyttetBehandlingSlutDato": SLUT_DATO} for t in tilb]
    afsl_values = None
    if afsluttet:
        default_dato = SLUT_DATO if tilb else (IVAER_DATO if ivaersat else ANM_DATO) + dage(30)
        afsl_values = afslutning(**{"BehandlingAfsluttetDato": default_dato, **(afsl or {})})
    return Forloeb(
        kommune_kode=kommune,
        person_identifikator=cpr,
        anmodning=anmodning(**(anm or {})),
        ivaerksaettelse=ivaerksaettelse(**(ivaer or {})) if ivaersat else None,
        tilbudstilknytninger=tuple(tilb),
        afslutning=afsl_values,
    )


def rules(violations: list[Violation]) -> list[str]:
    return [v.rule for v in violations]


def only(violations: list[Violation], rule: str) -> list[Violation]:
    """Assert every violation is of ``rule`` and there is at least one; return them."""
    assert violations, f"expected {rule}, got no violation"
    assert {v.rule for v in violations} == {rule}, violations
    return violations
