"""Form fields for values of the SMDB contract, shared by every app's forms."""

from django import forms

from smdb.rules.cpr import cpr_error, normaliser_cpr


class CprField(forms.CharField):
    """A CPR number as a caseworker types it (with or without the dash), cleaned to
    its 10 digits. R-GEN-6 here too: an impossible number (320190-1234) is refused
    where it is typed, not later on the anmodning it would lead to (issues 11, 15).
    Empty is "" when the field is optional."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "CPR-nummer")
        kwargs.setdefault("max_length", 11)
        kwargs.setdefault("help_text", "10 cifre, fx 010190-1234.")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"})
        )
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if not value:
            return ""
        try:
            cpr = normaliser_cpr(value)  # R-GEN-6, issue 15
        except ValueError:
            raise forms.ValidationError("Et CPR-nummer består af 10 cifre.") from None
        if error := cpr_error(cpr):
            raise forms.ValidationError(error)
        return cpr
