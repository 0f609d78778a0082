"""Issue 21, Medium: an administrator cannot give itself case access alone. Creating a
leder or an administrator, changing a user's e-mail and resetting two-factor wait for a
second administrator of the same myndighed; never the requester, never another
myndighed's. Request, approval and rejection are in the access log."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Godkendelse, Rolle, User
from audit.models import AuditEntry, Handling
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NY = reverse("brugere:bruger_create")


def godkend(pk: int) -> str:
    return reverse("brugere:godkendelse_godkend", args=[pk])


def afvis(pk: int) -> str:
    return reverse("brugere:godkendelse_afvis", args=[pk])


@pytest.fixture
def dora(kbh):
    """A second administrator in København."""
    return UserFactory(username="dora", myndighed=kbh, rolle=Rolle.ADMINISTRATOR)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opret_leder(client, email="charlie.privat@example.dk"):
    return client.post(
        NY,
        {
            "username": "ny-leder",
            "first_name": "Ny",
            "last_name": "Leder",
            "email": email,
            "rolle": Rolle.LEDER,
        },
    )


def test_creating_a_leder_waits_for_another_administrator(
    charlie, dora, django_capture_on_commit_callbacks
):
    c = logged_in(charlie)
    with django_capture_on_commit_callbacks(execute=True):
        assert opret_leder(c).status_code == 302
    assert not User.objects.filter(username="ny-leder").exists()
    assert mail.outbox == []
    anmodning = Godkendelse.objects.get()
    assert anmodning.status == Godkendelse.Status.AFVENTER
    # On the other administrator's front page, not on the requester's.
    assert "ny-leder" in logged_in(dora).get("/").content.decode()
    assert c.get("/").context["godkendelser"] == []
    d = logged_in(dora)
    with django_capture_on_commit_callbacks(execute=True):
        assert d.post(godkend(anmodning.pk)).status_code == 302
    ny = User.objects.get(username="ny-leder")
    assert (ny.rolle, ny.myndighed_id, ny.email) == (
        Rolle.LEDER,
        charlie.myndighed_id,
        anmodning.data["email"],
    )
    assert len(mail.outbox) == 1
    handlinger = list(AuditEntry.objects.order_by("pk").values_list("bruger__username", "handling"))
    assert ("charlie", Handling.GODKENDELSE_ANMODET) in handlinger
    assert ("dora", Handling.GODKENDELSE_GODKENDT) in handlinger


def test_a_caseworker_is_created_at_once(charlie):
    c = logged_in(charlie)
    data = {"username": "ny", "first_name": "N", "last_name": "Y", "email": "n@example.dk"}
    assert c.post(NY, {**data, "rolle": Rolle.SAGSBEHANDLER}).status_code == 302
    assert User.objects.filter(username="ny").exists()
    assert not Godkendelse.objects.exists()


def test_the_requester_cannot_approve_its_own_request(charlie, dora):
    c = logged_in(charlie)
    opret_leder(c)
    anmodning = Godkendelse.objects.get()
    response = c.post(godkend(anmodning.pk), follow=True)
    assert "din egen anmodning" in response.content.decode()
    c.post(afvis(anmodning.pk))
    anmodning.refresh_from_db()
    assert anmodning.status == Godkendelse.Status.AFVENTER
    assert not User.objects.filter(username="ny-leder").exists()


def test_another_myndigheds_administrator_cannot_approve(charlie, aarhus):
    opret_leder(logged_in(charlie))
    anmodning = Godkendelse.objects.get()
    other = logged_in(UserFactory(username="aarhus-adm", myndighed=aarhus, rolle="administrator"))
    assert other.post(godkend(anmodning.pk)).status_code == 404
    assert other.post(afvis(anmodning.pk)).status_code == 404
    assert "ny-leder" not in other.get("/").content.decode()
    anmodning.refresh_from_db()
    assert anmodning.status == Godkendelse.Status.AFVENTER


@pytest.mark.parametrize("rolle", [Rolle.LEDER, Rolle.SAGSBEHANDLER])
def test_a_leder_or_caseworker_cannot_approve(charlie, kbh, rolle):
    opret_leder(logged_in(charlie))
    anmodning = Godkendelse.objects.get()
    c = logged_in(UserFactory(username=f"x-{rolle}", myndighed=kbh, rolle=rolle))
    assert c.post(godkend(anmodning.pk)).status_code == 403
    anmodning.refresh_from_db()
    assert anmodning.status == Godkendelse.Status.AFVENTER


def test_a_rejected_request_changes_nothing_and_is_logged(charlie, dora):
    opret_leder(logged_in(charlie))
    anmodning = Godkendelse.objects.get()
    assert logged_in(dora).post(afvis(anmodning.pk)).status_code == 302
    anmodning.refresh_from_db()
    assert (anmodning.status, anmodning.besluttet_af) == (Godkendelse.Status.AFVIST, dora)
    assert not User.objects.filter(username="ny-leder").exists()
    assert AuditEntry.objects.filter(bruger=dora, handling=Handling.GODKENDELSE_AFVIST).exists()
    # Decided once.
    response = logged_in(dora).post(godkend(anmodning.pk), follow=True)
    assert "allerede afgjort" in response.content.decode()


def test_changing_an_email_waits_for_another_administrator(charlie, dora, leder):
    leder.email = "lise@example.dk"
    leder.save()
    c = logged_in(charlie)
    url = reverse("brugere:bruger_edit", args=[leder.pk])
    data = {"first_name": "Lise", "last_name": "Ny", "email": "charlie@example.dk"}
    assert c.post(url, {**data, "rolle": Rolle.LEDER}).status_code == 302
    leder.refresh_from_db()
    assert (leder.last_name, leder.email) == ("Ny", "lise@example.dk")
    # The set-password link still goes to the old address.
    c.post(reverse("brugere:bruger_send_link", args=[leder.pk]))
    anmodning = Godkendelse.objects.get(handling=Godkendelse.Handling.EMAIL)
    assert c.post(godkend(anmodning.pk)).status_code == 302
    leder.refresh_from_db()
    assert leder.email == "lise@example.dk"
    assert logged_in(dora).post(godkend(anmodning.pk)).status_code == 302
    leder.refresh_from_db()
    assert leder.email == "charlie@example.dk"


def test_resetting_two_factor_waits_for_another_administrator(charlie, dora, leder):
    TOTPDevice.objects.create(user=leder, name="app", confirmed=True)
    c = logged_in(charlie)
    assert c.post(reverse("brugere:bruger_nulstil_to_faktor", args=[leder.pk])).status_code == 302
    assert TOTPDevice.objects.filter(user=leder).exists()
    anmodning = Godkendelse.objects.get(handling=Godkendelse.Handling.NULSTIL_TO_FAKTOR)
    assert c.post(godkend(anmodning.pk)).status_code == 302
    assert TOTPDevice.objects.filter(user=leder).exists()
    assert logged_in(dora).post(godkend(anmodning.pk)).status_code == 302
    assert not TOTPDevice.objects.filter(user=leder).exists()
    assert AuditEntry.objects.filter(
        handling=Handling.BRUGER_AENDRET, beroert_bruger=leder, beskrivelse__contains="to-faktor"
    ).exists()


def test_raising_a_caseworker_to_leder_waits_for_another_administrator(charlie, dora, alice):
    """A caseworker account made with the administrator's own address and then raised
    to leder would be the same way round the approval as creating a leder."""
    c = logged_in(charlie)
    url = reverse("brugere:bruger_edit", args=[alice.pk])
    data = {"first_name": "Alice", "last_name": "A", "email": "alice@example.dk"}
    alice.email = data["email"]
    alice.save()
    assert c.post(url, {**data, "rolle": Rolle.LEDER}).status_code == 302
    alice.refresh_from_db()
    assert (alice.rolle, alice.last_name) == (Rolle.SAGSBEHANDLER, "A")
    anmodning = Godkendelse.objects.get(handling=Godkendelse.Handling.ROLLE, bruger=alice)
    assert c.post(godkend(anmodning.pk)).status_code == 302  # not the requester
    alice.refresh_from_db()
    assert alice.rolle == Rolle.SAGSBEHANDLER
    assert logged_in(dora).post(godkend(anmodning.pk)).status_code == 302
    alice.refresh_from_db()
    assert alice.rolle == Rolle.LEDER
    assert AuditEntry.objects.filter(
        handling=Handling.BRUGER_AENDRET, beskrivelse__contains="rolle Sagsbehandler → Leder"
    ).exists()


def test_lowering_a_leder_to_caseworker_is_at_once(charlie, leder):
    c = logged_in(charlie)
    url = reverse("brugere:bruger_edit", args=[leder.pk])
    leder.email = "lise@example.dk"
    leder.save()
    data = {"first_name": leder.first_name, "last_name": leder.last_name, "email": leder.email}
    assert c.post(url, {**data, "rolle": Rolle.SAGSBEHANDLER}).status_code == 302
    leder.refresh_from_db()
    assert leder.rolle == Rolle.SAGSBEHANDLER
    assert not Godkendelse.objects.exists()
