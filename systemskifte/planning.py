"""What a system change will do to one citizen's active forløb: the plan shown in
the dry-run, and the values the job writes. No database, no SMDB calls.

The forløb comes as ``smdb.rules.Forloeb`` (SMDB's values, Python-typed); every
result is checked with the same rule engine as the forms and the simulator, so a
dry-run shows the rejections the real run would get.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from smdb import rules
from smdb.rules import systemskifte as regler
from smdb.rules import variabler as v
from smdb.rules.forloeb import SCHEMA_NAVNE, dato

#: 2-AFSL when the job closes a forløb: 'Ikke færdigbehandlet' (05). The guide only
#: prescribes årsag and text; the treatment goes on in the new system (model 2) or
#: stopped without a known result (a forgotten case), so 05 is the honest status.
STATUS_VED_SKIFTE = "05"
#: A forgotten case (guide section 3, 1a) ended for real; it is closed with its real
#: end date, and NOT with the text 'Systemskift', so R-SKIFT-4 does not count it as
#: continued in the new system.
GLEMT_TEKST = "Glemt sag, lukket ved systemskifte"


@dataclass
class Plan:
    glemt: bool = False
    operationer: list[str] = field(default_factory=list)
    fejl: str = ""


def _d(d: date | None) -> str:
    return f"{d:%d.%m.%Y}" if d else "–"


def _tilbud(t: dict) -> str:
    return f"tilbud {t.get(v.TILBUD_ID)}"


def er_glemt(f: rules.Forloeb) -> bool:
    """Guide section 3, 1a: a forgotten case has tilknytninger, all ended; the
    citizen is no longer in treatment here. It is closed with its real end date
    (R-AFSL-6: the latest slut date) and not carried into the new system."""
    return bool(f.tilbudstilknytninger) and all(
        dato(t, v.TILB_SLUT) for t in f.tilbudstilknytninger
    )


def datoer_efter_skiftet(f: rules.Forloeb, skiftedato: date) -> list[date]:
    datoer = [dato(f.anmodning or {}, v.ANM_DATO)]
    if f.ivaerksaettelse:
        datoer.append(dato(f.ivaerksaettelse, v.IVAER_DATO))
    for t in f.tilbudstilknytninger:
        datoer += [dato(t, v.TILB_START), dato(t, v.TILB_SLUT)]
    return sorted(d for d in datoer if d and d > skiftedato)


def lukket(f: rules.Forloeb, skiftedato: date) -> rules.Forloeb:
    """The forløb closed by the job: R-SKIFT-2 (open tilknytninger end on the change
    date, Afslutning årsag 10 'Systemskift'), or a forgotten case closed on its
    real end date with its own text."""
    closed = regler.luk_ved_systemskifte(f, skiftedato, STATUS_VED_SKIFTE)
    if er_glemt(f):
        closed = dataclasses.replace(
            closed, afslutning={**closed.afslutning, v.AFSL_AARSAG_TEKST: GLEMT_TEKST}
        )
    return closed


def genstartet(f: rules.Forloeb, skiftedato: date, klargjort) -> rules.Forloeb:
    """Model 2 (R-SKIFT-2): the same citizen registered again with every start date
    = change date + 1 day: the anmodning, the iværksættelse (its answers kept, its
    computed 32-IVÆR/23-IVÆR worked out again) and each tilknytning that was open on
    the change date. ``klargjort(schema_key, values, forloeb)`` clears hidden answers
    and fills computed ones (``cases.wizards.klargjorte_svar``)."""
    start = regler.genstartsdato(skiftedato)
    ny = rules.Forloeb(
        kommune_kode=f.kommune_kode,
        person_identifikator=f.person_identifikator,
        anmodning={**(f.anmodning or {}), v.ANM_DATO: start},
        ivaerksaettelse=None,
    )
    ny = dataclasses.replace(ny, anmodning=klargjort("anmodning", ny.anmodning, ny))
    if f.ivaerksaettelse:
        iv: dict[str, Any] = {**f.ivaerksaettelse, v.IVAER_DATO: start}
        if dato(iv, v.LAEGESAMTALE_DATO):
            iv[v.LAEGESAMTALE_DATO] = start
        iv[v.GARANTI_AARSAG] = ""  # 0 days since the anmodning (R-IVAER-4)
        ny = dataclasses.replace(ny, ivaerksaettelse=klargjort("ivaerksaettelse", iv, ny))
        tilknytninger = [
            klargjort("tilbudstilknytning", {**t, v.TILB_START: start, v.TILB_SLUT: None}, ny)
            for t in f.tilbudstilknytninger
            if not dato(t, v.TILB_SLUT)
        ]
        ny = dataclasses.replace(ny, tilbudstilknytninger=tuple(tilknytninger))
    return ny


def _regelfejl(violations: list[rules.Violation], hvad: str) -> str:
    return f"{hvad} ville blive afvist: " + "; ".join(
        f"{x.rule}: {x.message}" for x in violations[:3]
    )


def planlaeg(model: str, f: rules.Forloeb, skiftedato: date, *, klargjort, today: date) -> Plan:
    """The operations the job will send for this forløb, in order, in Danish."""
    if efter := datoer_efter_skiftet(f, skiftedato):
        return Plan(
            fejl=f"Forløbet har datoer efter skiftedatoen ({_d(efter[-1])}); "
            "det må håndteres manuelt før systemskiftet."
        )
    anm_dato = dato(f.anmodning or {}, v.ANM_DATO)
    if er_glemt(f):
        closed = lukket(f, skiftedato)
        afsl = closed.afslutning
        if model == "mellemloesning":
            return Plan(
                glemt=True,
                operationer=[
                    "Importeres skrivebeskyttet (vedligeholdes i SMDB-web).",
                    f"Glemt sag: luk den i SMDB-web med afslutning {_d(afsl[v.AFSL_DATO])}.",
                ],
            )
        if violations := rules.validate_forloeb(closed, today=today):
            return Plan(glemt=True, fejl=_regelfejl(violations, "Lukningen"))
        return Plan(
            glemt=True,
            operationer=[
                "Importeres med de oprindelige datoer.",
                f"Glemt sag lukkes i SMDB: afslutning {_d(afsl[v.AFSL_DATO])} "
                f"(seneste tilbudsslut), årsag Anden (10), tekst '{GLEMT_TEKST}'.",
            ],
        )

    if model == "mellemloesning":  # R-SKIFT-3
        return Plan(
            operationer=[
                f"Importeres skrivebeskyttet: anmodning {_d(anm_dato)}, "
                "vedligeholdes i SMDB-web til forløbet slutter."
            ]
        )

    if model == "model1":  # R-SKIFT-1
        ops = [f"Importeres med de oprindelige datoer (anmodning {_d(anm_dato)})."]
        rf = f
        while (naeste := rules.deletable_schema(rf)) is not None:  # R-DEL-1
            key, index = naeste
            navn = SCHEMA_NAVNE[key]
            if key == "tilbudstilknytning":
                navn += f" ({_tilbud(rf.tilbudstilknytninger[index])})"
            ops.append(f"Slet {navn} i SMDB.")
            rf = rf.with_schema(key, None, index)
        ops.append(f"Send anmodningen ({_d(anm_dato)}) igen fra smdb-web.")
        if f.ivaerksaettelse:
            ops.append(f"Send iværksættelsen ({_d(dato(f.ivaerksaettelse, v.IVAER_DATO))}) igen.")
        for t in f.tilbudstilknytninger:
            ops.append(
                f"Send tilbudstilknytningen ({_tilbud(t)}, {_d(dato(t, v.TILB_START))}"
                f"–{_d(dato(t, v.TILB_SLUT))}) igen."
            )
        return Plan(operationer=ops)

    # Model 2 (R-SKIFT-2)
    closed = lukket(f, skiftedato)
    if violations := rules.validate_forloeb(closed, today=today):
        return Plan(fejl=_regelfejl(violations, "Lukningen"))
    ny = genstartet(f, skiftedato, klargjort)
    if violations := rules.validate_forloeb(ny, today=today, andre_forloeb=[closed]):
        return Plan(fejl=_regelfejl(violations, "Det nye forløb"))
    start = regler.genstartsdato(skiftedato)
    ops = []
    for t in f.tilbudstilknytninger:
        if not dato(t, v.TILB_SLUT):
            ops.append(f"Afslut tilbudstilknytningen ({_tilbud(t)}) pr. {_d(skiftedato)}.")
    ops.append(
        f"Afslut behandlingen pr. {_d(closed.afslutning[v.AFSL_DATO])}: årsag Anden (10), "
        f"tekst '{regler.SYSTEMSKIFT_TEKST}'."
    )
    ops.append(f"Registrér ny anmodning {_d(start)}.")
    if ny.ivaerksaettelse:
        ops.append(f"Iværksæt behandling {_d(start)}.")
    for t in ny.tilbudstilknytninger:
        ops.append(f"Tilknyt {_tilbud(t)} fra {_d(start)}.")
    return Plan(operationer=ops)
