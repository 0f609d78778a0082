"""The administrator's SSO page (issue 26): set-up, groups and roles, audit-logged; the
client secret never shown; a mapping names only the three roles of the own myndighed."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Godkendelse, OidcKonfiguration, OidcRolleTilknytning
from audit.models import AuditEntry, Handling
from tests.oidc.conftest import SSO_FORM as FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def charlie_client(client, charlie, field_key):
    client.force_login(charlie)
    return client


def test_administrator_sets_up_sso_and_the_secret_is_never_shown(charlie_client, kbh, dora, caplog):
    response = charlie_client.post("/konto/brugere/sso/", FORM)
    assert response.status_code == 302
    konfiguration = OidcKonfiguration.objects.get(myndighed=kbh)
    assert konfiguration.client_secret() == FORM["client_secret"]
    # Switching SSO on is for a second administrator to approve (four eyes).
    assert not konfiguration.aktiv
    services.godkendelse_godkend(administrator=dora, pk=Godkendelse.objects.get().pk)
    konfiguration.refresh_from_db()
    assert konfiguration.aktiv
    page = charlie_client.get("/konto/brugere/sso/").content.decode()
    assert FORM["client_id"] in page
    assert FORM["client_secret"] not in page
    assert "Gemt krypteret og vises aldrig igen" in page
    for entry in AuditEntry.objects.all():
        assert FORM["client_secret"] not in entry.beskrivelse
    assert FORM["client_secret"] not in caplog.text

    # An empty secret keeps the stored one.
    charlie_client.post("/konto/brugere/sso/", FORM | {"client_secret": "", "navn": "KK"})
    konfiguration.refresh_from_db()
    assert (konfiguration.navn, konfiguration.client_secret()) == ("KK", FORM["client_secret"])


def test_plain_http_discovery_is_refused_except_on_this_machine(charlie_client):
    response = charlie_client.post(
        "/konto/brugere/sso/",
        FORM | {"discovery_url": "http://idp.example/.well-known/openid-configuration"},
    )
    assert "skal begynde med https://" in response.content.decode()
    assert not OidcKonfiguration.objects.exists()


def test_passwords_can_be_switched_off_only_from_an_sso_session(charlie_client):
    response = charlie_client.post("/konto/brugere/sso/", FORM | {"adgangskode_tilladt": ""})
    assert "logget ind med SSO" in response.content.decode()
    assert not OidcKonfiguration.objects.exists()


def test_groups_are_mapped_to_the_three_roles_only_and_changes_are_logged(charlie_client, kbh):
    # SSO stays off until a second administrator switches it on: groups are direct.
    charlie_client.post("/konto/brugere/sso/", FORM)
    for rolle in ("superuser", "staff", "is_superuser"):
        charlie_client.post("/konto/brugere/sso/grupper/", {"claim_vaerdi": "g", "rolle": rolle})
    assert not OidcRolleTilknytning.objects.exists()

    charlie_client.post(
        "/konto/brugere/sso/grupper/", {"claim_vaerdi": "smdb-ledere", "rolle": "leder"}
    )
    tilknytning = OidcRolleTilknytning.objects.get()
    assert (tilknytning.konfiguration.myndighed, tilknytning.rolle) == (kbh, "leder")
    page = charlie_client.get("/konto/brugere/sso/").content.decode()
    assert "smdb-ledere" in page
    charlie_client.post(f"/konto/brugere/sso/grupper/{tilknytning.pk}/slet/")
    assert not OidcRolleTilknytning.objects.exists()
    beskrivelser = list(
        AuditEntry.objects.filter(handling=Handling.SSO_AENDRET)
        .order_by("pk")
        .values_list("beskrivelse", flat=True)
    )
    assert beskrivelser[1:] == [
        "SSO-gruppe smdb-ledere giver rollen Leder",
        "SSO-gruppe smdb-ledere giver ikke længere rollen Leder",
    ]


@pytest.mark.parametrize("rolle", ["sagsbehandler", "leder"])
def test_only_the_administrator_reaches_the_sso_page(client, kbh, rolle):
    from tests.factories import UserFactory

    client.force_login(UserFactory(myndighed=kbh, rolle=rolle))
    assert client.get("/konto/brugere/sso/").status_code == 403
