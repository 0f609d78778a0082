"""PKCS#12 in, facts about the certificate out, the private key encrypted at rest.

The key is encrypted with ``cryptography``'s MultiFernet keyed from
``settings.FIELD_ENCRYPTION_KEY``: one or more Fernet keys, comma-separated, the
first encrypts, all decrypt. Rotation: put the new key first, run
``manage.py certifikat_genkrypter``, then drop the old key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from smdb.wssec import subject_text

logger = logging.getLogger(__name__)


class CertifikatFejl(ValueError):
    """An uploaded certificate we cannot use; the message is Danish, for the user."""


# Issue 21: the keys OCES function certificates use. A larger RSA key buys nothing
# and costs much: reading a 16384-bit key takes ~30 s (cryptography checks it).
RSA_BITS = (2048, 4096)
EC_KURVER = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
NOEGLER_TEKST = "RSA på 2048–4096 bit eller EC på P-256, P-384 eller P-521"
#: Seconds the file may take to read (in a child process, killed after that).
LAESE_SEKUNDER = 5.0

_LAES_I_UNDERPROCES = """
import sys
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
raw = sys.stdin.buffer.read()
n = int.from_bytes(raw[:4], "big")
try:
    key, _, _ = pkcs12.load_key_and_certificates(raw[4 + n:], raw[4:4 + n] or None)
except Exception:
    key = None
if isinstance(key, rsa.RSAPrivateKey):
    print("rsa", key.key_size)
elif isinstance(key, ec.EllipticCurvePrivateKey):
    print("ec", key.curve.name)
else:
    print("-")
"""


def _noegle_i_underproces(data: bytes, password: bytes) -> tuple[str, str]:
    """The file's key type and size, read in a child process that is killed after
    LAESE_SEKUNDER: a huge key makes this process wait no longer than that."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _LAES_I_UNDERPROCES],
            input=len(password).to_bytes(4, "big") + password + data,
            capture_output=True,
            timeout=LAESE_SEKUNDER,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CertifikatFejl(
            f"Certifikatfilen kunne ikke læses inden for {LAESE_SEKUNDER:g} sekunder: "
            f"nøglen er for stor. Der accepteres {NOEGLER_TEKST}."
        ) from exc
    words = done.stdout.decode("ascii", "replace").split()
    return (words[0], words[1]) if len(words) == 2 else ("-", "")


def tjek_noegle(key) -> None:
    """RSA 2048–4096 bit or EC on an OCES curve, else a Danish CertifikatFejl."""
    if isinstance(key, rsa.RSAPrivateKey):
        _tjek("rsa", str(key.key_size))
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        _tjek("ec", key.curve.name)
    else:
        raise CertifikatFejl(f"Nøgletypen understøttes ikke; der accepteres {NOEGLER_TEKST}.")


def _tjek(kind: str, size: str) -> None:
    if kind == "rsa" and not (RSA_BITS[0] <= int(size) <= RSA_BITS[1]):
        raise CertifikatFejl(f"Nøglen er RSA på {size} bit; der accepteres {NOEGLER_TEKST}.")
    if kind == "ec" and size not in EC_KURVER:
        raise CertifikatFejl(f"Nøglen er EC på kurven {size}; der accepteres {NOEGLER_TEKST}.")


def udviklingsnoegle() -> str:
    """The demo's key (DEBUG only): made once and kept in var/, so what the demo has
    encrypted can be read after a restart. Never used with DEBUG off."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY skal sættes, når DEBUG er slået fra; "
            "udviklingsnøglen i var/ bruges kun i udvikling."
        )
    path = Path(settings.FIELD_ENCRYPTION_DEV_KEY_FILE)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    # Created readable by its owner only; O_EXCL: two processes starting at once
    # keep the one that was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fil:
        fil.write(key + "\n")
    logger.warning(
        "FIELD_ENCRYPTION_KEY er ikke sat: en udviklingsnøgle er lavet i %s. "
        "Kun til udvikling; i drift skal FIELD_ENCRYPTION_KEY sættes.",
        path,
    )
    return key


def _noegler() -> list[str]:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    if not keys and settings.DEBUG:
        keys = [udviklingsnoegle()]
    return keys


@sensitive_variables("keys")
def fernet() -> MultiFernet:
    keys = _noegler()
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


@sensitive_variables("data")
def encrypt(data: bytes) -> bytes:
    return fernet().encrypt(data)


@sensitive_variables()
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


@sensitive_variables("data", "password", "key")
def laes_pkcs12(data: bytes, password: str, *, now: datetime | None = None) -> Indlaest:
    """Read a PKCS#12 file; raise CertifikatFejl (Danish) for anything we cannot use."""
    if not data:
        raise CertifikatFejl("Filen er tom.")
    kind, size = _noegle_i_underproces(data, password.encode())
    if kind in ("rsa", "ec"):
        _tjek(kind, size)  # refused before this process reads the key
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
    tjek_noegle(key)
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise CertifikatFejl("Den private nøgle hører ikke til certifikatet.")
    # The columns' sizes (Certifikat): a longer name or serial (RFC 5280 allows 20
    # bytes; OCES uses far less) is refused here, not by the database (issue 21).
    if len(subject_text(cert.subject)) > 500 or len(subject_text(cert.issuer)) > 500:
        raise CertifikatFejl(
            "Certifikatets navn (subject eller udsteder) er længere end 500 tegn; "
            "det er ikke et funktionscertifikat, vi kan bruge."
        )
    if len(format(cert.serial_number, "X")) > 100:
        raise CertifikatFejl(
            "Certifikatets serienummer er længere end et funktionscertifikats (højst 20 byte)."
        )
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
