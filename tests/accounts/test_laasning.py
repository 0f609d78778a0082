"""Issue 21: the login lockout keys on username + the client's forwarded address
(X-Forwarded-For trusted only from TRUSTED_PROXIES), so nobody elsewhere can
lock an account for its owner; an administrator can lift a lockout."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.klient_ip import klient_ip
from audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CADDY = "172.18.0.5"
ANGRIBER = "203.0.113.9"
EJER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]


def via_caddy(client, username, password, client_addr):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=CADDY,
        HTTP_X_FORWARDED_FOR=client_addr,
    )


def test_the_forwarded_address_counts_only_from_a_trusted_proxy():
    rf = RequestFactory()
    assert klient_ip(rf.get("/", REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR=EJER)) == EJER
    # Caddy appends the address it saw: a client's own claim comes first.
    spoofed = rf.get("/", REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {EJER}")
    assert klient_ip(spoofed) == EJER
    direct = rf.get("/", REMOTE_ADDR=ANGRIBER, HTTP_X_FORWARDED_FOR=EJER)
    assert klient_ip(direct) == ANGRIBER


def test_a_stranger_cannot_lock_the_owner_out(alice):
    angriber = Client()
    for _ in range(4):
        via_caddy(angriber, alice.username, "forkert-kode", ANGRIBER)
    ejer = Client()
    response = via_caddy(ejer, alice.username, PASSWORD, EJER)
    assert response.status_code == 302
    assert ejer.get(reverse("cases:home")).status_code == 200
    # The stranger's own address is locked for the account, even with the password.
    assert via_caddy(Client(), alice.username, PASSWORD, ANGRIBER).status_code != 302


def test_an_administrator_lifts_a_lockout_audit_logged(alice, charlie):
    for _ in range(4):
        via_caddy(Client(), alice.username, "forkert-kode", EJER)
    assert via_caddy(Client(), alice.username, PASSWORD, EJER).status_code != 302
    admin = Client()
    admin.force_login(charlie)
    page = admin.get(reverse("brugere:bruger_edit", args=[alice.pk])).content.decode()
    assert "Ophæv login-spærring" in page
    response = admin.post(reverse("brugere:bruger_ophaev_laas", args=[alice.pk]), follow=True)
    assert "Login-spærringen for alice er ophævet" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=alice.username).exists()
    assert AuditEntry.objects.filter(
        beroert_bruger=alice, beskrivelse__contains="login-spærring ophævet"
    ).exists()
    assert via_caddy(Client(), alice.username, PASSWORD, EJER).status_code == 302


def test_an_administrator_of_another_myndighed_cannot_lift_it(alice, bob):
    from accounts.models import Rolle
    from tests.factories import UserFactory

    other_admin = UserFactory(myndighed=bob.myndighed, rolle=Rolle.ADMINISTRATOR)
    client = Client()
    client.force_login(other_admin)
    assert client.post(reverse("brugere:bruger_ophaev_laas", args=[alice.pk])).status_code == 404
