"""Single sign-on with OpenID Connect, one provider per myndighed (issue 26).

mozilla-django-oidc does the protocol: the authorization request with state, nonce and
PKCE (S256), the code exchange, the ID token's signature checked against the provider's
JWKS, and its exp. Its settings name one provider for the whole site; here each
myndighed has its own (accounts.OidcKonfiguration), so the backend and the views read
the row the login started with. This module adds what the library leaves to us:

- the ID token's ``iss`` and ``aud`` are checked (the library skips ``aud``);
- the user is found by (issuer, ``sub``) within the configuration's myndighed, never
  by e-mail, created on the first login if the myndighed allows it, and its name,
  e-mail and role are set from the claims on every login;
- the role comes from the group/role claim through the myndighed's mapping; no mapped
  role is no access;
- whether the provider did multi-factor (``amr``/``acr``) decides whether the local
  TOTP step is still asked (accounts.two_factor).

Claims are read from the ID token only (signed, for this client, with this nonce):
Entra ID and ADFS put the group claim there, and it spares a call to userinfo.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import jwt
import requests
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.backends import BrugerBackend
from accounts.models import OidcIdentitet, OidcKonfiguration, OidcRolleTilknytning, Rolle, User
from audit.models import Handling
from audit.services import audit_record

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
HTTP_TIMEOUT = 10
SIGN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]

# --- Two-factor from the provider -----------------------------------------------
# The one place that says which ID tokens show multi-factor authentication. amr values
# are RFC 8176's; "mfa" says it outright, otherwise two different kinds of factor must
# be listed (a password and an OTP; a PIN and a hardware key ...): "otp" or "hwk" alone
# is one factor. acr values are those Danish and Microsoft providers send for a login
# with more than one factor: NSIS substantial/high (MitID Erhverv through
# Fælleskommunal Adgangsstyring), ADFS's multipleauthn.
MFA_AMR = frozenset({"mfa"})
AMR_FAKTORER = {
    "viden": frozenset({"pwd", "pin", "kba"}),
    "besiddelse": frozenset({"otp", "hwk", "swk", "sms", "tel", "sc"}),
    "biometri": frozenset({"fpt", "face", "iris", "retina", "vbm", "bio"}),
}
MFA_ACR = frozenset(
    {
        "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        "https://data.gov.dk/concept/core/nsis/loa/High",
        "http://schemas.microsoft.com/claims/multipleauthn",
    }
)

# Session keys of a login through SSO.
SESSION_KONFIGURATION = "sso_konfiguration"
SESSION_MFA = "sso_mfa"
SESSION_ID_TOKEN = "sso_id_token"
# state -> configuration id, written when a login starts (oidc_views.sso_start).
SESSION_STATES = "sso_states"


def mfa_i_token(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    amr = {str(v).lower() for v in amr}
    if amr & MFA_AMR:
        return True
    if sum(1 for values in AMR_FAKTORER.values() if amr & values) >= 2:
        return True
    return str(claims.get("acr") or "") in MFA_ACR


def mfa_fra_udbyder(request) -> bool:
    """True when this session's login was multi-factor at the provider."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_MFA))


# --- The provider's metadata ----------------------------------------------------


class SsoFejl(Exception):
    """A login through the provider that cannot go on; the message is Danish, for the
    user. ``bruger``: the local user it was, when known (the refusal is audit-logged)."""

    def __init__(self, message: str = "", *, bruger: User | None = None):
        super().__init__(message)
        self.bruger = bruger


@dataclass(frozen=True)
class Udbyder:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


def udbyder(konfiguration: OidcKonfiguration) -> Udbyder:
    """The provider's endpoints from its discovery document (cached an hour)."""
    key = f"oidc-discovery:{konfiguration.pk}:{konfiguration.discovery_url}"
    doc = cache.get(key)
    if doc is None:
        try:
            response = requests.get(konfiguration.discovery_url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            doc = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("SSO: discovery for %s failed: %s", konfiguration.navn, exc)
            raise SsoFejl(
                f"Login med {konfiguration.navn} er ikke muligt lige nu: udbyderen svarer ikke."
            ) from exc
        cache.set(key, doc, DISCOVERY_CACHE_SECONDS)
    try:
        return Udbyder(
            issuer=doc["issuer"],
            authorization_endpoint=doc["authorization_endpoint"],
            token_endpoint=doc["token_endpoint"],
            jwks_uri=doc["jwks_uri"],
            end_session_endpoint=doc.get("end_session_endpoint", ""),
        )
    except (KeyError, TypeError) as exc:
        raise SsoFejl(f"Udbyderen for {konfiguration.navn} er ikke sat rigtigt op.") from exc


# --- Roles from claims ------------------------------------------------------------

# When a user's groups give more than one role, the first of these wins.
ROLLE_RANG = [Rolle.ADMINISTRATOR, Rolle.LEDER, Rolle.SAGSBEHANDLER]


def claim_vaerdier(claims: dict, navn: str) -> set[str]:
    value = claims.get(navn)
    if value is None:
        return set()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(v) for v in value}


