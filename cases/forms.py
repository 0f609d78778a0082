from datetime import date, timedelta

from django import forms
from django.core.validators import MaxLengthValidator

from cases.models import VERSION_MAX, Tilbud
from cases.schema_forms import SchemaForm
from smdb.fields import ANMODNING, Field, FieldType, Schema
from smdb.formfields import CprField
from smdb.rules.cpr import normaliser_cpr
from smdb.rules.visibility import CHECKBOXES


class FindBorgerForm(forms.Form):
    cpr = CprField()


class AnmodningForm(SchemaForm):
    schema = ANMODNING
    variables = (
        "PersonIdentifikator",
        "BehandlingAnmodningDato",
        "BehandlingTidligereKode",
        "PersonEllerPartnerGravidKode",
        "PersonPsykiskFunktionsnedsaettelseKode",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dato_bekraeftet"] = forms.CharField(required=False, widget=forms.HiddenInput)
        cpr_field = self.fields["person_identifikator"]
        # The CPR may be typed with a hyphen (11 characters); it is normalised
        # to 10 digits in clean and then checked by the rule engine (R-GEN-6).
        cpr_field.max_length = 11
        cpr_field.validators = [MaxLengthValidator(11)]
        cpr_field.widget.attrs.update(
            {"autocomplete": "off", "inputmode": "numeric", "maxlength": 11}
        )
        # Drawn by the shared question template (_felt.html), as every schema form.
        for field in self.fields.values():
            SkemaForm._style(field)

    def values(self) -> dict:
        """What could be read, keyed by SMDB variable (as ``SkemaForm.values``)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            f.variable: empty_value(f) if cleaned.get(f.name) is None else cleaned[f.name]
            for f in self.schema_fields()
        }

    def clean_person_identifikator(self) -> str:
        # The one normaliser (R-GEN-6): any dash or digit variant becomes 10 ASCII
        # digits; anything else is left for the rule engine to refuse with R-GEN-6.
        typed = self.cleaned_data.get("person_identifikator", "")
        try:
            return normaliser_cpr(typed)
        except ValueError:
            return typed

    def clean_dato_bekraeftet(self) -> date | None:
        # A hidden field has no place to show an error: an unreadable confirmation
        # confirms nothing, and the date is asked about again.
        try:
            return date.fromisoformat(self.cleaned_data.get("dato_bekraeftet") or "")
        except ValueError:
            return None

    @property
    def cpr(self) -> str:
        return self.cleaned_data["person_identifikator"]

    def dato_skal_bekraeftes(self, today: date) -> date | None:
        """The anmodningsdato, when it lies more than a year back and has not been
        confirmed as it is: a mistyped year is asked about once before it is saved
        (issue 11). Not a rule: SMDB accepts the date."""
        d = self.cleaned_data.get("behandling_anmodning_dato")
        if d is None or d >= today - timedelta(days=365):
            return None
        if self.cleaned_data.get("dato_bekraeftet") == d:
            return None
        return d

    def anmodning_data(self) -> dict:
        data = self.smdb_values()
        data.pop("PersonIdentifikator")
        return data


# --- The schema pages: IVÆR wizard steps, TILB, AFSL, Rediger -----------------------


def empty_value(field: Field):
    """The stored value of an unanswered question of ``field``'s type."""
    match field.type:
        case FieldType.CODE | FieldType.TEXT:
            return ""
        case FieldType.CODE_LIST:
            return []
    return None


def form_data(field: Field, value) -> list[str]:
    """A stored SMDB value as the strings a form posts for it ([] when unanswered)."""
    if value is None or value == "" or value == []:
        return []
    match field.type:
        case FieldType.DATE:
            return [value.isoformat()]
        case FieldType.BOOL:
            if field.variable in CHECKBOXES:
                return ["on"] if value else []
            return ["true" if value else "false"]
        case FieldType.CODE_LIST:
            return [str(v) for v in value]
    return [str(value)]


class SkemaForm(SchemaForm):
    """The fields of one page of a schema (all of TILB, one IVÆR step, ...).

    Like every schema form it only parses input: which questions are shown and
    what is required is decided by ``smdb.rules`` (see ``cases.wizards``).
    """

    #: A hidden field carrying the version of the row being edited (optimistic locking).
    with_version = False
    #: Variables the page cannot do without (``Trin.paakraevet``).
    paakraevet: tuple[str, ...] = ()
    # Required answers are refused by the server with a Danish message at the field,
    # not by the browser's own bubble.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.valgt_tilbud: Tilbud | None = None
        for name, form_field_ in list(self.fields.items()):
            smdb_field: Field = form_field_.smdb_field
            if smdb_field.variable in CHECKBOXES:
                # A tick box, not a Ja/Nej question: unticked is the same as unanswered.
                self.fields[name] = forms.BooleanField(
                    label=form_field_.label, help_text=form_field_.help_text, required=False
                )
                self.fields[name].smdb_field = smdb_field
            elif smdb_field.variable == "TilbudId":
                form_field_.widget = forms.HiddenInput()
                form_field_.error_messages["invalid"] = "Vælg et tilbud fra tilbudskataloget."
            if smdb_field.variable in self.paakraevet:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = (
                    f"{smdb_field.felt_id}: Feltet skal udfyldes."
                )
            self._style(self.fields[name])
        if self.with_version:
            # The bounds of Skema.version (PositiveIntegerField): anything else is
            # no version this row ever had (issue 15: not an OverflowError).
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, max_value=VERSION_MAX
            )

    @staticmethod
    def _style(field: forms.Field) -> None:
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs["class"] = "form-control"
        if isinstance(field, forms.IntegerField):
            widget.attrs["inputmode"] = "numeric"

    def clean_tilbud_id(self):
        tilbud_id = self.cleaned_data.get("tilbud_id")
        if tilbud_id is not None:
            self.valgt_tilbud = Tilbud.objects.filter(tilbud_id=tilbud_id).first()
            if self.valgt_tilbud is None:
                raise forms.ValidationError("Vælg et tilbud fra tilbudskataloget.")
        return tilbud_id

    def values(self) -> dict:
        """What could be read, keyed by SMDB variable; unreadable or missing answers
        are empty. Call after ``is_valid()``."""
        cleaned = getattr(self, "cleaned_data", {})
        out = {}
        for f in self.schema_fields():
            value = cleaned.get(f.name)
            out[f.variable] = empty_value(f) if value is None else value
        return out

    @property
    def version(self) -> int | None:
        return getattr(self, "cleaned_data", {}).get("version")

    def raw_data(self) -> dict[str, list[str]]:
        """What was typed in this form's fields, to keep in a draft."""
        if not self.is_bound:
            return {}
        return {
            f.name: [v for v in self.data.getlist(f.name) if v != ""]
            for f in self.schema_fields()
            if self.data.getlist(f.name)
        }

    def add_violations(self, violations, *, schema: str | None = None, index=None) -> list:
        """Put each violation of this schema (and tilknytning ``index``) next to its
        field, with Felt-ID and rule id; return the others, for the top of the page."""
        names = {f.variable: f.name for f in self.schema_fields()}
        rest = []
        for violation in violations:
            name = names.get(violation.variable or "")
            own = schema is None or (violation.schema == schema and violation.index == index)
            if own and name and name in self.fields:
                self.add_error(name, f"{violation.felt_id}: {violation.message} ({violation.rule})")
            else:
                rest.append(violation)
        return rest


_FORM_CLASSES: dict[tuple, type[SkemaForm]] = {}


def skema_form(schema: Schema, variables: tuple[str, ...], *, with_version=False, paakraevet=()):
    """The form class for ``variables`` of ``schema`` (computed fields left out);
    ``paakraevet``: those the page requires whatever the rules allow."""
    typed = tuple(v for v in variables if not schema.by_variable()[v].computed)
    key = (schema.key, typed, with_version, tuple(paakraevet))
    if key not in _FORM_CLASSES:
        name = "".join(p.capitalize() for p in schema.key.split("_")) + "Form"
        _FORM_CLASSES[key] = type(
            name,
            (SkemaForm,),
            {
                "schema": schema,
                "variables": typed,
                "with_version": with_version,
                "paakraevet": tuple(paakraevet),
            },
        )
    return _FORM_CLASSES[key]
