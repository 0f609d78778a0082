"""Deletion "bagfra" (R-DEL-1): the newest schema of a forløb first.

SMDB web deletes "ved at slette seneste indberettede skema først". For a forløb the
order is Afslutning (it closes everything else), the Tilbudstilknytninger newest
first, the Iværksættelse, the Anmodning. The discontinued Ydelse and Indskrivning
(tilbud side) come before the tilknytning. They and the KvalHep are not part of
``Forloeb``, so a caller holding them deletes them around this order.

KvalHep, our reading: the system-change guide lists "Slet KvalHep" (step f) after
"Slet anmodningen" (step e), and R-DEL-1 copies that order. But a KvalHep hangs on
its anmodning (SMDB's KvalHep record carries the AnmodningId, ``smdb.contract``), and
R-DEL-1 also says a schema others depend on cannot be deleted while they exist:
SMDB refuses SletAnmodning while a KvalHep is on it (so does the simulator). So the
KvalHep is deleted last before the anmodning, after the iværksættelse
(``systemskifte`` model 1). That order is valid also if SMDB let the anmodning go
first: nothing depends on a KvalHep.
"""

from __future__ import annotations

from smdb.rules.forloeb import (
    AFSLUTNING,
    ANMODNING,
    IVAERKSAETTELSE,
    SCHEMA_KEYS,
    SCHEMA_NAVNE,
    TILBUDSTILKNYTNING,
    Forloeb,
)

_UBESTEMT = {
    ANMODNING: "anmodning",
    IVAERKSAETTELSE: "iværksættelse",
    AFSLUTNING: "afslutning",
}
_RAEKKEFOELGE = (
    "Der slettes bagfra: først afslutningen, så tilbudstilknytningerne (den nyeste "
    "først), så iværksættelsen og til sidst anmodningen."
)


class DeletionRefused(Exception):
    """The schema may not be deleted now; ``reason`` says why, in Danish."""

    def __init__(self, reason: str, rule: str = "R-DEL-1"):
        super().__init__(reason)
        self.reason = reason
        self.rule = rule


def deletable_schema(forloeb: Forloeb) -> tuple[str, int | None] | None:  # R-DEL-1
    """The one schema that may be deleted now, as (schema key, tilknytning index or
    None); None when the forløb has no schema left. Tilbudstilknytninger are in
    registration order, so the newest is the last."""
    if forloeb.afslutning is not None:
        return (AFSLUTNING, None)
    if forloeb.tilbudstilknytninger:
        return (TILBUDSTILKNYTNING, len(forloeb.tilbudstilknytninger) - 1)
    if forloeb.ivaerksaettelse is not None:
        return (IVAERKSAETTELSE, None)
    if forloeb.anmodning is not None:
        return (ANMODNING, None)
    return None


def _beskriv(schema_key: str, index: int | None) -> str:
    if schema_key == TILBUDSTILKNYTNING and index is not None:
        return f"tilbudstilknytning nr. {index + 1}"
    return SCHEMA_NAVNE[schema_key]


def check_deletion(forloeb: Forloeb, schema_key: str, index: int | None = None) -> None:
    """Raise DeletionRefused unless (schema_key, index) is the schema that may be
    deleted now."""
    if schema_key not in SCHEMA_KEYS:
        raise DeletionRefused(f"Ukendt skema: {schema_key!r}.")
    if schema_key == TILBUDSTILKNYTNING:
        if index is None or not 0 <= index < len(forloeb.tilbudstilknytninger):
            raise DeletionRefused("Tilbudstilknytningen findes ikke på forløbet.")
    elif getattr(forloeb, schema_key) is None:
        raise DeletionRefused(f"Forløbet har ingen {_UBESTEMT[schema_key]}.")
    naeste = deletable_schema(forloeb)
    if naeste == (schema_key, index if schema_key == TILBUDSTILKNYTNING else None):
        return
    assert naeste is not None  # the schema exists, so something is deletable
    navn = _beskriv(schema_key, index)
    raise DeletionRefused(
        f"{navn[0].upper()}{navn[1:]} kan ikke slettes endnu: {_beskriv(*naeste)} skal "
        f"slettes først. {_RAEKKEFOELGE}"
    )
