"""The simulator checks the caller's WS-Security like SMDB would (issue 13).

``settings.SMDB_SIMULATOR_AUTH``:
- ``none``: nothing is checked (as before); WhoAmI answers "anonym".
- ``signature``: an X.509 BinarySecurityToken and a signature over Body and
  Timestamp. Refused, each with a SOAP Fault naming the reason: no
  WS-Security header, no signature, a certificate not among
  ``SMDB_SIMULATOR_TRUST``, an expired or not-yet-valid certificate, a
  Timestamp older than 5 minutes, a signature that does not verify (tampered).
- ``sts``: the simulator also serves a local STS (``sts/``, WS-Trust 1.3 Issue)
  that issues SAML 2.0 holder-of-key tokens to trusted certificates; calls need
  a token it signed, unexpired, and a message signature by the token's key.

The STS's own key is made once per process (it only needs to agree with
itself). WhoAmI answers with the caller's certificate subject.
"""

from __future__ import annotations

import base64
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from lxml import etree

from smdb.wssec import (
    DS,
    HOLDER_OF_KEY,
    SAML,
    SAMLID,
    SOAP11,
    WSA,
    WSSE,
    WST,
    WSU,
    X509_TOKEN,
    SignaturFejl,
    cert_pem_from_b64,
    check_timestamp,
    check_validity,
    load_cert,
    parse_time,
    q,
    sign_enveloped,
    subject_text,
    utcnow,
    verify_enveloped,
    verify_references,
    xml_time,
)
from smdb_simulator.soap import SoapFault

STS_ISSUER = "urn:smdb-simulator:sts"


def fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def trusted() -> set[bytes]:
    """SHA-256 fingerprints of the certificates in SMDB_SIMULATOR_TRUST (PEM files)."""
    found = set()
    for path in settings.SMDB_SIMULATOR_TRUST:
        for block in Path(path).read_bytes().split(b"-----END CERTIFICATE-----"):
            if b"-----BEGIN CERTIFICATE-----" in block:
                found.add(fingerprint(load_cert(block + b"-----END CERTIFICATE-----\n")))
    return found


def _refuse(reason: str) -> SoapFault:
    return SoapFault("Client", f"Adgang nægtet: {reason}")


def _security(root: etree._Element) -> etree._Element:
    header = root.find(q(SOAP11, "Header"))
    security = header.find(q(WSSE, "Security")) if header is not None else None
    if security is None:
        raise _refuse("kaldet er ikke signeret (ingen WS-Security-header).")
    return security


def _signature(security: etree._Element) -> etree._Element:
    signature = security.find(q(DS, "Signature"))
    if signature is None:
        raise _refuse("kaldet er ikke signeret (ingen ds:Signature).")
    return signature


def _check_message_signature(root, security, signature, cert_pem: bytes) -> None:
    """Signature valid with this certificate, covering the Body and the Timestamp."""
    try:
        check_timestamp(security)
        covered = verify_references(root, signature, cert_pem=cert_pem)
    except SignaturFejl as exc:
        raise _refuse(str(exc)) from exc
    body = root.find(q(SOAP11, "Body"))
    timestamp = security.find(q(WSU, "Timestamp"))
    if not any(el is body for el in covered) or not any(el is timestamp for el in covered):
        raise _refuse("signaturen dækker ikke både Body og Timestamp.")


def _x509_caller(root: etree._Element) -> tuple[x509.Certificate, etree._Element]:
    """The trusted, valid certificate that signed the message (signature mode)."""
    security = _security(root)
    signature = _signature(security)
    ref = signature.find(
        f"{q(DS, 'KeyInfo')}/{q(WSSE, 'SecurityTokenReference')}/{q(WSSE, 'Reference')}"
    )
    bst = None
    if ref is not None and ref.get("URI", "").startswith("#"):
        found = security.xpath(
            "wsse:BinarySecurityToken[@wsu:Id=$v]",
            namespaces={"wsse": WSSE, "wsu": WSU},
            v=ref.get("URI")[1:],
        )
        bst = found[0] if len(found) == 1 else None
    if bst is None or bst.get("ValueType") != X509_TOKEN:
        raise _refuse("signaturen henviser ikke til et X.509-certifikat (BinarySecurityToken).")
    try:
        cert_pem = cert_pem_from_b64(bst.text or "")
    except SignaturFejl as exc:
        raise _refuse(str(exc)) from exc
    cert = load_cert(cert_pem)
    if fingerprint(cert) not in trusted():
        raise _refuse(f"certifikatet er ikke betroet ({subject_text(cert.subject)}).")
    try:
        check_validity(cert)
    except SignaturFejl as exc:
        raise _refuse(str(exc)) from exc
    _check_message_signature(root, security, signature, cert_pem)
    return cert, security


# --- the STS --------------------------------------------------------------------------

_sts_lock = threading.Lock()
_sts: tuple[bytes, bytes] | None = None


def sts_key() -> tuple[bytes, bytes]:
    """(key PEM, certificate PEM) of the simulator's STS, made once per process."""
    global _sts
    with _sts_lock:
        if _sts is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SMDB-simulator STS")])
            now = utcnow()
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                .sign(key, hashes.SHA256())
            )
            _sts = (
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
                cert.public_bytes(serialization.Encoding.PEM),
            )
        return _sts


def _e(parent, ns, name, text=None, **attrs):
    el = etree.SubElement(parent, q(ns, name), attrs)
    if text is not None:
        el.text = text
    return el


