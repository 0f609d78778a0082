from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from smdb.fields import FieldType
from smdb.rules.dato import dagetal_tekst
from smdb.rules.variabler import DAGE_SIDEN_ANMODNING

register = template.Library()


def display_value(field, value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if field.variable == DAGE_SIDEN_ANMODNING and isinstance(value, int):
        # A stored 32-IVÆR is never shown below zero (issue 23, R-IVAER-3).
        return dagetal_tekst(value)
    match field.type:
        case FieldType.DATE:
            return date_format(value, "j. F Y")
        case FieldType.BOOL:
            return "Ja" if value else "Nej"
        case FieldType.CODE:
            return f"{field.code_label(value)} ({value})"
        case FieldType.CODE_LIST:
            return ", ".join(f"{field.code_label(v)} ({v})" for v in value)
    return str(value)


@register.filter
def schema_rows(instance):
    """(label, shown value) for each answered field of a schema row, in form order."""
    rows = []
    for field in instance.schema.stored_fields:
        value = getattr(instance, field.name)
        if value is None or value == "" or value == []:
            continue
        rows.append((field.full_label, display_value(field, value)))
    return rows


@register.filter
def brydes_ved_skraastreg(text) -> str:
    """``text`` escaped, with a line-break chance after each "/": DST's long labels
    ("Kriminalforsorgen/domstol/prøveløsladelse/politi") are one word to the browser
    and would run out of their column (issue 11: over the next box, and sideways at
    390 px)."""
    return mark_safe(escape(text).replace("/", "/<wbr>"))
