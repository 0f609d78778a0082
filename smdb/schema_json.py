"""SMDB values as JSON (outbox payloads, the simulator's store): dates as ISO strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from smdb.fields import SCHEMAS, FieldType


def to_json(values: Mapping[str, Any]) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def from_json(schema_key: str, values: Mapping[str, Any]) -> dict:
    fields = SCHEMAS[schema_key].by_variable()
    out = {}
    for variable, value in values.items():
        f = fields.get(variable)
        if f is not None and f.type is FieldType.DATE and isinstance(value, str):
            value = date.fromisoformat(value)
        out[variable] = value
    return out
