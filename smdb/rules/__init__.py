"""The SMDB rule engine: every business rule of DST's specification, pure Python.

Forms, the local SMDB simulator and the sync all call this one engine. No Django
imports anywhere in this package. Rule ids (R-IVAER-4, ...) are those of
``../shared/spec/rules.md``; each rule is a function in the module named after its
schema (``anmodning``, ``ivaerksaettelse``, ``tilbud``, ``afslutning``, ``general``),
the conditional questions are in ``visibility``, the periods in ``eras``.
"""

from smdb.rules.cpr import age_at, birth_date, cpr_error, normaliser_cpr
from smdb.rules.dato import Hindring, beregning_hindret, dage_mellem, dagetal_tekst, today_dk
from smdb.rules.deletion import DeletionRefused, check_deletion, deletable_schema
from smdb.rules.eras import RULE_SETS, RuleSet, rule_set_for, start_date_change_error
from smdb.rules.forloeb import SCHEMA_KEYS, Forloeb, Violation
from smdb.rules.ivaerksaettelse import (
    beregninger_hindret,
    computed_values,
    with_computed_values,
)
from smdb.rules.validation import validate_forloeb, validate_insert
from smdb.rules.visibility import required_fields, visible_fields

__all__ = [
    "RULE_SETS",
    "SCHEMA_KEYS",
    "DeletionRefused",
    "Hindring",
    "Forloeb",
    "RuleSet",
    "Violation",
    "age_at",
    "beregning_hindret",
    "beregninger_hindret",
    "birth_date",
    "check_deletion",
    "computed_values",
    "cpr_error",
    "dage_mellem",
    "dagetal_tekst",
    "normaliser_cpr",
    "deletable_schema",
    "required_fields",
    "rule_set_for",
    "start_date_change_error",
    "today_dk",
    "validate_forloeb",
    "validate_insert",
    "visible_fields",
    "with_computed_values",
]
