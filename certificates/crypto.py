"""PKCS#12 in, facts about the certificate out, the private key encrypted at rest.

The key is encrypted with ``cryptography``'s MultiFernet keyed from
``settings.FIELD_ENCRYPTION_KEY``: one or more Fernet keys, comma-separated, the
first encrypts, all decrypt. Rotation: put the new key first, run
``manage.py certifikat_genkrypter``, then drop the old key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from certificates.wssec import subject_text


class CertifikatFejl(ValueError):
    """An uploaded certificate we cannot use; the message is Danish, for the user."""


def fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY er ikke sat: private nøgler kan ikke gemmes krypteret. "
            "Lav en med: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY skal være en eller flere Fernet-nøgler (32 byte, "
            "url-safe base64), adskilt af komma."
        ) from exc


def encrypt(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Den private nøgle kan ikke dekrypteres med FIELD_ENCRYPTION_KEY "
            "(er nøglen skiftet uden at den gamle er beholdt?)."
        ) from exc


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the first key of FIELD_ENCRYPTION_KEY."""
    return fernet().rotate(bytes(token))


@dataclass(frozen=True)
class Indlaest:
    """A PKCS#12 file read and checked: the certificate and its key, PEM."""

    cert_pem: bytes
    key_pem: bytes  # PKCS#8, unencrypted: only ever held in memory
    subject: str
    issuer: str
    serienummer: str
    gyldig_fra: datetime
    gyldig_til: datetime
    sha256: str


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def fingerprint_pem(cert_pem: bytes) -> str:
    return fingerprint(x509.load_pem_x509_certificate(cert_pem))


def laes_pkcs12(data: bytes, password: str, *, now: datetime | None = None) -> Indlaest:
    """Read a PKCS#12 file; raise CertifikatFejl (Danish) for anything we cannot use."""
    if not data:
        raise CertifikatFejl("Filen er tom.")
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as exc:
        # cryptography says the same for a wrong password and for a file that is
        # not PKCS#12; tell them apart by trying to read its outer structure.
        if _looks_like_pkcs12(data):
            raise CertifikatFejl(
                "Adgangskoden passer ikke til certifikatfilen (eller filen er beskadiget)."
            ) from exc
        raise CertifikatFejl(
            "Filen er ikke et PKCS#12-certifikat (.p12/.pfx) med certifikat og privat nøgle."
        ) from exc
    if cert is None and key is None and _chain:
        cert = _chain[0]  # without a key, the certificate is filed among the others
    if cert is None:
        raise CertifikatFejl("Filen indeholder intet certifikat.")
    if key is None:
        raise CertifikatFejl(
            "Filen indeholder certifikatet, men ikke dets private nøgle; "
            "eksportér det igen med nøglen."
        )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertifikatFejl("Nøgletypen understøttes ikke (kun RSA og EC).")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise CertifikatFejl("Den private nøgle hører ikke til certifikatet.")
    now = now or timezone.now()
    if cert.not_valid_after_utc <= now:
        raise CertifikatFejl(
            f"Certifikatet udløb {timezone.localtime(cert.not_valid_after_utc):%d.%m.%Y}; "
            "upload et gyldigt certifikat."
        )
    return Indlaest(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        subject=subject_text(cert.subject),
        issuer=subject_text(cert.issuer),
        serienummer=format(cert.serial_number, "X"),
        gyldig_fra=cert.not_valid_before_utc,
        gyldig_til=cert.not_valid_after_utc,
        sha256=fingerprint(cert),
    )


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER SEQUENCE whose first element is INTEGER 3 (PFX version 3)."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    i = 2 if data[1] < 0x80 else 2 + (data[1] & 0x7F)
    return data[i : i + 3] == b"\x02\x01\x03"
