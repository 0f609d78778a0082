"""Writes on certificates and environments. Each writes its audit row
(Haendelse) in the same transaction; no key material or password is logged."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import Myndighed, Rolle, User
from certificates import crypto
from certificates.crypto import CertifikatFejl
from certificates.models import AuthMetode, Certifikat, Haendelse, Miljoe, MiljoeNavn
from smdb import contract


def haendelse(*, myndighed: Myndighed, bruger=None, kilde: str = "web", tekst: str) -> None:
    Haendelse.objects.create(
        myndighed=myndighed, bruger=bruger, kilde=kilde, beskrivelse=tekst[:300]
    )


def standard_endpoint(navn: str) -> str:
    return {
        MiljoeNavn.TEST: settings.SMDB_ENDPOINT,
        MiljoeNavn.PREPROD: contract.PREPROD_BASE,
        MiljoeNavn.PROD: contract.PROD_BASE,
    }[navn]


@sensitive_variables("data", "password", "indlaest")
@transaction.atomic
def certifikat_upload(
    *,
    myndighed: Myndighed,
    data: bytes,
    password: str,
    miljoe: str,
    navn: str = "",
    bruger=None,
    kilde: str = "web",
) -> Certifikat:
    """Read, check and store a PKCS#12 certificate; CertifikatFejl stores nothing."""
    indlaest = crypto.laes_pkcs12(data, password)
    if Certifikat.objects.filter(myndighed=myndighed, miljoe=miljoe, sha256=indlaest.sha256):
        raise CertifikatFejl("Certifikatet er allerede uploadet til dette miljø.")
    cert = Certifikat.objects.create(
        myndighed=myndighed,
        miljoe=miljoe,
        navn=navn,
        cert_pem=indlaest.cert_pem.decode("ascii"),
        noegle_krypteret=crypto.encrypt(indlaest.key_pem),
        subject=indlaest.subject,
        issuer=indlaest.issuer,
        serienummer=indlaest.serienummer,
        gyldig_fra=indlaest.gyldig_fra,
        gyldig_til=indlaest.gyldig_til,
        sha256=indlaest.sha256,
        uploadet_af=bruger,
    )
    haendelse(
        myndighed=myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"Certifikat uploadet til {cert.get_miljoe_display()}: {cert.subject} "
        f"(SHA-256 {cert.sha256[:16]}…)",
    )
    return cert


def _miljoe(myndighed: Myndighed, navn: str) -> Miljoe:
    miljoe, _ = Miljoe.objects.select_for_update().get_or_create(
        myndighed=myndighed,
        navn=navn,
        defaults={
            "endpoint": standard_endpoint(navn),
            "auth": AuthMetode.SIGNATUR if navn == MiljoeNavn.TEST else AuthMetode.STS,
        },
    )
    return miljoe


def miljoe_til_test(*, certifikat: Certifikat) -> Miljoe:
    """The certificate's environment as configured, with this certificate in it;
    not saved (nothing changes until it is taken into use)."""
    miljoe = Miljoe.objects.filter(
        myndighed_id=certifikat.myndighed_id, navn=certifikat.miljoe
    ).first() or Miljoe(
        myndighed_id=certifikat.myndighed_id,
        navn=certifikat.miljoe,
        endpoint=standard_endpoint(certifikat.miljoe),
        auth=AuthMetode.SIGNATUR if certifikat.miljoe == MiljoeNavn.TEST else AuthMetode.STS,
    )
    if miljoe.auth == AuthMetode.INGEN:
        miljoe.auth = AuthMetode.SIGNATUR
    miljoe.certifikat = certifikat
    return miljoe


@transaction.atomic
def certifikat_aktiver(*, certifikat: Certifikat, bruger=None, kilde: str = "web") -> Miljoe:
    """Make the certificate the one its environment uses. Rotation: the previous
    one stays stored (usable again) until it is removed or revoked, so there is
    no gap: calls switch from the old to the new at this commit."""
    certifikat = Certifikat.objects.select_for_update().get(pk=certifikat.pk)
    if certifikat.spaerret:
        raise CertifikatFejl("Certifikatet er spærret og kan ikke bruges igen (R-SKIFT-6).")
    if not certifikat.kan_bruges():
        raise CertifikatFejl("Certifikatet er udløbet eller endnu ikke gyldigt.")
    miljoe = _miljoe(certifikat.myndighed, certifikat.miljoe)
    forrige = miljoe.certifikat
    miljoe.certifikat = certifikat
    miljoe.save(update_fields=["certifikat", "aendret"])
    haendelse(
        myndighed=certifikat.myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"Certifikat taget i brug i {miljoe}: {certifikat.subject}"
        + (f" (afløser {forrige.subject}, {forrige.sha256[:16]}…)" if forrige else ""),
    )
    return miljoe


