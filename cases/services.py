"""Writes of citizens' cases. Each service validates the whole forløb with the
rule engine, writes the schema and its audit row in one transaction."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Myndighed
from audit.models import Handling
from audit.services import audit_record
from cases import selectors
from cases.models import Anmodning, Kontaktforloeb
from cases.schema_models import model_kwargs
from cases.validation import validate
from smdb import outbox, rules
from smdb.models import SyncAction


class RuleViolations(Exception):
    """The change breaks SMDB's business rules; nothing was saved."""

    def __init__(self, violations: list[rules.Violation]):
        super().__init__("; ".join(f"{v.rule}: {v.message}" for v in violations))
        self.violations = violations


def _raise_if_invalid(forloeb: Kontaktforloeb, **replace) -> None:
    violations = validate(forloeb, andre=selectors.andre_forloeb(forloeb), **replace)
    if violations:
        raise RuleViolations(violations)


@transaction.atomic
def anmodning_create(*, user, cpr: str, data: dict) -> Kontaktforloeb:
    """Register an Anmodning: a new kontaktforløb for ``cpr`` in the user's myndighed.

    ``data`` holds the ANM values keyed by SMDB variable name; 8-ANM KommuneKode
    comes from the user's myndighed.
    """
    # Serialise registrations per myndighed so two clerks cannot both open a
    # forløb for the same citizen at once (R-ANM-1).
    myndighed = Myndighed.objects.select_for_update().get(pk=user.myndighed_id)
    forloeb = Kontaktforloeb(myndighed=myndighed, person_identifikator=cpr, oprettet_af=user)
    _raise_if_invalid(forloeb, anmodning=data)
    forloeb.save()
    anmodning = Anmodning.objects.create(
        forloeb=forloeb,
        oprettet_af=user,
        aendret_af=user,
        **model_kwargs(data),
    )
    # SMDB hears of it through the outbox, queued when this transaction commits.
    outbox.record(schema_row=anmodning, action=SyncAction.INDSAET)
    audit_record(user=user, handling=Handling.OPRETTET, forloeb=forloeb, beskrivelse="Anmodning")
    return forloeb
