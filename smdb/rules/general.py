"""Rules for every schema and question (spec 6.1.1) and the CPR number."""

from __future__ import annotations

import re
from collections.abc import Iterator

from smdb.fields import SCHEMAS, FieldType
from smdb.rules import variabler as v
from smdb.rules.dato import SMDB_FOERSTE_DATO, dansk_dato
from smdb.rules.forloeb import Violation
from smdb.rules.kontekst import TYPE_NAVN, Kontekst
from smdb.rules.visibility import CONDITIONS, MANGLER, NOT_REQUIRED, REQUIRED_RULE, shown

_DATE_FIELDS = {
    key: tuple(f.variable for f in schema.fields if f.type is FieldType.DATE)
    for key, schema in SCHEMAS.items()
}
_FIELD_ORDER = {key: tuple(f.variable for f in schema.fields) for key, schema in SCHEMAS.items()}
_CODES = {
    key: {f.variable: frozenset(c for c, _ in f.codes) for f in schema.fields if f.codes}
    for key, schema in SCHEMAS.items()
}
_LIMITS = {
    key: tuple(
        f
        for f in schema.fields
        if f.min_value is not None or f.max_value is not None or f.max_length is not None
    )
    for key, schema in SCHEMAS.items()
}
# Checked by their own rules: the CPR number (R-GEN-6) and the autorisations-ID's
# exact length of 5 (R-TILB-10).
_LIMITS_OWN_RULE = frozenset({v.CPR, v.AUTORISATION})


def datoer_ligger_ikke_i_fremtiden(k: Kontekst) -> Iterator[Violation]:  # R-GEN-1
    today = k.today
    for skema in k.skemaer():
        for variable in _DATE_FIELDS[skema.key]:
            d = skema.values.get(variable)
            if d is not None and d > today:
                yield k.violation(
                    "R-GEN-1",
                    skema,
                    variable,
                    f"Datoen {dansk_dato(d)} ligger i fremtiden. Datoen skal være i dag "
                    f"({dansk_dato(today)}) eller før.",
                )


def datoer_ligger_i_en_periode_smdb_daekker(k: Kontekst) -> Iterator[Violation]:  # R-GEN-3
    """Datostyring picks a rule set by the anmodningsdato; a date before the oldest
    period (``SMDB_FOERSTE_DATO``) has none, so it is refused rather than read under
    the loosest. A date after today is R-GEN-1's."""
    for skema in k.skemaer():
        for variable in _DATE_FIELDS[skema.key]:
            d = skema.values.get(variable)
            if d is not None and d < SMDB_FOERSTE_DATO:
                yield k.violation(
                    "R-GEN-3",
                    skema,
                    variable,
                    f"Datoen {dansk_dato(d)} ligger før {dansk_dato(SMDB_FOERSTE_DATO)}, og "
                    "ingen af SMDB's indberetningsperioder dækker den. Ret datoen.",
                )


def datoer_ikke_foer_foedsel(k: Kontekst) -> Iterator[Violation]:  # R-GEN-6
    """Interpretation: R-GEN-6 reads the birth date from the CPR number; no date of
    the citizen's forløb can lie before it."""
    born = k.foedselsdato
    if born is None:
        return
    for skema in k.skemaer():
        for variable in _DATE_FIELDS[skema.key]:
            d = skema.values.get(variable)
            if d is not None and SMDB_FOERSTE_DATO <= d < born:  # earlier: R-GEN-3
                yield k.violation(
                    "R-GEN-6",
                    skema,
                    variable,
                    f"Datoen {dansk_dato(d)} ligger før borgerens fødselsdato "
                    f"({dansk_dato(born)}) ifølge CPR-nummeret. Ret datoen.",
                )


#: Characters XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF, surrogates): a
#: text holding one cannot even be written into the message to SMDB.
_IKKE_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_FIELDS = {
    key: tuple(f.variable for f in schema.fields if f.type is FieldType.TEXT)
    for key, schema in SCHEMAS.items()
}


def svar_har_rette_type(k: Kontekst) -> Iterator[Violation]:  # R-GEN-2
    """An answer of the wrong type is no answer (a form or an import sent garbage);
    a text is one SMDB's XML can carry (issue 15: else the outbox stops at the XSD)."""
    for skema in k.skemaer():
        for field in skema.type_errors:
            yield k.violation(
                "R-GEN-2",
                skema,
                field.variable,
                f"Ugyldigt svar: feltet skal være {TYPE_NAVN[field.type]}.",
            )
        for variable in _TEXT_FIELDS[skema.key]:
            value = skema.values.get(variable)
            if value and _IKKE_XML.search(value):
                yield k.violation(
                    "R-GEN-2",
                    skema,
                    variable,
                    "Teksten indeholder et usynligt styretegn, som ikke kan sendes til SMDB. "
                    "Skriv teksten igen uden det.",
                )


