"""Issue 21: only the keys OCES function certificates use are accepted (RSA
2048–4096 bit, EC P-256/P-384/P-521), refused at upload with a Danish error and
quickly however large the key; a certificate's key is parsed once, not per call."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from certificates import auth, crypto, services
from certificates.models import Certifikat
from smdb import wssec
from tests.certificates.certgen import make_cert, with_serial_bytes
from tests.certificates.test_certifikater import upload

pytestmark = pytest.mark.django_db

RSA_8192 = Path(__file__).parent / "data" / "rsa8192.p12"  # password "hemmelig"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda: ec.generate_private_key(ec.SECP256R1()), id="P-256"),
        pytest.param(lambda: ec.generate_private_key(ec.SECP384R1()), id="P-384"),
        pytest.param(lambda: ec.generate_private_key(ec.SECP521R1()), id="P-521"),
        pytest.param(lambda: rsa.generate_private_key(65537, 3072), id="RSA-3072"),
    ],
)
def test_oces_keys_are_accepted(charlie_client, key):
    response = upload(charlie_client, make_cert(key=key()).p12("Hemmelig-kode-42"))
    assert response.status_code == 302
    assert Certifikat.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (lambda: rsa.generate_private_key(65537, 1024), "Nøglen er RSA på 1024 bit"),
        (lambda: ec.generate_private_key(ec.SECP256K1()), "EC på kurven secp256k1"),
        (lambda: ec.generate_private_key(ec.SECP224R1()), "EC på kurven secp224r1"),
    ],
)
def test_other_keys_are_refused_in_danish_at_upload(charlie_client, key, message):
    response = upload(charlie_client, make_cert(key=key()).p12("Hemmelig-kode-42"))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "der accepteres RSA på 2048–4096 bit" in page
    assert not Certifikat.objects.exists()


def test_an_rsa_key_above_4096_bits_is_refused(charlie_client, monkeypatch):
    monkeypatch.setattr(crypto, "LAESE_SEKUNDER", 120)  # let the child read it
    response = upload(charlie_client, RSA_8192.read_bytes(), "hemmelig")
    assert "Nøglen er RSA på 8192 bit" in response.content.decode()
    assert not Certifikat.objects.exists()


def test_a_key_too_slow_to_read_is_refused_within_the_time_limit(charlie_client, monkeypatch):
    # Reading a 16384-bit key takes ~30 s; the web process must not wait for it.
    monkeypatch.setattr(crypto, "LAESE_SEKUNDER", 0.5)
    started = time.monotonic()
    response = upload(charlie_client, RSA_8192.read_bytes(), "hemmelig")
    assert time.monotonic() - started < 2.5
    assert "kunne ikke læses inden for 0.5 sekunder: nøglen er for stor" in (
        response.content.decode()
    )
    assert not Certifikat.objects.exists()


def _envelope():
    return etree.fromstring(
        f'<s:Envelope xmlns:s="{wssec.SOAP11}"><s:Header/><s:Body><x/></s:Body></s:Envelope>'
    )


def test_the_key_is_parsed_once_per_certificate(kbh, test_cert, monkeypatch):
    cert = services.certifikat_upload(
        myndighed=kbh, data=test_cert.p12("pw"), password="pw", miljoe="test"
    )
    parsed = []
    real_init = wssec.Noegle.__init__

    def counting_init(self, key_pem):
        parsed.append(1)
        real_init(self, key_pem)

    monkeypatch.setattr(wssec.Noegle, "__init__", counting_init)
    monkeypatch.setattr(auth, "_noegler", {})
    for strategy in (auth.X509Signatur(cert), auth.X509Signatur(cert)):
        for _ in range(3):
            envelope, _ = strategy.apply(_envelope(), {})
            assert envelope.find(f".//{{{wssec.DS}}}SignatureValue").text
    assert len(parsed) == 1
    # Another certificate (another fingerprint) gets its own key.
    other = services.certifikat_upload(
        myndighed=kbh, data=make_cert("Andet").p12("pw"), password="pw", miljoe="test"
    )
    auth.X509Signatur(other).apply(_envelope(), {})
    assert len(parsed) == 2


@pytest.mark.parametrize(
    ("cert", "message"),
    [
        (lambda: make_cert(ou="x" * 480), "længere end 500 tegn"),
        (lambda: with_serial_bytes(make_cert(), 64), "serienummer er længere"),
        (lambda: make_cert(serial=2**158 + 1), None),  # 20 bytes: stored
    ],
)
def test_long_names_and_serials_are_a_danish_error_or_stored(charlie_client, cert, message):
    """Issue 21: on PostgreSQL (DATABASE_URL) a too long value was a 500."""
    response = upload(charlie_client, cert().p12("Hemmelig-kode-42"))
    if message:
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Certifikat.objects.exists()
    else:
        assert response.status_code == 302
