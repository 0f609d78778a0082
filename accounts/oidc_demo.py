"""The demo's single sign-on (issue 26): myndighed 101 signs in at the local test
provider (tests/oidc/provider, ``make sso-demo``), whose accounts are in
tests/oidc/provider/demo.json. Never for production: the client secret is public.

Set up by the operator's command through the ORM, not through accounts.oidc_services:
the four eyes there are for a myndighed's administrators, and a demo starts with one."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Myndighed, OidcKonfiguration, OidcRolleTilknytning, Rolle

DEMO_CLIENT_ID = "smdb-web-demo"
DEMO_CLIENT_SECRET = "demo-hemmelighed-kun-til-den-lokale-test-udbyder"
DEMO_GRUPPER = [
    ("smdb-sagsbehandlere", Rolle.SAGSBEHANDLER),
    ("smdb-ledere", Rolle.LEDER),
    ("smdb-administratorer", Rolle.ADMINISTRATOR),
]


@transaction.atomic
def saet_demo_sso_op(*, issuer: str) -> str:
    myndighed, _ = Myndighed.objects.get_or_create(kommune_kode=101, defaults={"navn": "København"})
    konfiguration, _ = OidcKonfiguration.objects.update_or_create(
        myndighed=myndighed,
        defaults={
            "aktiv": True,
            "navn": f"{myndighed.navn} (test-udbyder)",
            "discovery_url": issuer.rstrip("/") + "/.well-known/openid-configuration",
            "client_id": DEMO_CLIENT_ID,
            "scopes": "openid email profile groups",
            "rolle_claim": "groups",
            "opret_brugere": True,
            "adgangskode_tilladt": True,
            "kontakt": "demo-administratoren (admin)",
        },
    )
    konfiguration.set_client_secret(DEMO_CLIENT_SECRET)
    konfiguration.save()
    for gruppe, rolle in DEMO_GRUPPER:
        OidcRolleTilknytning.objects.update_or_create(
            konfiguration=konfiguration, claim_vaerdi=gruppe, defaults={"rolle": rolle}
        )
    return (
        f"SSO for {myndighed} mod {issuer}: log ind med »Log ind med {konfiguration.navn}« "
        "som sso-sara, sso-lars (leder, MFA), sso-anna (administrator, MFA) eller sso-ole "
        "(ingen gruppe); adgangskode: demo"
    )
