"""Which questions are shown now (R-GEN-2 and the conditional questions).

A shown question must be answered before the schema is submitted; a question that
is not shown must be empty. Forms use ``visible_fields`` for live show/hide;
validation uses the same table, so a condition is written once, here, next to the
rule id it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from smdb.fields import SCHEMAS, SUBSTITUTION_TYPES
from smdb.rules import variabler as v
from smdb.rules.forloeb import (
    AFSLUTNING,
    ANMODNING,
    IVAERKSAETTELSE,
    TILBUDSTILKNYTNING,
    Forloeb,
    dato,
)

#: Behandlingsgaranti and the deadline for the lægesamtale: 14 days from anmodning.
GARANTI_DAGE = 14
LAEGESAMTALE_FRIST_DAGE = 14

#: Tick boxes, not questions: unticked (False) is the same as empty, and they are
#: never "missing" (19-IVÆR "afkrydses", and 'vil ikke oplyse' next to 20-IVÆR's age).
CHECKBOXES = frozenset({v.HOVEDSTOF_IKKE_MULIG, v.HOVEDSTOF_ALDER_VIL_IKKE_OPLYSE})

#: Shown but not required: the slut date is given when the tilknytning ends (its
#: requiredness is R-TILB-6); the 18-IVÆR counts are one question whose answer is
#: "at least one count" (R-IVAER-12); the CPR number has its own rules (R-GEN-5/6).
OPTIONAL = frozenset({v.TILB_SLUT, v.CPR, *v.DAGE})

#: Shown but never "missing": computed (23/32-IVÆR, 8-ANM), on the forløb (6-ANM has
#: R-GEN-5), tick boxes, and the optional fields. Forms (``required_fields``) and
#: validation (R-GEN-2) both read it.
NOT_REQUIRED: dict[str, frozenset[str]] = {
    key: frozenset(f.variable for f in schema.fields if f.computed or f.on_forloeb)
    | CHECKBOXES
    | OPTIONAL
    for key, schema in SCHEMAS.items()
}

#: Rule of a required, always-shown field whose own rule demands it; others: R-GEN-2.
REQUIRED_RULE = {
    v.INJICERET: "R-IVAER-14",
    v.DELT_VAERKTOEJ: "R-IVAER-14",
    v.TESTET_HCV: "R-IVAER-16",
    v.TESTET_HIV: "R-IVAER-16",
    v.SUBSTITUTION: "R-IVAER-17",
    v.HENVISNING: "R-IVAER-18",
}

MANGLER = "Feltet skal udfyldes."


def dage_fra_anmodning(values: Mapping[str, Any], anmodningsdato: date | None) -> int | None:
    """Days from anmodning to iværksættelse (32-IVÆR), or None while unknown."""
    ivaerksat = dato(values, v.IVAER_DATO)
    if ivaerksat is None or anmodningsdato is None:
        return None
    return (ivaerksat - anmodningsdato).days


def garanti_overskredet(
    values: Mapping[str, Any], anmodningsdato: date | None
) -> bool:  # R-IVAER-4
    dage = dage_fra_anmodning(values, anmodningsdato)
    return dage is not None and dage > GARANTI_DAGE


def laegesamtale_frist_overskredet(
    values: Mapping[str, Any], anmodningsdato: date | None
) -> bool:  # R-IVAER-6
    afholdt = values.get(v.LAEGESAMTALE_AFHOLDT)
    if afholdt is True:
        holdt = dato(values, v.LAEGESAMTALE_DATO)
        ivaerksat = dato(values, v.IVAER_DATO)
        if holdt is None:
            return False
        if anmodningsdato is not None and (holdt - anmodningsdato).days > LAEGESAMTALE_FRIST_DAGE:
            return True
        return ivaerksat is not None and holdt > ivaerksat
    # Interpretation (rules.md): the citizen wanted the lægesamtale, it was not held,
    # and iværksættelse came more than 14 days after anmodning: the deadline passed
    # without a lægesamtale, so the reason is asked for too.
    dage = dage_fra_anmodning(values, anmodningsdato)
    return (
        afholdt is False
        and values.get(v.OENSKER_LAEGESAMTALE) == "01"
        and dage is not None
        and dage > LAEGESAMTALE_FRIST_DAGE
    )


def hovedstof_kan_angives(values: Mapping[str, Any]) -> bool:  # R-IVAER-13
    return values.get(v.HOVEDSTOF_IKKE_MULIG) is not True


def hovedstof_noget_udfyldt(values: Mapping[str, Any]) -> bool:
    return any(not er_tom(f, values.get(f)) for f in v.HOVEDSTOF_FELTER)


def er_tom(variable: str, value: Any) -> bool:
    """None, "", whitespace, [] are empty; an unticked tick box is empty too."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    if value is False:
        return variable in CHECKBOXES
    return False


