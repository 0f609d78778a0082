"""Four eyes on single sign-on (issues 21 and 26): one administrator alone can neither
point the myndighed's SSO at a provider it controls nor give an SSO group the role
leder or administrator. Switching SSO on, changing what a switched-on SSO trusts, and
such a group wait for another administrator of the same myndighed, who approves
exactly what it saw. Preparing while SSO is off, caseworker groups, removing a group
and switching SSO off stay direct."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import oidc_services, services
from accounts.models import Godkendelse, OidcKonfiguration, OidcRolleTilknytning, Rolle
from audit.models import AuditEntry, Handling
from certificates.crypto import decrypt
from tests.factories import UserFactory
from tests.oidc.conftest import SSO_FORM as FORM
from tests.oidc.test_sso_login import signed_in_user, sso_login

pytestmark = pytest.mark.django_db

SIDE = "/konto/brugere/sso/"
GRUPPER = "/konto/brugere/sso/grupper/"
ONDT = "https://idp.angriber.example/.well-known/openid-configuration"
NY_HEMMELIGHED = "ny-hemmelighed-som-kun-maa-gemmes-krypteret-7b1d"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def godkend(client, anmodning):
    return client.post(reverse("brugere:godkendelse_godkend", args=[anmodning.pk]), follow=True)


def form_for(konfiguration: OidcKonfiguration, **aendret) -> dict:
    """The SSO page's form as it shows the stored set-up (the secret left empty)."""
    data = {
        f: getattr(konfiguration, f)
        for f in ["navn", "discovery_url", "client_id", "scopes", "rolle_claim", "kontakt"]
    }
    for f in ["opret_brugere", "adgangskode_tilladt", "aktiv"]:
        data[f] = "on" if getattr(konfiguration, f) else ""
    return data | {"client_secret": ""} | aendret


@pytest.fixture
def kk_sso(kbh, field_key):
    """København's SSO, switched on, at a provider these tests never sign in at."""
    konfiguration = OidcKonfiguration(
        myndighed=kbh,
        aktiv=True,
        navn="KK Entra",
        discovery_url=FORM["discovery_url"],
        client_id="kk-klient",
        scopes="openid email profile",
    )
    konfiguration.set_client_secret("kk-hemmelighed")
    konfiguration.save()
    OidcRolleTilknytning.objects.create(
        konfiguration=konfiguration, claim_vaerdi="kk-ledere", rolle=Rolle.LEDER
    )
    return konfiguration


def trust(konfiguration: OidcKonfiguration) -> tuple:
    konfiguration.refresh_from_db()
    return (
        konfiguration.aktiv,
        konfiguration.discovery_url,
        konfiguration.client_id,
        konfiguration.client_secret(),
        konfiguration.scopes,
        konfiguration.rolle_claim,
        konfiguration.opret_brugere,
        sorted(konfiguration.roller.values_list("claim_vaerdi", "rolle")),
    )


# --- (a) the provider: switching on, and changing what a switched-on SSO trusts ---------


def test_switching_sso_on_waits_for_another_administrator(charlie, dora, kbh, field_key):
    c = logged_in(charlie)
    c.post(SIDE, FORM | {"aktiv": ""})  # prepared while off: direct
    c.post(GRUPPER, {"claim_vaerdi": "kk-admins", "rolle": Rolle.ADMINISTRATOR})
    c.post(GRUPPER, {"claim_vaerdi": "kk-alle", "rolle": Rolle.SAGSBEHANDLER})
    assert not Godkendelse.objects.exists()

    response = c.post(SIDE, FORM, follow=True)
    assert "Ændringen venter på, at en anden administrator godkender den." in (
        response.content.decode()
    )
    konfiguration = OidcKonfiguration.objects.get(myndighed=kbh)
    assert not konfiguration.aktiv
    assert c.get("/konto/sso/101/").status_code == 404
    assert FORM["navn"] not in Client().get("/konto/log-ind/").content.decode()
    anmodning = Godkendelse.objects.get(status=Godkendelse.Status.AFVENTER)
    assert anmodning.handling == Godkendelse.Handling.SSO
    assert anmodning.beskrivelse() == (
        f"Slå SSO til for {FORM['navn']}: discovery-URL {FORM['discovery_url']}, "
        "klient-id kk-klient, scopes openid email profile, claim med grupper/roller groups, "
        "opret brugere ved første login ja, "
        "grupper: kk-admins → Administrator, kk-alle → Sagsbehandler"
    )
    # The requester sees it waiting on the SSO page; the other administrator on the
    # front page, where the requester does not.
    assert anmodning.beskrivelse() in c.get(SIDE).content.decode()
    assert anmodning.beskrivelse() in logged_in(dora).get("/").content.decode()
    assert c.get("/").context["godkendelser"] == []

    assert "godkendt" in godkend(logged_in(dora), anmodning).content.decode()
    konfiguration.refresh_from_db()
    assert konfiguration.aktiv
    handlinger = list(
        AuditEntry.objects.order_by("pk").values_list("bruger__username", "handling", "beskrivelse")
    )
    assert handlinger[-2:] == [
        (
            "dora",
            Handling.GODKENDELSE_GODKENDT,
            # The access log keeps 200 characters; the request keeps all of it.
            f"Godkendt: {anmodning.beskrivelse()} (anmodet af charlie)"[:200],
        ),
        ("charlie", Handling.SSO_AENDRET, "SSO slået til"),
    ]


