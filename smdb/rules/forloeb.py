"""The kontaktforløb as the rule engine sees it: plain mappings of SMDB values.

A kontaktforløb is one Anmodning with its Iværksættelse, Tilbudstilknytninger and
Afslutning, for one citizen in one myndighed. Keys of the mappings are the SMDB
variable names of ``smdb.fields``; values are Python-typed (``date``, code strings
such as ``"01"``, ``bool``, ``int``, a list of code strings for
``HenvisningPaaOpfordringAfListe``). ``None``, a missing key, ``""`` and ``[]``
all mean "not answered".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

ANMODNING = "anmodning"
IVAERKSAETTELSE = "ivaerksaettelse"
TILBUDSTILKNYTNING = "tilbudstilknytning"
AFSLUTNING = "afslutning"
SCHEMA_KEYS = (ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING, AFSLUTNING)

#: Danish names, for messages ("Iværksættelsen kan ikke slettes ...").
SCHEMA_NAVNE = {
    ANMODNING: "anmodningen",
    IVAERKSAETTELSE: "iværksættelsen",
    TILBUDSTILKNYTNING: "tilbudstilknytningen",
    AFSLUTNING: "afslutningen",
}


@dataclass(frozen=True)
class Forloeb:
    """One kontaktforløb. ``tilbudstilknytninger`` are in the order they were
    registered, oldest first (deletion "bagfra" relies on that order)."""

    kommune_kode: int | None
    person_identifikator: str | None
    anmodning: Mapping[str, Any] | None
    ivaerksaettelse: Mapping[str, Any] | None
    tilbudstilknytninger: Sequence[Mapping[str, Any]] = ()
    afslutning: Mapping[str, Any] | None = None

    @property
    def cpr(self) -> str | None:
        """The CPR number, from the forløb or else from the anmodning (6-ANM)."""
        if isinstance(self.person_identifikator, str) and self.person_identifikator.strip():
            return self.person_identifikator
        value = (self.anmodning or {}).get("PersonIdentifikator")
        return value if isinstance(value, str) and value else None

    @property
    def kommune(self) -> int | None:
        if self.kommune_kode is not None:
            return self.kommune_kode
        value = (self.anmodning or {}).get("KommuneKode")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def anmodningsdato(self) -> date | None:
        return dato(self.anmodning or {}, "BehandlingAnmodningDato")

    def with_schema(
        self, schema_key: str, values: Mapping[str, Any] | None, index: int | None = None
    ) -> Forloeb:
        """The forløb with one schema replaced (``values=None`` removes it); for a
        tilbudstilknytning, ``index=None`` appends. This is how an edit is
        validated together with the rest of its forløb (R-DEL-2)."""
        if schema_key == TILBUDSTILKNYTNING:
            tilknytninger = list(self.tilbudstilknytninger)
            if index is None:
                if values is not None:
                    tilknytninger.append(values)
            elif values is None:
                del tilknytninger[index]
            else:
                tilknytninger[index] = values
            return dataclasses.replace(self, tilbudstilknytninger=tuple(tilknytninger))
        if schema_key not in SCHEMA_KEYS:
            raise ValueError(f"unknown schema {schema_key!r}")
        return dataclasses.replace(self, **{schema_key: values})


@dataclass(frozen=True)
class Violation:
    rule: str  # "R-IVAER-4"
    felt_id: str  # Field.ident of the field concerned, e.g. "4-IVÆR"
    message: str  # plain Danish a caseworker understands
    schema: str  # "anmodning" | "ivaerksaettelse" | "tilbudstilknytning" | "afslutning"
    variable: str | None = None  # SMDB variable, so a form can show the error at its field
    index: int | None = None  # which tilbudstilknytning, for TILB


def dato(values: Mapping[str, Any], variable: str) -> date | None:
    """The answer to a date question, or None while it is not a date."""
    value = values.get(variable)
    # datetime is a subclass of date; a datetime is not an SMDB date.
    return value if type(value) is date else None