Besked = tuple[str, str]  # (rule id, Danish message)


@dataclass(frozen=True)
class Betingelse:
    """When a conditional question is shown, and what to say when it is missing
    although shown, or answered although hidden."""

    shown: Callable[[Mapping[str, Any], date | None], bool]
    missing: Besked | Callable[[Mapping[str, Any]], Besked]
    hidden: Besked | Callable[[Mapping[str, Any]], Besked]

    def missing_besked(self, values: Mapping[str, Any]) -> Besked:
        return self.missing(values) if callable(self.missing) else self.missing

    def hidden_besked(self, values: Mapping[str, Any]) -> Besked:
        return self.hidden(values) if callable(self.hidden) else self.hidden


def _hovedstof_mangler(values: Mapping[str, Any]) -> Besked:
    if hovedstof_noget_udfyldt(values):
        return (  # R-IVAER-10
            "R-IVAER-10",
            "Feltet skal udfyldes: når ét felt om hovedstoffet er udfyldt, skal alle "
            "felter om stoffet udfyldes.",
        )
    return (
        "R-IVAER-13",
        "Feltet skal udfyldes: angiv borgerens hovedstof, eller afkryds 'Det er ikke "
        "muligt at angive et hovedstof'.",
    )


_HOVEDSTOF_SKJULT = (
    "R-IVAER-13",
    "Feltet skal være tomt, når det er afkrydset, at det ikke er muligt at angive et hovedstof.",
)


def _hovedstof_alder_mangler(values: Mapping[str, Any]) -> Besked:
    rule, _ = _hovedstof_mangler(values)
    return (
        rule,
        "Feltet skal udfyldes: angiv alderen ved første brug af hovedstoffet, eller "
        "afkryds at borgeren ikke vil oplyse den.",
    )


def _hovedstof_alder_skjult(values: Mapping[str, Any]) -> Besked:
    if not hovedstof_kan_angives(values):
        return _HOVEDSTOF_SKJULT
    # Interpretation (rules.md): the age is empty exactly when 'vil ikke oplyse' is ticked.
    return (
        "R-IVAER-10",
        "Feltet skal være tomt, når det er afkrydset, at borgeren ikke vil oplyse alderen.",
    )


_hovedstof = Betingelse(
    shown=lambda values, _anm: hovedstof_kan_angives(values),
    missing=_hovedstof_mangler,
    hidden=_HOVEDSTOF_SKJULT,
)

_dage = Betingelse(  # R-IVAER-12
    shown=lambda values, _anm: values.get(v.STOFFER_SENESTE_MAANED) is True,
    missing=("R-IVAER-12", MANGLER),
    hidden=(
        "R-IVAER-12",
        "Antal dage skal være tomt, når borgeren ikke har taget ikke-ordinerede stoffer "
        "den seneste måned.",
    ),
)