def rolle_fra_claims(konfiguration: OidcKonfiguration, claims: dict) -> Rolle | None:
    grupper = claim_vaerdier(claims, konfiguration.rolle_claim)
    if not grupper:
        return None
    roller = set(
        OidcRolleTilknytning.objects.filter(
            konfiguration=konfiguration, claim_vaerdi__in=grupper
        ).values_list("rolle", flat=True)
    )
    return next((r for r in ROLLE_RANG if r in roller), None)


# --- Who the user is ---------------------------------------------------------------


class IngenRolle(SsoFejl):
    """Signed in at the provider, but none of the user's groups gives a role here."""


def _brugernavn(claims: dict) -> str:
    wanted = claims.get("preferred_username") or claims.get("email") or claims.get("sub")
    base = re.sub(r"[^\w.@+-]", "", str(wanted))[:140] or "sso-bruger"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _navn(claims: dict) -> tuple[str, str]:
    first, last = claims.get("given_name") or "", claims.get("family_name") or ""
    if not (first or last) and claims.get("name"):
        first, _, last = str(claims["name"]).partition(" ")
    return str(first)[:150], str(last)[:150]


def bruger_fra_claims(*, konfiguration: OidcKonfiguration, claims: dict) -> User:
    """The local user of a verified ID token, created or updated from its claims.

    Raises SsoFejl (Danish) when the user may not come in: deactivated locally, not
    created here and the myndighed does not create users, or no mapped role (IngenRolle).
    A refused known user is audit-logged (after the rolled-back attempt)."""
    try:
        return _bruger_fra_claims(konfiguration=konfiguration, claims=claims)
    except SsoFejl as exc:
        if exc.bruger is not None:
            audit_record(
                user=exc.bruger,
                handling=Handling.AFVIST,
                beroert_bruger=exc.bruger,
                beskrivelse=f"SSO-login med {konfiguration.navn} afvist: "
                + (str(exc) or "ingen af brugerens grupper giver en rolle"),
            )
        raise


@transaction.atomic
def _bruger_fra_claims(*, konfiguration: OidcKonfiguration, claims: dict) -> User:
    issuer, sub = str(claims["iss"]), str(claims["sub"])
    identitet = (
        OidcIdentitet.objects.select_for_update()
        .select_related("bruger")
        .filter(konfiguration=konfiguration, issuer=issuer, sub=sub)
        .first()
    )
    rolle = rolle_fra_claims(konfiguration, claims)
    first, last = _navn(claims)
    email = str(claims.get("email") or "")[:254]

    if identitet is not None:
        bruger = identitet.bruger
        if not bruger.is_active:
            raise SsoFejl(
                "Din bruger i smdb-web er deaktiveret. Kontakt din administrator, "
                "hvis du skal have adgang igen.",
                bruger=bruger,
            )
        if (
            bruger.myndighed_id != konfiguration.myndighed_id
            or bruger.is_staff
            or bruger.is_superuser
        ):
            # Never an operator's account, never a user moved to another myndighed.
            raise PermissionDenied("SSO-identiteten hører ikke til en bruger i myndigheden.")
        if rolle is None:
            raise IngenRolle(bruger=bruger)
        changes = []
        if rolle != bruger.rolle:
            changes.append(f"rolle {bruger.get_rolle_display()} → {rolle.label}")
        if (first, last) != (bruger.first_name, bruger.last_name):
            changes.append("navn ændret")
        if email != bruger.email:
            changes.append("e-mail ændret")
        bruger.first_name, bruger.last_name, bruger.email, bruger.rolle = first, last, email, rolle
        bruger.save(update_fields=["first_name", "last_name", "email", "rolle"])
        if changes:
            audit_record(
                user=bruger,
                handling=Handling.BRUGER_AENDRET,
                beroert_bruger=bruger,
                beskrivelse=f"{bruger.username}: " + "; ".join(changes) + " (fra SSO)",
            )
    else:
        if rolle is None:
            logger.warning(
                "SSO: login for a new user of %s refused: no mapped role", konfiguration.navn
            )
            raise IngenRolle()
        if not konfiguration.opret_brugere:
            raise SsoFejl(
                "Du er ikke oprettet som bruger i smdb-web. Bed din administrator om adgang."
            )
        bruger = User(
            username=_brugernavn(claims),
            first_name=first,
            last_name=last,
            email=email,
            rolle=rolle,
            myndighed_id=konfiguration.myndighed_id,
            is_staff=False,
            is_superuser=False,
            is_active=True,
        )
        bruger.set_unusable_password()
        bruger.save()
        identitet = OidcIdentitet.objects.create(
            konfiguration=konfiguration, bruger=bruger, issuer=issuer, sub=sub
        )
        audit_record(
            user=bruger,
            handling=Handling.BRUGER_OPRETTET,
            beroert_bruger=bruger,
            beskrivelse=f"{bruger.username} oprettet som {rolle.label} ved første SSO-login "
            f"({konfiguration.navn})",
        )
    identitet.sidst_logget_ind = timezone.now()
    identitet.save(update_fields=["sidst_logget_ind"])
    audit_record(
        user=bruger,
        handling=Handling.SSO_LOGIN,
        beroert_bruger=bruger,
        beskrivelse=f"Logget ind med {konfiguration.navn} som {rolle.label}; "
        f"to-faktor hos udbyderen: {'ja' if mfa_i_token(claims) else 'nej'}",
    )
    return bruger