@transaction.atomic
def certifikat_spaer(*, certifikat: Certifikat, bruger=None, kilde: str = "web") -> None:
    """R-SKIFT-6: revoke, e.g. when the myndighed changes supplier. A revoked
    certificate is never used again: it is taken out of its environment now and
    the auth strategies refuse it (Certifikat.kan_bruges)."""
    certifikat = Certifikat.objects.select_for_update().get(pk=certifikat.pk)
    if certifikat.spaerret:
        return
    certifikat.spaerret = timezone.now()
    certifikat.save(update_fields=["spaerret"])
    Miljoe.objects.filter(certifikat=certifikat).update(certifikat=None)
    haendelse(
        myndighed=certifikat.myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"Certifikat spærret (R-SKIFT-6): {certifikat.subject}",
    )


@transaction.atomic
def certifikat_slet(*, certifikat: Certifikat, bruger=None, kilde: str = "web") -> None:
    if Miljoe.objects.filter(certifikat=certifikat).exists():
        raise CertifikatFejl(
            "Certifikatet er i brug i et miljø: tag et andet i brug eller spær det først."
        )
    haendelse(
        myndighed=certifikat.myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"Certifikat fjernet: {certifikat.subject} ({certifikat.sha256[:16]}…)",
    )
    certifikat.delete()


@transaction.atomic
def miljoe_gem(
    *,
    myndighed: Myndighed,
    navn: str,
    endpoint: str,
    auth: str,
    sts_url: str = "",
    bruger=None,
    kilde: str = "web",
) -> Miljoe:
    if auth == AuthMetode.STS and not sts_url:
        raise CertifikatFejl("STS-godkendelse kræver en STS-adresse.")
    miljoe = _miljoe(myndighed, navn)
    miljoe.endpoint, miljoe.auth, miljoe.sts_url = endpoint, auth, sts_url
    miljoe.save()
    haendelse(
        myndighed=myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"{miljoe} sat op: {endpoint}, {miljoe.get_auth_display()}"
        + (f", STS {sts_url}" if sts_url else ""),
    )
    return miljoe


@transaction.atomic
def miljoe_aktiver(*, miljoe: Miljoe, bruger=None, kilde: str = "web") -> Miljoe:
    """Switch the myndighed's calls to this environment (audited)."""
    forrige = (
        Miljoe.objects.select_for_update().filter(myndighed=miljoe.myndighed, aktiv=True).first()
    )
    if forrige and forrige.pk == miljoe.pk:
        return miljoe
    if forrige:
        forrige.aktiv = False
        forrige.save(update_fields=["aktiv", "aendret"])
    miljoe.aktiv = True
    miljoe.save(update_fields=["aktiv", "aendret"])
    haendelse(
        myndighed=miljoe.myndighed,
        bruger=bruger,
        kilde=kilde,
        tekst=f"Aktivt SMDB-miljø skiftet: {forrige or 'ingen'} → {miljoe}",
    )
    return miljoe


@transaction.atomic
def genkrypter_noegler() -> int:
    """Re-encrypt every stored key with the first FIELD_ENCRYPTION_KEY."""
    n = 0
    for cert in Certifikat.objects.select_for_update():
        cert.noegle_krypteret = crypto.rotate(cert.noegle_krypteret)
        cert.save(update_fields=["noegle_krypteret"])
        n += 1
    return n


def advar_om_udloeb(*, now=None) -> int:
    """E-mail the myndighed's administrators when a certificate in use comes
    within 60, 30, 14 or 7 days of expiry; each threshold once (compare-and-set
    on ``advaret_dage``, so two beat runs never send the same warning twice).
    Returns how many warnings were sent."""
    from certificates.selectors import advarsel_taerskel, i_brug

    now = now or timezone.now()
    sent = 0
    for cert in i_brug().select_related("myndighed").defer("noegle_krypteret"):
        taerskel = advarsel_taerskel(cert, now)
        if taerskel is None or (cert.advaret_dage is not None and cert.advaret_dage <= taerskel):
            continue
        claimed = Certifikat.objects.filter(pk=cert.pk, advaret_dage=cert.advaret_dage).update(
            advaret_dage=taerskel
        )
        if not claimed:
            continue
        modtagere = list(
            User.objects.filter(myndighed=cert.myndighed, rolle=Rolle.ADMINISTRATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if modtagere:
            dage = max(cert.dage_tilbage(now), 0)
            send_mail(
                f"smdb-web: funktionscertifikat udløber om {dage} dage",
                f"Funktionscertifikatet {cert.subject} ({cert.get_miljoe_display()}) for "
                f"{cert.myndighed} udløber {timezone.localtime(cert.gyldig_til):%d.%m.%Y}.\n\n"
                "Upload det nye certifikat under Certifikater og miljøer, tryk "
                "'Test forbindelse' og tag det i brug; det gamle bruges, til det nye er "
                "taget i brug.\n",
                None,
                modtagere,
            )
            sent += 1
    return sent