CONDITIONS: dict[str, dict[str, Betingelse]] = {
    ANMODNING: {},
    IVAERKSAETTELSE: {
        v.LAEGESAMTALE_DATO: Betingelse(  # R-IVAER-7 (Interpretation)
            shown=lambda values, _anm: values.get(v.LAEGESAMTALE_AFHOLDT) is True,
            missing=("R-IVAER-7", "Feltet skal udfyldes, når lægesamtalen er afholdt."),
            hidden=("R-IVAER-7", "Feltet skal være tomt, når lægesamtalen ikke er afholdt."),
        ),
        v.LAEGESAMTALE_AARSAG: Betingelse(
            shown=laegesamtale_frist_overskredet,
            missing=(
                "R-IVAER-6",
                "Feltet skal udfyldes, når lægesamtalen ikke er afholdt inden for fristen "
                "(senest 14 dage efter anmodningen og senest på iværksættelsesdatoen).",
            ),
            hidden=(
                "R-IVAER-6",
                "Feltet skal være tomt, når fristen for lægesamtalen ikke er overskredet.",
            ),
        ),
        v.GARANTI_AARSAG: Betingelse(
            shown=garanti_overskredet,
            missing=(
                "R-IVAER-4",
                "Feltet skal udfyldes, når der er gået mere end 14 dage fra anmodning til "
                "iværksættelse.",
            ),
            hidden=(
                "R-IVAER-4",
                "Feltet skal være tomt, når der højst er gået 14 dage fra anmodning til "
                "iværksættelse.",
            ),
        ),
        v.SCREENING_TEKST: Betingelse(  # R-IVAER-19
            shown=lambda values, _anm: values.get(v.SCREENING) == "05",
            missing=(
                "R-IVAER-19",
                "Feltet skal udfyldes, når der er valgt 'Andet screeningsværktøj'.",
            ),
            hidden=(
                "R-IVAER-19",
                "Feltet skal være tomt, når der ikke er valgt 'Andet screeningsværktøj'.",
            ),
        ),
        v.BOERN_I_HUSSTANDEN: Betingelse(  # R-IVAER-8
            shown=lambda values, _anm: values.get(v.BOERN) is True,
            missing=(
                "R-IVAER-8",
                "Feltet skal udfyldes, når borgeren eller partneren har børn under 18 år.",
            ),
            hidden=(
                "R-IVAER-8",
                "Feltet skal være tomt, når borgeren eller partneren ikke har børn under 18 år.",
            ),
        ),
        **dict.fromkeys(v.DAGE, _dage),
        v.HOVEDSTOF: _hovedstof,
        v.HOVEDSTOF_DAGE: _hovedstof,
        v.HOVEDSTOF_ALDER: Betingelse(
            shown=lambda values, _anm: (
                hovedstof_kan_angives(values)
                and values.get(v.HOVEDSTOF_ALDER_VIL_IKKE_OPLYSE) is not True
            ),
            missing=_hovedstof_alder_mangler,
            hidden=_hovedstof_alder_skjult,
        ),
        v.HOVEDSTOF_ALDER_VIL_IKKE_OPLYSE: _hovedstof,
        v.HOVEDSTOF_HYPPIGHED: _hovedstof,
        v.HOVEDSTOF_INDTAGELSESMAADE: _hovedstof,
        # Interpretation of a garbled sentence (rules.md R-IVAER-15): the age at first
        # injection is asked when the citizen has injected (03, 04, 05).
        v.FOERSTE_INJEKTION_ALDER: Betingelse(  # R-IVAER-15
            shown=lambda values, _anm: values.get(v.INJICERET) in ("03", "04", "05"),
            missing=("R-IVAER-15", "Feltet skal udfyldes, når borgeren har injiceret."),
            hidden=(
                "R-IVAER-15",
                "Feltet skal være tomt, når borgeren aldrig har injiceret, eller det er uoplyst.",
            ),
        ),
        v.SUBSTITUTION_ALDER: Betingelse(  # R-IVAER-17
            shown=lambda values, _anm: values.get(v.SUBSTITUTION) == "02",
            missing=(
                "R-IVAER-17",
                "Feltet skal udfyldes, når borgeren har været i substitutionsbehandling.",
            ),
            hidden=(
                "R-IVAER-17",
                "Feltet skal være tomt, når borgeren ikke har været i substitutionsbehandling.",
            ),
        ),
    },
    TILBUDSTILKNYTNING: {
        v.AUTORISATION: Betingelse(  # R-TILB-10
            shown=lambda values, _anm: values.get(v.BEHANDLINGSTYPE) in SUBSTITUTION_TYPES,
            missing=(
                "R-TILB-10",
                "Feltet skal udfyldes ved substitutionsbehandling: angiv den ordinerende "
                "læges autorisations-ID.",
            ),
            hidden=(
                "R-TILB-10",
                "Feltet skal være tomt ved stoffri behandling (04) og anden medicinsk "
                "behandling (06).",
            ),
        ),
    },
    AFSLUTNING: {
        v.AFSL_OVERTAGET: Betingelse(  # R-AFSL-7
            shown=lambda values, _anm: values.get(v.AFSL_AARSAG) == "06",
            missing=(
                "R-AFSL-7",
                "Feltet skal udfyldes, når behandlingen er overgået til et andet "
                "behandlingstilbud.",
            ),
            hidden=(
                "R-AFSL-7",
                "Feltet skal være tomt, når årsagen ikke er 'Overgået/udskrevet til andet "
                "behandlingstilbud'.",
            ),
        ),
        # Our own field (no Felt-ID), see smdb.fields. Required when shown: DST's
        # system-change guide calls it "følgende spørgsmål" that "uddybes" after årsag
        # Anden ("vigtigst er i feltet Beskriv Afslutningsårsag at angive 'Systemskift'"),
        # R-GEN-2 says every shown question is answered, and it follows the pattern of
        # 43-IVÆR (a text required when 'Andet' is chosen). The 2026 spec's section 7
        # calls it "kommentarfeltet", which alone would suggest optional; the guide is
        # the more specific text and a described 'Anden årsag' is what DST counts on.
        v.AFSL_AARSAG_TEKST: Betingelse(
            shown=lambda values, _anm: values.get(v.AFSL_AARSAG) == "10",
            missing=(
                "R-GEN-2",
                "Feltet skal udfyldes, når årsagen er 'Anden årsag'. Ved systemskifte "
                "skrives 'Systemskift'.",
            ),
            hidden=("R-GEN-2", "Feltet skal være tomt, når årsagen ikke er 'Anden årsag'."),
        ),
    },
}

