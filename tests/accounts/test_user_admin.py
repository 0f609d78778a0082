"""The administrator's user administration at /konto/brugere/ (issue 9)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Rolle, User
from audit.models import AuditEntry, Handling
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, charlie):
    client.force_login(charlie)
    return client


def new_user_post(**extra) -> dict:
    return {
        "username": "nina",
        "first_name": "Nina",
        "last_name": "Ny",
        "email": "nina@example.dk",
        "rolle": Rolle.SAGSBEHANDLER,
        **extra,
    }


def test_list_shows_own_myndighed_only_without_superusers(admin_client, charlie, alice, bob, kbh):
    UserFactory(username="drift", myndighed=kbh, is_superuser=True, is_staff=True)
    UserFactory(username="gammel", myndighed=kbh, is_active=False)
    url = reverse("brugere:bruger_list")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(5):
        UserFactory(username=f"ekstra{n}", myndighed=kbh)
    # The list is one query, however many users there are.
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert len(many) == len(few)
    names = {b.username for b in response.context["brugere"]}
    assert {"alice", "charlie", "gammel", "ekstra4"} <= names
    assert "bob" not in names and "drift" not in names
    assert "Deaktiveret" in response.content.decode()


def test_create_makes_a_user_in_own_myndighed_and_emails_a_link(
    admin_client, charlie, kbh, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("brugere:bruger_create"), new_user_post())
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert (nina.myndighed, nina.rolle, nina.is_active) == (kbh, Rolle.SAGSBEHANDLER, True)
    assert not nina.has_usable_password()
    assert [m.to for m in mailoutbox] == [["nina@example.dk"]]
    # The link is in the e-mail only, not on the administrator's screen.
    link = re.search(r"http://testserver(/konto/adgangskode/ny/\S+/)", mailoutbox[0].body)[1]
    followed = admin_client.get(response.url)
    assert link not in followed.content.decode()
    entry = AuditEntry.objects.get(handling=Handling.BRUGER_OPRETTET)
    assert (entry.bruger, entry.beroert_bruger, entry.myndighed) == (charlie, nina, kbh)


def test_the_emailed_link_lets_the_new_user_set_a_password_and_log_in(
    admin_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("brugere:bruger_create"), new_user_post())
    admin_client.logout()
    link = re.search(r"http://testserver(/konto/adgangskode/ny/\S+/)", mailoutbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    password = "En-lang-og-god-kode-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302
    assert User.objects.get(username="nina").check_password(password)
    # Used once: the link no longer works.
    assert not client.get(link, follow=True).context["validlink"]


def test_the_links_password_step_has_a_danish_address_and_the_old_one_still_works(
    admin_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 23: not Django's /set-password/ in the address bar."""
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("brugere:bruger_create"), new_user_post())
    link = re.search(r"http://testserver(/konto/adgangskode/ny/\S+/)", mailoutbox[0].body)[1]
    form_page = client.get(link, follow=True)
    trin = form_page.redirect_chain[-1][0]
    assert trin.endswith("/vaelg-adgangskode/") and "set-password" not in trin
    assert form_page.context["validlink"]
    gammel = client.get(trin.replace("vaelg-adgangskode", "set-password"), follow=True)
    assert gammel.redirect_chain[-1][0] == trin and gammel.context["validlink"]


def test_create_with_a_taken_username_shows_a_danish_error(admin_client, alice):
    response = admin_client.post(reverse("brugere:bruger_create"), new_user_post(username="ALICE"))
    assert response.status_code == 200
    assert "Brugernavnet er optaget." in response.content.decode()


def test_create_with_an_unknown_role_is_refused(admin_client):
    response = admin_client.post(reverse("brugere:bruger_create"), new_user_post(rolle="konge"))
    assert response.status_code == 200
    assert not User.objects.filter(username="nina").exists()


def test_change_role_within_the_myndighed_is_logged(admin_client, charlie, leder):
    # Lowering a role is at once; raising one waits for a second administrator
    # (tests/accounts/test_godkendelse.py).
    url = reverse("brugere:bruger_edit", args=[leder.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"first_name": "Lise", "last_name": "L", "email": "l@example.dk", "rolle": "sagsbehandler"},
    )
    assert response.status_code == 302
    leder.refresh_from_db()
    assert leder.rolle == Rolle.SAGSBEHANDLER
    entry = AuditEntry.objects.get(handling=Handling.BRUGER_AENDRET)
    assert entry.beroert_bruger == leder and entry.bruger == charlie
    assert "Leder → Sagsbehandler" in entry.beskrivelse
    log = admin_client.get(reverse("audit:audit_list")).content.decode()
    assert "Bruger ændret" in log


def test_deactivating_a_user_asks_first(admin_client, alice):
    """Issue 23: the edit page's button leads to a confirmation; asking changes nothing."""
    url = reverse("brugere:bruger_deactivate", args=[alice.pk])
    edit = admin_client.get(reverse("brugere:bruger_edit", args=[alice.pk])).content.decode()
    assert f'href="{url}"' in edit
    page = admin_client.get(url).content.decode()
    assert "Deaktivér" in page and "(alice)?" in page and "Ja, deaktivér brugeren" in page
    alice.refresh_from_db()
    assert alice.is_active
    admin_client.post(url)
    alice.refresh_from_db()
    assert not alice.is_active


def test_deactivate_and_reactivate_are_logged_and_stop_login(admin_client, client, charlie, alice):
    admin_client.post(reverse("brugere:bruger_deactivate", args=[alice.pk]))
    alice.refresh_from_db()
    assert not alice.is_active
    admin_client.post(reverse("brugere:bruger_reactivate", args=[alice.pk]))
    alice.refresh_from_db()
    assert alice.is_active
    handlinger = list(
        AuditEntry.objects.filter(beroert_bruger=alice)
        .order_by("pk")
        .values_list("handling", flat=True)
    )
    assert handlinger == [Handling.BRUGER_DEAKTIVERET, Handling.BRUGER_GENAKTIVERET]


