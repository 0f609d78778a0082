"""System change (vejledning-systemskifte.txt): the checkable parts of R-SKIFT.

R-SKIFT-1 (model 1) is deletion bagfra (``smdb.rules.deletion``) and re-entry with
the original dates; R-SKIFT-3, -5 and -6 are procedure (R-SKIFT-5's "no second
active case" is R-ANM-1). What is checkable is the closing and restart of model 2
(R-SKIFT-2) and recognising such a closing for the statistics (R-SKIFT-4).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from smdb.rules import variabler as v
from smdb.rules.forloeb import Forloeb

#: The guide asks for 'Systemskift' ("vigtigst er i feltet Beskriv Afslutningsårsag
#: at angive 'Systemskift'"); the spec's section 7 writes 'Systemskifte'.
SYSTEMSKIFT_TEKST = "Systemskift"
ANDEN_AARSAG = "10"


def luk_ved_systemskifte(forloeb: Forloeb, skiftedato: date, status_kode: str) -> Forloeb:
    """Model 2 (R-SKIFT-2): open tilknytninger end on the system-change date, and the
    forløb is closed with årsag Anden (10) and the text 'Systemskift'.

    The Afslutning is dated on the system-change date, unless every tilknytning had
    already ended before it: then R-AFSL-6 demands the latest slut date, and SMDB's
    rule wins over the guide. ``status_kode`` (2-AFSL) is the caseworker's to give.
    """
    if forloeb.afslutning is not None:
        raise ValueError("forløbet er allerede afsluttet")
    tilknytninger = []
    var_aaben = False
    for t in forloeb.tilbudstilknytninger:
        # Open on the change date: no slut, or one after it (it goes on in the new
        # system from the next day).
        slut = t.get(v.TILB_SLUT)
        if slut in (None, "") or slut > skiftedato:
            var_aaben = True
            t = {**t, v.TILB_SLUT: skiftedato}
        tilknytninger.append(t)
    slutdatoer = [t[v.TILB_SLUT] for t in tilknytninger]
    afsluttet = skiftedato if var_aaben or not slutdatoer else max(slutdatoer)
    return dataclasses.replace(
        forloeb,
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning={
            v.AFSL_DATO: afsluttet,
            v.AFSL_STATUS: status_kode,
            v.AFSL_AARSAG: ANDEN_AARSAG,
            v.AFSL_AARSAG_TEKST: SYSTEMSKIFT_TEKST,
        },
    )


def genstartsdato(skiftedato: date) -> date:
    """Model 2 (R-SKIFT-2): the new system registers anmodning, iværksættelse and
    tilknytning on the day after the system-change date."""
    return skiftedato + timedelta(days=1)


def er_systemskifte_afslutning(afslutning) -> bool:  # R-SKIFT-4
    """An Afslutning made by a model-2 system change: årsag Anden and the text
    'Systemskift' (or 'Systemskifte'); DST then counts the forløb once, on its
    original start dates."""
    if not afslutning or afslutning.get(v.AFSL_AARSAG) != ANDEN_AARSAG:
        return False
    tekst = afslutning.get(v.AFSL_AARSAG_TEKST) or ""
    return tekst.strip().lower() in ("systemskift", "systemskifte")
