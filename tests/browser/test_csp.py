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


def test_the_console_watch_catches_a_csp_refusal_and_a_javascript_error(
    browser_console, login, alice, live_server
):
    """The autouse watch (tests/browser/conftest.py) sees what a broken page would do;
    the faults are made here on purpose and then taken off its list."""
    page = login(alice)
    page.evaluate(
        """() => {
        const style = document.createElement("style");
        style.textContent = "body { color: red; }";
        document.head.appendChild(style);
        setTimeout(() => { throw new Error("fejl med vilje"); }, 0);
    }"""
    )
    page.wait_for_timeout(300)
    fundet = list(browser_console.fejl)
    browser_console.fejl.clear()
    assert any("CSP-overtrædelse: style-src-elem" in f for f in fundet), fundet
    assert any("Content Security Policy" in f for f in fundet), fundet
    assert any("JavaScript-fejl" in f and "fejl med vilje" in f for f in fundet), fundet
    other = live_server.url + "/konto/log-ind/"
    extra = page.context.browser.new_page()
    extra.goto(other)
    extra.evaluate("() => setTimeout(() => { throw new Error('i en ny side'); }, 0)")
    extra.wait_for_timeout(300)
    assert any("i en ny side" in f for f in browser_console.fejl), browser_console.fejl
    browser_console.fejl.clear()
