from django import forms

from certificates.models import AuthMetode, MiljoeNavn


class UploadForm(forms.Form):
    fil = forms.FileField(
        label="Certifikatfil (PKCS#12, .p12 eller .pfx)",
        help_text="Funktionscertifikatet med dets private nøgle.",
    )
    adgangskode = forms.CharField(
        label="Adgangskode til filen",
        widget=forms.PasswordInput(render_value=False),
        required=False,
        strip=False,
    )
    miljoe = forms.ChoiceField(label="Miljø", choices=MiljoeNavn.choices)
    navn = forms.CharField(label="Navn (valgfrit)", max_length=100, required=False)

    MAX_BYTES = 100_000

    def clean_fil(self):
        f = self.cleaned_data["fil"]
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError("Filen er for stor til at være et certifikat.")
        return f


class MiljoeForm(forms.Form):
    endpoint = forms.URLField(
        label="Endpoint (op til og med …/api/external/v1/)", max_length=300, assume_scheme="https"
    )
    auth = forms.ChoiceField(label="Autentifikation", choices=AuthMetode.choices)
    sts_url = forms.URLField(
        label="STS-adresse (kun NemLog-in STS)",
        max_length=300,
        required=False,
        assume_scheme="https",
    )

    def clean(self):
        data = super().clean()
        if data.get("auth") == AuthMetode.STS and not data.get("sts_url"):
            self.add_error("sts_url", "Udfyld STS-adressen, når der bruges NemLog-in STS.")
        return data
