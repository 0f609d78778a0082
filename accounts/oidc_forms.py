"""Forms for single sign-on (issue 26): the password login that a myndighed can switch
off, and the administrator's SSO set-up. They name the fields that may be set; the
myndighed is always the administrator's own and is never read from a POST."""

from __future__ import annotations

from urllib.parse import urlparse

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import OidcKonfiguration, Rolle

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class AdgangskodeLoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        konfiguration = OidcKonfiguration.objects.filter(
            myndighed_id=user.myndighed_id, aktiv=True, adgangskode_tilladt=False
        ).first()
        if konfiguration is not None and not user.is_superuser:
            raise forms.ValidationError(
                f"{konfiguration.myndighed.navn} bruger fælles login: log ind med knappen "
                f"»Log ind med {konfiguration.navn}«. Login med adgangskode er slået fra.",
                code="adgangskode_slaaet_fra",
            )


class KonfigurationForm(forms.ModelForm):
    discovery_url = forms.URLField(
        label="Discovery-URL",
        max_length=500,
        assume_scheme="https",
        help_text=OidcKonfiguration._meta.get_field("discovery_url").help_text,
    )
    client_secret = forms.CharField(
        label="Klient-hemmelighed",
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = OidcKonfiguration
        fields = [
            "navn",
            "discovery_url",
            "client_id",
            "client_secret",
            "scopes",
            "rolle_claim",
            "opret_brugere",
            "adgangskode_tilladt",
            "kontakt",
            "aktiv",
        ]

    def __init__(self, *args, har_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.har_secret = har_secret
        self.fields["client_secret"].help_text = (
            "Gemt krypteret og vises aldrig igen. Lad feltet stå tomt for at beholde den."
            if har_secret
            else "Fra udbyderens registrering af smdb-web."
        )
        self.fields["aktiv"].help_text = (
            "At slå SSO til skal godkendes af en anden administrator i myndigheden. "
            "At slå det fra sker med det samme."
        )

    def clean_discovery_url(self):
        url = self.cleaned_data["discovery_url"]
        parsed = urlparse(url)
        # Over plain HTTP the provider's keys could be swapped on the way; only a
        # provider on this machine (the demo's, the tests') may do without TLS.
        if parsed.scheme != "https" and parsed.hostname not in LOOPBACK:
            raise forms.ValidationError("Discovery-URL'en skal begynde med https://.")
        if not parsed.path.endswith("/.well-known/openid-configuration"):
            raise forms.ValidationError(
                "Discovery-URL'en slutter med /.well-known/openid-configuration."
            )
        return url

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"].split()
        if "openid" not in scopes:
            raise forms.ValidationError("Scopes skal indeholde openid.")
        return " ".join(scopes)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("client_secret") and not self.har_secret:
            self.add_error("client_secret", "Angiv klient-hemmeligheden.")
        return cleaned


class RolleForm(forms.Form):
    claim_vaerdi = forms.CharField(
        label="Gruppe",
        max_length=200,
        help_text="Gruppens id eller navn, som udbyderen sender det i claimet.",
    )
    # Only the three roles: never superuser, staff or another myndighed.
    rolle = forms.ChoiceField(label="Rolle", choices=Rolle.choices)