def issue_token(cert: x509.Certificate, *, audience: str) -> tuple[etree._Element, object]:
    """A signed SAML 2.0 assertion, holder-of-key bound to ``cert``."""
    now = utcnow()
    until = now + timedelta(seconds=settings.SMDB_SIMULATOR_STS_LIFETIME)
    a = etree.Element(q(SAML, "Assertion"), nsmap={"saml": SAML, "ds": DS})
    a.set("ID", f"_{uuid.uuid4()}")
    a.set("Version", "2.0")
    a.set("IssueInstant", xml_time(now))
    _e(a, SAML, "Issuer", STS_ISSUER)
    subject = _e(a, SAML, "Subject")
    _e(
        subject,
        SAML,
        "NameID",
        subject_text(cert.subject),
        Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
    )
    confirmation = _e(subject, SAML, "SubjectConfirmation", Method=HOLDER_OF_KEY)
    data = _e(confirmation, SAML, "SubjectConfirmationData")
    data.set("{http://www.w3.org/2001/XMLSchema-instance}type", "saml:KeyInfoConfirmationDataType")
    x509data = _e(_e(data, DS, "KeyInfo"), DS, "X509Data")
    _e(
        x509data,
        DS,
        "X509Certificate",
        base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
    )
    conditions = _e(a, SAML, "Conditions", NotBefore=xml_time(now), NotOnOrAfter=xml_time(until))
    _e(_e(conditions, SAML, "AudienceRestriction"), SAML, "Audience", audience)
    key_pem, cert_pem = sts_key()
    sign_enveloped(a, key_pem=key_pem, cert_pem=cert_pem)
    return a, until


def sts_response(body: bytes) -> bytes:
    """Answer a WS-Trust Issue request (signed with a trusted certificate) with a token."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Client", f"Ugyldig XML: {exc}") from exc
    cert, _ = _x509_caller(root)
    rst = root.find(f"{q(SOAP11, 'Body')}/{q(WST, 'RequestSecurityToken')}")
    if rst is None:
        raise SoapFault("Client", "Forventede wst:RequestSecurityToken.")
    use_key = rst.find(f"{q(WST, 'UseKey')}/{q(WSSE, 'BinarySecurityToken')}")
    if use_key is not None and fingerprint(load_cert(cert_pem_from_b64(use_key.text or ""))) != (
        fingerprint(cert)
    ):
        raise _refuse("UseKey er ikke det certifikat, der signerede anmodningen.")
    audience = rst.findtext(f".//{q(WSA, 'Address')}") or ""
    assertion, until = issue_token(cert, audience=audience)
    env = etree.Element(q(SOAP11, "Envelope"), nsmap={"s": SOAP11, "wst": WST, "wsu": WSU})
    rstr = _e(
        _e(_e(env, SOAP11, "Body"), WST, "RequestSecurityTokenResponseCollection"),
        WST,
        "RequestSecurityTokenResponse",
        Context=rst.get("Context", ""),
    )
    _e(
        rstr,
        WST,
        "TokenType",
        "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
    )
    _e(rstr, WST, "RequestedSecurityToken").append(assertion)
    lifetime = _e(rstr, WST, "Lifetime")
    _e(lifetime, WSU, "Created", assertion.get("IssueInstant"))
    _e(lifetime, WSU, "Expires", xml_time(until))
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _sts_caller(root: etree._Element) -> str:
    """The subject of a valid token presented by its holder (sts mode)."""
    security = _security(root)
    assertion = security.find(q(SAML, "Assertion"))
    if assertion is None:
        raise _refuse("intet SAML-token fra STS'en i kaldet.")
    _, sts_cert = sts_key()
    try:
        verify_enveloped(assertion, cert_pem=sts_cert)
    except SignaturFejl as exc:
        raise _refuse(str(exc)) from exc
    conditions = assertion.find(q(SAML, "Conditions"))
    now = utcnow()
    try:
        if conditions is None or parse_time(conditions.get("NotOnOrAfter")) <= now:
            raise _refuse("tokenet er udløbet; hent et nyt hos STS'en.")
        if parse_time(conditions.get("NotBefore")) > now + timedelta(minutes=5):
            raise _refuse("tokenet er endnu ikke gyldigt.")
    except SignaturFejl as exc:
        raise _refuse(str(exc)) from exc
    confirmation = assertion.find(f"{q(SAML, 'Subject')}/{q(SAML, 'SubjectConfirmation')}")
    if confirmation is None or confirmation.get("Method") != HOLDER_OF_KEY:
        raise _refuse("tokenet er ikke holder-of-key.")
    hok = confirmation.findtext(f".//{q(DS, 'X509Certificate')}")
    hok_pem = cert_pem_from_b64(hok or "")
    signature = _signature(security)
    key_id = signature.findtext(
        f"{q(DS, 'KeyInfo')}/{q(WSSE, 'SecurityTokenReference')}/{q(WSSE, 'KeyIdentifier')}"
    )
    ref_type = signature.find(
        f"{q(DS, 'KeyInfo')}/{q(WSSE, 'SecurityTokenReference')}/{q(WSSE, 'KeyIdentifier')}"
    )
    if key_id != assertion.get("ID") or ref_type.get("ValueType") != SAMLID:
        raise _refuse("signaturen henviser ikke til tokenet (SAMLID).")
    # Bound to the caller's key: the message must be signed by the token's key.
    _check_message_signature(root, security, signature, hok_pem)
    return assertion.findtext(f"{q(SAML, 'Subject')}/{q(SAML, 'NameID')}") or ""


def caller(body: bytes, root: etree._Element | None = None) -> str | None:
    """Check the call by SMDB_SIMULATOR_AUTH; the caller's subject, None for "none"."""
    mode = settings.SMDB_SIMULATOR_AUTH
    if mode in ("", "none"):
        return None
    if root is None:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    if mode == "sts":
        return _sts_caller(root)
    cert, _ = _x509_caller(root)
    return subject_text(cert.subject)
