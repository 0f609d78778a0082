"""Authentication strategies for SMDB calls, one per environment (Miljoe.auth).

Each is a zeep ``wsse`` object (``apply`` signs the outgoing envelope, ``verify``
looks at the reply):

- ``X509Signatur``: WS-Security with a BinarySecurityToken (the function
  certificate), a Timestamp, and an RSA-SHA256 signature over Body and Timestamp.
- ``NemLoginSts``: OIO IDWS. A WS-Trust 1.3 Issue request, signed with the
  function certificate, gets a SAML 2.0 holder-of-key token from the STS; the
  token is cached until shortly before it expires; each SMDB call carries the
  token and a signature (Body, Timestamp) with the certificate's key, referring
  to the token by its SAML ID, as the LIB-BAS profile's examples show
  (digst/OIOIDWS.Net, Misc/SOAP examples).

ASSUMED until DST's "STS-vejledning" confirms it (also in the README):
- the STS address and AppliesTo (we send the environment's endpoint as
  AppliesTo); the token is taken as opaque XML (an Assertion or an
  EncryptedAssertion for SMDB) and its lifetime from the RSTR's Lifetime;
- the LIB-BAS reference to the token by STR-Transform is left out (xmlsec has
  no STR-Transform); the signature covers Body and Timestamp;
- SMDB's replies are not signature-checked by us (no certificate of DST's to
  check them with yet; the connection is TLS). ``verify`` passes them on.

A revoked, expired or not-yet-valid certificate is never used to sign
(R-SKIFT-6 for revocation): ``apply`` raises instead.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from lxml import etree

from certificates import crypto
from certificates.models import Certifikat
from smdb.client import (
    SmdbError,
    SmdbProtocolError,
    SmdbTransportError,
    http_session,
    post_begraenset,
)
from smdb.wssec import (
    SAML2_TOKEN,
    SOAP11,
    WSA,
    WSP,
    WST,
    WSU,
    Noegle,
    SignaturFejl,
    add_timestamp,
    binary_security_token,
    parse,
    parse_time,
    q,
    security_header,
    sign,
    str_reference,
    str_saml,
    utcnow,
)

ISSUE_ACTION = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"
ISSUE = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue"
PUBLIC_KEY = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey"


class CertifikatIkkeBrugbart(SmdbProtocolError):
    """No usable certificate: a person must upload or activate one."""


class Ingen:
    """The environment needs a certificate it does not have: every call fails with
    a clear Danish reason (instead of being sent unauthenticated)."""

    def __init__(self, grund: str):
        self.grund = grund

    def apply(self, envelope, headers):
        raise CertifikatIkkeBrugbart(self.grund)

    def verify(self, envelope):
        return envelope


_noegler: dict[tuple[int, str], Noegle] = {}
_noegler_lock = threading.Lock()


def noegle_for(certifikat: Certifikat) -> Noegle:
    """The certificate's private key, decrypted and parsed once per process: keyed
    on the certificate's id and fingerprint, so a replaced certificate never
    signs with the key of the one before (issue 21)."""
    key = (certifikat.pk, certifikat.sha256)
    with _noegler_lock:
        found = _noegler.get(key)
    if found is None:
        found = Noegle(crypto.decrypt(certifikat.noegle_krypteret))
        with _noegler_lock:
            _noegler[key] = found
    return found


class _MedCertifikat:
    def __init__(self, certifikat: Certifikat):
        self.certifikat = certifikat
        self.cert_pem = certifikat.cert_pem.encode("ascii")

    def key_pem(self) -> Noegle:
        """The key to sign with (parsed once, noegle_for), if the certificate may be used."""
        c = self.certifikat
        if c.spaerret:
            raise CertifikatIkkeBrugbart(
                f"Certifikatet {c.subject} er spærret og bruges aldrig igen (R-SKIFT-6)."
            )
        now = utcnow()
        if now >= c.gyldig_til:
            raise CertifikatIkkeBrugbart(
                f"Certifikatet {c.subject} udløb {c.gyldig_til:%d.%m.%Y}: upload et nyt."
            )
        if now < c.gyldig_fra:
            raise CertifikatIkkeBrugbart(f"Certifikatet {c.subject} er endnu ikke gyldigt.")
        return noegle_for(c)

    def verify(self, envelope):
        return envelope  # see the module docstring: replies are not signature-checked


class X509Signatur(_MedCertifikat):
    def apply(self, envelope, headers):
        key_pem = self.key_pem()
        security = security_header(envelope)
        timestamp = add_timestamp(security)
        bst = binary_security_token(self.cert_pem)
        timestamp.addnext(bst)
        body = envelope.find(q(etree.QName(envelope).namespace, "Body"))
        sign(
            envelope,
            security,
            key_pem=key_pem,
            nodes=[body, timestamp],
            key_info=str_reference(bst),
        )
        return envelope, headers


@dataclass(frozen=True)
class StsToken:
    xml: bytes  # the Assertion or EncryptedAssertion, opaque to us
    saml_id: str
    udloeber: datetime


class StsFejl(SmdbTransportError):
    """The STS did not issue a token (its fault text is kept)."""


def _token_id(token: etree._Element) -> str:
    """A SAML assertion's ID, or an EncryptedAssertion's EncryptedData wsu:Id."""
    if token.get("ID"):
        return token.get("ID")
    for el in token.iter():
        if el.get(q(WSU, "Id")) or el.get("Id"):
            return el.get(q(WSU, "Id")) or el.get("Id")
    raise StsFejl("STS'ens token har intet ID.")


def rst_envelope(
    *, sts_url: str, applies_to: str, cert_pem: bytes, key_pem: bytes | Noegle
) -> bytes:
    """A WS-Trust 1.3 Issue request for a holder-of-key SAML 2.0 token, signed
    (Action, MessageID, To, Timestamp, BinarySecurityToken, Body) as in
    OIOIDWS.Net's 'Examples generated by Digst.OioIdws.Wsc/Request.xml'."""
    env = etree.Element(
        q(SOAP11, "Envelope"),
        nsmap={"s": SOAP11, "wsa": WSA, "wst": WST, "wsu": WSU, "wsp": WSP},
    )
    header = etree.SubElement(env, q(SOAP11, "Header"))
    addressing = [
        etree.SubElement(header, q(WSA, "Action")),
        etree.SubElement(header, q(WSA, "MessageID")),
        etree.SubElement(header, q(WSA, "To")),
    ]
    addressing[0].text = ISSUE_ACTION
    addressing[1].text = f"urn:uuid:{uuid.uuid4()}"
    addressing[2].text = sts_url
    body = etree.SubElement(env, q(SOAP11, "Body"))
    rst = etree.SubElement(body, q(WST, "RequestSecurityToken"), Context=f"urn:uuid:{uuid.uuid4()}")
    etree.SubElement(rst, q(WST, "TokenType")).text = SAML2_TOKEN
    etree.SubElement(rst, q(WST, "RequestType")).text = ISSUE
    etree.SubElement(rst, q(WST, "KeyType")).text = PUBLIC_KEY
    etree.SubElement(rst, q(WST, "UseKey")).append(binary_security_token(cert_pem))
    applies = etree.SubElement(rst, q(WSP, "AppliesTo"))
    epr = etree.SubElement(applies, q(WSA, "EndpointReference"))
    etree.SubElement(epr, q(WSA, "Address")).text = applies_to
    security = security_header(env)
    timestamp = add_timestamp(security)
    bst = binary_security_token(cert_pem)
    timestamp.addnext(bst)
    sign(
        env,
        security,
        key_pem=key_pem,
        nodes=[*addressing, timestamp, bst, body],
        key_info=str_reference(bst),
    )
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def parse_rstr(content: bytes) -> StsToken:
    try:
        root = parse(content)
    except etree.XMLSyntaxError as exc:
        raise StsFejl(f"STS'ens svar er ikke XML: {exc}") from exc
    fault = root.find(f".//{q(SOAP11, 'Fault')}")
    if fault is not None:
        raise StsFejl(f"STS'en afviste: {fault.findtext('faultstring') or 'ukendt fejl'}")
    rstr = root.find(f".//{q(WST, 'RequestSecurityTokenResponse')}")
    requested = rstr.find(q(WST, "RequestedSecurityToken")) if rstr is not None else None
    if requested is None or len(requested) != 1:
        raise StsFejl("STS'ens svar indeholder intet token.")
    token = requested[0]
    expires = rstr.findtext(f"{q(WST, 'Lifetime')}/{q(WSU, 'Expires')}")
    try:
        udloeber = parse_time(expires)
    except SignaturFejl as exc:
        raise StsFejl("STS'ens svar har ingen gyldig levetid (Lifetime/Expires).") from exc
    return StsToken(xml=etree.tostring(token), saml_id=_token_id(token), udloeber=udloeber)


