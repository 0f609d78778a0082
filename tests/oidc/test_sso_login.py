"""Single sign-on against a real OpenID Provider (issue 26).

Each test signs in at the provider (tests/oidc/provider, the npm package oidc-provider)
through its own login form over HTTP; only the hop back to smdb-web is Django's test
client. Nothing of the library or of the provider is mocked.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import urljoin, urlparse

import pytest
import requests
from django.contrib.auth.hashers import is_password_usable
from django.views.debug import ExceptionReporter

from accounts import oidc
from accounts.models import OidcIdentitet, Rolle, User
from accounts.sessions import LOGIN_TIME
from audit.models import AuditEntry, Handling
from tests.factories import PASSWORD, UserFactory
from tests.oidc.conftest import CLIENT_SECRET

pytestmark = pytest.mark.django_db

TESTSERVER = "http://testserver"


def sign_in_at_provider(client, provider, login: str, *, password="provider-kode", next_url=""):
    """Start at smdb-web's SSO button, sign in on the provider's login page, and return
    the callback URL the provider sends the browser back to (not yet followed)."""
    start = client.get(f"/konto/sso/101/{next_url}")
    assert start.status_code == 302, start.content.decode()[:500]
    authorize = urlparse(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == provider.issuer
    browser = requests.Session()
    page = browser.get(start["Location"], timeout=10)
    assert "Test OpenID Provider" in page.text, page.text[:500]
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    response = browser.post(
        urljoin(page.url, action),
        data={"login": login, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    while True:
        location = response.headers.get("Location", "")
        assert location, response.text[:500]
        if location.startswith(TESTSERVER):
            return location.removeprefix(TESTSERVER)
        response = browser.get(urljoin(response.url, location), allow_redirects=False, timeout=10)


def sso_login(client, provider, login: str, **kwargs):
    return client.get(sign_in_at_provider(client, provider, login, **kwargs))


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_authorization_request_uses_pkce_state_and_nonce(client, kbh_sso):
    response = client.get("/konto/sso/101/")
    query = dict(p.split("=", 1) for p in urlparse(response["Location"]).query.split("&"))
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["state"] and query["nonce"]
    assert query["client_id"] == kbh_sso.client_id
    assert "client_secret" not in response["Location"]


def test_first_login_creates_the_user_with_the_mapped_role(client, provider, kbh_sso, kbh):
    provider.set_account(
        "anna",
        name="Anna Andersen",
        given_name="Anna",
        family_name="Andersen",
        email="anna@kk.dk",
        groups=["alle-ansatte", "smdb-sagsbehandlere"],
    )
    response = sso_login(client, provider, "anna")
    assert response.status_code == 302 and response["Location"] == "/"

    user = signed_in_user(client)
    assert (user.myndighed, user.rolle) == (kbh, Rolle.SAGSBEHANDLER)
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Andersen", "anna@kk.dk")
    assert not user.is_staff and not user.is_superuser
    assert not is_password_usable(user.password)
    identitet = OidcIdentitet.objects.get(bruger=user)
    assert (identitet.issuer, identitet.sub) == (provider.issuer, "sub-anna")
    handlinger = set(AuditEntry.objects.filter(bruger=user).values_list("handling", flat=True))
    assert {Handling.BRUGER_OPRETTET, Handling.SSO_LOGIN} <= handlinger
    # The session limits hold for an SSO login as for a password login.
    assert LOGIN_TIME in client.session
    assert client.get("/").status_code == 200


def test_user_is_matched_by_sub_not_by_email(client, provider, kbh_sso, kbh):
    """A local user with the same e-mail is not taken over by the provider's account."""
    local = UserFactory(username="anna-lokal", myndighed=kbh, email="anna@kk.dk")
    provider.set_account("anna", email="anna@kk.dk", groups=["smdb-sagsbehandlere"])
    sso_login(client, provider, "anna")
    assert signed_in_user(client) != local
    local.refresh_from_db()
    assert not OidcIdentitet.objects.filter(bruger=local).exists()


def test_changed_group_changes_the_role_and_name_and_email_follow(client, provider, kbh_sso):
    provider.set_account("lene", name="Lene Leder", email="l@kk.dk", groups=["smdb-ledere"])
    sso_login(client, provider, "lene")
    user = signed_in_user(client)
    assert user.rolle == Rolle.LEDER
    client.logout()

    provider.set_account(
        "lene", name="Lene Hansen", email="lene@kk.dk", groups=["smdb-sagsbehandlere"]
    )
    sso_login(client, provider, "lene")
    user.refresh_from_db()
    assert signed_in_user(client) == user
    assert (user.rolle, user.get_full_name(), user.email) == (
        Rolle.SAGSBEHANDLER,
        "Lene Hansen",
        "lene@kk.dk",
    )
    aendret = AuditEntry.objects.get(bruger=user, handling=Handling.BRUGER_AENDRET)
    assert "Leder → Sagsbehandler" in aendret.beskrivelse