ALWAYS_SHOWN: dict[str, frozenset[str]] = {
    key: frozenset(f.variable for f in schema.fields if f.variable not in CONDITIONS[key])
    for key, schema in SCHEMAS.items()
}

for _key, _schema in SCHEMAS.items():
    _conditional = {f.variable for f in _schema.fields if f.conditional}
    assert _conditional == set(CONDITIONS[_key]), (_key, _conditional ^ set(CONDITIONS[_key]))


def _grouped(conditions: dict[str, Betingelse]) -> tuple[tuple[Betingelse, frozenset[str]], ...]:
    groups: dict[int, tuple[Betingelse, set[str]]] = {}
    for variable, b in conditions.items():
        groups.setdefault(id(b), (b, set()))[1].add(variable)
    return tuple((b, frozenset(variables)) for b, variables in groups.values())


# One evaluation per condition, not per field (the 17 day counts share one).
_GROUPED = {key: _grouped(conditions) for key, conditions in CONDITIONS.items()}


def shown(
    schema_key: str, values: Mapping[str, Any], anmodningsdato: date | None
) -> frozenset[str]:
    out = ALWAYS_SHOWN[schema_key]
    for b, variables in _GROUPED[schema_key]:
        if b.shown(values, anmodningsdato):
            out = out | variables
    return out


def visible_fields(
    schema_key: str, values: Mapping[str, Any], forloeb: Forloeb | None = None
) -> frozenset[str]:
    """The variable names shown now, given what has been filled in so far.

    ``forloeb`` gives the anmodningsdato that 4-IVÆR and 29-IVÆR depend on; without
    it those two stay hidden. Computed, read-only fields (23/32-IVÆR, 8-ANM) are
    shown. The set is the current (2025-07-01) schema's.
    """
    if schema_key not in SCHEMAS:
        raise ValueError(f"unknown schema {schema_key!r}")
    return shown(schema_key, values, forloeb.anmodningsdato if forloeb is not None else None)


def required_fields(
    schema_key: str, values: Mapping[str, Any], forloeb: Forloeb | None = None
) -> frozenset[str]:
    """The shown fields that must be answered before the schema can be submitted."""
    return visible_fields(schema_key, values, forloeb) - NOT_REQUIRED[schema_key]
