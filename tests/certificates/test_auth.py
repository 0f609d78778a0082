"""Authenticated SOAP against the simulator over real HTTP: X.509 signature and
NemLog-in STS (OIO IDWS) tokens, each bad call refused with a Fault naming the
reason, and signed / token calls accepted end to end through the outbox."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from lxml import etree

from cases import services as case_services
from certificates import services
from certificates.auth import CertifikatIkkeBrugbart, NemLoginSts, StsFejl, X509Signatur
from certificates.klient import klient_for
from certificates.models import AuthMetode
from smdb import demo, wssec
from smdb.client import SmdbKlient, SmdbProtocolError
from smdb.models import SyncOperation, SyncOperationStatus
from smdb_simulator.models import SimSkema
from tests.certificates.certgen import make_cert
from tests.smdb_sync import harness

PASSWORD = "kode"


@pytest.fixture
def simulator(live_server, settings):
    return harness.configure_simulator(settings, live_server.url)


@pytest.fixture
def trust(tmp_path, settings):
    """trust(*certs): the simulator trusts exactly these certificates."""

    def set_trust(*certs):
        path = tmp_path / "trust.pem"
        path.write_bytes(b"".join(c.cert_pem for c in certs))
        settings.SMDB_SIMULATOR_TRUST = [str(path)]

    return set_trust


@pytest.fixture
def good(trust):
    cert = make_cert("Testkommune SMDB FOCES")
    trust(cert)
    return cert


def miljoe_med(myndighed, cert, *, auth, endpoint, sts_url=""):
    row = services.certifikat_upload(
        myndighed=myndighed, data=cert.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )
    miljoe = services.miljoe_gem(
        myndighed=myndighed, navn="test", endpoint=endpoint, auth=auth, sts_url=sts_url
    )
    services.certifikat_aktiver(certifikat=row)
    services.miljoe_aktiver(miljoe=miljoe)
    return row


class RawSignatur(X509Signatur):
    """Signs with any key and certificate, skipping our own checks, so the
    simulator's are what is tested. ``age`` backdates the Timestamp, ``tamper``
    changes the Body after signing."""

    def __init__(self, cert, *, age=timedelta(0), tamper=False, key=None):
        super().__init__(SimpleNamespace(cert_pem=cert.cert_pem.decode()))
        self._key = (key or cert).key_pem
        self.age, self.tamper = age, tamper

    def key_pem(self):
        return self._key

    def apply(self, envelope, headers):
        security = wssec.security_header(envelope)
        ts = wssec.add_timestamp(security, now=wssec.utcnow() - self.age)
        bst = wssec.binary_security_token(self.cert_pem)
        ts.addnext(bst)
        body = envelope.find(wssec.q(wssec.SOAP11, "Body"))
        wssec.sign(
            envelope,
            security,
            key_pem=self._key,
            nodes=[body, ts],
            key_info=wssec.str_reference(bst),
        )
        if self.tamper:
            for el in body.iter():
                if etree.QName(el).localname == "Tekst":
                    el.text = "ændret efter signering"
        return envelope, headers


def echo_with(simulator, wsse):
    return SmdbKlient(wsse=wsse).echo("hej")


# --- X.509 signature -------------------------------------------------------------------


@pytest.fixture
def signature_mode(settings, simulator):
    settings.SMDB_SIMULATOR_AUTH = "signature"
    return simulator


def test_signed_call_is_accepted_and_whoami_answers_the_subject(signature_mode, good, kbh):
    miljoe_med(kbh, good, auth=AuthMetode.SIGNATUR, endpoint=signature_mode)
    klient = klient_for(kbh.pk)
    assert klient.echo("hej") == "hej"
    assert good.subject in klient.who_am_i()


def test_the_signature_is_rsa_sha256_over_body_and_timestamp(good, kbh):
    row = services.certifikat_upload(
        myndighed=kbh, data=good.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )
    env = etree.fromstring(
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b"<Echo>hej</Echo></s:Body></s:Envelope>"
    )
    X509Signatur(row).apply(env, {})
    sig = env.find(f".//{wssec.q(wssec.DS, 'Signature')}")
    assert (
        sig.find(f".//{wssec.q(wssec.DS, 'SignatureMethod')}")
        .get("Algorithm")
        .endswith("rsa-sha256")
    )
    body, ts = (
        env.find(wssec.q(wssec.SOAP11, "Body")),
        env.find(f".//{wssec.q(wssec.WSU, 'Timestamp')}"),
    )
    uris = {r.get("URI") for r in sig.iter(wssec.q(wssec.DS, "Reference"))}
    assert uris == {
        "#" + body.get(wssec.q(wssec.WSU, "Id")),
        "#" + ts.get(wssec.q(wssec.WSU, "Id")),
    }
    assert {d.get("Algorithm")[-6:] for d in sig.iter(wssec.q(wssec.DS, "DigestMethod"))} == {
        "sha256"
    }


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unsigned", "ikke signeret"),
        ("untrusted", "ikke betroet"),
        ("expired", "Certifikatet er udløbet"),
        ("not_yet_valid", "endnu ikke gyldigt"),
        ("old_timestamp", "ældre end 5 minutter"),
        ("tampered", "Signaturen kan ikke verificeres"),
        ("other_key", "Signaturen kan ikke verificeres"),
    ],
)
def test_signature_mode_refuses_bad_calls_naming_the_reason(signature_mode, trust, case, reason):
    good = make_cert("God")
    expired = make_cert("Udløbet", starts_in_days=-30, days=-1)
    future = make_cert("Fremtidig", starts_in_days=2)
    trust(good, expired, future)
    wsse = {
        "unsigned": None,
        "untrusted": lambda: RawSignatur(make_cert("Fremmed")),
        "expired": lambda: RawSignatur(expired),
        "not_yet_valid": lambda: RawSignatur(future),
        "old_timestamp": lambda: RawSignatur(good, age=timedelta(minutes=6)),
        "tampered": lambda: RawSignatur(good, tamper=True),
        "other_key": lambda: RawSignatur(good, key=make_cert("Anden nøgle")),
    }[case]
    with pytest.raises(SmdbProtocolError, match=reason) as exc:
        echo_with(signature_mode, wsse() if wsse else None)
    assert "Adgang nægtet" in str(exc.value)


def test_a_good_raw_signature_is_accepted_so_the_refusals_above_are_real(signature_mode, good):
    assert echo_with(signature_mode, RawSignatur(good)) == "hej"


def test_an_expired_certificate_is_refused_for_signing(settings, signature_mode, good, kbh):
    row = miljoe_med(kbh, good, auth=AuthMetode.SIGNATUR, endpoint=signature_mode)
    row.gyldig_til = wssec.utcnow() - timedelta(seconds=1)
    row.save()
    with pytest.raises(CertifikatIkkeBrugbart, match="udløb"):
        klient_for(kbh.pk).echo("hej")


def test_a_revoked_certificate_is_never_used_again_r_skift_6(signature_mode, good, kbh):
    row = miljoe_med(kbh, good, auth=AuthMetode.SIGNATUR, endpoint=signature_mode)
    klient = klient_for(kbh.pk)
    assert klient.echo("før") == "før"
    services.certifikat_spaer(certifikat=row)
    with pytest.raises(CertifikatIkkeBrugbart, match="intet certifikat i brug"):
        klient_for(kbh.pk).echo("efter")
    # Even a strategy object built before the revocation refuses once it knows.
    row.refresh_from_db()
    with pytest.raises(CertifikatIkkeBrugbart, match="spærret"):
        SmdbKlient(wsse=X509Signatur(row)).echo("efter")


def test_a_signed_call_is_accepted_end_to_end_through_the_outbox(signature_mode, good, kbh, alice):
    miljoe_med(kbh, good, auth=AuthMetode.SIGNATUR, endpoint=signature_mode)
    forloeb = case_services.anmodning_create(
        user=alice, cpr=harness.cpr(7), data=demo.anmodning_values(harness.anmodningsdato())
    )
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert op.status == SyncOperationStatus.SENDT, op.last_error
    assert SimSkema.objects.filter(pk=op.smdb_id).exists()


def test_the_outbox_records_a_refused_unsigned_call(signature_mode, good, alice):
    # No environment for the myndighed: the default client sends unsigned.
    forloeb = case_services.anmodning_create(
        user=alice, cpr=harness.cpr(8), data=demo.anmodning_values(harness.anmodningsdato())
    )
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert op.status != SyncOperationStatus.SENDT
    assert "ikke signeret" in op.last_error


# --- NemLog-in STS ---------------------------------------------------------------------


@pytest.fixture
def sts_mode(settings, simulator):
    settings.SMDB_SIMULATOR_AUTH = "sts"
    return simulator


def sts_url(endpoint):
    return endpoint + "sts/"


def sts_wsse(cert, endpoint, settings_cert=None):
    row = SimpleNamespace(cert_pem=cert.cert_pem.decode())
    wsse = NemLoginSts(row, sts_url=sts_url(endpoint), applies_to=endpoint)
    wsse.key_pem = lambda: cert.key_pem
    return wsse


def test_an_sts_token_call_is_accepted_and_the_token_is_cached(sts_mode, good, kbh, monkeypatch):
    miljoe_med(kbh, good, auth=AuthMetode.STS, endpoint=sts_mode, sts_url=sts_url(sts_mode))
    fetched = []
    original = NemLoginSts.hent_token

    def counting(self):
        fetched.append(1)
        return original(self)

    monkeypatch.setattr(NemLoginSts, "hent_token", counting)
    klient = klient_for(kbh.pk)
    assert klient.echo("hej") == "hej"
    assert good.subject in klient.who_am_i()
    assert klient_for(kbh.pk).echo("igen") == "igen"
    assert len(fetched) == 1


def test_the_token_is_fetched_again_shortly_before_it_expires(sts_mode, good, settings):
    settings.SMDB_SIMULATOR_STS_LIFETIME = 30
    settings.SMDB_STS_TOKEN_MARGIN = 60  # a 30 s token is always "about to expire"
    wsse = sts_wsse(good, sts_mode)
    first = wsse.token()
    assert wsse.token() != first
    settings.SMDB_STS_TOKEN_MARGIN = 10
    assert wsse.token() == wsse.token()


def test_the_sts_refuses_an_untrusted_certificate(sts_mode, good):
    with pytest.raises(StsFejl, match="ikke betroet"):
        sts_wsse(make_cert("Fremmed"), sts_mode).token()


class ForgedToken(NemLoginSts):
    """Presents a token signed by someone other than the STS."""

    def hent_token(self):
        token = super().hent_token()
        assertion = etree.fromstring(token.xml)
        assertion.remove(assertion.find(wssec.q(wssec.DS, "Signature")))
        forger = make_cert("Falsk STS")
        wssec.sign_enveloped(assertion, key_pem=forger.key_pem, cert_pem=forger.cert_pem)
        return type(token)(etree.tostring(assertion), token.saml_id, token.udloeber)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no_token", "intet SAML-token"),
        ("expired_token", "tokenet er udløbet"),
        ("forged_token", "Tokenets signatur holder ikke"),
        ("other_holder", "Signaturen kan ikke verificeres"),
        ("tampered", "Signaturen kan ikke verificeres"),
    ],
)
def test_sts_mode_refuses_bad_calls_naming_the_reason(sts_mode, trust, settings, case, reason):
    good, other = make_cert("God"), make_cert("Anden")
    trust(good, other)
    wsse = sts_wsse(good, sts_mode)
    if case == "no_token":
        wsse = RawSignatur(good)
    elif case == "expired_token":
        settings.SMDB_SIMULATOR_STS_LIFETIME = -1
    elif case == "forged_token":
        wsse = ForgedToken(wsse.certifikat, sts_url=wsse.sts_url, applies_to=sts_mode)
        wsse.key_pem = lambda: good.key_pem
    elif case == "other_holder":
        # A token issued to "other", presented by "good" signing with its own key.
        token = sts_wsse(other, sts_mode).token()
        wsse._token = token
        settings.SMDB_STS_TOKEN_MARGIN = 0
    elif case == "tampered":
        original = wsse.apply

        def tamper(envelope, headers):
            envelope, headers = original(envelope, headers)
            for el in envelope.iter():
                if etree.QName(el).localname == "Tekst":
                    el.text = "ændret"
            return envelope, headers

        wsse.apply = tamper
    with pytest.raises(SmdbProtocolError, match=reason):
        echo_with(sts_mode, wsse)


def test_a_good_token_call_is_accepted_so_the_refusals_above_are_real(sts_mode, good):
    assert echo_with(sts_mode, sts_wsse(good, sts_mode)) == "hej"


def test_an_sts_token_call_is_accepted_end_to_end_through_the_outbox(sts_mode, good, kbh, alice):
    miljoe_med(kbh, good, auth=AuthMetode.STS, endpoint=sts_mode, sts_url=sts_url(sts_mode))
    forloeb = case_services.anmodning_create(
        user=alice, cpr=harness.cpr(9), data=demo.anmodning_values(harness.anmodningsdato())
    )
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert op.status == SyncOperationStatus.SENDT, op.last_error
    assert SimSkema.objects.filter(pk=op.smdb_id).exists()


def test_the_rst_is_signed_over_addressing_timestamp_token_and_body(good):
    message = etree.fromstring(
        __import__("certificates.auth", fromlist=["rst_envelope"]).rst_envelope(
            sts_url="https://sts.example/",
            applies_to="https://smdb.example/",
            cert_pem=good.cert_pem,
            key_pem=good.key_pem,
        )
    )
    sig = message.find(f".//{wssec.q(wssec.DS, 'Signature')}")
    assert len(list(sig.iter(wssec.q(wssec.DS, "Reference")))) == 6
    covered = wssec.verify_references(message, sig, cert_pem=good.cert_pem)
    body = message.find(wssec.q(wssec.SOAP11, "Body"))
    assert any(el is body for el in covered)


def test_rotation_a_new_certificate_is_tested_before_it_is_taken_into_use(
    signature_mode, trust, kbh, charlie
):
    from django.test import Client
    from django.urls import reverse

    old, new = make_cert("Gammelt FOCES"), make_cert("Nyt FOCES")
    trust(old, new)
    in_use = miljoe_med(kbh, old, auth=AuthMetode.SIGNATUR, endpoint=signature_mode)
    candidate = services.certifikat_upload(
        myndighed=kbh, data=new.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )
    client = Client()
    client.force_login(charlie)
    page = client.post(reverse("certificates:handling", args=[candidate.pk, "test"]))
    assert f"SMDB-simulator: {new.subject}" in page.content.decode()
    # Testing changed nothing: the old one is still the one in use.
    assert klient_for(kbh.pk).who_am_i() == f"SMDB-simulator: {in_use.subject}"
