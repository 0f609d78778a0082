from django import forms
from django.core.validators import MaxLengthValidator

from cases.schema_forms import SchemaForm
from smdb.fields import ANMODNING


def normalise_cpr(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch not in " -")


class FindBorgerForm(forms.Form):
    cpr = forms.CharField(
        label="CPR-nummer",
        max_length=11,
        help_text="10 cifre, fx 010190-1234.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_cpr(self) -> str:
        cpr = normalise_cpr(self.cleaned_data["cpr"])
        if not (len(cpr) == 10 and cpr.isdigit()):
            raise forms.ValidationError("Et CPR-nummer består af 10 cifre.")
        return cpr


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
        cpr_field = self.fields["person_identifikator"]
        # The CPR may be typed with a hyphen (11 characters); it is normalised
        # to 10 digits in clean and then checked by the rule engine (R-GEN-6).
        cpr_field.max_length = 11
        cpr_field.validators = [MaxLengthValidator(11)]
        cpr_field.widget.attrs.update(
            {"autocomplete": "off", "inputmode": "numeric", "maxlength": 11}
        )

    def clean_person_identifikator(self) -> str:
        return normalise_cpr(self.cleaned_data.get("person_identifikator", ""))

    @property
    def cpr(self) -> str:
        return self.cleaned_data["person_identifikator"]

    def anmodning_data(self) -> dict:
        data = self.smdb_values()
        data.pop("PersonIdentifikator")
        return data
