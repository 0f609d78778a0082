from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from certificates.models import AuthMetode, MiljoeNavn

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def endpoint_fejl(url: str) -> str | None:
    """Why an SMDB or STS address may not be used, or None (issue 21): https
    only, so "Test forbindelse" cannot be pointed at other services in plain
    HTTP; http only to this machine in development (DEBUG), where the embedded
    simulator runs on whatever port the app is served from."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and settings.DEBUG and (parts.hostname or "") in LOOPBACK:
        return None
    if parts.scheme == "http":
        return (
            "Adressen skal begynde med https:// (http:// er kun tilladt til 127.0.0.1 "
            "eller localhost under udvikling)."
        )
    return "Adressen skal være en https://-adresse."


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

    def clean_endpoint(self):
        return self._tjek_adresse("endpoint")

    def clean_sts_url(self):
        return self._tjek_adresse("sts_url")

    def _tjek_adresse(self, name: str) -> str:
        url = self.cleaned_data[name]
        if url and (fejl := endpoint_fejl(url)):
            raise forms.ValidationError(fejl)
        return url

    def clean(self):
        data = super().clean()
        if data.get("auth") == AuthMetode.STS and not data.get("sts_url"):
            self.add_error("sts_url", "Udfyld STS-adressen, når der bruges NemLog-in STS.")
        return data
