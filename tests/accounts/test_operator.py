"""Issue 21, High: the operator (superuser, staff) has the strongest login and every
change it makes in the Django admin stands in the access log; the admin shows no
two-factor key and cannot edit a device."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Myndighed, Rolle, User
from audit.models import AuditEntry, Handling
from tests.accounts.test_takeover import user_change_post
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/django-admin/"
VERIFY = reverse("totp_verify")
ENROL = reverse("totp_enrol")


@pytest.fixture
def operator(db):
    return UserFactory(username="drift", myndighed=None, rolle="", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)  # outside the two_factor tests: OTP_REQUIRED off
    return client


def password_login(client, user) -> None:
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


# --- two factors ------------------------------------------------------------------------


@pytest.mark.two_factor
def test_a_superuser_without_an_app_must_enrol_before_the_admin(client, operator):
    password_login(client, operator)
    for url in (ADMIN, f"{ADMIN}accounts/user/", reverse("cases:home")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(ENROL), url
    # The admin's own login form is no way around it either.
    client.logout()
    response = client.post(
        f"{ADMIN}login/", {"username": "drift", "password": PASSWORD, "next": ADMIN}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(ENROL)


@pytest.mark.two_factor
def test_a_superuser_gives_the_code_after_the_password(client, operator):
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    password_login(client, operator)
    response = client.get(f"{ADMIN}accounts/user/")
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    ok = client.post(VERIFY, {"kode": f"{totp(device.bin_key):06d}", "next": ADMIN})
    assert ok.status_code == 302 and ok.url == ADMIN
    assert client.get(f"{ADMIN}accounts/user/").status_code == 200


@pytest.mark.two_factor
def test_a_staff_user_without_a_myndighed_gives_two_factors_too(client):
    staff = UserFactory(username="staff", myndighed=None, rolle="", is_staff=True)
    password_login(client, staff)
    response = client.get(reverse("cases:home"))
    assert response.status_code == 302 and response.url.startswith(ENROL)


@pytest.mark.two_factor
def test_the_admin_itself_refuses_a_superuser_without_the_second_factor(client, operator, settings):
    """Even without the two-factor middleware the admin asks for a verified login."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.two_factor.TwoFactorMiddleware"
    ]
    password_login(client, operator)
    response = client.get(f"{ADMIN}accounts/user/")
    assert response.status_code == 302 and response.url.startswith(f"{ADMIN}login/")


# --- the two-factor devices in the admin: read-only, no key ------------------------------


def test_the_admin_shows_who_has_an_app_but_never_its_key(operator_client, leder):
    device = TOTPDevice.objects.create(user=leder, name="app", confirmed=True)
    listing = operator_client.get(f"{ADMIN}otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert "lise" in listing.content.decode()
    page = operator_client.get(f"{ADMIN}otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert device.key not in body and device.key.upper() not in body
    assert "qrcode" not in body and "otpauth" not in body
    for path in (f"{device.pk}/config/", f"{device.pk}/qrcode/"):
        response = operator_client.get(f"{ADMIN}otp_totp/totpdevice/{path}")
        assert response.status_code in (302, 404), path  # no such view
        assert device.key not in response.content.decode()


def test_the_admin_cannot_add_change_or_delete_a_device(operator_client, leder):
    device = TOTPDevice.objects.create(user=leder, name="app", confirmed=True)
    key = device.key
    base = f"{ADMIN}otp_totp/totpdevice/"
    assert operator_client.get(f"{base}add/").status_code == 403
    post = {"user": leder.pk, "name": "ny", "key": "00" * 20, "confirmed": "on"}
    assert operator_client.post(f"{base}add/", post).status_code == 403
    assert operator_client.post(f"{base}{device.pk}/change/", post).status_code == 403
    assert operator_client.post(f"{base}{device.pk}/delete/", {"post": "yes"}).status_code == 403
    device.refresh_from_db()
    assert (device.key, device.name) == (key, "app")
    static = StaticDevice.objects.create(user=leder, name="koder")
    static.token_set.create(token="hemmelig-hash")
    page = operator_client.get(f"{ADMIN}otp_static/staticdevice/{static.pk}/change/")
    assert page.status_code == 200 and "hemmelig-hash" not in page.content.decode()
    assert operator_client.get(f"{ADMIN}otp_static/staticdevice/add/").status_code == 403


# --- every change the operator makes, in the access log ---------------------------------


def test_a_change_of_a_user_is_in_the_access_log_of_its_myndighed(
    operator_client, operator, client, leder, charlie
):
    url = f"{ADMIN}accounts/user/{leder.pk}/change/"
    data = user_change_post(leder, email="ny@example.dk")
    data.pop("is_staff")
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    leder.refresh_from_db()
    assert leder.email == "ny@example.dk"
    entry = AuditEntry.objects.get(handling=Handling.DRIFT_AENDRET)
    assert (entry.bruger, entry.myndighed_id, entry.beroert_bruger) == (
        operator,
        leder.myndighed_id,
        leder,
    )
    assert "mail" in entry.beskrivelse.lower()
    # The myndighed's administrator sees what the operator did.
    from django.test import Client

    admin = Client()
    admin.force_login(charlie)
    assert entry in admin.get(reverse("audit:audit_list")).context["page"]


def test_a_password_set_by_the_operator_is_in_the_access_log(operator_client, leder):
    url = f"{ADMIN}accounts/user/{leder.pk}/password/"
    new = "Et-helt-nyt-kodeord-42"
    response = operator_client.post(url, {"password1": new, "password2": new})
    assert response.status_code == 302
    leder.refresh_from_db()
    assert leder.check_password(new)
    entry = AuditEntry.objects.get(handling=Handling.DRIFT_AENDRET, beroert_bruger=leder)
    assert entry.myndighed_id == leder.myndighed_id
    assert new not in entry.beskrivelse


def test_adding_a_user_and_a_myndighed_is_in_the_access_log(operator_client, operator, kbh):
    response = operator_client.post(
        f"{ADMIN}accounts/myndighed/add/", {"kommune_kode": 230, "navn": "Rudersdal"}
    )
    assert response.status_code == 302
    rudersdal = Myndighed.objects.get(kommune_kode=230)
    response = operator_client.post(
        f"{ADMIN}accounts/user/add/",
        {
            "username": "ny-admin",
            "password1": "Et-helt-nyt-kodeord-42",
            "password2": "Et-helt-nyt-kodeord-42",
            "usable_password": "true",
            "myndighed": rudersdal.pk,
            "rolle": Rolle.ADMINISTRATOR,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ny = User.objects.get(username="ny-admin")
    rows = AuditEntry.objects.filter(bruger=operator, handling=Handling.DRIFT_OPRETTET)
    assert {(e.myndighed_id, e.beroert_bruger_id) for e in rows} == {
        (rudersdal.pk, None),
        (rudersdal.pk, ny.pk),
    }


def test_deleting_in_the_admin_is_in_the_access_log_one_by_one_and_in_bulk(
    operator_client, operator, kbh
):
    one, two, three = (UserFactory(username=f"slet{i}", myndighed=kbh) for i in range(3))
    response = operator_client.post(f"{ADMIN}accounts/user/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = operator_client.post(
        f"{ADMIN}accounts/user/",
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(username__startswith="slet").exists()
    rows = AuditEntry.objects.filter(bruger=operator, handling=Handling.DRIFT_SLETTET)
    assert sorted(e.beskrivelse for e in rows) == [f"bruger «slet{i}» slettet" for i in range(3)]
    assert {e.myndighed_id for e in rows} == {kbh.pk}
