"""One forløb prepared for the rules: values typed and cleaned once, key dates,
age and day count computed once, so that each rule is a few lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from smdb.fields import SCHEMAS, Field, FieldType
from smdb.rules import variabler as v
from smdb.rules.cpr import alder, laes_cpr
from smdb.rules.forloeb import (
    AFSLUTNING,
    ANMODNING,
    IVAERKSAETTELSE,
    TILBUDSTILKNYTNING,
    Forloeb,
    Violation,
)
from smdb.rules.visibility import CHECKBOXES, dage_fra_anmodning, er_tom

_TYPE_OK = {
    FieldType.DATE: lambda x: type(x) is date,
    FieldType.CODE: lambda x: isinstance(x, str),
    FieldType.TEXT: lambda x: isinstance(x, str),
    FieldType.BOOL: lambda x: isinstance(x, bool),
    FieldType.INT: lambda x: isinstance(x, int) and not isinstance(x, bool),
    FieldType.CODE_LIST: lambda x: (
        isinstance(x, list | tuple) and all(isinstance(c, str) for c in x)
    ),
}

TYPE_NAVN = {
    FieldType.DATE: "en dato",
    FieldType.CODE: 'en kode (tekst, fx "01")',
    FieldType.TEXT: "en tekst",
    FieldType.BOOL: "ja eller nej",
    FieldType.INT: "et helt tal",
    FieldType.CODE_LIST: "en liste af koder",
}

_FIELDS = {key: schema.by_variable() for key, schema in SCHEMAS.items()}
#: variable -> (Field, its type check, is it a tick box), per schema
_LAESNING = {
    key: {f.variable: (f, _TYPE_OK[f.type], f.variable in CHECKBOXES) for f in schema.fields}
    for key, schema in SCHEMAS.items()
}


class Skema:
    """One schema's answers: ``values`` holds the non-empty answers of the right
    type; ``present`` every non-empty answer (also wrongly typed ones);
    ``type_errors`` and ``unknown`` what could not be read."""

    __slots__ = ("key", "index", "raw", "values", "present", "type_errors", "unknown")

    def __init__(self, key: str, raw: Mapping[str, Any], index: int | None = None):
        self.key = key
        self.index = index
        self.raw = raw
        laesning = _LAESNING[key]
        values: dict[str, Any] = {}
        present: set[str] = set()
        type_errors: list[Field] = []
        unknown: list[str] = []
        for variable, value in raw.items():
            entry = laesning.get(variable)
            if entry is None:
                if not er_tom(variable, value):
                    unknown.append(variable)
                continue
            # er_tom, inlined: this loop runs for every answer of every forløb
            if value is None or value is False and entry[2]:
                continue
            if isinstance(value, str):
                if not value or value.isspace():
                    continue
            elif type(value) is list or type(value) is tuple:
                if not value:
                    continue
            present.add(variable)
            if entry[1](value):
                values[variable] = value
            else:
                type_errors.append(entry[0])
        self.values = values
        self.present = present
        self.type_errors = type_errors
        self.unknown = unknown

    def get(self, variable: str) -> Any:
        return self.values.get(variable)


class Kontekst:
    """The forløb being validated, with what every rule needs."""

    def __init__(self, forloeb: Forloeb, today: date, andre: Sequence[Forloeb]):
        self.forloeb = forloeb
        self.today = today
        self.andre = andre
        self.anm = Skema(ANMODNING, forloeb.anmodning) if forloeb.anmodning is not None else None
        self.ivaer = (
            Skema(IVAERKSAETTELSE, forloeb.ivaerksaettelse)
            if forloeb.ivaerksaettelse is not None
            else None
        )
        self.tilb = [
            Skema(TILBUDSTILKNYTNING, t, index=i)
            for i, t in enumerate(forloeb.tilbudstilknytninger)
        ]
        self.afsl = (
            Skema(AFSLUTNING, forloeb.afslutning) if forloeb.afslutning is not None else None
        )
        self.anm_dato: date | None = self.anm.get(v.ANM_DATO) if self.anm else None
        self.ivaer_dato: date | None = self.ivaer.get(v.IVAER_DATO) if self.ivaer else None
        self.afsl_dato: date | None = self.afsl.get(v.AFSL_DATO) if self.afsl else None
        self.cpr = forloeb.cpr
        self.cpr_fejl, self.foedselsdato = (
            laes_cpr(self.cpr, today=today) if self.cpr else (None, None)
        )
        self.dage: int | None = (
            dage_fra_anmodning(self.ivaer.values, self.anm_dato) if self.ivaer else None
        )
        self.alder: int | None = (
            alder(self.foedselsdato, self.ivaer_dato)
            if self.foedselsdato is not None and self.ivaer_dato is not None
            else None
        )

    def skemaer(self) -> list[Skema]:
        out = [s for s in (self.anm, self.ivaer) if s is not None]
        out.extend(self.tilb)
        if self.afsl is not None:
            out.append(self.afsl)
        return out

    @staticmethod
    def violation(
        rule: str, skema: Skema, variable: str | None, message: str, felt_id: str | None = None
    ) -> Violation:
        if felt_id is None:
            felt_id = _FIELDS[skema.key][variable].ident if variable else ""
        return Violation(
            rule=rule,
            felt_id=felt_id,
            message=message,
            schema=skema.key,
            variable=variable,
            index=skema.index,
        )
