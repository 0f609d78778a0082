"""WS-Security building blocks on lxml + xmlsec, shared by the client's auth
strategies (certificates.auth) and the simulator's checks (smdb_simulator.wsauth).

Algorithms: exclusive C14N, RSA-SHA256 (ECDSA-SHA256 for EC keys), SHA-256
digests -- never zeep's SHA-1 defaults. Elements are referenced by ``wsu:Id``
(a SAML assertion by its ``ID``).
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
WSA = "http://www.w3.org/2005/08/addressing"
WSP = "http://schemas.xmlsoap.org/ws/2002/12/policy"

X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
SAML2_TOKEN = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"
SAMLID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID"
HOLDER_OF_KEY = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"

#: How long our Timestamps are valid, and how old a received one may be.
TIMESTAMP_TTL = timedelta(minutes=5)

_parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SignaturFejl(Exception):
    """A signature or token that does not hold; the message names the reason (Danish)."""


def q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def xml_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(text: str | None) -> datetime:
    if not text:
        raise SignaturFejl("Et tidspunkt mangler.")
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SignaturFejl(f"Ugyldigt tidspunkt: {text!r}") from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _parser)


def new_id(prefix: str = "id") -> str:
    return f"{prefix}-{uuid.uuid4()}"


def ensure_id(el: etree._Element) -> str:
    value = el.get(q(WSU, "Id"))
    if not value:
        value = new_id()
        el.set(q(WSU, "Id"), value)
    return value


def subject_text(name: x509.Name) -> str:
    """RFC 4514, with OCES' serialNumber attribute (CVR/FID) by name, not OID."""
    return name.rfc4514_string({x509.NameOID.SERIAL_NUMBER: "SERIALNUMBER"})


def load_cert(pem_or_der: bytes) -> x509.Certificate:
    if pem_or_der.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_certificate(pem_or_der)
    return x509.load_der_x509_certificate(pem_or_der)


def cert_der(cert_pem: bytes) -> bytes:
    return load_cert(cert_pem).public_bytes(serialization.Encoding.DER)


def cert_pem_from_b64(text: str) -> bytes:
    try:
        der = base64.b64decode("".join(text.split()))
        return load_cert(der).public_bytes(serialization.Encoding.PEM)
    except ValueError as exc:
        raise SignaturFejl("Certifikatet i beskeden kan ikke læses.") from exc


# --- building ------------------------------------------------------------------------


def security_header(envelope: etree._Element) -> etree._Element:
    soap = etree.QName(envelope).namespace
    header = envelope.find(q(soap, "Header"))
    if header is None:
        header = etree.Element(q(soap, "Header"))
        envelope.insert(0, header)
    security = header.find(q(WSSE, "Security"))
    if security is None:
        security = etree.SubElement(header, q(WSSE, "Security"), nsmap={"wsse": WSSE, "wsu": WSU})
        security.set(q(soap, "mustUnderstand"), "1")
    return security


def add_timestamp(security: etree._Element, *, now: datetime | None = None) -> etree._Element:
    now = now or utcnow()
    ts = etree.Element(q(WSU, "Timestamp"), nsmap={"wsu": WSU})
    ensure_id(ts)
    etree.SubElement(ts, q(WSU, "Created")).text = xml_time(now)
    etree.SubElement(ts, q(WSU, "Expires")).text = xml_time(now + TIMESTAMP_TTL)
    security.insert(0, ts)
    return ts


def binary_security_token(cert_pem: bytes) -> etree._Element:
    bst = etree.Element(
        q(WSSE, "BinarySecurityToken"),
        {"ValueType": X509_TOKEN, "EncodingType": BASE64},
        nsmap={"wsse": WSSE, "wsu": WSU},
    )
    ensure_id(bst)
    bst.text = base64.b64encode(cert_der(cert_pem)).decode("ascii")
    return bst


def str_reference(bst: etree._Element) -> etree._Element:
    ref = etree.Element(q(WSSE, "SecurityTokenReference"), nsmap={"wsse": WSSE})
    etree.SubElement(
        ref, q(WSSE, "Reference"), {"URI": "#" + bst.get(q(WSU, "Id")), "ValueType": X509_TOKEN}
    )
    return ref


def str_saml(assertion_id: str) -> etree._Element:
    ref = etree.Element(q(WSSE, "SecurityTokenReference"), nsmap={"wsse": WSSE, "wsse11": WSSE11})
    ref.set(q(WSSE11, "TokenType"), SAML2_TOKEN)
    etree.SubElement(ref, q(WSSE, "KeyIdentifier"), {"ValueType": SAMLID}).text = assertion_id
    return ref


class Noegle:
    """A private key parsed once, ready to sign with: parsing (and cryptography's
    check of an RSA key) is the expensive part, so a certificate's key is parsed
    once and kept (certificates.auth.noegle_for), not for every call (issue 21)."""

    def __init__(self, key_pem: bytes):
        key = serialization.load_pem_private_key(key_pem, password=None)
        self.transform = (
            xmlsec.Transform.ECDSA_SHA256
            if isinstance(key, ec.EllipticCurvePrivateKey)
            else xmlsec.Transform.RSA_SHA256
        )
        self.key_pem = key_pem
        # SignatureContext.key takes a copy, so one parsed key serves every signature.
        self.xmlsec_key = xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM, None)


