"""The ``smdb_validate`` file format: read forløb from JSON, write violations as JSON.

File: ``{"today": "YYYY-MM-DD", "forloeb": [{"KommuneKode": 101, "anmodning": {...},
"ivaerksaettelse": {...} | null, "tilbudstilknytninger": [{...}], "afslutning":
{...} | null}, ...]}``. Keys inside a schema are SMDB variable names; dates
"YYYY-MM-DD", codes strings, booleans true/false, 31-IVÆR a list of codes; a missing
key and null both mean empty. PersonIdentifikator and KommuneKode may sit in the
forløb or in its anmodning. Forløb whose PersonIdentifikator and KommuneKode agree
are one citizen's in one myndighed: each is validated with the others as
``andre_forloeb``.

Output: one JSON object per violation and line, ``{"forloeb": INDEX, "rule": ...,
"felt_id": ..., "message": ...}``. Exit code 0 without violations, 1 with, 2 for
malformed input (with a message; never a traceback).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from smdb.fields import SCHEMAS, FieldType
from smdb.rules import variabler as v
from smdb.rules.cpr import normaliser_cpr_hvis_muligt as _cpr
from smdb.rules.dato import today_dk
from smdb.rules.forloeb import Forloeb, Violation
from smdb.rules.validation import validate_forloeb

EXIT_OK, EXIT_VIOLATIONS, EXIT_MALFORMED = 0, 1, 2

_TOP_KEYS = {"today", "forloeb"}
_SCHEMA_KEYS = {
    "anmodning": "anmodning",
    "ivaerksaettelse": "ivaerksaettelse",
    "tilbudstilknytninger": "tilbudstilknytning",
    "afslutning": "afslutning",
}
_FORLOEB_KEYS = {v.KOMMUNE, v.CPR, *_SCHEMA_KEYS}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELDS = {key: schema.by_variable() for key, schema in SCHEMAS.items()}
_SCHEMA_OF = {f.variable: key for key, schema in SCHEMAS.items() for f in schema.fields}


class MalformedInput(ValueError):
    """The file is not in the smdb_validate format; the message says where."""


@dataclass
class Result:
    exit_code: int
    lines: list[str] = field(default_factory=list)
    error: str | None = None


def _fejl(sti: str, besked: str) -> MalformedInput:
    return MalformedInput(f"{sti}: {besked}")


def _kort(value: Any) -> str:
    """A value as an error message quotes it: at most 80 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _parse_date(sti: str, value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _fejl(sti, f'skal være en dato "YYYY-MM-DD" (expected a date), fik {_kort(value)}')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fejl(sti, f"ugyldig dato (invalid date) {value!r}") from None


def _parse_value(sti: str, ftype: FieldType, value: Any) -> Any:
    if value is None:
        return None
    if ftype is FieldType.DATE:
        return _parse_date(sti, value)
    if isinstance(value, str) and len(value) > MAX_TEKST:
        raise _fejl(sti, f"teksten er {len(value)} tegn, højst {MAX_TEKST} (text too long)")
    if ftype in (FieldType.CODE, FieldType.TEXT):
        if not isinstance(value, str):
            hvad = 'en kode som tekst, fx "01"' if ftype is FieldType.CODE else "en tekst"
            raise _fejl(sti, f"skal være {hvad} (expected a string), fik {_kort(value)}")
        return value
    if ftype is FieldType.BOOL:
        if not isinstance(value, bool):
            raise _fejl(sti, f"skal være true eller false (expected a boolean), fik {_kort(value)}")
        return value
    if ftype is FieldType.INT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fejl(sti, f"skal være et helt tal (expected an integer), fik {_kort(value)}")
        return value
    # CODE_LIST
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise _fejl(
            sti,
            f'skal være en liste af koder, fx ["01", "04"] (expected a list of '
            f"strings), fik {_kort(value)}",
        )
    return list(value)


def _parse_schema(sti: str, schema_key: str, data: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _fejl(sti, "skal være et objekt eller null (expected an object or null)")
    fields = _FIELDS[schema_key]
    out: dict[str, Any] = {}
    for key, value in data.items():
        f = fields.get(key)
        if f is None:
            andet = _SCHEMA_OF.get(key)
            hint = f" (feltet hører til {andet})" if andet else ""
            raise _fejl(f"{sti}.{key}", f"ukendt felt (unknown key){hint}")
        out[key] = _parse_value(f"{sti}.{key}", f.type, value)
    return out


def _parse_forloeb(sti: str, data: Any) -> Forloeb:
    if not isinstance(data, dict):
        raise _fejl(sti, "skal være et objekt (expected an object)")
    for key in data:
        if key not in _FORLOEB_KEYS:
            andet = _SCHEMA_OF.get(key)
            hint = f" (feltet hører til {andet})" if andet else ""
            raise _fejl(f"{sti}.{key}", f"ukendt nøgle (unknown key){hint}")
    anmodning = _parse_schema(f"{sti}.anmodning", "anmodning", data.get("anmodning"))
    ivaer = _parse_schema(f"{sti}.ivaerksaettelse", "ivaerksaettelse", data.get("ivaerksaettelse"))
    afslutning = _parse_schema(f"{sti}.afslutning", "afslutning", data.get("afslutning"))
    raw_tilb = data.get("tilbudstilknytninger")
    if raw_tilb is None:
        raw_tilb = []
    if not isinstance(raw_tilb, list):
        raise _fejl(f"{sti}.tilbudstilknytninger", "skal være en liste (expected a list)")
    tilknytninger = []
    for i, t in enumerate(raw_tilb):
        t_sti = f"{sti}.tilbudstilknytninger[{i}]"
        if not isinstance(t, dict):
            raise _fejl(t_sti, "skal være et objekt (expected an object)")
        tilknytninger.append(_parse_schema(t_sti, "tilbudstilknytning", t))
    kommune = _parse_value(f"{sti}.{v.KOMMUNE}", FieldType.INT, data.get(v.KOMMUNE))
    cpr = _parse_value(f"{sti}.{v.CPR}", FieldType.TEXT, data.get(v.CPR))
    if anmodning is not None:
        kommune = _enig(f"{sti}.anmodning.{v.KOMMUNE}", kommune, anmodning.get(v.KOMMUNE))
        inde = anmodning.get(v.CPR) or None
        if cpr and inde and _cpr(cpr) != _cpr(inde):
            raise _fejl(
                f"{sti}.anmodning.{v.CPR}",
                f"er {inde!r} i anmodningen men {cpr!r} på forløbet (disagrees)",
            )
        cpr = cpr or inde
    return Forloeb(
        kommune_kode=kommune,
        person_identifikator=_cpr(cpr) if cpr else None,
        anmodning=anmodning,
        ivaerksaettelse=ivaer,
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning=afslutning,
    )


def _enig(sti: str, top: Any, inde: Any) -> Any:
    if top is not None and inde is not None and top != inde:
        raise _fejl(sti, f"er {inde!r} i anmodningen men {top!r} på forløbet (disagrees)")
    return top if top is not None else inde


#: Bounds on input (issue 21), so a hostile file is a clear message, not a traceback
#: or gigabytes of memory: the file's size, and any one text (SMDB's longest is 250).
MAX_INPUT_CHARS = 50_000_000
MAX_TEKST = 10_000


def parse(text: str) -> tuple[date, list[Forloeb]]:
    """The file's today and forløb; MalformedInput if it is not in the format."""
    if len(text) > MAX_INPUT_CHARS:
        raise MalformedInput(
            f"filen er for stor: {len(text)} tegn, højst {MAX_INPUT_CHARS} (input too large); "
            "del den op"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"ugyldig JSON (bad JSON): {exc}") from None
    except RecursionError:
        raise MalformedInput("JSON'en er indlejret for dybt (nested too deeply)") from None
    except ValueError as exc:
        # Python's limit on the digits of an integer (4300): no field takes such a number.
        raise MalformedInput(f"et tal i filen er for langt (number too long): {exc}") from None
    if not isinstance(data, dict):
        raise MalformedInput("filen skal indeholde et JSON-objekt (expected an object)")
    for key in data:
        if key not in _TOP_KEYS:
            raise _fejl(key, "ukendt nøgle (unknown key); kendte: today, forloeb")
    today = _parse_date("today", data["today"]) if data.get("today") is not None else today_dk()
    forloeb = data.get("forloeb")
    if not isinstance(forloeb, list):
        raise _fejl("forloeb", "skal være en liste af forløb (expected a list)")
    return today, [_parse_forloeb(f"forloeb[{i}]", f) for i, f in enumerate(forloeb)]


def _borger(f: Forloeb) -> tuple[str, int | None] | None:
    cpr = f.cpr
    return (cpr, f.kommune) if cpr else None


def validate_all(today: date, forloeb: list[Forloeb]) -> list[tuple[int, Violation]]:
    """Each forløb validated with the citizen's other forløb in the same myndighed."""
    grupper: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for i, f in enumerate(forloeb):
        borger = _borger(f)
        if borger is not None:
            grupper[borger].append(i)
    out: list[tuple[int, Violation]] = []
    for i, f in enumerate(forloeb):
        borger = _borger(f)
        andre = [forloeb[j] for j in grupper[borger] if j != i] if borger is not None else []
        out.extend(
            (i, violation) for violation in validate_forloeb(f, today=today, andre_forloeb=andre)
        )
    return out


def output_line(index: int, violation: Violation) -> str:
    message = violation.message
    if violation.index is not None:
        message = f"Tilbudstilknytning nr. {violation.index + 1}: {message}"
    return json.dumps(
        {
            "forloeb": index,
            "rule": violation.rule,
            "felt_id": violation.felt_id,
            "message": message,
        },
        ensure_ascii=False,
    )


def check_text(text: str) -> Result:
    try:
        today, forloeb = parse(text)
    except MalformedInput as exc:
        return Result(EXIT_MALFORMED, error=f"smdb_validate: fejl i input (malformed input): {exc}")
    lines = [output_line(i, violation) for i, violation in validate_all(today, forloeb)]
    return Result(EXIT_VIOLATIONS if lines else EXIT_OK, lines)


def check_file(path: str) -> Result:
    """Validate the forløb in the file at ``path``: exit code, output lines, error."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        return Result(EXIT_MALFORMED, error=f"smdb_validate: kan ikke læse {path}: {exc}")
    return check_text(text)
