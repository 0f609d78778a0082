"""Two-factor login for administrators and ledere (issue 9)."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.core.checks import run_checks
from django.http import HttpRequest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import PASSWORD, ForloebFactory

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

HOME = reverse("cases:home")
VERIFY = reverse("totp_verify")
ENROL = reverse("totp_enrol")


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


def code(key: bytes, steps_ahead: int = 0) -> str:
    return f"{totp(key, drift=steps_ahead):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_caseworkers_log_in_with_a_password_only(client, alice):
    login(client, alice)
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("who", ["leder", "charlie"])
def test_leder_and_administrator_without_an_app_are_sent_to_enrolment(client, who, request, kbh):
    user = request.getfixturevalue(who)
    forloeb = ForloebFactory(myndighed=kbh)
    login(client, user)
    for url in (
        HOME,
        reverse("cases:forloeb_detail", args=[forloeb.pk]),
        reverse("audit:audit_list"),
        reverse("password_change"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(ENROL), url
    # Log out is still open.
    assert client.post(reverse("logout")).status_code == 302


def test_enrolment_shows_a_qr_code_and_confirms_the_app_with_a_code(client, charlie):
    login(client, charlie)
    page = client.get(ENROL)
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    secret = page.context["hemmelighed"]
    device = TOTPDevice.objects.get(user=charlie, confirmed=False)
    assert b32decode(secret) == device.bin_key

    wrong = client.post(ENROL, {"device": device.pk, "kode": "000000"})
    assert "Koden passer ikke" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=charlie, confirmed=True).exists()

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above throttles the next try
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(ENROL, {"device": device.pk, "kode": code(device.bin_key)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == two_factor.RECOVERY_CODES
    assert all(c in done.content.decode() for c in codes)
    assert TOTPDevice.objects.get(user=charlie).confirmed
    assert client.get(HOME).status_code == 200


def test_login_asks_for_the_code_after_the_password(client, leder, kbh):
    device = enrolled(leder)
    forloeb = ForloebFactory(myndighed=kbh)
    target = reverse("cases:forloeb_detail", args=[forloeb.pk])
    login(client, leder)
    response = client.get(target)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    # A password alone cannot swap the app for a new one.
    assert client.get(ENROL).url == VERIFY

    wrong = client.post(VERIFY, {"kode": "123456", "next": target})
    assert wrong.status_code == 200
    assert "Koden passer ikke" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()

    ok = client.post(VERIFY, {"kode": code(device.bin_key), "next": target})
    assert ok.status_code == 302
    assert ok.url == target
    assert client.get(target).status_code == 200


def stored_codes(user) -> set[str]:
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_a_recovery_code_works_once(client, leder):
    enrolled(leder)
    [recovery, *_] = two_factor.nye_gendannelseskoder(leder)
    assert two_factor.gendannelseskode_hash(recovery) in stored_codes(leder)
    login(client, leder)
    assert client.post(VERIFY, {"kode": recovery}).status_code == 302
    assert client.get(HOME).status_code == 200
    assert two_factor.gendannelseskode_hash(recovery) not in stored_codes(leder)
    assert len(stored_codes(leder)) == two_factor.RECOVERY_CODES - 1

    client.post(reverse("logout"))
    login(client, leder)
    again = client.post(VERIFY, {"kode": recovery})
    assert again.status_code == 200
    assert client.get(HOME).status_code == 302


def test_next_may_not_leave_the_site(client, leder):
    device = enrolled(leder)
    login(client, leder)
    response = client.post(VERIFY, {"kode": code(device.bin_key), "next": "https://evil.example/"})
    assert response.url == "/"


def test_production_refuses_two_factor_turned_off(settings):
    settings.DEBUG = False
    settings.OTP_REQUIRED = False
    assert "accounts.E001" in [m.id for m in run_checks()]
    settings.OTP_REQUIRED = True
    assert "accounts.E001" not in [m.id for m in run_checks()]


def test_otp_required_off_lets_ledere_in_with_a_password(client, leder, settings):
    settings.OTP_REQUIRED = False
    login(client, leder)
    assert client.get(HOME).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, leder, alice):
    device = enrolled(leder)
    [old, *_] = two_factor.nye_gendannelseskoder(leder)
    login(client, leder)
    client.post(VERIFY, {"kode": code(device.bin_key)})
    assert "Lav nye gendannelseskoder" in client.get(reverse("password_change")).content.decode()
    response = client.post(reverse("totp_nye_koder"), {"adgangskode": PASSWORD})
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == two_factor.RECOVERY_CODES and old not in new
    assert stored_codes(leder) == {two_factor.gendannelseskode_hash(c) for c in new}
    # Not for users without two-factor.
    client.force_login(alice)
    assert client.post(reverse("totp_nye_koder")).status_code == 403


def test_recovery_codes_are_kept_only_as_keyed_hashes(leder, settings):
    codes = two_factor.nye_gendannelseskoder(leder)
    stored = stored_codes(leder)
    assert len(stored) == len(codes) == two_factor.RECOVERY_CODES
    assert not stored & set(codes)
    assert all(len(h) == 16 and int(h, 16) >= 0 for h in stored)
    # Keyed: the same code under another SECRET_KEY is another hash.
    settings.SECRET_KEY = "en-anden-noegle-" + "x" * 40
    assert not stored & {two_factor.gendannelseskode_hash(c) for c in codes}


def test_a_recovery_code_is_accepted_in_capitals_and_with_spaces(client, leder):
    enrolled(leder)
    [recovery, *_] = two_factor.nye_gendannelseskoder(leder)
    login(client, leder)
    spaced = f"{recovery[:4]} {recovery[4:]}".upper()
    assert client.post(VERIFY, {"kode": spaced}).status_code == 302
    assert client.get(HOME).status_code == 200


def test_recovery_codes_made_before_a_secret_key_rotation_still_work(client, leder, settings):
    enrolled(leder)
    [recovery, *_] = two_factor.nye_gendannelseskoder(leder)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "roteret-noegle-" + "y" * 40
    login(client, leder)
    assert client.post(VERIFY, {"kode": recovery}).status_code == 302
    assert client.get(HOME).status_code == 200
    assert len(stored_codes(leder)) == two_factor.RECOVERY_CODES - 1


def test_a_wrong_recovery_code_is_refused_and_counts_towards_the_throttle(client, leder):
    enrolled(leder)
    two_factor.nye_gendannelseskoder(leder)
    login(client, leder)
    assert client.post(VERIFY, {"kode": "abcdefgh"}).status_code == 200
    assert client.get(HOME).status_code == 302
    device = StaticToken.objects.filter(device__user=leder).first().device
    assert device.throttling_failure_count == 1


def test_the_migration_replaces_plain_recovery_codes_by_their_hashes(client, leder):
    from importlib import import_module

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice

    migration = import_module("accounts.migrations.0003_gendannelseskoder_som_hash")
    enrolled(leder)
    device = StaticDevice.objects.create(user=leder, name=two_factor.GENDANNELSE_NAVN)
    plain = [StaticToken.random_token() for _ in range(3)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in plain])
    already = two_factor.gendannelseskode_hash("allerede1")
    StaticToken.objects.create(device=device, token=already)

    migration.hash_gamle_koder(apps, None)
    migration.hash_gamle_koder(apps, None)  # run twice: a hash is not hashed again

    assert stored_codes(leder) == {two_factor.gendannelseskode_hash(c) for c in plain} | {already}
    login(client, leder)
    assert client.post(VERIFY, {"kode": plain[0]}).status_code == 302


# --- issue 21 and 23 ------------------------------------------------------------------


def verified_client(client, user) -> TOTPDevice:
    device = enrolled(user)
    login(client, user)
    assert client.post(VERIFY, {"kode": code(device.bin_key)}).status_code == 302
    return device


def test_the_session_key_changes_when_the_second_factor_is_accepted(client, leder):
    device = enrolled(leder)
    login(client, leder)
    before = client.session.session_key
    assert client.post(VERIFY, {"kode": code(device.bin_key)}).status_code == 302
    assert client.session.session_key != before
    assert client.get(HOME).status_code == 200


def test_the_session_key_changes_when_the_app_is_enrolled(client, charlie):
    login(client, charlie)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=charlie, confirmed=False)
    before = client.session.session_key
    client.post(ENROL, {"device": device.pk, "kode": code(device.bin_key)})
    assert client.session.session_key != before


def test_reloading_enrolment_keeps_the_key_already_scanned(client, charlie):
    login(client, charlie)
    first = client.get(ENROL).context["hemmelighed"]
    assert client.get(ENROL).context["hemmelighed"] == first
    device = TOTPDevice.objects.get(user=charlie, confirmed=False)
    assert b32decode(first) == device.bin_key
    done = client.post(ENROL, {"device": device.pk, "kode": code(device.bin_key)})
    assert done.status_code == 200 and "codes" in done.context


def test_a_right_code_during_the_back_off_is_told_to_wait_not_that_it_is_wrong(
    client, leder, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a slow test run stays inside the back-off
    device = enrolled(leder)
    login(client, leder)
    wrong = client.post(
        VERIFY, {"kode": "000000" if code(device.bin_key) != "000000" else "111111"}
    )
    assert "Koden passer ikke" in wrong.content.decode()
    assert re.search(r"Vent (59|60) sekunder før næste forsøg", wrong.content.decode())
    right = client.post(VERIFY, {"kode": code(device.bin_key)})
    page = right.content.decode()
    assert right.status_code == 200
    assert "Koden passer ikke" not in page
    assert re.search(r"Vent \d+ sekunder, og prøv så igen", page)
    assert client.get(HOME).status_code == 302


def test_the_leder_is_told_to_ask_an_administrator(client, leder, charlie):
    enrolled(leder)
    login(client, leder)
    page = client.get(VERIFY).content.decode()
    assert "bed en administrator i din myndighed" in page
    assert "anden administrator" not in page
    client.post(reverse("logout"))
    enrolled(charlie)
    login(client, charlie)
    assert "bed en anden administrator i din myndighed" in client.get(VERIFY).content.decode()


def test_replacing_the_app_asks_for_the_password(client, leder):
    old = verified_client(client, leder)
    page = client.get(ENROL)
    assert "Din adgangskode" in page.content.decode()
    new = TOTPDevice.objects.get(user=leder, confirmed=False)
    refused = client.post(
        ENROL, {"device": new.pk, "kode": code(new.bin_key), "adgangskode": "forkert"}
    )
    assert "Adgangskoden passer ikke" in refused.content.decode()
    assert list(TOTPDevice.objects.filter(user=leder, confirmed=True)) == [old]
    done = client.post(
        ENROL, {"device": new.pk, "kode": code(new.bin_key), "adgangskode": PASSWORD}
    )
    assert done.status_code == 200 and "codes" in done.context
    assert list(TOTPDevice.objects.filter(user=leder, confirmed=True)) == [new]


def test_new_recovery_codes_ask_for_the_password(client, leder):
    verified_client(client, leder)
    [old, *_] = two_factor.nye_gendannelseskoder(leder)
    before = stored_codes(leder)
    for sent in ({}, {"adgangskode": "forkert"}):
        response = client.post(reverse("totp_nye_koder"), sent, follow=True)
        assert "Adgangskoden passer ikke" in response.content.decode()
        assert stored_codes(leder) == before
