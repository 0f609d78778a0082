"""What a system change will do to one citizen's active forløb: the plan shown in
the dry-run, and the values the job writes. No database, no SMDB calls.

The forløb comes as ``smdb.rules.Forloeb`` (SMDB's values, Python-typed); every
result is checked with the same rule engine as the forms and the simulator, so a
dry-run shows the rejections the real run would get.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from smdb import rules
from smdb.rules import systemskifte as regler
from smdb.rules import variabler as v
from smdb.rules.forloeb import SCHEMA_NAVNE, dato
from smdb.schema_json import from_json, to_json

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
    """One citizen's plan. The dry run shows it and the real run carries it out:
    ``lukket`` is the old forløb as the job closes it (model 2 and a forgotten
    case), ``ny`` the forløb registered from the next day (model 2). Computed once,
    from the snapshot fetched from SMDB, and stored before anything is sent."""

    glemt: bool = False
    operationer: list[str] = field(default_factory=list)
    fejl: str = ""
    lukket: rules.Forloeb | None = None
    ny: rules.Forloeb | None = None
    #: Every forløb SMDB holds for the citizen in this myndighed once the job is
    #: done, oldest first (model 1 sends the same values again, under new Ids).
    smdb_efter: list[rules.Forloeb] = field(default_factory=list)
    #: SMDB's KvalHep on the forløb (discontinued 1 July 2025), as fetched:
    #: ``{"id": ..., "values": {"Dato": ...}}`` (``services.hent_data``).
    kvalhep: list[dict] = field(default_factory=list)
    #: The Ids of those the job deletes: model 1, just before the anmodning
    #: (R-SKIFT-1, R-DEL-1, the guide's step f). Every other model leaves them.
    slet_kvalhep: list[int] = field(default_factory=list)

    def forventet(self) -> dict:
        """The plan's schemas as JSON (``SkifteBorger.forventet``)."""
        return {
            "lukket": forloeb_json(self.lukket),
            "ny": forloeb_json(self.ny),
            "smdb_efter": smdb_efter_json(self.smdb_efter, self.kvalhep, self.slet_kvalhep),
            "slet_kvalhep": list(self.slet_kvalhep),
        }


def smdb_efter_json(
    forloeb: Sequence[rules.Forloeb], kvalhep: Sequence[dict] = (), slettes: Sequence[int] = ()
) -> list[dict]:
    """What SMDB holds after, as JSON, each forløb with its KvalHep: those not
    deleted stay on the first, the citizen's old forløb (closed, untouched, or in
    model 1 re-sent without them: IndsaetKvalHep is refused since 1 July 2025)."""
    blivende = [
        {"Id": k["id"], "Dato": k["values"].get("Dato")} for k in kvalhep if k["id"] not in slettes
    ]
    out = [forloeb_json(f) for f in forloeb]
    for i, f in enumerate(out):
        f["kvalhep"] = blivende if i == 0 else []
    return out


def forloeb_json(f: rules.Forloeb | None) -> dict | None:
    if f is None:
        return None

    def j(values):
        return to_json(values) if values is not None else None

    return {
        "anmodning": j(f.anmodning),
        "ivaerksaettelse": j(f.ivaerksaettelse),
        "tilbudstilknytninger": [to_json(t) for t in f.tilbudstilknytninger],
        "afslutning": j(f.afslutning),
    }


def forloeb_fra_json(d: dict | None, kommune_kode: int, cpr: str) -> rules.Forloeb | None:
    if d is None:
        return None

    def values(key, x):
        return from_json(key, x) if x is not None else None

    return rules.Forloeb(
        kommune_kode=kommune_kode,
        person_identifikator=cpr,
        anmodning=values("anmodning", d["anmodning"]),
        ivaerksaettelse=values("ivaerksaettelse", d["ivaerksaettelse"]),
        tilbudstilknytninger=tuple(
            from_json("tilbudstilknytning", t) for t in d["tilbudstilknytninger"]
        ),
        afslutning=values("afslutning", d["afslutning"]),
    )


def _d(d: date | None) -> str:
    return f"{d:%d.%m.%Y}" if d else "–"


def _tilbud(t: dict) -> str:
    return f"tilbud {t.get(v.TILBUD_ID)}"


def _kvalhep(k: dict) -> str:
    dato = k["values"].get("Dato")
    return f"KvalHep (Id {k['id']}, {_d(date.fromisoformat(dato)) if dato else '–'})"


def aaben_paa(t, skiftedato: date) -> bool:
    """A tilknytning open on the change date: no slut, or a slut after it."""
    slut = dato(t, v.TILB_SLUT)
    return slut is None or slut > skiftedato


def er_glemt(f: rules.Forloeb, skiftedato: date) -> bool:
    """Guide section 3, 1a: a forgotten case has tilknytninger, all ended by the
    change date; the citizen is no longer in treatment here. It is closed with its
    real end date (R-AFSL-6: the latest slut date) and not carried into the new
    system."""
    return bool(f.tilbudstilknytninger) and not any(
        aaben_paa(t, skiftedato) for t in f.tilbudstilknytninger
    )


def datoer_efter_skiftet(f: rules.Forloeb, skiftedato: date) -> list[date]:
    """Start dates after the change date: the forløb began in the new system's
    time and needs a person. A tilknytning ending after it was merely open on it."""
    datoer = [dato(f.anmodning or {}, v.ANM_DATO)]
    if f.ivaerksaettelse:
        datoer.append(dato(f.ivaerksaettelse, v.IVAER_DATO))
    for t in f.tilbudstilknytninger:
        datoer.append(dato(t, v.TILB_START))
    return sorted(d for d in datoer if d and d > skiftedato)


