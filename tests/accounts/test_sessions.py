"""Passwords and sessions (issue 9): change-password page, validators, idle and
absolute session limits, clearsessions from beat, no CPR in the session, no-store."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from tests.factories import PASSWORD, ForloebFactory

pytestmark = pytest.mark.django_db

HOME = reverse("cases:home")


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


# --- Passwords ----------------------------------------------------------------


def test_change_password_page_is_danish_and_changes_the_password(client, alice):
    login(client, alice)
    url = reverse("password_change")
    page = client.get(url).content.decode()
    assert "Skift adgangskode" in page
    assert "Gammel adgangskode" in page

    new = "Lang-og-sjælden-kode-42"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(new)
    # Still logged in after the change (the session hash is updated).
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kort-kode-1", "mindst 12 tegn"),  # 11 characters
        ("password1234", "for almindelig"),  # in the breached/common list
        ("qwertyuiop12", "for almindelig"),
    ],
)
def test_change_password_refuses_short_and_common_passwords(client, alice, password, message):
    login(client, alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_twelve_characters_not_common_is_accepted():
    validate_password("Tolv-tegn-ok")  # exactly 12
    with pytest.raises(ValidationError):
        validate_password("Elleve-tegn")  # 11


# --- Session limits -------------------------------------------------------------


def test_session_settings_idle_30_minutes_sliding_and_ends_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS <= 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_ABSOLUTE_AGE == 8 * 60 * 60


def test_session_cookie_has_no_expiry_so_it_ends_when_the_browser_closes(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


def test_session_ends_after_30_minutes_idle(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, alice)
        assert client.get(HOME).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(HOME)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_activity_keeps_the_session_alive_but_not_past_8_hours(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, alice)
        for _ in range(8 * 3 - 1):  # a request every 20 minutes, just under 8 hours
            traveller.shift(timedelta(minutes=20))
            assert client.get(HOME).status_code == 200
        traveller.shift(timedelta(minutes=21))
        response = client.get(HOME)
        assert response.status_code == 302
        assert response.url == reverse("login")
        # Logged out for good: the next request is not let in either.
        assert client.get(HOME).status_code == 302


def test_the_session_is_not_written_on_every_request(client, alice):
    login(client, alice)
    client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    assert not [q for q in queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]


def test_clearsessions_runs_from_beat_and_deletes_expired_sessions(client, alice, bob):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(job["task"] == "accounts.tasks.clear_expired_sessions" for job in schedule.values())
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        login(client, alice)
    login(client, bob)
    assert Session.objects.count() == 2
    tasks.clear_expired_sessions.delay()
    assert Session.objects.count() == 1
    assert client.get(HOME).status_code == 200  # bob's live session kept


# --- The searched CPR is not kept in clear; pages with a CPR are not cached -------


def test_searched_cpr_is_encrypted_in_the_session(client, alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    cpr = forloeb.person_identifikator
    login(client, alice)
    client.post(reverse("cases:find_borger"), {"cpr": cpr})

    session = Session.objects.get()
    assert cpr not in session.session_data
    assert cpr not in repr(session.get_decoded())
    # Still there for the next page: Registrér anmodning is filled in.
    form = client.get(reverse("cases:anmodning_create")).context["form"]
    assert form.initial["person_identifikator"] == cpr
    # "Glem søgningen" forgets it.
    client.post(reverse("cases:glem_soegning"))
    form = client.get(reverse("cases:anmodning_create")).context["form"]
    assert form.initial["person_identifikator"] == ""


def test_every_page_showing_a_cpr_is_no_store(client, alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    cpr = forloeb.person_identifikator
    login(client, alice)
    responses = {
        "find borger": client.post(reverse("cases:find_borger"), {"cpr": cpr}),
        "anmodning": client.get(reverse("cases:anmodning_create")),
        "forløb": client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])),
        "forside": client.get(HOME),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert cpr[:6] in response.content.decode(), name
        assert "no-store" in response["Cache-Control"], name