def test_deactivated_user_is_logged_out_of_an_open_session(client, charlie, alice):
    from django.test import Client

    alice_client = Client()
    alice_client.force_login(alice)
    assert alice_client.get(reverse("cases:find_borger")).status_code == 200
    client.force_login(charlie)
    client.post(reverse("brugere:bruger_deactivate", args=[alice.pk]))
    assert alice_client.get(reverse("cases:find_borger")).status_code == 302


def test_administrator_cannot_deactivate_itself(admin_client, charlie):
    response = admin_client.post(reverse("brugere:bruger_deactivate", args=[charlie.pk]))
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert charlie.is_active
    assert not AuditEntry.objects.exists()
    followed = admin_client.get(response.url).content.decode()
    assert "Du kan ikke deaktivere din egen bruger." in followed


def test_send_link_emails_the_user_and_is_logged(
    admin_client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.dk"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("brugere:bruger_send_link", args=[alice.pk]))
    assert [m.to for m in mailoutbox] == [["alice@example.dk"]]
    assert "/konto/adgangskode/ny/" in mailoutbox[0].body
    assert AuditEntry.objects.filter(
        handling=Handling.ADGANGSKODE_LINK, beroert_bruger=alice
    ).exists()


def test_send_link_without_email_gives_a_danish_error(admin_client, alice, mailoutbox):
    alice.email = ""
    alice.save()
    response = admin_client.post(reverse("brugere:bruger_send_link", args=[alice.pk]), follow=True)
    assert "Brugeren har ingen e-mailadresse." in response.content.decode()
    assert mailoutbox == []


def test_superusers_of_the_same_myndighed_are_out_of_reach(admin_client, kbh):
    drift = UserFactory(username="drift", myndighed=kbh, is_superuser=True, is_staff=True)
    for name in ("bruger_edit", "bruger_deactivate", "bruger_reactivate", "bruger_send_link"):
        assert admin_client.post(reverse(f"brugere:{name}", args=[drift.pk])).status_code == 404
    drift.refresh_from_db()
    assert drift.is_active and drift.is_superuser


def test_navigation_links_user_administration_for_administrators_only(client, charlie, alice):
    url = reverse("brugere:bruger_list")
    client.force_login(charlie)
    assert url in client.get(reverse("cases:home")).content.decode()
    client.force_login(alice)
    assert url not in client.get(reverse("cases:home")).content.decode()


def test_a_mail_server_failure_loses_nothing_and_gives_no_500(
    admin_client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    calls = []

    def refuse(self, messages):
        calls.append(messages)
        raise smtplib.SMTPServerDisconnected("mailserveren svarer ikke")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("brugere:bruger_create"), new_user_post())
    assert response.status_code == 302
    assert User.objects.filter(username="nina").exists()
    assert len(calls) > 1  # retried (immediately, in eager mode)


def test_reset_two_factor_removes_the_app_and_codes_and_is_logged(admin_client, charlie, leder):
    """A leder who lost the phone: another administrator removes the app and the
    recovery codes; the next login asks for a new app (totp_verify's promise)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=leder, name="app", confirmed=True)
    StaticDevice.objects.create(user=leder, name="koder", confirmed=True)
    response = admin_client.post(reverse("brugere:bruger_nulstil_to_faktor", args=[leder.pk]))
    assert response.status_code == 302
    # Issue 21: a second administrator approves it (tests/accounts/test_godkendelse.py).
    from accounts.models import Godkendelse
    from accounts.services import godkendelse_godkend

    anden = UserFactory(username="anden-admin", myndighed=charlie.myndighed, rolle="administrator")
    godkendelse_godkend(administrator=anden, pk=Godkendelse.objects.get().pk)
    assert not TOTPDevice.objects.filter(user=leder).exists()
    assert not StaticDevice.objects.filter(user=leder).exists()
    entry = AuditEntry.objects.get(handling=Handling.BRUGER_AENDRET, beroert_bruger=leder)
    assert entry.bruger == charlie and "to-faktor" in entry.beskrivelse


def test_an_administrator_cannot_reset_its_own_two_factor(admin_client, charlie):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=charlie, name="app", confirmed=True)
    admin_client.post(reverse("brugere:bruger_nulstil_to_faktor", args=[charlie.pk]))
    assert TOTPDevice.objects.filter(user=charlie).exists()
    assert not AuditEntry.objects.filter(beroert_bruger=charlie).exists()


def test_reset_two_factor_of_another_myndigheds_user_is_404(admin_client, bob):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=bob, name="app", confirmed=True)
    response = admin_client.post(reverse("brugere:bruger_nulstil_to_faktor", args=[bob.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=bob).exists()


def test_a_set_password_link_dies_with_deactivation_and_stays_dead_after_reactivation(
    admin_client, client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 21."""
    alice.email = "alice@example.dk"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("brugere:bruger_send_link", args=[alice.pk]))
    link = re.search(r"http://testserver(/konto/adgangskode/ny/\S+/)", mailoutbox[0].body)[1]
    admin_client.post(reverse("brugere:bruger_deactivate", args=[alice.pk]))
    assert not client.get(link, follow=True).context["validlink"]
    admin_client.post(reverse("brugere:bruger_reactivate", args=[alice.pk]))
    assert not client.get(link, follow=True).context["validlink"]
    # A new link works.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("brugere:bruger_send_link", args=[alice.pk]))
    link = re.search(r"http://testserver(/konto/adgangskode/ny/\S+/)", mailoutbox[1].body)[1]
    assert client.get(link, follow=True).context["validlink"]
