"""Afslut behandling (spec 6.1.5). R-AFSL-7 (4-AFSL only for årsag 06) is in
``smdb.rules.visibility``."""

from __future__ import annotations

from collections.abc import Iterator

from smdb.rules import variabler as v
from smdb.rules.dato import dansk_dato
from smdb.rules.forloeb import Forloeb, Violation
from smdb.rules.kontekst import Kontekst


def afslutning_hoerer_til_en_anmodning(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-1
    """The Afslutning is tied to one anmodning ("skal knyttes til én Anmodningsdato")."""
    if k.afsl is not None and k.anm is None:
        yield k.violation(
            "R-AFSL-1",
            k.afsl,
            v.AFSL_DATO,
            "Afslutningen skal høre til en anmodning. Registrér anmodningen først.",
        )


def en_afslutning_pr_kontaktforloeb(forloeb: Forloeb) -> Violation | None:  # R-AFSL-1
    """Inserting a second Afslutning on a kontaktforløb: see ``validate_insert``."""
    if forloeb.afslutning is None:
        return None
    return Violation(
        rule="R-AFSL-1",
        felt_id="1-AFSL",
        message="Kontaktforløbet er allerede afsluttet. Der må kun være én afslutning pr. "
        "kontaktforløb: ret den eksisterende afslutning i stedet.",
        schema="afslutning",
        variable=v.AFSL_DATO,
    )


def afslutning_ikke_foer_anmodning(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-2
    if k.ivaer is not None or k.afsl_dato is None or k.anm_dato is None:
        return
    if k.afsl_dato < k.anm_dato:
        yield k.violation(
            "R-AFSL-2",
            k.afsl,
            v.AFSL_DATO,
            f"Datoen for afsluttet behandling må ikke ligge før anmodningsdatoen "
            f"({dansk_dato(k.anm_dato)}).",
        )


def afslutning_ikke_foer_ivaerksaettelse(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-3
    if k.afsl_dato is None or k.ivaer_dato is None:
        return
    if k.afsl_dato < k.ivaer_dato:
        yield k.violation(
            "R-AFSL-3",
            k.afsl,
            v.AFSL_DATO,
            f"Datoen for afsluttet behandling må ikke ligge før datoen for iværksættelse "
            f"({dansk_dato(k.ivaer_dato)}).",
        )


def _seneste_slut(k: Kontekst):
    slutdatoer = [t.get(v.TILB_SLUT) for t in k.tilb if t.get(v.TILB_SLUT) is not None]
    return max(slutdatoer) if slutdatoer else None


def afslutning_ikke_foer_seneste_tilbudsslut(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-4
    if k.afsl_dato is None:
        return
    seneste = _seneste_slut(k)
    if seneste is not None and k.afsl_dato < seneste:
        yield k.violation(
            "R-AFSL-4",
            k.afsl,
            v.AFSL_DATO,
            f"Datoen for afsluttet behandling må ikke ligge før den seneste slutdato for "
            f"en tilbudstilknytning ({dansk_dato(seneste)}).",
        )


def ingen_aabne_tilknytninger_ved_afslutning(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-5
    if k.afsl is None:
        return
    aabne = [t.index + 1 for t in k.tilb if v.TILB_SLUT not in t.present]
    if aabne:
        numre = ", ".join(str(n) for n in aabne)
        yield k.violation(
            "R-AFSL-5",
            k.afsl,
            v.AFSL_DATO,
            f"Forløbet kan ikke afsluttes, så længe der er tilbudstilknytninger uden "
            f"slutdato (nr. {numre}). Afslut tilknytningerne først.",
        )


def afslutning_er_seneste_tilbudsslut(k: Kontekst) -> Iterator[Violation]:  # R-AFSL-6
    """When every tilknytning is closed, the Afslutning is on the latest slut date.
    An Afslutning before that date is R-AFSL-4 alone; this rule reports the other
    side, an Afslutning after it."""
    if k.afsl_dato is None or not k.tilb:
        return
    if any(v.TILB_SLUT not in t.present for t in k.tilb):
        return
    seneste = _seneste_slut(k)
    if seneste is not None and k.afsl_dato > seneste:
        yield k.violation(
            "R-AFSL-6",
            k.afsl,
            v.AFSL_DATO,
            f"Når alle tilbudstilknytninger er afsluttet, skal datoen for afsluttet "
            f"behandling være den seneste slutdato ({dansk_dato(seneste)}).",
        )