def test_a_new_sso_is_switched_on_only_when_approved(charlie, kbh, field_key):
    response = logged_in(charlie).post(SIDE, FORM)
    assert response.status_code == 302
    konfiguration = OidcKonfiguration.objects.get(myndighed=kbh)
    assert (konfiguration.aktiv, konfiguration.client_id) == (False, "kk-klient")
    assert Godkendelse.objects.get().data["slaa_til"] is True


def test_pointing_a_switched_on_sso_at_another_provider_waits(
    client, charlie, dora, kbh, kbh_sso, provider
):
    """The login keeps using the provider the myndighed trusts until a second
    administrator approves the new one; the harmless fields are saved at once."""
    for_ = trust(kbh_sso)
    c = logged_in(charlie)
    response = c.post(
        SIDE,
        form_for(
            kbh_sso,
            navn="KK nyt navn",
            kontakt="Ring 1234",
            discovery_url=ONDT,
            client_id="angriber",
            client_secret=NY_HEMMELIGHED,
            scopes="openid roles",
            rolle_claim="roles",
            opret_brugere="",
        ),
        follow=True,
    )
    assert "Ændringen venter på, at en anden administrator godkender den." in (
        response.content.decode()
    )
    assert trust(kbh_sso) == for_
    assert (kbh_sso.navn, kbh_sso.kontakt) == ("KK nyt navn", "Ring 1234")
    start = client.get("/konto/sso/101/")
    assert start["Location"].startswith(provider.issuer + "/")

    anmodning = Godkendelse.objects.get()
    assert anmodning.beskrivelse() == (
        f"Ændr SSO for KK nyt navn: discovery-URL {ONDT}, klient-id angriber, "
        "scopes openid roles, claim med grupper/roller roles, "
        "opret brugere ved første login nej, ny klient-hemmelighed"
    )
    # The new secret is in the request only encrypted, and nowhere in plain text.
    assert NY_HEMMELIGHED not in json.dumps(anmodning.data)
    assert NY_HEMMELIGHED not in anmodning.beskrivelse()
    for entry in AuditEntry.objects.all():
        assert NY_HEMMELIGHED not in entry.beskrivelse
    assert NY_HEMMELIGHED not in logged_in(dora).get("/").content.decode()

    services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    assert trust(kbh_sso)[:7] == (
        True,
        ONDT,
        "angriber",
        NY_HEMMELIGHED,
        "openid roles",
        "roles",
        False,
    )
    entry = AuditEntry.objects.filter(handling=Handling.SSO_AENDRET).latest("pk")
    assert (entry.bruger, entry.beskrivelse) == (
        charlie,
        "SSO ændret: discovery_url, client_id, scopes, rolle_claim, opret_brugere, "
        "klient-hemmelighed",
    )


@pytest.mark.parametrize(
    "aendring",
    [
        {"discovery_url": ONDT},
        {"client_id": "angriber"},
        {"client_secret": NY_HEMMELIGHED},
        {"scopes": "openid email"},
        {"rolle_claim": "roles"},
        {"opret_brugere": ""},
    ],
    ids=lambda d: next(iter(d)),
)
def test_each_trusted_field_of_a_switched_on_sso_waits(charlie, dora, kk_sso, aendring):
    for_ = trust(kk_sso)
    logged_in(charlie).post(SIDE, form_for(kk_sso, **aendring))
    assert trust(kk_sso) == for_
    anmodning = Godkendelse.objects.get(status=Godkendelse.Status.AFVENTER)
    services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    assert trust(kk_sso) != for_


def test_harmless_fields_of_a_switched_on_sso_are_saved_at_once(charlie, kk_sso):
    logged_in(charlie).post(SIDE, form_for(kk_sso, navn="KK", kontakt="Ring 1234"))
    kk_sso.refresh_from_db()
    assert (kk_sso.navn, kk_sso.kontakt) == ("KK", "Ring 1234")
    assert not Godkendelse.objects.exists()