class NemLoginSts(_MedCertifikat):
    def __init__(self, certifikat: Certifikat, *, sts_url: str, applies_to: str):
        super().__init__(certifikat)
        self.sts_url = sts_url
        self.applies_to = applies_to
        self._token: StsToken | None = None
        self._lock = threading.Lock()

    def token(self) -> StsToken:
        """The cached token, or a new one when it expires within the margin."""
        margin = timedelta(seconds=settings.SMDB_STS_TOKEN_MARGIN)
        with self._lock:
            if self._token is None or self._token.udloeber - margin <= utcnow():
                self._token = self.hent_token()
            return self._token

    def hent_token(self) -> StsToken:
        message = rst_envelope(
            sts_url=self.sts_url,
            applies_to=self.applies_to,
            cert_pem=self.cert_pem,
            key_pem=self.key_pem(),
        )
        try:
            # Within the same deadline, size limit and no-redirect rule as SMDB calls.
            with http_session() as session:
                response = post_begraenset(
                    session,
                    self.sts_url,
                    data=message,
                    headers={
                        "Content-Type": "text/xml; charset=utf-8",
                        "SOAPAction": ISSUE_ACTION,
                    },
                    timeout=settings.SMDB_TIMEOUT,
                )
        except SmdbError as exc:
            raise StsFejl(f"STS'en: {exc}") from exc
        except requests.RequestException as exc:
            raise StsFejl(f"STS'en svarer ikke: {type(exc).__name__}") from exc
        if 300 <= response.status_code < 400:
            raise StsFejl(f"STS'en omdirigerer (HTTP {response.status_code}); det følges ikke.")
        if response.status_code >= 500 and "xml" not in response.headers.get("Content-Type", ""):
            raise StsFejl(f"STS'en svarede HTTP {response.status_code}")
        return parse_rstr(response.content)

    def apply(self, envelope, headers):
        key_pem = self.key_pem()
        token = self.token()
        security = security_header(envelope)
        timestamp = add_timestamp(security)
        timestamp.addnext(parse(token.xml))
        body = envelope.find(q(etree.QName(envelope).namespace, "Body"))
        sign(
            envelope,
            security,
            key_pem=key_pem,
            nodes=[body, timestamp],
            key_info=str_saml(token.saml_id),
        )
        return envelope, headers