# --- The authentication backend ----------------------------------------------------


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, for the configuration a login started with.

    ``authenticate`` takes the configuration as a keyword only the SSO callback passes,
    so a password login never reaches it (Django skips a backend whose signature does
    not fit the credentials)."""

    def __init__(self, *args, **kwargs):
        # The library reads one provider from settings here; ours come per login.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def _configure(self, konfiguration: OidcKonfiguration) -> Udbyder:
        meta = udbyder(konfiguration)
        self.konfiguration = konfiguration
        self.udbyder = meta
        self.OIDC_OP_TOKEN_ENDPOINT = meta.token_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = meta.jwks_uri
        self.OIDC_RP_CLIENT_ID = konfiguration.client_id
        return meta

    @sensitive_variables()
    def authenticate(self, request, *, oidc_konfiguration, nonce, code_verifier):
        self.request = request
        self._configure(oidc_konfiguration)
        code = request.GET.get("code")
        if not code:
            return None
        from django.urls import reverse
        from mozilla_django_oidc.utils import absolutify

        token_payload = {
            "client_id": oidc_konfiguration.client_id,
            "client_secret": oidc_konfiguration.client_secret(),
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse("sso_callback")),
            "code_verifier": code_verifier,
        }
        token_info = self.get_token(token_payload)
        id_token = token_info.get("id_token")
        if not id_token:
            raise SuspiciousOperation("Udbyderen sendte intet ID-token.")
        claims = self.verify_token(id_token, nonce=nonce)
        self.claims = claims
        bruger = bruger_fra_claims(konfiguration=oidc_konfiguration, claims=claims)
        request.sso_claims = claims
        request.sso_id_token = id_token
        return bruger

    @sensitive_variables("payload")
    def get_token(self, payload):
        response = requests.post(self.OIDC_OP_TOKEN_ENDPOINT, data=payload, timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            # Not the library's message: it carries the provider's whole answer.
            logger.warning(
                "SSO: the token endpoint of %s answered %s",
                self.konfiguration.navn,
                response.status_code,
            )
            raise SsoFejl(f"{self.konfiguration.navn} afviste login. Prøv igen.")
        return response.json()

    def _verify_jws(self, payload, key):
        """The library's check, plus ``iss`` and ``aud`` (the library skips ``aud``):
        a token the provider issued to another client is refused."""
        header = jwt.get_unverified_header(payload)
        alg = header.get("alg")
        if alg not in SIGN_ALGORITHMS:
            raise SuspiciousOperation(f"ID-tokenets algoritme {alg!r} tillades ikke.")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.konfiguration.client_id,
                issuer=self.udbyder.issuer,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID-tokenet afvist: {exc}") from exc
        azp = claims.get("azp")
        aud = claims["aud"]
        if (isinstance(aud, list) and len(aud) > 1 or azp) and azp != self.konfiguration.client_id:
            raise SuspiciousOperation("ID-tokenet er udstedt til en anden klient (azp).")
        return claims

    def get_user(self, user_id):
        return BrugerBackend().get_user(user_id)
