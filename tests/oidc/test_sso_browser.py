"""A caseworker signs in through the provider's own login page in a browser, and logs
out of both (issue 26)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Rolle, User
from tests.oidc.conftest import make_konfiguration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_signs_in_at_the_provider_and_logs_out_of_both(
    page, live_server, provider_factory, kbh, field_key
):
    provider = provider_factory(live_server.url)
    make_konfiguration(kbh, provider)
    provider.set_account(
        "sara",
        password="Sara-kode-1",
        name="Sara Sagsbehandler",
        given_name="Sara",
        family_name="Sagsbehandler",
        email="sara@kk.dk",
        groups=["smdb-sagsbehandlere"],
    )
    page.goto(f"{live_server.url}/konto/log-ind/")
    page.get_by_role("link", name="Log ind med København (test)").click()

    # The provider's own page.
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    page.get_by_label("Username").fill("sara")
    page.get_by_label("Password").fill("Sara-kode-1")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Sara Sagsbehandler · Sagsbehandler")).to_be_visible()
    expect(page.get_by_role("link", name="Skift adgangskode")).to_have_count(0)
    sara = User.objects.get(oidc_identitet__sub="sub-sara")
    assert (sara.myndighed, sara.rolle) == (kbh, Rolle.SAGSBEHANDLER)

    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Du er logget ud af smdb-web")).to_be_visible()
    page.get_by_role("link", name="Log også ud hos København (test)").click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + "/session/end"))
    page.get_by_role("button", name=re.compile("Yes", re.I)).click()
    page.wait_for_url(f"{live_server.url}/konto/log-ind/")

    # Signed out at the provider too: the SSO button asks for the password again.
    page.get_by_role("link", name="Log ind med København (test)").click()
    expect(page.get_by_label("Password")).to_be_visible()
