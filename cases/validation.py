"""Bridge from the Django models to the pure rule engine in ``smdb.rules``.

Forms, services and the sync build a ``smdb.rules.Forloeb`` here and call the
same ``validate_forloeb``, so a rule is enforced in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cases.models import Kontaktforloeb
from smdb import rules


def rules_forloeb(forloeb: Kontaktforloeb, **replace: Mapping | list | None) -> rules.Forloeb:
    """The forløb as the rule engine sees it, with some schemas replaced.

    ``replace`` takes ``anmodning=``, ``ivaerksaettelse=``, ``afslutning=`` (a
    mapping of SMDB values, or None to leave the schema out) and
    ``tilbudstilknytninger=`` (a list of mappings): the edit being validated.
    Expects the related schemas to be prefetched (see ``cases.selectors``).
    """

    def one(name: str):
        if name in replace:
            return replace[name]
        row = getattr(forloeb, name, None) if forloeb.pk else None
        return row.smdb_values() if row is not None else None

    if "tilbudstilknytninger" in replace:
        tilknytninger = replace["tilbudstilknytninger"]
    elif forloeb.pk:
        tilknytninger = [t.smdb_values() for t in forloeb.tilbudstilknytninger.all()]
    else:
        tilknytninger = []
    return rules.Forloeb(
        kommune_kode=forloeb.myndighed.kommune_kode,
        person_identifikator=forloeb.person_identifikator,
        anmodning=one("anmodning"),
        ivaerksaettelse=one("ivaerksaettelse"),
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning=one("afslutning"),
    )


def validate(
    forloeb: Kontaktforloeb,
    *,
    andre: list[Kontaktforloeb] | None = None,
    today: date | None = None,
    **replace,
) -> list[rules.Violation]:
    """All rule violations of ``forloeb`` with ``replace`` applied (see rules_forloeb)."""
    return rules.validate_forloeb(
        rules_forloeb(forloeb, **replace),
        today=today or rules.today_dk(),
        andre_forloeb=[rules_forloeb(f) for f in (andre or [])],
    )


def validate_insert(
    forloeb: Kontaktforloeb,
    schema_key: str,
    values: Mapping,
    *,
    andre: list[Kontaktforloeb] | None = None,
    today: date | None = None,
) -> list[rules.Violation]:
    """All violations of adding a new schema to ``forloeb`` (a tilknytning is
    appended); also a second Iværksættelse (R-IVAER-1) or Afslutning (R-AFSL-1)."""
    return rules.validate_insert(
        rules_forloeb(forloeb),
        schema_key,
        values,
        today=today or rules.today_dk(),
        andre_forloeb=[rules_forloeb(f) for f in (andre or [])],
    )
