"""Valid SMDB values for demo data and test factories.

Each builder returns a schema's values keyed by SMDB variable name that obey
the rules in ``../shared/spec/rules.md`` for the dates given. ``seed_demo``
and the test factories both use these, and ``seed_demo`` checks every forløb
it makes with the rule engine.
"""

from __future__ import annotations

from datetime import date, timedelta

from smdb.fields import DAGE_VARIABLES
from smdb.rules import age_at


def anmodning_values(anmodningsdato: date, *, tidligere: str = "02") -> dict:
    return {
        "BehandlingAnmodningDato": anmodningsdato,
        "BehandlingTidligereKode": tidligere,
        "PersonEllerPartnerGravidKode": "02",
        "PersonPsykiskFunktionsnedsaettelseKode": "02",
    }


def ivaerksaettelse_values(cpr: str, anmodningsdato: date, ivaerksat: date) -> dict:
    dage = (ivaerksat - anmodningsdato).days
    alder = age_at(cpr, ivaerksat)
    values = {
        "OenskerBorgerTilbudLaegesamtaleKode": "01",
        "LaegesamtaleAfholdtIndikator": True,
        "LaegesamtaleAfholdtDato": min(ivaerksat, anmodningsdato + timedelta(days=7)),
        "IvaerksatBehandlingDato": ivaerksat,
        "IvaerksatBehandlingDageSidenAnmodningKvantitet": dage,
        "PersonIvaerksatBehandlingAlderKvantitet": alder,
        # R-IVAER-4: a reason only when the 14-day guarantee is exceeded.
        "BehandlingGarantiOverskredeAarsagKode": "01" if dage > 14 else "",
        "ScreeningsvaerktoejAnvendtIvaerksaetKode": "03" if alder >= 18 else "02",
        "BehandlingFormaalKode": "01",
        "HenvisningPaaOpfordringAfListe": ["01", "04"],
        "PersonBoligsituationKode": "11",
        "PersonEllerPartnerHarBoernUnder18Indikator": False,
        "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator": True,
        "PersonHovedstofAngivelseIkkeMuligIndikator": False,
        "PersonAktueltHovedstofKode": "13",
        "HovedstofDageIndtagetSenesteMaanedKvantitet": 12,
        "HovedstofFoersteBrugAlderKvantitet": min(15, alder),
        "HovedstofFoersteBrugAlderVilIkkeOplyseIndikator": False,
        "HovedstofIndtagelseshyppighedKode": "02",
        "HovedstofTypiskIndtagelsesmaadeKode": "02",
        "PersonNogensindeInjiceretEllerInjicererForTidenKode": "01",
        "PersonNogensindeDeltEllerDelerVaerktoejForTidenKode": "01",
        "PersonNogensindeTestetHCVKode": "01",
        "PersonNogensindeTestetHIVKode": "01",
        "PersonNogensindeSubstitutionsbehandlingKode": "01",
    }
    values.update(dict.fromkeys(DAGE_VARIABLES, 0))
    values["CannabisDageIndtagetSenesteMaanedKvantitet"] = 12
    return values


def tilbudstilknytning_values(
    tilbud_id: int, start: date, slut: date | None = None, *, type_kode: str = "04"
) -> dict:
    return {
        "TilbudId": tilbud_id,
        "PersonBehandlingFritValgIndikator": False,
        "TilbudTilknyttetBehandlingStartDato": start,
        "TilbudTilknyttetBehandlingSlutDato": slut,
        "BehandlingIntensitetKode": "01",
        "BehandlingTypeKode": type_kode,
        # R-TILB-10: the prescribing doctor only for substitution types.
        "AutorisationKodeTekst": "" if type_kode in {"04", "06"} else "0A1B2",
    }


def afslutning_values(afsluttet: date, *, aarsag: str = "01") -> dict:
    return {
        "BehandlingAfsluttetDato": afsluttet,
        "BehandlingAfsluttetStatusKode": "01" if aarsag == "01" else "05",
        "BehandlingAfsluttetAarsagKode": aarsag,
        "BehandlingAfsluttetHvemHarOvertagetBehandling": "06" if aarsag == "06" else "",
        "BehandlingAfsluttetAarsagTekst": "",
    }
