"""Tilknytning til tilbud (spec 6.1.4).

"Active at the same time" (R-TILB-7..9): the periods [start, slut] overlap, both
days included, an open slut counting as open-ended. A substitution ending on a day
and another starting that same day are therefore both active that day: switch the
next day, as DST's own system-change guide does (close on day D, start on D + 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from smdb.fields import SUBSTITUTION_TYPES
from smdb.rules import variabler as v
from smdb.rules.dato import dansk_dato
from smdb.rules.forloeb import Violation
from smdb.rules.kontekst import Kontekst, Skema

FOR_EVIGT = date.max


def tilknytning_hoerer_til_en_ivaerksaettelse(k: Kontekst) -> Iterator[Violation]:  # R-TILB-1
    if k.ivaer is not None:
        return
    for t in k.tilb:
        yield k.violation(
            "R-TILB-1",
            t,
            v.TILB_START,
            "Tilbudstilknytningen skal høre til en iværksættelse. Registrér iværksættelsen først.",
        )


def tilknytning_starter_ikke_foer_ivaerksaettelse(k: Kontekst) -> Iterator[Violation]:  # R-TILB-2
    if k.ivaer_dato is None:
        return
    for t in k.tilb:
        start = t.get(v.TILB_START)
        if start is not None and start < k.ivaer_dato:
            yield k.violation(
                "R-TILB-2",
                t,
                v.TILB_START,
                f"Startdatoen må ikke ligge før datoen for iværksættelse "
                f"({dansk_dato(k.ivaer_dato)}).",
            )


def en_tilknytning_starter_ved_ivaerksaettelse(k: Kontekst) -> Iterator[Violation]:  # R-TILB-3
    """Reported once, on the earliest-starting tilknytning."""
    if k.ivaer_dato is None:
        return
    startende = [t for t in k.tilb if t.get(v.TILB_START) is not None]
    if not startende or any(t.get(v.TILB_START) == k.ivaer_dato for t in startende):
        return
    foerste = min(startende, key=lambda t: t.get(v.TILB_START))
    yield k.violation(
        "R-TILB-3",
        foerste,
        v.TILB_START,
        f"Mindst én tilbudstilknytning skal starte på datoen for iværksættelse "
        f"({dansk_dato(k.ivaer_dato)}).",
    )


def tilknytning_starter_ikke_efter_slut(k: Kontekst) -> Iterator[Violation]:  # R-TILB-4
    for t in k.tilb:
        start, slut = t.get(v.TILB_START), t.get(v.TILB_SLUT)
        if start is not None and slut is not None and slut < start:
            yield k.violation(
                "R-TILB-4",
                t,
                v.TILB_SLUT,
                f"Slutdatoen må ikke ligge før startdatoen ({dansk_dato(start)}).",
            )


def ingen_slutdato_uden_startdato(k: Kontekst) -> Iterator[Violation]:  # R-TILB-5
    for t in k.tilb:
        if v.TILB_SLUT in t.present and v.TILB_START not in t.present:
            yield k.violation(
                "R-TILB-5",
                t,
                v.TILB_SLUT,
                "Slutdatoen skal være tom, når der ikke er nogen startdato.",
            )


def tilknytning_afsluttet_med_forloebet(k: Kontekst) -> Iterator[Violation]:  # R-TILB-6
    """The tilknytning's side of R-AFSL-4/R-AFSL-5: each violation is reported on the
    schema whose submission SMDB rejects for it, so the TILB form and the AFSL form
    both show it (``Violation.schema`` tells them apart)."""
    if k.afsl is None:
        return
    afsluttet = k.afsl_dato
    for t in k.tilb:
        slut = t.get(v.TILB_SLUT)
        if v.TILB_SLUT not in t.present:
            yield k.violation(
                "R-TILB-6",
                t,
                v.TILB_SLUT,
                "Feltet skal udfyldes, når forløbet er afsluttet: alle tilbudstilknytninger "
                "skal have en slutdato.",
            )
        elif slut is not None and afsluttet is not None and slut > afsluttet:
            yield k.violation(
                "R-TILB-6",
                t,
                v.TILB_SLUT,
                f"Slutdatoen må ikke ligge efter datoen for afsluttet behandling "
                f"({dansk_dato(afsluttet)}).",
            )


def _perioder(k: Kontekst) -> list[tuple[date, date, Skema]]:
    out = []
    for t in k.tilb:
        start = t.get(v.TILB_START)
        if start is not None:
            out.append((start, t.get(v.TILB_SLUT) or FOR_EVIGT, t))
    out.sort(key=lambda p: (p[0], p[2].index))
    return out


def _overlap(k: Kontekst, hvilke) -> Iterator[tuple[Skema, Skema]]:
    """Pairs (earlier, later) of overlapping periods among the tilknytninger that
    ``hvilke`` selects; sorted by start, so a pair overlaps when the later one
    starts on or before the earlier one's slut."""
    perioder = [p for p in _perioder(k) if hvilke(p[2])]
    for i, (_, slut_i, t_i) in enumerate(perioder):
        for start_j, _, t_j in perioder[i + 1 :]:
            if start_j > slut_i:
                break
            yield t_i, t_j


def _er_substitution(t: Skema) -> bool:
    return t.get(v.BEHANDLINGSTYPE) in SUBSTITUTION_TYPES


def _er_doegn(t: Skema) -> bool:
    return t.get(v.INTENSITET) == "03"


# R-TILB-7 is a permission: any number of parallel, overlapping tilknytninger of
# type 04 (stoffri) or 06 (anden medicinsk), also to the same tilbud, and one
# substitution beside them. Its complement, two substitution types active at once,
# is what R-TILB-8 rejects, so no separate check exists for R-TILB-7.


def en_substitutionsbehandling_ad_gangen(k: Kontekst) -> Iterator[Violation]:  # R-TILB-8
    """Reported on the later-starting tilknytning of each overlapping pair."""
    for foerste, senere in _overlap(k, _er_substitution):
        yield k.violation(
            "R-TILB-8",
            senere,
            v.BEHANDLINGSTYPE,
            f"Tilknytningen er aktiv samtidig med tilbudstilknytning nr. {foerste.index + 1}, "
            "som også er substitutionsbehandling. Der må kun være én aktiv "
            "substitutionsbehandling ad gangen (metadon, buprenorphin, heroin og anden "
            "substitution udelukker hinanden).",
        )


def en_doegnbehandling_ad_gangen(k: Kontekst) -> Iterator[Violation]:  # R-TILB-9
    for foerste, senere in _overlap(k, _er_doegn):
        yield k.violation(
            "R-TILB-9",
            senere,
            v.INTENSITET,
            f"Tilknytningen er aktiv samtidig med tilbudstilknytning nr. {foerste.index + 1}, "
            "som også er døgnbehandling. Der må kun være én aktiv døgnbehandling ad gangen.",
        )


_AUTORISATIONS_ID = re.compile(r"[0-9A-Za-z]{5}")


def autorisations_id_har_fem_tegn(k: Kontekst) -> Iterator[Violation]:  # R-TILB-10
    """Shown and required for the substitution types: see visibility. SMDB checks the
    ID against the Autorisationsregister; offline we check its form, 5 letters or
    digits. Not stripped: the value is sent as it is, and padding makes it longer."""
    for t in k.tilb:
        kode = t.get(v.AUTORISATION)
        if kode is not None and not _AUTORISATIONS_ID.fullmatch(kode):
            yield k.violation(
                "R-TILB-10",
                t,
                v.AUTORISATION,
                "Autorisations-ID skal være 5 tegn (bogstaver og tal), som i "
                "Autorisationsregistret.",
            )