def test_switching_sso_off_and_preparing_while_off_are_direct(charlie, kk_sso):
    c = logged_in(charlie)
    c.post(SIDE, form_for(kk_sso, aktiv=""))
    kk_sso.refresh_from_db()
    assert not kk_sso.aktiv
    c.post(SIDE, form_for(kk_sso, discovery_url=ONDT, client_id="ny", client_secret="ny-h"))
    kk_sso.refresh_from_db()
    assert (kk_sso.aktiv, kk_sso.discovery_url, kk_sso.client_id, kk_sso.client_secret()) == (
        False,
        ONDT,
        "ny",
        "ny-h",
    )
    assert not Godkendelse.objects.exists()


# --- (b) groups that give leder or administrator --------------------------------------


def test_a_leder_group_of_a_switched_on_sso_waits(client, charlie, dora, kbh_sso, provider):
    provider.set_account("lars", name="Lars Leder", email="lars@kk.dk", groups=["nye-ledere"])
    response = logged_in(charlie).post(
        GRUPPER, {"claim_vaerdi": "nye-ledere", "rolle": Rolle.LEDER}, follow=True
    )
    assert "Ændringen venter på, at en anden administrator godkender den." in (
        response.content.decode()
    )
    assert not kbh_sso.roller.filter(claim_vaerdi="nye-ledere").exists()
    assert sso_login(client, provider, "lars").status_code == 403  # no role yet
    anmodning = Godkendelse.objects.get()
    assert anmodning.beskrivelse() == "Giv SSO-gruppen nye-ledere rollen leder"

    godkend(logged_in(dora), anmodning)
    assert kbh_sso.roller.get(claim_vaerdi="nye-ledere").rolle == Rolle.LEDER
    entry = AuditEntry.objects.filter(handling=Handling.SSO_AENDRET).latest("pk")
    assert (entry.bruger, entry.beskrivelse) == (
        charlie,
        "SSO-gruppe nye-ledere giver rollen Leder",
    )
    client.logout()
    sso_login(client, provider, "lars")
    assert signed_in_user(client).rolle == Rolle.LEDER


def test_an_administrator_group_of_a_switched_on_sso_waits(charlie, dora, kk_sso):
    oidc_services.rolle_tilfoej(
        administrator=charlie, claim_vaerdi="kk-admins", rolle=Rolle.ADMINISTRATOR
    )
    assert not kk_sso.roller.filter(claim_vaerdi="kk-admins").exists()
    services.godkendelse_godkend(administrator=dora, pk=Godkendelse.objects.get().pk)
    assert kk_sso.roller.get(claim_vaerdi="kk-admins").rolle == Rolle.ADMINISTRATOR


def test_a_caseworker_group_and_removing_a_group_are_direct(charlie, kk_sso):
    c = logged_in(charlie)
    c.post(GRUPPER, {"claim_vaerdi": "kk-alle", "rolle": Rolle.SAGSBEHANDLER})
    assert kk_sso.roller.filter(claim_vaerdi="kk-alle", rolle=Rolle.SAGSBEHANDLER).exists()
    leder = kk_sso.roller.get(claim_vaerdi="kk-ledere")
    c.post(f"{GRUPPER}{leder.pk}/slet/")
    assert not kk_sso.roller.filter(pk=leder.pk).exists()
    assert not Godkendelse.objects.exists()


# --- who may approve, and what ---------------------------------------------------------


def test_the_requester_cannot_approve_its_own_sso_request(charlie, kk_sso):
    for_ = trust(kk_sso)
    c = logged_in(charlie)
    c.post(SIDE, form_for(kk_sso, discovery_url=ONDT))
    c.post(GRUPPER, {"claim_vaerdi": "kk-admins", "rolle": Rolle.ADMINISTRATOR})
    for anmodning in Godkendelse.objects.all():
        assert "din egen anmodning" in godkend(c, anmodning).content.decode()
        with pytest.raises(ValidationError, match="din egen anmodning"):
            services.godkendelse_godkend(administrator=charlie, pk=anmodning.pk)
    assert trust(kk_sso) == for_
    assert set(Godkendelse.objects.values_list("status", flat=True)) == {
        Godkendelse.Status.AFVENTER
    }


def test_another_myndigheds_administrator_cannot_approve(charlie, kk_sso, aarhus):
    for_ = trust(kk_sso)
    oidc_services.rolle_tilfoej(administrator=charlie, claim_vaerdi="x", rolle=Rolle.LEDER)
    logged_in(charlie).post(SIDE, form_for(kk_sso, discovery_url=ONDT))
    aarhus_admin = UserFactory(username="aarhus-adm", myndighed=aarhus, rolle="administrator")
    c = logged_in(aarhus_admin)
    for anmodning in Godkendelse.objects.all():
        assert godkend(c, anmodning).status_code == 404
        with pytest.raises(PermissionDenied):
            services.godkendelse_godkend(administrator=aarhus_admin, pk=anmodning.pk)
    assert ONDT not in c.get("/").content.decode()
    assert trust(kk_sso) == for_


