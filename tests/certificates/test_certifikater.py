"""The certificate store: upload PKCS#12, key encrypted at rest, Danish errors,
activation, rotation, revocation (R-SKIFT-6), scoping to the myndighed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import Rolle
from certificates import crypto, services
from certificates.crypto import CertifikatFejl
from certificates.models import Certifikat, Haendelse, Miljoe
from tests.certificates.certgen import make_cert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Hemmelig-kode-42"


def upload(client, data: bytes, password: str = PASSWORD, miljoe: str = "test"):
    return client.post(
        reverse("certificates:upload"),
        {
            "fil": SimpleUploadedFile("foces.p12", data, "application/x-pkcs12"),
            "adgangskode": password,
            "miljoe": miljoe,
        },
    )


def test_upload_shows_subject_issuer_serial_validity_and_fingerprint(charlie_client, test_cert):
    response = upload(charlie_client, test_cert.p12(PASSWORD))
    cert = Certifikat.objects.get()
    assert response.status_code == 302
    page = charlie_client.get(response.url).content.decode()
    for fact in (
        "Testkommune SMDB FOCES",
        cert.issuer,
        format(test_cert.cert.serial_number, "X"),
        cert.fingeraftryk,
    ):
        assert fact in page
    assert cert.sha256 == crypto.fingerprint(test_cert.cert)
    assert cert.gyldig_til == test_cert.cert.not_valid_after_utc
    assert Haendelse.objects.filter(myndighed=cert.myndighed, bruger__username="charlie").exists()


@pytest.mark.parametrize(
    ("data", "password", "message"),
    [
        ("p12", "forkert", "Adgangskoden passer ikke"),
        ("garbage", PASSWORD, "ikke et PKCS#12"),
        ("pem", PASSWORD, "ikke et PKCS#12"),
        ("nokey", PASSWORD, "ikke dets private nøgle"),
        ("expired", PASSWORD, "Certifikatet udløb"),
    ],
)
def test_bad_upload_gives_a_danish_error_and_stores_nothing(
    charlie_client, test_cert, data, password, message
):
    files = {
        "p12": lambda: test_cert.p12(PASSWORD),
        "garbage": lambda: b"dette er ikke et certifikat",
        "pem": lambda: test_cert.cert_pem,
        "nokey": lambda: test_cert.p12(PASSWORD, with_key=False),
        "expired": lambda: make_cert(days=-1, starts_in_days=-400).p12(PASSWORD),
    }
    response = upload(charlie_client, files[data](), password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Certifikat.objects.exists()
    assert not Haendelse.objects.exists()


def test_the_table_holds_no_private_key_no_key_bytes_and_no_password(charlie_client, test_cert):
    upload(charlie_client, test_cert.p12(PASSWORD))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Certifikat._meta.db_table}")
        rows = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {Haendelse._meta.db_table}")
        rows += cursor.fetchall()
    assert len(rows) == 2
    dump = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for r in rows for v in r
    )
    assert b"PRIVATE KEY" not in dump
    assert PASSWORD.encode() not in dump
    key_der = test_cert.key_der
    # No 32-byte window of the key (DER) appears, nor its PEM body.
    assert not any(key_der[i : i + 32] in dump for i in range(0, len(key_der) - 32, 16))
    pem_body = b"".join(test_cert.key_pem.splitlines()[1:-1])
    assert pem_body[:40] not in dump
    # ...but the stored key decrypts to the certificate's key.
    stored = Certifikat.objects.get()
    assert crypto.decrypt(stored.noegle_krypteret) == test_cert.key_pem


def test_key_rotation_of_field_encryption_key(settings, test_cert, kbh):
    cert = services.certifikat_upload(
        myndighed=kbh, data=test_cert.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )
    old = settings.FIELD_ENCRYPTION_KEY
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    assert crypto.decrypt(Certifikat.objects.get().noegle_krypteret) == test_cert.key_pem
    assert services.genkrypter_noegler() == 1
    settings.FIELD_ENCRYPTION_KEY = new
    cert.refresh_from_db()
    assert crypto.decrypt(cert.noegle_krypteret) == test_cert.key_pem


def test_caseworker_and_other_myndighed_cannot_see_certificates(
    client, charlie, bob, aarhus, test_cert
):
    cert = services.certifikat_upload(
        myndighed=charlie.myndighed, data=test_cert.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )
    client.force_login(bob)
    assert client.get(reverse("certificates:oversigt")).status_code == 403
    aarhus_admin = UserFactory(myndighed=aarhus, rolle=Rolle.ADMINISTRATOR)
    client.force_login(aarhus_admin)
    assert client.get(reverse("certificates:detalje", args=[cert.pk])).status_code == 404
    assert client.post(reverse("certificates:handling", args=[cert.pk, "spaer"])).status_code == 404
    assert (
        "Testkommune SMDB FOCES"
        not in client.get(reverse("certificates:oversigt")).content.decode()
    )
    cert.refresh_from_db()
    assert cert.spaerret is None


def test_rotation_without_a_gap(charlie_client, charlie):
    old = services.certifikat_upload(
        myndighed=charlie.myndighed,
        data=make_cert("Gammelt").p12(PASSWORD),
        password=PASSWORD,
        miljoe="test",
    )
    services.certifikat_aktiver(certifikat=old)
    new = services.certifikat_upload(
        myndighed=charlie.myndighed,
        data=make_cert("Nyt").p12(PASSWORD),
        password=PASSWORD,
        miljoe="test",
    )
    # Uploading the new one changes nothing: the old one is still in use.
    assert Miljoe.objects.get().certifikat == old
    charlie_client.post(reverse("certificates:handling", args=[new.pk, "aktiver"]))
    # One commit switches: at no point is there no certificate in use.
    assert Miljoe.objects.get().certifikat == new
    old.refresh_from_db()
    assert old.spaerret is None  # kept until removed
    charlie_client.post(reverse("certificates:handling", args=[old.pk, "slet"]))
    assert not Certifikat.objects.filter(pk=old.pk).exists()
    # The certificate in use cannot be removed.
    charlie_client.post(reverse("certificates:handling", args=[new.pk, "slet"]))
    assert Certifikat.objects.filter(pk=new.pk).exists()


def test_revoked_certificate_is_never_used_again_r_skift_6(charlie_client, charlie):
    cert = services.certifikat_upload(
        myndighed=charlie.myndighed,
        data=make_cert().p12(PASSWORD),
        password=PASSWORD,
        miljoe="test",
    )
    services.certifikat_aktiver(certifikat=cert)
    charlie_client.post(reverse("certificates:handling", args=[cert.pk, "spaer"]))
    cert.refresh_from_db()
    assert cert.spaerret is not None
    assert Miljoe.objects.get().certifikat is None
    with pytest.raises(CertifikatFejl, match="spærret"):
        services.certifikat_aktiver(certifikat=cert)
    response = charlie_client.post(reverse("certificates:handling", args=[cert.pk, "aktiver"]))
    assert "spærret" in charlie_client.get(response.url).content.decode()
    assert Miljoe.objects.get().certifikat is None
