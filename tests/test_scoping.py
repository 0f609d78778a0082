"""Every URL of the app, requested as a user of another myndighed, reveals nothing.

The URL list is read from the resolver, so a new URL is tested the day it is
added. A URL with a keyword this test does not know fails until the keyword is
mapped below to an object of the first myndighed.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from audit.models import AuditEntry
from audit.services import cpr_noegle
from cases.models import Kladde, Kontaktforloeb
from certificates.models import Besked
from tests.factories import ForloebFactory, UserFactory

pytestmark = pytest.mark.django_db

# URL prefixes that are not the app's own pages: Django's admin (has its own
# permission system, staff only), the SMDB simulator (a stand-in for DST), login.
NOT_APP_PAGES = ("django-admin/", "smdbwebservice/", "konto/", "static/")
# ... except the administrator's user administration (issue 9), which is an app page.
USER_ADMIN_PAGES = "konto/brugere/"


def all_routes(resolver=None, prefix="") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    routes = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            routes += all_routes(p, route)
        elif isinstance(p, URLPattern):
            routes.append((route, p))
    return routes


def app_routes():
    return [
        (route, p)
        for route, p in all_routes()
        if (not route.startswith(NOT_APP_PAGES) or route.startswith(USER_ADMIN_PAGES)) and p.name
    ]


def fill(route: str, objects: dict) -> str:
    import re

    def sub(match):
        name = match.group(2)
        if name not in objects:
            pytest.fail(f"Ukendt URL-parameter {name!r} i {route}: tilføj den i test_scoping.py")
        return str(objects[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


@pytest.fixture
def kbh_case(kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    tilknytning = forloeb.tilbudstilknytninger.get()
    return {
        "forloeb": forloeb,
        "objects": {
            "pk": forloeb.pk,
            "forloeb_pk": forloeb.pk,
            "forloeb_id": forloeb.pk,
            "tilknytning_pk": tilknytning.pk,
            "schema": "anmodning",
            "index": 0,
            "trin": "laegesamtale",
            # certificates: administrator pages (a certificate id is looked up in
            # the user's own myndighed; tests/certificates checks another admin's 404).
            "navn": "test",
            "handling": "aktiver",
            "besked_pk": Besked.objects.create(
                myndighed=kbh, handling="Echo", varighed_ms=1, forloeb_ref=forloeb.pk
            ).pk,
            "rettelse": "send",
            "kladde_pk": Kladde.objects.create(
                forloeb=forloeb, bruger=UserFactory(myndighed=kbh), schema="ivaerksaettelse"
            ).pk,
        },
    }


def test_there_are_app_urls_to_test():
    assert len(app_routes()) >= 4


@pytest.mark.parametrize("route", [r for r, _ in app_routes()])
def test_url_reveals_nothing_to_another_myndighed(route, bob, bob_client, kbh_case):
    forloeb = kbh_case["forloeb"]
    url = fill(route, kbh_case["objects"])
    for method in ("get", "post"):
        response = getattr(bob_client, method)(url)
        body = response.content.decode(errors="replace")
        if any(k in route for k in ("<",)):
            assert response.status_code in (403, 404, 405), (method, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 404, 405), (method, url)
        assert forloeb.person_identifikator not in body
        assert forloeb.cpr_formatted not in body
    assert_log_holds_nothing_of(forloeb, myndighed=bob.myndighed)


def assert_log_holds_nothing_of(forloeb, *, myndighed):
    """Issue 21: a refused request records only what the requester may know (user,
    time, path, status): its myndighed's access log holds no forløb and no CPR hash of
    another myndighed, and "Vis borgerens registreringer" by that citizen finds nothing."""
    from django.test import Client
    from django.urls import reverse

    rows = AuditEntry.objects.filter(myndighed=myndighed)
    andres = Kontaktforloeb.objects.exclude(myndighed=myndighed).values("pk")
    assert not rows.filter(forloeb_id__in=andres).exists()
    assert not rows.filter(cpr_noegle=cpr_noegle(forloeb.person_identifikator)).exists()
    admin = Client()
    admin.force_login(
        UserFactory(
            username=f"admin-{myndighed.kommune_kode}", myndighed=myndighed, rolle="administrator"
        )
    )
    log = reverse("audit:audit_list")
    response = admin.post(log, {"cpr": forloeb.cpr_formatted}, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert response.context["cpr_filter"] and list(response.context["page"]) == []
    assert "Ingen registreringer." in response.content.decode()


def test_administrators_refused_case_urls_leave_nothing_of_another_myndighed(
    client, aarhus, kbh_case
):
    """The issue's sweep: Aarhus's administrator gets 403 on every København case URL;
    its own access log then knows neither the forløb nor the citizen."""
    forloeb = kbh_case["forloeb"]
    client.force_login(UserFactory(username="aarhus-adm", myndighed=aarhus, rolle="administrator"))
    routes = [r for r, _ in app_routes() if r.startswith("forloeb/")]
    assert routes
    for route in routes:
        url = fill(route, kbh_case["objects"])
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (method, url, response.status_code)
    assert AuditEntry.objects.filter(myndighed=aarhus, handling="afvist").exists()
    assert_log_holds_nothing_of(forloeb, myndighed=aarhus)


# --- Issue 9: the administrator's user pages -------------------------------------


def user_admin_routes() -> list[str]:
    return [route for route, p in all_routes() if route.startswith(USER_ADMIN_PAGES)]


def test_there_are_user_admin_urls_to_test():
    assert len(user_admin_routes()) >= 6


@pytest.mark.parametrize("route", user_admin_routes())
def test_user_admin_url_refused_to_administrator_of_another_myndighed(
    route, client, kbh, aarhus, alice
):
    """Aarhus's administrator cannot see, change or create København's users."""
    from accounts.models import Rolle, User

    alice.email = "alice@example.dk"
    alice.save()
    before = User.objects.values_list("pk", "myndighed_id", "rolle", "is_active", "email")
    before = sorted(before)
    client.force_login(
        UserFactory(username="aarhus-admin", myndighed=aarhus, rolle="administrator")
    )
    url = fill(route, {"pk": alice.pk})
    post = {"rolle": Rolle.ADMINISTRATOR, "first_name": "X", "last_name": "Y"}
    post |= {"email": "x@example.dk", "username": "ny", "myndighed": kbh.pk}
    for method in ("get", "post"):
        response = getattr(client, method)(url, post if method == "post" else None)
        if "<" in route:
            assert response.status_code in (404, 405), (method, url, response.status_code)
        else:
            assert response.status_code in (200, 302), (method, url, response.status_code)
        assert "alice" not in response.content.decode()
    after = User.objects.exclude(username__in=["aarhus-admin", "ny"])
    after = sorted(after.values_list("pk", "myndighed_id", "rolle", "is_active", "email"))
    assert after == before
    assert not User.objects.filter(myndighed=kbh, username="ny").exists()


@pytest.mark.parametrize("rolle", ["sagsbehandler", "leder"])
@pytest.mark.parametrize("route", user_admin_routes())
def test_user_admin_url_refused_to_caseworker_and_leder(route, rolle, client, kbh, charlie):
    """Only the administrator role administers users, even within its own myndighed."""
    client.force_login(UserFactory(username=f"en-{rolle}", myndighed=kbh, rolle=rolle))
    url = fill(route, {"pk": charlie.pk})
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"rolle": "sagsbehandler"})
        assert response.status_code == 403, (method, url, response.status_code)
    charlie.refresh_from_db()
    assert charlie.is_active and charlie.rolle == "administrator"


# --- issue 12: the supervisors' pages, as a leder of another myndighed -----------------
# (bob, a caseworker, is tried on every URL above; the reports must also show a leder
# of Aarhus nothing of København: not even the masked CPR or a link to the case.)


@pytest.mark.parametrize("route", [r for r, _ in app_routes() if r.startswith("rapporter/")])
def test_report_reveals_nothing_to_another_myndigheds_leder(route, client, aarhus, kbh_case):
    from django.urls import reverse

    forloeb = kbh_case["forloeb"]
    client.force_login(UserFactory(username="aarhus-leder", myndighed=aarhus, rolle="leder"))
    url = fill(route, kbh_case["objects"])
    response = client.get(url, {"aar": forloeb.anmodning.behandling_anmodning_dato.year})
    assert response.status_code == 200, url
    body = response.content.decode(errors="replace")
    assert forloeb.person_identifikator not in body
    assert forloeb.cpr_maskeret not in body
    assert reverse("cases:forloeb_detail", args=[forloeb.pk]) not in body


# --- Systemskifte (issue 14): an administrator of another myndighed -------------------


@pytest.fixture
def kbh_skifte(kbh, charlie):
    from datetime import date

    from systemskifte.models import Afstemning, Afvigelse, SkifteBorger, Systemskifte

    forloeb = ForloebFactory(myndighed=kbh, vedligeholdes_i_smdb_web=True)
    skifte = Systemskifte.objects.create(
        myndighed=kbh, model="model2", skiftedato=date(2026, 6, 30), startet_af=charlie
    )
    SkifteBorger.objects.create(
        skifte=skifte,
        anmodning_id=1,
        person_identifikator=forloeb.person_identifikator,
        plan=["Registrér ny anmodning"],
    )
    afvigelse = Afvigelse.objects.create(
        afstemning=Afstemning.objects.create(myndighed=kbh),
        myndighed=kbh,
        type="mangler_i_smdb",
        forloeb=forloeb,
        person_identifikator=forloeb.person_identifikator,
    )
    return skifte, forloeb, afvigelse


@pytest.mark.parametrize("route", [r for r, _ in app_routes() if r.startswith("systemskifte/")])
def test_systemskifte_url_reveals_nothing_to_another_myndigheds_administrator(
    route, client, aarhus, kbh_skifte
):
    from accounts.models import Rolle

    skifte, forloeb, afvigelse = kbh_skifte
    client.force_login(
        UserFactory(username="aarhus-admin", myndighed=aarhus, rolle=Rolle.ADMINISTRATOR)
    )
    pk = afvigelse.pk if route.startswith("systemskifte/afstemning/") else skifte.pk
    if route.startswith("systemskifte/afstemning/koersel/"):
        pk = afvigelse.afstemning_id  # the run's progress (issue 23)
    url = fill(route, {"pk": pk, "rettelse": "send"})
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        body = response.content.decode(errors="replace")
        if "<" in route:
            assert response.status_code in (403, 404, 405), (method, url, response.status_code)
        assert forloeb.person_identifikator not in body
        assert forloeb.person_identifikator[:6] not in body, (method, url)
    skifte.refresh_from_db()
    assert skifte.status == "koerer" and not skifte.stop_oensket
    afvigelse.refresh_from_db()
    assert afvigelse.status == "aaben"


# --- Single sign-on (issue 26): the administrator's SSO page -------------------------


def test_sso_page_reveals_and_changes_nothing_of_another_myndighed(client, kbh, aarhus, settings):
    """Aarhus's administrator sees neither København's SSO set-up nor its groups, cannot
    remove them, and what it saves is Aarhus's own (the URLs are also tried above)."""
    from cryptography.fernet import Fernet

    from accounts.models import OidcKonfiguration, OidcRolleTilknytning

    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    kbh_sso = OidcKonfiguration(
        myndighed=kbh,
        aktiv=True,
        navn="KK Entra",
        discovery_url="https://login.kk.example/.well-known/openid-configuration",
        client_id="kk-klient-id",
    )
    kbh_sso.set_client_secret("kk-hemmelighed")
    kbh_sso.save()
    gruppe = OidcRolleTilknytning.objects.create(
        konfiguration=kbh_sso, claim_vaerdi="kk-gruppe-ledere", rolle="leder"
    )
    client.force_login(
        UserFactory(username="aarhus-admin", myndighed=aarhus, rolle="administrator")
    )
    for body in (
        client.get("/konto/brugere/sso/").content.decode(),
        client.post(f"/konto/brugere/sso/grupper/{gruppe.pk}/slet/").content.decode(),
    ):
        for secret in ("KK Entra", "kk-klient-id", "kk-gruppe-ledere", "kk-hemmelighed"):
            assert secret not in body
    assert client.post(f"/konto/brugere/sso/grupper/{gruppe.pk}/slet/").status_code == 404
    client.post(
        "/konto/brugere/sso/",
        {
            "navn": "Aarhus SSO",
            "discovery_url": "https://login.aarhus.example/.well-known/openid-configuration",
            "client_id": "aarhus-klient",
            "client_secret": "aarhus-hemmelighed",
            "scopes": "openid",
            "rolle_claim": "groups",
            "adgangskode_tilladt": "on",
            "myndighed": kbh.pk,
        },
    )
    client.post("/konto/brugere/sso/grupper/", {"claim_vaerdi": "x", "rolle": "administrator"})
    assert OidcRolleTilknytning.objects.filter(pk=gruppe.pk).exists()
    kbh_sso.refresh_from_db()
    assert (kbh_sso.navn, kbh_sso.client_id, kbh_sso.client_secret()) == (
        "KK Entra",
        "kk-klient-id",
        "kk-hemmelighed",
    )
    aarhus_sso = OidcKonfiguration.objects.get(myndighed=aarhus)
    assert aarhus_sso.client_id == "aarhus-klient"
    assert list(aarhus_sso.roller.values_list("claim_vaerdi", "rolle")) == [("x", "administrator")]
    assert kbh_sso.roller.count() == 1