def test_no_mapped_group_is_refused_with_a_danish_page_naming_whom_to_ask(
    client, provider, kbh_sso
):
    provider.set_account("ole", name="Ole Udenfor", groups=["alle-ansatte"])
    response = sso_login(client, provider, "ole")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Du har ingen adgang til smdb-web" in body
    assert "IT-support, tlf. 3366 0000" in body
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="", first_name="Ole").exists()
    assert not OidcIdentitet.objects.exists()


def test_a_role_removed_at_the_provider_is_removed_at_the_next_login(client, provider, kbh_sso):
    provider.set_account("per", groups=["smdb-ledere"])
    sso_login(client, provider, "per")
    user = signed_in_user(client)
    client.logout()

    provider.set_account("per", groups=[])
    response = sso_login(client, provider, "per")
    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert AuditEntry.objects.filter(bruger=user, handling=Handling.AFVIST).exists()


def test_without_administrators_contact_the_page_names_the_administrators(
    client, provider, kbh_sso, charlie
):
    kbh_sso.kontakt = ""
    kbh_sso.save()
    charlie.first_name, charlie.last_name = "Charlie", "Chef"
    charlie.save()
    provider.set_account("ole", groups=[])
    body = sso_login(client, provider, "ole").content.decode()
    assert "Charlie Chef" in body


@pytest.mark.parametrize(
    "fault", ["aud", "expired", "wrong_key"], ids=["other-client", "expired", "wrong-signature"]
)
def test_a_bad_id_token_is_refused(client, provider, kbh_sso, fault, caplog):
    provider.set_account("eva", groups=["smdb-sagsbehandlere"], fault=fault)
    response = sso_login(client, provider, "eva")
    assert response.status_code == 400
    assert "kunne ikke godkendes" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(oidc_identitet__sub="sub-eva").exists()
    assert CLIENT_SECRET not in caplog.text


def test_a_replayed_state_is_refused(client, provider, kbh_sso):
    provider.set_account("anna", groups=["smdb-sagsbehandlere"])
    callback = sign_in_at_provider(client, provider, "anna")
    assert client.get(callback).status_code == 302
    # The same answer again in the same browser: refused by smdb-web's own state check
    # (before the provider would refuse the used code).
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "Start forfra" in replay.content.decode()
    assert AuditEntry.objects.filter(handling=Handling.SSO_LOGIN).count() == 1
    client.logout()
    assert client.get(callback).status_code == 400
    assert signed_in_user(client) is None


def test_a_callback_from_another_browser_is_refused(client, provider, kbh_sso, django_user_model):
    from django.test import Client

    provider.set_account("anna", groups=["smdb-sagsbehandlere"])
    callback = sign_in_at_provider(client, provider, "anna")
    other = Client()
    assert other.get(callback).status_code == 400
    assert "_auth_user_id" not in other.session


def test_a_replayed_id_token_with_an_old_nonce_is_refused(client, provider, kbh_sso):
    """The provider sends the (genuine, unexpired) ID token of the previous login again."""
    provider.set_account("rita", groups=["smdb-sagsbehandlere"], fault="replay")
    assert sso_login(client, provider, "rita").status_code == 302
    client.logout()
    response = sso_login(client, provider, "rita")
    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_a_user_deactivated_locally_cannot_come_back_through_sso(client, provider, kbh_sso):
    provider.set_account("anna", groups=["smdb-sagsbehandlere"])
    sso_login(client, provider, "anna")
    user = signed_in_user(client)
    client.logout()
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = sso_login(client, provider, "anna")
    assert response.status_code == 403
    assert "deaktiveret" in response.content.decode()
    assert signed_in_user(client) is None


def test_no_user_is_created_when_the_myndighed_does_not_allow_it(client, provider, kbh_sso):
    kbh_sso.opret_brugere = False
    kbh_sso.save()
    provider.set_account("ny", groups=["smdb-sagsbehandlere"])
    response = sso_login(client, provider, "ny")
    assert response.status_code == 403
    assert "ikke oprettet som bruger" in response.content.decode()
    assert not OidcIdentitet.objects.exists()


def test_next_url_is_kept_through_the_provider(client, provider, kbh_sso):
    provider.set_account("anna", groups=["smdb-sagsbehandlere"])
    response = sso_login(client, provider, "anna", next_url="?next=/sager/find/")
    assert response["Location"] == "/sager/find/"


def test_no_sso_button_or_start_for_a_myndighed_without_sso(client, kbh_sso, aarhus):
    page = client.get("/konto/log-ind/").content.decode()
    assert "Log ind med København (test)" in page
    assert "Aarhus" not in page
    assert client.get(f"/konto/sso/{aarhus.kommune_kode}/").status_code == 404