@pytest.mark.parametrize(
    "imellem",
    [
        # While the activation waits, SSO is off: the requester may prepare directly...
        lambda c, k: c.post(SIDE, form_for(k, aktiv="", discovery_url=ONDT)),
        lambda c, k: c.post(SIDE, form_for(k, aktiv="", client_secret=NY_HEMMELIGHED)),
        lambda c, k: c.post(GRUPPER, {"claim_vaerdi": "smuglet", "rolle": "administrator"}),
        # ...or remove a group; neither may slip past what the approver saw.
        lambda c, k: c.post(f"{GRUPPER}{k.roller.get().pk}/slet/"),
    ],
    ids=["discovery_url", "hemmelighed", "ny-gruppe", "fjernet-gruppe"],
)
def test_an_activation_changed_since_the_request_is_refused(charlie, dora, kk_sso, imellem):
    kk_sso.aktiv = False
    kk_sso.save()
    c = logged_in(charlie)
    c.post(SIDE, form_for(kk_sso, aktiv="on"))
    anmodning = Godkendelse.objects.get()
    imellem(c, kk_sso)
    for_ = trust(kk_sso)

    response = godkend(logged_in(dora), anmodning)
    assert "SSO-opsætningen er ændret siden anmodningen" in response.content.decode()
    with pytest.raises(ValidationError, match="SSO-opsætningen er ændret siden anmodningen"):
        services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    assert trust(kk_sso) == for_
    assert not kk_sso.aktiv
    anmodning.refresh_from_db()
    assert anmodning.status == Godkendelse.Status.AFVENTER
    assert not AuditEntry.objects.filter(handling=Handling.GODKENDELSE_GODKENDT).exists()


def test_a_change_of_a_switched_on_sso_changed_since_the_request_is_refused(charlie, dora, kk_sso):
    c = logged_in(charlie)
    oidc_services.rolle_tilfoej(administrator=charlie, claim_vaerdi="ny", rolle=Rolle.LEDER)
    c.post(SIDE, form_for(kk_sso, client_id="angriber"))
    # Switched off in between: what the approver would approve is no longer what is.
    c.post(SIDE, form_for(kk_sso, aktiv=""))
    for anmodning in Godkendelse.objects.filter(status=Godkendelse.Status.AFVENTER):
        with pytest.raises(ValidationError, match="ændret siden anmodningen"):
            services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    kk_sso.refresh_from_db()
    assert kk_sso.client_id == "kk-klient"
    assert not kk_sso.roller.filter(claim_vaerdi="ny").exists()


def test_a_new_sso_request_replaces_the_pending_one(charlie, dora, kk_sso):
    c = logged_in(charlie)
    c.post(SIDE, form_for(kk_sso, client_id="forste"))
    c.post(SIDE, form_for(kk_sso, client_id="anden"))
    ventende = Godkendelse.objects.get(status=Godkendelse.Status.AFVENTER)
    assert ventende.data["felter"] == {"client_id": "anden"}
    assert Godkendelse.objects.filter(status=Godkendelse.Status.AFVIST).count() == 1
    # Group requests replace only the pending one for the same group, and each can be
    # approved on its own.
    for gruppe in ("a", "b", "a"):
        oidc_services.rolle_tilfoej(administrator=charlie, claim_vaerdi=gruppe, rolle="leder")
    grupper = Godkendelse.objects.filter(
        handling=Godkendelse.Handling.SSO_ROLLE, status=Godkendelse.Status.AFVENTER
    )
    assert sorted(g.data["claim_vaerdi"] for g in grupper) == ["a", "b"]
    for anmodning in grupper:
        services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    assert set(kk_sso.roller.values_list("claim_vaerdi", flat=True)) == {"kk-ledere", "a", "b"}


def test_an_approved_secret_is_the_one_asked_for(charlie, dora, kk_sso):
    logged_in(charlie).post(SIDE, form_for(kk_sso, client_secret=NY_HEMMELIGHED))
    anmodning = Godkendelse.objects.get()
    token = base64.b64decode(anmodning.data["client_secret_krypteret"])
    assert decrypt(token).decode() == NY_HEMMELIGHED
    assert kk_sso.client_secret() == "kk-hemmelighed"
    services.godkendelse_godkend(administrator=dora, pk=anmodning.pk)
    kk_sso.refresh_from_db()
    assert kk_sso.client_secret() == NY_HEMMELIGHED
