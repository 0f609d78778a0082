"""Django model fields derived from ``smdb.fields`` (the one source of truth).

``schema_model_base(schema)`` builds an abstract model carrying one Django field
per SMDB variable, named ``snake_case(variable)``, so that the wire mapping is
mechanical: ``getattr(row, field.name)`` is the value of ``field.variable``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from smdb.fields import ALL_FIELDS, Field, FieldType, Schema


def django_field(field: Field) -> models.Field:
    kwargs: dict = {
        "verbose_name": field.full_label,
        "help_text": field.help_text,
        "blank": True,
    }
    validators = []
    if field.min_value is not None:
        validators.append(MinValueValidator(field.min_value))
    if field.max_value is not None:
        validators.append(MaxValueValidator(field.max_value))
    # Every schema field may be empty in the database: drafts are half-filled
    # and conditional questions are empty when hidden (R-GEN-2). Completeness
    # is the rule engine's job, not the column's.
    match field.type:
        case FieldType.DATE:
            return models.DateField(null=True, **kwargs)
        case FieldType.CODE:
            return models.CharField(max_length=2, choices=field.codes, default="", **kwargs)
        case FieldType.BOOL:
            return models.BooleanField(null=True, default=None, **kwargs)
        case FieldType.INT:
            return models.IntegerField(null=True, validators=validators, **kwargs)
        case FieldType.TEXT:
            return models.CharField(max_length=field.max_length or 250, default="", **kwargs)
        case FieldType.CODE_LIST:
            return models.JSONField(default=list, **kwargs)
    raise ValueError(f"Ukendt felttype {field.type}")


def schema_model_base(schema: Schema, module: str) -> type[models.Model]:
    attrs: dict = {
        field.name: django_field(field) for field in schema.fields if not field.on_forloeb
    }
    attrs["__module__"] = module
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    class_name = "".join(part.capitalize() for part in schema.key.split("_")) + "Felter"
    return type(class_name, (models.Model,), attrs)


def smdb_values(instance: models.Model, schema: Schema) -> dict:
    """The row's SMDB values, keyed by variable name (forløb-level fields excluded)."""
    return {f.variable: getattr(instance, f.name) for f in schema.stored_fields}


def model_kwargs(values: dict) -> dict:
    """SMDB values keyed by variable -> keyword arguments for a schema model."""
    return {ALL_FIELDS[variable].name: value for variable, value in values.items()}
