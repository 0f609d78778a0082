"""Environments: the active one in every page's header, switching audited, the
same from the command line (smdb_miljoe, certifikat_import, smdb_tokentest)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from certificates.models import AuthMetode, Certifikat, Haendelse, Miljoe
from tests.certificates.certgen import make_cert

pytestmark = pytest.mark.django_db


def test_header_shows_the_default_test_environment(alice_client):
    page = alice_client.get(reverse("cases:home")).content.decode()
    assert "miljoe-badge miljoe-test" in page
    assert "SMDB: Test (lokal simulator)" in page


def test_switching_environment_is_audited_and_shown_in_every_header(charlie_client, alice):
    alice_client = Client()
    alice_client.force_login(alice)
    response = charlie_client.post(
        reverse("certificates:miljoe", args=["prod"]),
        {
            "endpoint": "https://smdbws.dst.dk/smdbwebservice/api/external/v1/",
            "auth": AuthMetode.STS,
            "sts_url": "https://sts.example.dk/",
            "aktiver": "1",
        },
    )
    assert response.status_code == 302
    assert Miljoe.objects.get(aktiv=True).navn == "prod"
    log = list(Haendelse.objects.values_list("bruger__username", "beskrivelse"))
    assert ("charlie", "Aktivt SMDB-miljø skiftet: ingen → Prod") in log
    for client in (charlie_client, alice_client):  # alice: caseworker, same myndighed
        page = client.get(reverse("cases:home")).content.decode()
        assert "miljoe-badge miljoe-prod" in page and "SMDB: Prod" in page


def test_sts_without_address_is_a_danish_form_error(charlie_client):
    response = charlie_client.post(
        reverse("certificates:miljoe", args=["preprod"]),
        {"endpoint": "https://smdbpreprodws.dst.dk/x/", "auth": AuthMetode.STS, "sts_url": ""},
    )
    assert response.status_code == 200
    assert "Udfyld STS-adressen" in response.content.decode()
    assert not Miljoe.objects.exists()


def test_another_myndigheds_environment_is_not_switched(client, bob, aarhus, kbh, charlie):
    from accounts.models import Rolle
    from tests.factories import UserFactory

    call_command(
        "smdb_miljoe",
        "preprod",
        "--auth",
        "none",
        "--aktiver",
        "--myndighed",
        "101",
        "--endpoint",
        "https://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/",
    )
    client.force_login(UserFactory(myndighed=aarhus, rolle=Rolle.ADMINISTRATOR))
    client.post(reverse("certificates:miljoe_aktiver", args=["preprod"]))
    page = client.get(reverse("cases:home")).content.decode()
    assert "SMDB: Test (lokal simulator)" in page
    assert not Miljoe.objects.filter(myndighed=aarhus).exists()


def test_smdb_miljoe_command(kbh, capsys):
    call_command(
        "smdb_miljoe",
        "preprod",
        "--endpoint",
        "https://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/",
        "--auth",
        "sts",
        "--sts",
        "https://sts.example.dk/",
        "--aktiver",
    )
    m = Miljoe.objects.get()
    assert (m.navn, m.auth, m.sts_url, m.aktiv) == (
        "preprod",
        "sts",
        "https://sts.example.dk/",
        True,
    )
    assert Haendelse.objects.filter(kilde="smdb_miljoe", bruger=None).count() == 2
    with pytest.raises(CommandError, match="STS-adresse"):
        call_command("smdb_miljoe", "prod", "--auth", "sts")
    with pytest.raises(CommandError, match="Ugyldig adresse"):
        call_command("smdb_miljoe", "prod", "--auth", "none", "--endpoint", "ikke-en-url")


def test_smdb_miljoe_needs_myndighed_when_there_are_several(kbh, aarhus):
    with pytest.raises(CommandError, match="--myndighed"):
        call_command("smdb_miljoe", "test", "--auth", "none")


def test_certifikat_import_command(kbh, tmp_path):
    cert = make_cert("Importeret FOCES")
    p12 = tmp_path / "foces.p12"
    p12.write_bytes(cert.p12("hemmelig"))
    pw = tmp_path / "pw.txt"
    pw.write_text("hemmelig\n")
    call_command(
        "certifikat_import", str(p12), "--miljoe", "test", "--password-file", str(pw), "--aktiver"
    )
    row = Certifikat.objects.get()
    assert row.subject == cert.subject
    assert Miljoe.objects.get(navn="test").certifikat == row
    pw.write_text("forkert")
    p12.write_bytes(make_cert("Andet").p12("hemmelig"))
    with pytest.raises(CommandError, match="Adgangskoden passer ikke"):
        call_command("certifikat_import", str(p12), "--miljoe", "test", "--password-file", str(pw))
    assert Certifikat.objects.count() == 1


def test_smdb_tokentest_reports_an_unreachable_smdb_in_danish(kbh, settings, capsys):
    settings.SMDB_ENDPOINT = "http://127.0.0.1:9/smdbwebservice/api/external/v1/"
    settings.SMDB_TIMEOUT = 2
    with pytest.raises(CommandError, match="virker ikke"):
        call_command("smdb_tokentest")
    assert "SMDB kan ikke nås" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("endpoint", "debug", "ok"),
    [
        ("https://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/", False, True),
        ("http://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/", False, False),
        ("http://127.0.0.1:8000/smdbwebservice/api/external/v1/", False, False),
        ("http://127.0.0.1:8301/smdbwebservice/api/external/v1/", True, True),
        ("http://localhost:9123/x/", True, True),
        ("http://10.0.0.5:8000/x/", True, False),
        ("http://169.254.169.254/latest/", True, False),
    ],
)
def test_endpoint_must_be_https_http_only_to_this_machine_in_development(
    charlie_client, settings, endpoint, debug, ok
):
    """Issue 21: no plain-HTTP probing of other addresses through Test forbindelse."""
    settings.DEBUG = debug
    response = charlie_client.post(
        reverse("certificates:miljoe", args=["test"]),
        {"endpoint": endpoint, "auth": AuthMetode.SIGNATUR, "sts_url": ""},
    )
    assert Miljoe.objects.filter(endpoint=endpoint).exists() == ok
    if not ok:
        assert response.status_code == 200
        assert "Adressen skal begynde med https://" in response.content.decode()


def test_sts_address_must_be_https_too(charlie_client):
    response = charlie_client.post(
        reverse("certificates:miljoe", args=["preprod"]),
        {
            "endpoint": "https://smdbpreprodws.dst.dk/x/",
            "auth": AuthMetode.STS,
            "sts_url": "http://sts.example.dk/",
        },
    )
    assert "Adressen skal begynde med https://" in response.content.decode()
    assert not Miljoe.objects.exists()


def test_smdb_miljoe_refuses_plain_http(kbh):
    with pytest.raises(CommandError, match="https://"):
        call_command("smdb_miljoe", "preprod", "--auth", "none", "--endpoint", "http://x.dk/v1/")