def svar_er_blandt_svarmulighederne(k: Kontekst) -> Iterator[Violation]:  # R-GEN-2
    """Codes from the code list, numbers and texts within fields.md's limits. Only for
    the current rule set: older periods had other code lists (spec 6.3)."""
    for skema in k.skemaer():
        values = skema.values
        for variable, codes in _CODES[skema.key].items():
            value = values.get(variable)
            if value is None:
                continue
            if isinstance(value, str):
                if value not in codes:
                    yield k.violation(
                        "R-GEN-2",
                        skema,
                        variable,
                        f"Ugyldig svarmulighed '{value}'. Vælg en af skemaets svarmuligheder.",
                    )
            else:
                ugyldige = [c for c in value if c not in codes]
                if ugyldige:
                    yield k.violation(
                        "R-GEN-2",
                        skema,
                        variable,
                        f"Ugyldig svarmulighed {', '.join(repr(c) for c in ugyldige)}. "
                        "Vælg blandt skemaets svarmuligheder.",
                    )
        for field in _LIMITS[skema.key]:
            if field.variable in _LIMITS_OWN_RULE:
                continue
            value = values.get(field.variable)
            if value is None:
                continue
            if field.type is FieldType.INT:
                lo = field.min_value
                hi = field.max_value
                if (lo is not None and value < lo) or (hi is not None and value > hi):
                    yield k.violation(
                        "R-GEN-2",
                        skema,
                        field.variable,
                        f"Værdien skal være mellem {lo} og {hi}.",
                    )
            elif field.max_length is not None and len(value) > field.max_length:
                yield k.violation(
                    "R-GEN-2",
                    skema,
                    field.variable,
                    f"Teksten må højst være {field.max_length} tegn (den er {len(value)}).",
                )
    kommune = k.forloeb.kommune
    if k.anm is not None and kommune is not None and not 100 <= kommune <= 999:
        yield k.violation("R-GEN-2", k.anm, v.KOMMUNE, "Kommunekoden skal have 3 cifre.")


def viste_spoergsmaal_er_besvaret(k: Kontekst) -> Iterator[Violation]:  # R-GEN-2
    """Every shown question answered, every hidden one empty. The conditional
    questions report under their own rule (R-IVAER-4, R-TILB-10, ...), see
    ``smdb.rules.visibility``."""
    for skema in k.skemaer():
        visible = shown(skema.key, skema.values, k.anm_dato)
        present = skema.present
        missing = visible - present - NOT_REQUIRED[skema.key]
        hidden = present - visible
        if not missing and not hidden:
            continue
        conditions = CONDITIONS[skema.key]
        for variable in _FIELD_ORDER[skema.key]:
            if variable in missing:
                b = conditions.get(variable)
                if b is not None:
                    rule, message = b.missing_besked(skema.values)
                else:
                    rule, message = REQUIRED_RULE.get(variable, "R-GEN-2"), MANGLER
                yield k.violation(rule, skema, variable, message)
            elif variable in hidden:
                rule, message = conditions[variable].hidden_besked(skema.values)
                yield k.violation(rule, skema, variable, message)


def felterne_findes_i_skemaet(k: Kontekst) -> Iterator[Violation]:  # R-GEN-3
    """A field that is not in the current schemas is one of an older period's
    ('Udgået' fields may only be reported for forløb started before 2019-07-01)."""
    for skema in k.skemaer():
        for variable in skema.unknown:
            yield k.violation(
                "R-GEN-3",
                skema,
                variable,
                f"Feltet {variable} findes ikke i skemaet for forløb med anmodningsdato fra "
                "1. juli 2025. Udgåede felter kan kun indberettes for forløb, der gælder "
                "efter tidligere regler.",
                felt_id=variable,
            )


def borgeren_har_cpr_nummer(k: Kontekst) -> Iterator[Violation]:  # R-GEN-5
    """Citizens without a CPR number (and anonymous treatment) are not reported."""
    if k.anm is not None and not k.cpr:
        yield k.violation(
            "R-GEN-5",
            k.anm,
            v.CPR,
            "Feltet skal udfyldes: borgere uden CPR-nummer og borgere i anonym behandling "
            "kan ikke indberettes til SMDB.",
        )


def cpr_nummeret_er_gyldigt(k: Kontekst) -> Iterator[Violation]:  # R-GEN-6
    if k.anm is not None and k.cpr_fejl:
        yield k.violation("R-GEN-6", k.anm, v.CPR, k.cpr_fejl)
