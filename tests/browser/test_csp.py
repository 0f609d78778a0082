"""The Content-Security-Policy holds on every kind of page: nothing is refused."""

import pytest

from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit_collecting_csp_errors(page, urls: list[str]) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: (
            refused.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    return refused


def test_caseworker_pages_obey_the_csp(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    page = login(alice)
    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    base = live_server.url
    refused = visit_collecting_csp_errors(
        page,
        [
            f"{base}/",
            f"{base}/borger/",
            f"{base}/anmodning/ny/",
            f"{base}/forloeb/{forloeb.pk}/",
            f"{base}/forloeb/{forloeb.pk}/tilknytning/ny/",
            f"{base}/forloeb/{forloeb.pk}/afslutning/ny/",
        ],
    )
    assert refused == []


def test_admin_pages_obey_the_csp(login, charlie, live_server):
    charlie.is_staff = True
    charlie.is_superuser = True
    charlie.save()
    page = login(charlie)
    base = live_server.url
    refused = visit_collecting_csp_errors(
        page,
        [
            f"{base}/adgangslog/",
            f"{base}/django-admin/",
            f"{base}/django-admin/accounts/user/",
            f"{base}/django-admin/accounts/user/{charlie.pk}/change/",
            f"{base}/certifikater/",
            f"{base}/certifikater/upload/",
            f"{base}/certifikater/miljoe/preprod/",
            f"{base}/certifikater/journal/",
        ],
    )
    assert refused == []