def _noegle(key: bytes | Noegle) -> Noegle:
    return key if isinstance(key, Noegle) else Noegle(key)


def sign(
    envelope: etree._Element,
    security: etree._Element,
    *,
    key_pem: bytes | Noegle,
    nodes: list[etree._Element],
    key_info: etree._Element,
) -> etree._Element:
    """Append a ds:Signature to ``security`` over ``nodes`` (each gets a wsu:Id)."""
    noegle = _noegle(key_pem)
    signature = xmlsec.template.create(
        envelope, xmlsec.Transform.EXCL_C14N, noegle.transform, ns="ds"
    )
    security.append(signature)
    ctx = xmlsec.SignatureContext()
    for node in nodes:
        node_id = ensure_id(node)
        ctx.register_id(node, "Id", WSU)
        ref = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="#" + node_id)
        xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.ensure_key_info(signature).append(key_info)
    ctx.key = noegle.xmlsec_key
    ctx.sign(signature)
    return signature


def sign_enveloped(element: etree._Element, *, key_pem: bytes, cert_pem: bytes) -> None:
    """An enveloped signature on an element with an ``ID`` attribute (a SAML assertion),
    placed after its Issuer as SAML requires."""
    signature = xmlsec.template.create(
        element, xmlsec.Transform.EXCL_C14N, Noegle(key_pem).transform, ns="ds"
    )
    issuer = element.find(q(SAML, "Issuer"))
    (issuer.addnext if issuer is not None else element.append)(signature)
    ref = xmlsec.template.add_reference(
        signature, xmlsec.Transform.SHA256, uri="#" + element.get("ID")
    )
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    ctx = xmlsec.SignatureContext()
    ctx.register_id(element, "ID")
    key = xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM, None)
    key.load_cert_from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM)
    ctx.key = key
    ctx.sign(signature)


# --- checking --------------------------------------------------------------------------


def verify_references(
    envelope: etree._Element, signature: etree._Element, *, cert_pem: bytes
) -> list[etree._Element]:
    """Verify ``signature`` with the certificate's key; returns the elements it
    covers (compare with ``is``: lxml keeps one proxy per node while referenced),
    so the caller can demand the Body and Timestamp.
    Each reference must name exactly one element (no signature wrapping)."""
    ctx = xmlsec.SignatureContext()
    covered: list[etree._Element] = []
    for ref in signature.iterfind(f"{q(DS, 'SignedInfo')}/{q(DS, 'Reference')}"):
        uri = ref.get("URI", "")
        if not uri.startswith("#"):
            raise SignaturFejl("Signaturen henviser til noget uden for beskeden.")
        found = envelope.xpath("//*[@wsu:Id=$v]", namespaces={"wsu": WSU}, v=uri[1:])
        if len(found) != 1:
            raise SignaturFejl("Signaturens henvisning er tvetydig eller peger på intet.")
        ctx.register_id(found[0], "Id", WSU)
        covered.append(found[0])
    try:
        ctx.key = xmlsec.Key.from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM, None)
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise SignaturFejl(
            "Signaturen kan ikke verificeres: beskeden er ændret efter signering, "
            "eller den er signeret med en anden nøgle."
        ) from exc
    return covered


def verify_enveloped(element: etree._Element, *, cert_pem: bytes) -> None:
    signature = element.find(q(DS, "Signature"))
    if signature is None:
        raise SignaturFejl("Tokenet er ikke signeret.")
    refs = signature.findall(f"{q(DS, 'SignedInfo')}/{q(DS, 'Reference')}")
    if len(refs) != 1 or refs[0].get("URI") != "#" + (element.get("ID") or ""):
        raise SignaturFejl("Tokenets signatur dækker ikke tokenet.")
    ctx = xmlsec.SignatureContext()
    ctx.register_id(element, "ID")
    try:
        ctx.key = xmlsec.Key.from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM, None)
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise SignaturFejl("Tokenets signatur holder ikke (ikke udstedt af STS'en?).") from exc


def check_timestamp(security: etree._Element, *, now: datetime | None = None) -> None:
    """Created within TIMESTAMP_TTL (and not in the future beyond clock skew); not expired."""
    now = now or utcnow()
    ts = security.find(q(WSU, "Timestamp"))
    if ts is None:
        raise SignaturFejl("Tidsstempel (wsu:Timestamp) mangler.")
    created = parse_time(ts.findtext(q(WSU, "Created")))
    expires_text = ts.findtext(q(WSU, "Expires"))
    if now - created > TIMESTAMP_TTL:
        raise SignaturFejl("Tidsstemplet er ældre end 5 minutter (genafspillet besked?).")
    if created - now > timedelta(minutes=5):
        raise SignaturFejl("Tidsstemplet ligger i fremtiden.")
    if expires_text and parse_time(expires_text) <= now:
        raise SignaturFejl("Tidsstemplet er udløbet.")


def check_validity(cert: x509.Certificate, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if now < cert.not_valid_before_utc:
        raise SignaturFejl("Certifikatet er endnu ikke gyldigt.")
    if now >= cert.not_valid_after_utc:
        raise SignaturFejl("Certifikatet er udløbet.")
