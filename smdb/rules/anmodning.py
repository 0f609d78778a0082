"""Registrér anmodning (spec 6.1.2)."""

from __future__ import annotations

from collections.abc import Iterator

from smdb.rules import variabler as v
from smdb.rules.dato import dansk_dato
from smdb.rules.forloeb import Violation
from smdb.rules.kontekst import Kontekst


def kun_et_aktivt_kontaktforloeb(k: Kontekst) -> Iterator[Violation]:  # R-ANM-1
    """At most one anmodning without an Afslutning per citizen in one myndighed.

    ``k.andre`` are the citizen's other forløb in the same myndighed (the caller
    selects them). Only the literal rule is checked: a closed forløb whose period
    overlaps this one is not a violation, since the text counts anmodninger
    "som ikke har en dato for afsluttet behandling".
    """
    if k.anm is None or k.forloeb.afslutning is not None:
        return
    for anden in k.andre:
        if anden.anmodning is not None and anden.afslutning is None:
            d = anden.anmodningsdato
            fra = f" med anmodning {dansk_dato(d)}" if d else ""
            yield k.violation(
                "R-ANM-1",
                k.anm,
                v.ANM_DATO,
                f"Borgeren har allerede et aktivt kontaktforløb{fra} i myndigheden. Der må "
                "kun være ét aktivt kontaktforløb ad gangen: afslut det andet forløb først.",
            )
            return


def ikke_ivaerksat_forloeb_har_kun_anmodning_og_afslutning(
    k: Kontekst,
) -> Iterator[Violation]:  # R-ANM-2
    """A forløb closed without being iværksat consists of Anmodning + Afslutning only.

    Reported on the Afslutning: closing is where the forløb's composition is final.
    The tilknytninger themselves are rejected under R-TILB-1 (no Iværksættelse to
    belong to); the two rules see the same fault from each side.
    """
    if k.afsl is not None and k.ivaer is None and k.tilb:
        yield k.violation(
            "R-ANM-2",
            k.afsl,
            v.AFSL_DATO,
            "Forløbet er ikke iværksat, og et forløb uden iværksættelse består kun af "
            "anmodning og afslutning. Slet tilbudstilknytningerne, eller registrér "
            "iværksættelsen.",
        )
