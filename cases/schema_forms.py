"""Form fields derived from ``smdb.fields``, and the base form for every schema.

Labels carry the Felt-ID ("2-ANM Anmodningsdato") as in DST's web form.
Whether an answer is required, allowed or consistent with the rest of the
forløb is decided by the rule engine (``cases.validation``), not here: form
fields only parse input, so that one rule never lives in two places.
"""

from __future__ import annotations

from django import forms

from smdb.fields import Field, FieldType, Schema

BOOL_CHOICES = (("true", "Ja"), ("false", "Nej"))


def _to_bool(value: str) -> bool:
    return value == "true"


class ValgSelect(forms.Select):
    """A code list whose options that cannot be valid for the answers given are
    disabled, with the reason in the option's text (issue 11; e.g. 4-IVÆR 06 for an
    adult, R-IVAER-5). ``utilgaengelige``: code -> reason, set by the page."""

    utilgaengelige: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        reason = self.utilgaengelige.get(str(value))
        # The answer already given stays choosable, so the page shows what was sent.
        if reason and not selected:
            option["attrs"]["disabled"] = True
            option["label"] = f"{label} – kan ikke vælges: {reason}"
        return option


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


#: Text this long or longer gets a live counter ("212 / 250") and a text area.
LANG_TEKST = 50


class TekstField(forms.CharField):
    """Free text with SMDB's length limit, which the browser does not enforce: a
    ``maxlength`` cut pasted text at 250 characters without a word (issue 11). The
    whole text is sent and kept; the page counts the characters as they are typed
    (static/js/skemaer.js) and the server refuses what is too long."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": "Teksten må højst være %(limit_value)d tegn, men er "
                "%(show_value)d. Forkort den; intet er gemt endnu."
            },
        )
        super().__init__(**kwargs)
        if self.max_length:
            # The limit, from the field metadata, is read before one types, not only
            # in the counter that appears while typing (issue 23).
            self.help_text = " ".join(
                filter(None, [str(self.help_text or ""), f"Højst {self.max_length} tegn."])
            )
        if self.max_length and self.max_length >= LANG_TEKST:
            self.widget = forms.Textarea(attrs={"rows": 3})
            self.widget.attrs.update(self.widget_attrs(self.widget))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        limit = attrs.pop("maxlength", None)
        if limit is not None and self.max_length >= LANG_TEKST:
            attrs["data-tegn-max"] = limit
        return attrs


def form_field(field: Field) -> forms.Field:
    common = {"label": field.full_label, "help_text": field.help_text, "required": False}
    match field.type:
        case FieldType.DATE:
            return forms.DateField(
                widget=DateInput,
                error_messages={"invalid": "Skriv en gyldig dato."},
                **common,
            )
        case FieldType.CODE:
            return forms.ChoiceField(
                choices=[("", "Vælg …"), *field.codes],
                widget=ValgSelect,
                error_messages={"invalid_choice": "Vælg en af mulighederne på listen."},
                **common,
            )
        case FieldType.BOOL:
            return forms.TypedChoiceField(
                choices=BOOL_CHOICES,
                coerce=_to_bool,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        case FieldType.INT:
            return forms.IntegerField(
                min_value=field.min_value,
                max_value=field.max_value,
                # A text box, not <input type="number">: the browser drops what a
                # number box cannot hold ("fem" was sent as empty, "3,5" as 35), so
                # the server never saw it. Here every keystroke is sent, refused
                # with a Danish message and shown again as typed (issue 11).
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={
                    "invalid": "Skriv et helt tal med cifre, fx 12 (ikke bogstaver eller komma).",
                    "min_value": "Tallet skal være mindst %(limit_value)s.",
                    "max_value": "Tallet må højst være %(limit_value)s.",
                },
                **common,
            )
        case FieldType.TEXT:
            return TekstField(max_length=field.max_length, **common)
        case FieldType.CODE_LIST:
            return forms.MultipleChoiceField(
                choices=field.codes,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Vælg blandt mulighederne på listen."},
                **common,
            )
    raise ValueError(f"Ukendt felttype {field.type}")


class SchemaForm(forms.Form):
    """A form over some fields of one schema; field names are the Django names."""

    schema: Schema
    #: SMDB variables this form edits, in order; default: every stored, typed field.
    variables: tuple[str, ...] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.schema_fields():
            self.fields[field.name] = form_field(field)
            self.fields[field.name].smdb_field = field

    @classmethod
    def schema_fields(cls) -> list[Field]:
        if cls.variables is None:
            return [f for f in cls.schema.stored_fields if not f.computed]
        by_var = cls.schema.by_variable()
        return [by_var[v] for v in cls.variables]

    def smdb_values(self) -> dict:
        """Cleaned data keyed by SMDB variable name."""
        return {f.variable: self.cleaned_data.get(f.name) for f in self.schema_fields()}

    def add_violations(self, violations) -> None:
        """Put each rule violation next to its field (or on top if it has none here)."""
        names = {f.variable: f.name for f in self.schema_fields()}
        for violation in violations:
            name = names.get(violation.variable or "")
            message = f"{violation.message} ({violation.rule})"
            if name and name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, f"{violation.felt_id}: {message}")
