"""Our own Danish error pages (issue 9, production shape)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def assert_danish_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    body = response.content.decode()
    assert '<html lang="da">' in body
    assert heading in body
    assert "Traceback" not in body and "Django" not in body
    return body


def test_404_page_is_ours_and_danish(alice_client):
    response = alice_client.get("/findes-ikke/")
    body = assert_danish_page(response, 404, "Siden findes ikke")
    assert "hører ikke til din myndighed" in body


def test_403_page_is_ours_and_danish(alice_client):
    # A caseworker may not read the access log.
    response = alice_client.get(reverse("audit:audit_list"))
    assert_danish_page(response, 403, "Ingen adgang")


def test_400_page_is_ours_and_danish(alice_client):
    response = alice_client.get("/", HTTP_HOST="ikke-tilladt.example")
    assert_danish_page(response, 400, "Ugyldig forespørgsel")


def test_csrf_failure_page_is_ours_and_danish(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert_danish_page(response, 403, "Formularen er udløbet")


@pytest.mark.urls("tests.error_urls")
def test_500_page_is_ours_and_danish():
    client = Client(raise_request_exception=False)
    response = client.get("/fejl-i-koden/")
    body = assert_danish_page(response, 500, "Der opstod en fejl")
    assert "en fejl i koden" not in body


# --- Issue 23: the embedded demo (DEBUG on) shows the same Danish pages -------------


def test_debug_demo_404_for_an_unknown_url_is_ours(alice_client, settings):
    settings.DEBUG = True
    body = assert_danish_page(alice_client.get("/findes-ikke/"), 404, "Siden findes ikke")
    assert "Page not found" not in body


def test_debug_demo_404_raised_by_a_view_is_ours(alice_client, settings):
    settings.DEBUG = True
    response = alice_client.get(reverse("cases:forloeb_detail", args=[999_999]))
    assert "Page not found" not in assert_danish_page(response, 404, "Siden findes ikke")


def test_debug_demo_keeps_the_added_slash_redirect(alice_client, settings):
    settings.DEBUG = True
    response = alice_client.get("/borger")
    assert response.status_code == 301 and response["Location"] == "/borger/"


@pytest.mark.urls("tests.error_urls")
def test_debug_demo_500_is_ours_and_shows_no_variables(settings, caplog):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get("/fejl-i-koden/")
    body = assert_danish_page(response, 500, "Der opstod en fejl")
    assert "en fejl i koden" not in body and "Local vars" not in body
    # The developer still finds the traceback in the log.
    assert any(r.exc_info and "en fejl i koden" in str(r.exc_info[1]) for r in caplog.records)


def test_debug_demo_can_show_djangos_technical_pages_on_request(alice_client, settings):
    settings.DEBUG = True
    settings.DEBUG_TEKNISKE_FEJLSIDER = True
    assert "Page not found" in alice_client.get("/findes-ikke/").content.decode()
