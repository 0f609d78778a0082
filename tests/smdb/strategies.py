"""Hypothesis strategies: valid forløb of every shape under the current rule set.

``valid_forloeb(...)`` draws ``(Forloeb, today)``; keyword arguments pin down the
shape a property needs (iværksat or not, closed or not, number of tilknytninger,
the days from anmodning to iværksættelse, whether the lægesamtale was held).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from smdb.fields import ALL_FIELDS, DAGE_VARIABLES, SUBSTITUTION_TYPES
from smdb.rules import Forloeb, age_at
from smdb.rules.ivaerksaettelse import UMULIGE_INDTAGELSESMAADER

FOERSTE_ANMODNING = date(2025, 7, 3)  # a day of margin to the 2025-07-01 boundary
NON_SUBSTITUTION = ("04", "06")


def codes(variable: str, *, exclude=()) -> st.SearchStrategy[str]:
    return st.sampled_from([c for c, _ in ALL_FIELDS[variable].codes if c not in exclude])


def dato_mellem(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=hi)


@st.composite
def cpr_for(draw, born: date) -> str:
    if 1900 <= born.year <= 1999:
        century_digit = draw(st.sampled_from("0123"))
    else:  # 2000-2036 with 4 (or 9)
        century_digit = draw(st.sampled_from("49"))
    serial = draw(st.integers(0, 999))
    cpr = f"{born:%d%m%y}{century_digit}{serial:03d}"
    if draw(st.booleans()):
        cpr = f"{cpr[:6]}-{cpr[6:]}"
    return cpr


@st.composite
def ivaerksaettelse(
    draw,
    anm: date,
    ivaer: date,
    today: date,
    alder: int,
    laegesamtale_afholdt: bool | None,
    laegesamtale_i_tide: bool | None,
    oensker: str | None,
) -> dict:
    d = (ivaer - anm).days
    values: dict = {"IvaerksatBehandlingDato": ivaer}
    values["OenskerBorgerTilbudLaegesamtaleKode"] = oensker or draw(
        codes("OenskerBorgerTilbudLaegesamtaleKode")
    )
    afholdt = draw(st.booleans()) if laegesamtale_afholdt is None else laegesamtale_afholdt
    values["LaegesamtaleAfholdtIndikator"] = afholdt
    frist_overskredet = False
    if afholdt:
        i_tide = min(anm + timedelta(days=14), ivaer)
        if laegesamtale_i_tide or (laegesamtale_i_tide is None and draw(st.booleans())):
            holdt = draw(dato_mellem(anm, i_tide))
        else:
            holdt = draw(dato_mellem(anm, today))
        values["LaegesamtaleAfholdtDato"] = holdt
        frist_overskredet = (holdt - anm).days > 14 or holdt > ivaer
    elif values["OenskerBorgerTilbudLaegesamtaleKode"] == "01" and d > 14:
        frist_overskredet = True
    if frist_overskredet:
        values["LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode"] = draw(
            codes("LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode")
        )
    if d > 14:
        umulig = ("06",) if alder >= 18 else ("05",)
        values["BehandlingGarantiOverskredeAarsagKode"] = draw(
            codes("BehandlingGarantiOverskredeAarsagKode", exclude=umulig)
        )
    screening = draw(codes("ScreeningsvaerktoejAnvendtIvaerksaetKode"))
    values["ScreeningsvaerktoejAnvendtIvaerksaetKode"] = screening
    if screening == "05":
        values["ScreeningsvaerktoejAnvendtIvaerksaetTekst"] = draw(
            st.sampled_from(["AUDIT", "DUDIT", "x" * 250, "Æblemost-skema"])
        )
    values["BehandlingFormaalKode"] = draw(codes("BehandlingFormaalKode"))
    if draw(st.integers(0, 9)) == 0:
        values["HenvisningPaaOpfordringAfListe"] = ["99"]
    else:
        values["HenvisningPaaOpfordringAfListe"] = draw(
            st.lists(
                codes("HenvisningPaaOpfordringAfListe", exclude=("99",)),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
    values["PersonBoligsituationKode"] = draw(codes("PersonBoligsituationKode"))
    boern = draw(st.booleans())
    values["PersonEllerPartnerHarBoernUnder18Indikator"] = boern
    if boern:
        values["BoernErTilknyttetHusstandenIndikator"] = draw(st.booleans())
    taget = draw(st.booleans())
    values["PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator"] = taget
    if taget:
        counts = draw(st.dictionaries(st.sampled_from(DAGE_VARIABLES), st.integers(0, 30)))
        counts[draw(st.sampled_from(DAGE_VARIABLES))] = draw(st.integers(1, 30))
        values.update(counts)
    ikke_mulig = draw(st.integers(0, 5)) == 0
    if ikke_mulig or draw(st.booleans()):
        values["PersonHovedstofAngivelseIkkeMuligIndikator"] = ikke_mulig
    if not ikke_mulig:
        stof = draw(codes("PersonAktueltHovedstofKode"))
        values["PersonAktueltHovedstofKode"] = stof
        values["HovedstofDageIndtagetSenesteMaanedKvantitet"] = draw(st.integers(0, 30))
        vil_ikke = draw(st.integers(0, 4)) == 0
        if vil_ikke or draw(st.booleans()):
            values["HovedstofFoersteBrugAlderVilIkkeOplyseIndikator"] = vil_ikke
        if not vil_ikke:
            values["HovedstofFoersteBrugAlderKvantitet"] = draw(st.integers(0, min(alder, 99)))
        values["HovedstofIndtagelseshyppighedKode"] = draw(
            codes("HovedstofIndtagelseshyppighedKode")
        )
        values["HovedstofTypiskIndtagelsesmaadeKode"] = draw(
            codes(
                "HovedstofTypiskIndtagelsesmaadeKode",
                exclude=UMULIGE_INDTAGELSESMAADER.get(stof, ()),
            )
        )
    injiceret = draw(codes("PersonNogensindeInjiceretEllerInjicererForTidenKode"))
    values["PersonNogensindeInjiceretEllerInjicererForTidenKode"] = injiceret
    values["PersonNogensindeDeltEllerDelerVaerktoejForTidenKode"] = draw(
        codes("PersonNogensindeDeltEllerDelerVaerktoejForTidenKode")
    )
    if injiceret in ("03", "04", "05"):
        values["PersonFoersteInjektionAlderKode"] = draw(codes("PersonFoersteInjektionAlderKode"))
    values["PersonNogensindeTestetHCVKode"] = draw(codes("PersonNogensindeTestetHCVKode"))
    values["PersonNogensindeTestetHIVKode"] = draw(codes("PersonNogensindeTestetHIVKode"))
    substitution = draw(codes("PersonNogensindeSubstitutionsbehandlingKode"))
    values["PersonNogensindeSubstitutionsbehandlingKode"] = substitution
    if substitution == "02":
        values["PersonFoersteSubstitutionsbehandlingAlderKvantitet"] = draw(
            st.integers(0, min(alder, 99))
        )
    return values


@st.composite
def tilknytning(draw, start: date, today: date, *, substitution: bool, doegn: bool) -> dict:
    values = {
        "TilbudId": draw(st.integers(1, 99999)),
        "PersonBehandlingFritValgIndikator": draw(st.booleans()),
        "TilbudTilknyttetBehandlingStartDato": start,
        "BehandlingIntensitetKode": "03" if doegn else draw(st.sampled_from(["01", "02"])),
    }
    if substitution:
        values["BehandlingTypeKode"] = draw(st.sampled_from(sorted(SUBSTITUTION_TYPES)))
        values["AutorisationKodeTekst"] = draw(
            st.text("0123456789ABCDEFGHJKLMNPQRSTUVXYZ", min_size=5, max_size=5)
        )
    else:
        values["BehandlingTypeKode"] = draw(st.sampled_from(NON_SUBSTITUTION))
    if draw(st.booleans()):
        values["TilbudTilknyttetBehandlingSlutDato"] = draw(dato_mellem(start, today))
    return values


@st.composite
def valid_forloeb(
    draw,
    *,
    ivaersat: bool | None = None,
    afsluttet: bool | None = None,
    min_tilknytninger: int = 0,
    max_tilknytninger: int = 4,
    dage: int | None = None,
    max_dage: int = 60,
    laegesamtale_afholdt: bool | None = None,
    laegesamtale_i_tide: bool | None = None,
    oensker: str | None = None,
    beregnede: bool | None = None,
) -> tuple[Forloeb, date]:
    today = draw(dato_mellem(date(2025, 9, 1), date(2027, 12, 31)))
    ivaersat = draw(st.booleans()) if ivaersat is None else ivaersat
    afsluttet = draw(st.booleans()) if afsluttet is None else afsluttet
    if dage is None:
        anm = draw(dato_mellem(FOERSTE_ANMODNING, today))
        d = draw(st.integers(0, min(max_dage, (today - anm).days)))
    else:
        anm = draw(dato_mellem(FOERSTE_ANMODNING, today - timedelta(days=dage)))
        d = dage
    ivaer = anm + timedelta(days=d)

    born = draw(
        dato_mellem(ivaer.replace(year=ivaer.year - 80), ivaer.replace(year=ivaer.year - 12))
    )
    cpr = draw(cpr_for(born))
    alder = age_at(cpr, ivaer)

    anmodning = {
        "BehandlingAnmodningDato": anm,
        "BehandlingTidligereKode": draw(codes("BehandlingTidligereKode")),
        "PersonEllerPartnerGravidKode": draw(codes("PersonEllerPartnerGravidKode")),
        "PersonPsykiskFunktionsnedsaettelseKode": draw(
            codes("PersonPsykiskFunktionsnedsaettelseKode")
        ),
    }
    kommune = draw(st.sampled_from([101, 147, 751, 860]))
    cpr_paa_forloeb = draw(st.booleans())
    if not cpr_paa_forloeb:
        anmodning["PersonIdentifikator"] = cpr

    ivaer_values = None
    tilknytninger: list[dict] = []
    if ivaersat:
        ivaer_values = draw(
            ivaerksaettelse(
                anm, ivaer, today, alder, laegesamtale_afholdt, laegesamtale_i_tide, oensker
            )
        )
        if beregnede if beregnede is not None else draw(st.booleans()):
            ivaer_values["IvaerksatBehandlingDageSidenAnmodningKvantitet"] = d
            ivaer_values["PersonIvaerksatBehandlingAlderKvantitet"] = alder
        n = draw(st.integers(min_tilknytninger, max_tilknytninger))
        if n:
            sub_index = draw(st.sampled_from([None, *range(n)]))
            doegn_index = draw(st.sampled_from([None, *range(n)]))
            for i in range(n):
                start = ivaer if i == 0 else draw(dato_mellem(ivaer, today))
                tilknytninger.append(
                    draw(
                        tilknytning(
                            start, today, substitution=i == sub_index, doegn=i == doegn_index
                        )
                    )
                )
            # substitution after substitution: a second one after the first has ended
            if sub_index is not None:
                first = tilknytninger[sub_index]
                slut = first.get("TilbudTilknyttetBehandlingSlutDato")
                if slut is not None and slut < today and draw(st.booleans()):
                    start = draw(dato_mellem(slut + timedelta(days=1), today))
                    tilknytninger.append(
                        draw(tilknytning(start, today, substitution=True, doegn=False))
                    )

    afslutning = None
    if afsluttet:
        for t in tilknytninger:
            if "TilbudTilknyttetBehandlingSlutDato" not in t:
                t["TilbudTilknyttetBehandlingSlutDato"] = draw(
                    dato_mellem(t["TilbudTilknyttetBehandlingStartDato"], today)
                )
        if tilknytninger:
            afsl_dato = max(t["TilbudTilknyttetBehandlingSlutDato"] for t in tilknytninger)
        else:
            afsl_dato = draw(dato_mellem(ivaer if ivaersat else anm, today))
        aarsag = draw(codes("BehandlingAfsluttetAarsagKode"))
        afslutning = {
            "BehandlingAfsluttetDato": afsl_dato,
            "BehandlingAfsluttetStatusKode": draw(codes("BehandlingAfsluttetStatusKode")),
            "BehandlingAfsluttetAarsagKode": aarsag,
        }
        if aarsag == "06":
            afslutning["BehandlingAfsluttetHvemHarOvertagetBehandling"] = draw(
                codes("BehandlingAfsluttetHvemHarOvertagetBehandling")
            )
        if aarsag == "10":
            afslutning["BehandlingAfsluttetAarsagTekst"] = draw(
                st.sampled_from(["Systemskift", "Anbragt i udlandet"])
            )

    forloeb = Forloeb(
        kommune_kode=kommune,
        person_identifikator=cpr if cpr_paa_forloeb else None,
        anmodning=anmodning,
        ivaerksaettelse=ivaer_values,
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning=afslutning,
    )
    return forloeb, today
