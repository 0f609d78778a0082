"""Fixtures for the single sign-on tests (issue 26): a real OpenID Provider process,
and København's SSO set-up pointing at it."""

from __future__ import annotations

import subprocess

import pytest
from cryptography.fernet import Fernet

from accounts.models import OidcKonfiguration, OidcRolleTilknytning, Rolle
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.oidc.provider_process import TestProvider, node_and_npm, npm_ci

CLIENT_ID = "smdb-web-kbh"
CLIENT_SECRET = "kbh-hemmelighed-som-aldrig-vises-9f2c1e"

#: What an administrator types into the SSO page for an Entra ID tenant.
SSO_FORM = {
    "navn": "København (Entra ID)",
    "discovery_url": "https://login.microsoftonline.com/kk/v2.0/.well-known/openid-configuration",
    "client_id": "kk-klient",
    "client_secret": "kk-hemmelighed",
    "scopes": "openid email profile",
    "rolle_claim": "groups",
    "opret_brugere": "on",
    "adgangskode_tilladt": "on",
    "kontakt": "IT-support",
    "aktiv": "on",
}


@pytest.fixture(scope="session")
def oidc_provider_installed():
    node, npm = node_and_npm()
    require_service(bool(node and npm), "node og npm (til test-OpenID-udbyderen oidc-provider)")
    try:
        npm_ci()
    except (subprocess.SubprocessError, OSError) as exc:
        output = getattr(exc, "stderr", b"") or b""
        require_service(False, f"npm ci af oidc-provider ({exc}; {output.decode()[-500:]})")


@pytest.fixture(scope="session")
def provider_factory(oidc_provider_installed):
    """One provider process per redirect base (the test client's, a live server's)."""
    started: dict[str, TestProvider] = {}

    def get(redirect_base: str) -> TestProvider:
        if redirect_base not in started:
            started[redirect_base] = TestProvider(
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_base=redirect_base
            )
        provider = started[redirect_base]
        provider.accounts.clear()
        provider._write()
        return provider

    yield get
    for provider in started.values():
        provider.stop()


@pytest.fixture
def provider(provider_factory):
    """For Django's test client, whose host is http://testserver."""
    return provider_factory("http://testserver")


@pytest.fixture
def field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return settings.FIELD_ENCRYPTION_KEY


def make_konfiguration(myndighed, provider, **fields) -> OidcKonfiguration:
    values = {
        "aktiv": True,
        "navn": f"{myndighed.navn} (test)",
        "discovery_url": provider.discovery_url,
        "client_id": provider.client_id,
        "scopes": "openid email profile groups",
        "kontakt": "IT-support, tlf. 3366 0000",
    } | fields
    konfiguration = OidcKonfiguration(myndighed=myndighed, **values)
    konfiguration.set_client_secret(provider.client_secret)
    konfiguration.save()
    for gruppe, rolle in [
        ("smdb-sagsbehandlere", Rolle.SAGSBEHANDLER),
        ("smdb-ledere", Rolle.LEDER),
        ("smdb-administratorer", Rolle.ADMINISTRATOR),
    ]:
        OidcRolleTilknytning.objects.create(
            konfiguration=konfiguration, claim_vaerdi=gruppe, rolle=rolle
        )
    return konfiguration


@pytest.fixture
def kbh_sso(kbh, provider, field_key):
    return make_konfiguration(kbh, provider)


@pytest.fixture
def dora(kbh):
    """A second administrator in København: approves what charlie asks for (issue 21)."""
    return UserFactory(username="dora", myndighed=kbh, rolle=Rolle.ADMINISTRATOR)
