"""Function certificates made on the fly for tests (cryptography): self-signed
RSA certificates as PKCS#12 or PEM, valid, expired or not yet valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from smdb.wssec import subject_text


@dataclass(frozen=True)
class TestCert:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey  # or an EC key (make_cert(key=...))
    cn: str

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def key_der(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def subject(self) -> str:
        return subject_text(self.cert.subject)

    def p12(self, password: str = "hemmelig", *, with_key: bool = True) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            self.cn.encode(),
            self.key if with_key else None,
            self.cert,
            None,
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption(),
        )


_keys: list[rsa.RSAPrivateKey] = []


def _key(fresh: bool) -> rsa.RSAPrivateKey:
    # 2048-bit keys take ~50 ms each; tests that need distinct keys ask for fresh ones.
    if fresh or not _keys:
        _keys.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _keys[-1] if fresh else _keys[0]


def make_cert(
    cn: str = "SMDB-web test FOCES",
    *,
    days: int = 365,
    starts_in_days: int = -1,
    fresh_key: bool = True,
    key=None,
    serial: int | None = None,
    ou: str | None = None,
) -> TestCert:
    """``key``: any private key (an EC key, an RSA key of another size) instead;
    ``serial``, ``ou``: a serial number and an organisational unit of one's own."""
    key = key or _key(fresh_key)
    now = datetime.now(UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testkommune // CVR:12345678"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "CVR:12345678-FID:1234"),
            *([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou)] if ou else []),
        ]
    )
    start = now + timedelta(days=starts_in_days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days) if days > 0 else now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return TestCert(cert=cert, key=key, cn=cn)


def with_serial_bytes(cert: TestCert, n: int) -> TestCert:
    """The certificate with an ``n``-byte serial number, which no builder makes
    (RFC 5280 allows 20): the DER is rewritten, so its own signature no longer
    holds (upload does not check it; the key still matches)."""
    der = cert.cert.public_bytes(serialization.Encoding.DER)
    # SEQUENCE(0x30 0x82 len2) { TBS SEQUENCE(0x30 0x82 len2) { [0] version(5 bytes), INTEGER serial
    assert der[0] == 0x30 and der[1] == 0x82 and der[4] == 0x30 and der[5] == 0x82
    start = 8 + 5  # after both headers and the version
    assert der[start] == 0x02
    old_len = der[start + 1]
    new_serial = bytes([0x02, n]) + bytes([0x7F]) + bytes(range(1, n))
    delta = len(new_serial) - (2 + old_len)
    outer = int.from_bytes(der[2:4], "big") + delta
    tbs = int.from_bytes(der[6:8], "big") + delta
    body = der[8:start] + new_serial + der[start + 2 + old_len :]
    new = b"\x30\x82" + outer.to_bytes(2, "big") + b"\x30\x82" + tbs.to_bytes(2, "big") + body
    return TestCert(cert=x509.load_der_x509_certificate(new), key=cert.key, cn=cert.cn)
