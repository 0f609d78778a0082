"""Validate a whole kontaktforløb: every schema together, under its period's rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from smdb.rules.afslutning import en_afslutning_pr_kontaktforloeb
from smdb.rules.eras import rule_set_for
from smdb.rules.forloeb import AFSLUTNING, IVAERKSAETTELSE, Forloeb, Violation
from smdb.rules.ivaerksaettelse import en_ivaerksaettelse_pr_anmodning
from smdb.rules.kontekst import Kontekst


def validate_forloeb(
    forloeb: Forloeb, *, today: date, andre_forloeb: Sequence[Forloeb] = ()
) -> list[Violation]:
    """Every rule violation of ``forloeb``; an empty list when SMDB would accept it.

    ``andre_forloeb`` are the citizen's other forløb in the same myndighed (R-ANM-1).
    ``forloeb`` may be new, and its schemas drafts: missing answers are then
    reported (R-GEN-2). Violations come per schema, each with the
    rule id, Felt-ID, a Danish message, the schema and the variable, so a form for
    one schema shows those whose ``schema`` (and ``index``) is its own.
    """
    k = Kontekst(forloeb, today, andre_forloeb)
    out: list[Violation] = []
    if forloeb.anmodning is None and not k.skemaer():
        return [
            Violation(
                rule="R-GEN-2",
                felt_id="2-ANM",
                message="Forløbet har ingen anmodning. Registrér anmodningen først.",
                schema="anmodning",
                variable="BehandlingAnmodningDato",
            )
        ]
    for rule in rule_set_for(k.anm_dato).rules:
        out.extend(rule(k))
    return out


def validate_insert(
    forloeb: Forloeb,
    schema_key: str,
    values: Mapping[str, Any],
    *,
    today: date,
    andre_forloeb: Sequence[Forloeb] = (),
) -> list[Violation]:
    """Violations of inserting a new schema into ``forloeb`` (a tilknytning is added;
    the other schemas fill their place). Besides every rule on the resulting forløb:
    a second Iværksættelse (R-IVAER-1) or Afslutning (R-AFSL-1) is refused; an edit
    of the existing one is ``validate_forloeb(forloeb.with_schema(...))`` (R-DEL-2)."""
    if schema_key == IVAERKSAETTELSE and (anden := en_ivaerksaettelse_pr_anmodning(forloeb)):
        return [anden]
    if schema_key == AFSLUTNING and (anden := en_afslutning_pr_kontaktforloeb(forloeb)):
        return [anden]
    return validate_forloeb(
        forloeb.with_schema(schema_key, values), today=today, andre_forloeb=andre_forloeb
    )