def test_provider_that_does_not_answer_gives_a_danish_page(client, kbh_sso):
    kbh_sso.discovery_url = "http://127.0.0.1:9/.well-known/openid-configuration"
    kbh_sso.save()
    response = client.get("/konto/sso/101/")
    assert response.status_code == 503
    assert "udbyderen svarer ikke" in response.content.decode()


# --- Password login per myndighed ------------------------------------------------


def test_password_login_can_be_switched_off_per_myndighed(client, kbh_sso, alice, bob):
    from django.http import HttpRequest

    kbh_sso.adgangskode_tilladt = False
    kbh_sso.save()
    response = client.post("/konto/log-ind/", {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Login med adgangskode er slået fra" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Aarhus has no SSO: its users still log in with their password.
    assert client.login(request=HttpRequest(), username=bob.username, password=PASSWORD)


# --- Two-factor from the provider -------------------------------------------------


@pytest.mark.parametrize(
    ("amr", "acr", "mfa"),
    [
        (["pwd", "mfa"], None, True),
        (["mfa"], None, True),
        (["pwd", "otp"], None, True),
        (["pin", "hwk"], None, True),
        (["otp"], None, False),
        (["hwk"], None, False),
        (["pwd"], None, False),
        ([], None, False),
        (["pwd"], "https://data.gov.dk/concept/core/nsis/loa/Substantial", True),
        (["pwd"], "http://schemas.microsoft.com/claims/multipleauthn", True),
        (["pwd"], "urn:some:low", False),
    ],
)
def test_which_amr_and_acr_show_multi_factor(amr, acr, mfa):
    assert oidc.mfa_i_token({"amr": amr, "acr": acr}) is mfa


@pytest.mark.two_factor
def test_mfa_at_the_provider_skips_the_local_totp_step_for_a_leder(client, provider, kbh_sso):
    provider.set_account("lene", groups=["smdb-ledere"], amr=["pwd", "mfa"])
    sso_login(client, provider, "lene")
    assert signed_in_user(client).rolle == Rolle.LEDER
    response = client.get("/")
    assert response.status_code == 200
    assert "SSO-login" not in response.content.decode()
    beskrivelse = AuditEntry.objects.get(handling=Handling.SSO_LOGIN).beskrivelse
    assert "to-faktor hos udbyderen: ja" in beskrivelse


@pytest.mark.two_factor
@pytest.mark.parametrize("groups", [["smdb-ledere"], ["smdb-administratorer"]])
def test_without_mfa_at_the_provider_totp_is_still_asked(client, provider, kbh_sso, groups):
    provider.set_account("lene", groups=groups, amr=["pwd"])
    sso_login(client, provider, "lene")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/to-faktor/opret/")


# --- Log out ------------------------------------------------------------------------


def test_logout_ends_the_session_and_offers_the_providers_log_out(client, provider, kbh_sso):
    provider.set_account("anna", groups=["smdb-sagsbehandlere"])
    sso_login(client, provider, "anna")
    response = client.post("/konto/log-ud/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    link = re.search(r'href="([^"]+)">Log også ud hos', response.content.decode()).group(1)
    link = link.replace("&amp;", "&")
    assert link.startswith(f"{provider.issuer}/session/end?")
    assert "id_token_hint=" in link and "post_logout_redirect_uri=" in link
    # The provider accepts it: it asks the user to confirm the log out.
    confirm = requests.get(link, timeout=10)
    assert confirm.status_code == 200


def test_password_logout_is_unchanged(alice_client):
    response = alice_client.post("/konto/log-ud/")
    assert response.status_code == 302


# --- The client secret never shows ---------------------------------------------------


def test_client_secret_is_stored_encrypted(kbh_sso):
    assert CLIENT_SECRET.encode() not in bytes(kbh_sso.client_secret_krypteret)
    assert kbh_sso.client_secret() == CLIENT_SECRET


def test_client_secret_is_not_in_an_error_report_of_the_token_call(
    rf, provider, kbh_sso, monkeypatch
):
    """Django's error report of a failure during the code exchange hides the secret."""

    def broken_post(*args, **kwargs):
        raise RuntimeError("network down")

    monkeypatch.setattr(oidc.requests, "post", broken_post)
    request = rf.get("/konto/sso/svar/", {"code": "abc", "state": "x"})
    request.session = {}
    backend = oidc.OidcBackend()
    try:
        backend.authenticate(request, oidc_konfiguration=kbh_sso, nonce="n", code_verifier="v" * 50)
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    else:
        pytest.fail("expected the token call to fail")
    assert "network down" in report and "get_token" in report
    assert CLIENT_SECRET not in report
