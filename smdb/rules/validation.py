"""Validate a whole kontaktforløb: every schema together, under its period's rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from smdb.rules.eras import rule_set_for
from smdb.rules.forloeb import Forloeb, Violation
from smdb.rules.kontekst import Kontekst


def validate_forloeb(
    forloeb: Forloeb, *, today: date, andre_forloeb: Sequence[Forloeb] = ()
) -> list[Violation]:
    """Every rule violation of ``forloeb``; an empty list when SMDB would accept it.

    ``andre_forloeb`` are the citizen's other forløb in the same myndighed (R-ANM-1,
    R-IVAER-1, R-AFSL-1). ``forloeb`` may be new, and its schemas drafts: missing
    answers are then reported (R-GEN-2). Violations come per schema, each with the
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