def lukket(f: rules.Forloeb, skiftedato: date) -> rules.Forloeb:
    """The forløb closed by the job: R-SKIFT-2 (open tilknytninger end on the change
    date, Afslutning årsag 10 'Systemskift'), or a forgotten case closed on its
    real end date with its own text."""
    closed = regler.luk_ved_systemskifte(f, skiftedato, STATUS_VED_SKIFTE)
    if er_glemt(f, skiftedato):
        closed = dataclasses.replace(
            closed, afslutning={**closed.afslutning, v.AFSL_AARSAG_TEKST: GLEMT_TEKST}
        )
    return closed


def genstartet(f: rules.Forloeb, skiftedato: date, klargjort) -> rules.Forloeb:
    """Model 2 (R-SKIFT-2): the same citizen registered again with every start date
    = change date + 1 day: the anmodning, the iværksættelse (its answers kept, its
    computed 32-IVÆR/23-IVÆR worked out again) and each tilknytning that was open on
    the change date (its TilbudId and answers kept; a slut after the change date
    kept too). ``f`` is the forløb as it was before the job closed it.
    ``klargjort(schema_key, values, forloeb)`` clears hidden answers and fills
    computed ones (``cases.wizards.klargjorte_svar``)."""
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
            klargjort("tilbudstilknytning", {**t, v.TILB_START: start}, ny)
            for t in f.tilbudstilknytninger
            if aaben_paa(t, skiftedato)
        ]
        ny = dataclasses.replace(ny, tilbudstilknytninger=tuple(tilknytninger))
    return ny


def _regelfejl(violations: list[rules.Violation], hvad: str) -> str:
    return f"{hvad} ville blive afvist: " + "; ".join(
        f"{x.rule}: {x.message}" for x in violations[:3]
    )


def planlaeg(
    model: str,
    f: rules.Forloeb,
    skiftedato: date,
    *,
    klargjort,
    today: date,
    kvalhep: Sequence[dict] = (),
) -> Plan:
    """The operations the job will send for this forløb, in order, in Danish, the
    schemas it will send, and what SMDB holds for the citizen after. ``kvalhep``:
    SMDB's KvalHep on the forløb (``Plan.kvalhep``)."""
    plan = _planlaeg(model, f, skiftedato, klargjort=klargjort, today=today, kvalhep=kvalhep)
    plan.kvalhep = list(kvalhep)
    if plan.ny is not None:
        plan.smdb_efter = [plan.lukket, plan.ny]
    elif plan.lukket is not None:
        plan.smdb_efter = [plan.lukket]
    else:
        plan.smdb_efter = [f]  # left as it is, or deleted and sent again unchanged
    if not plan.fejl and not plan.slet_kvalhep:
        # Model 2 closes the forløb (the guide's section 4 a-d: the KvalHep is no part
        # of the closing) and its step f, "KvalHep" in the new system, cannot be
        # done: KvalHep reporting ended on 1 July 2025 (kravspecifikation 1.1) and
        # IndsaetKvalHep is refused. Mellemløsning and a forgotten case leave it too.
        for k in kvalhep:
            if plan.ny is not None:
                hvad = (
                    "bliver på det lukkede forløb i SMDB; den registreres ikke på det nye "
                    "(KvalHep udgik 1. juli 2025)."
                )
            elif plan.lukket is not None:
                hvad = "bliver på det lukkede forløb i SMDB."
            else:
                hvad = "bliver i SMDB, som den er."
            plan.operationer.append(f"{_kvalhep(k)} {hvad}")
    return plan


def _planlaeg(
    model: str,
    f: rules.Forloeb,
    skiftedato: date,
    *,
    klargjort,
    today: date,
    kvalhep: Sequence[dict] = (),
) -> Plan:
    if efter := datoer_efter_skiftet(f, skiftedato):
        return Plan(
            fejl=f"Forløbet har datoer efter skiftedatoen ({_d(efter[-1])}); "
            "det må håndteres manuelt før systemskiftet."
        )
    anm_dato = dato(f.anmodning or {}, v.ANM_DATO)
    if er_glemt(f, skiftedato):
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
            lukket=closed,
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
            if key == "anmodning":
                # The guide's step f, just before the anmodning the KvalHep hangs on
                # (R-DEL-1, smdb.rules.deletion); it cannot be sent again.
                for k in kvalhep:
                    ops.append(f"Slet {_kvalhep(k)} i SMDB; den sendes ikke igen (udgået).")
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
        return Plan(operationer=ops, slet_kvalhep=[k["id"] for k in kvalhep])

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
        if aaben_paa(t, skiftedato):
            ops.append(f"Afslut tilbudstilknytningen ({_tilbud(t)}) pr. {_d(skiftedato)}.")
        else:
            ops.append(
                f"Tilbudstilknytningen ({_tilbud(t)}) sluttede {_d(dato(t, v.TILB_SLUT))}; "
                "den registreres ikke igen."
            )
    ops.append(
        f"Afslut behandlingen pr. {_d(closed.afslutning[v.AFSL_DATO])}: årsag Anden (10), "
        f"tekst '{regler.SYSTEMSKIFT_TEKST}'."
    )
    ops.append(f"Registrér ny anmodning {_d(start)}.")
    if ny.ivaerksaettelse:
        ops.append(f"Iværksæt behandling {_d(start)}.")
    for t in ny.tilbudstilknytninger:
        slut = dato(t, v.TILB_SLUT)
        ops.append(
            f"Tilknyt {_tilbud(t)} igen fra {_d(start)}"
            + (f" til {_d(slut)}" if slut else "")
            + f" (behandlingstype {t.get(v.BEHANDLINGSTYPE) or '–'}, samme svar)."
        )
    return Plan(operationer=ops, lukket=closed, ny=ny)
