"""Function certificates and the SMDB environments they are used in, per myndighed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MiljoeNavn(models.TextChoices):
    TEST = "test", "Test (lokal simulator)"
    PREPROD = "preprod", "PreProd"
    PROD = "prod", "Prod"


class AuthMetode(models.TextChoices):
    INGEN = "none", "Ingen (kun simulatoren)"
    SIGNATUR = "signature", "X.509-signatur (WS-Security)"
    STS = "sts", "NemLog-in STS (OIO IDWS)"


class CertifikatQuerySet(models.QuerySet):
    def for_myndighed(self, myndighed_id: int | None) -> CertifikatQuerySet:
        return self.filter(myndighed_id=myndighed_id) if myndighed_id else self.none()


class Certifikat(models.Model):
    """A function certificate (PKCS#12 uploaded) of one myndighed.

    Only the public certificate is kept in clear; the private key is encrypted
    with FIELD_ENCRYPTION_KEY (certificates.crypto) and the upload's password is
    never stored.
    """

    myndighed = models.ForeignKey(
        "accounts.Myndighed", on_delete=models.PROTECT, related_name="certifikater"
    )
    miljoe = models.CharField("miljø", max_length=10, choices=MiljoeNavn.choices)
    navn = models.CharField("navn", max_length=100, blank=True)
    cert_pem = models.TextField("certifikat (PEM)")
    noegle_krypteret = models.BinaryField("privat nøgle (krypteret)")
    subject = models.CharField(max_length=500)
    issuer = models.CharField("udsteder", max_length=500)
    serienummer = models.CharField(max_length=100)
    gyldig_fra = models.DateTimeField("gyldig fra")
    gyldig_til = models.DateTimeField("gyldig til", db_index=True)
    sha256 = models.CharField("SHA-256-fingeraftryk", max_length=64)
    uploadet = models.DateTimeField(auto_now_add=True)
    uploadet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # R-SKIFT-6: a revoked certificate is never used again.
    spaerret = models.DateTimeField("spærret", null=True, blank=True)
    # Expiry warnings sent (60/30/14/7 days): the smallest threshold mailed so far.
    advaret_dage = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = CertifikatQuerySet.as_manager()

    class Meta:
        verbose_name = "funktionscertifikat"
        verbose_name_plural = "funktionscertifikater"
        ordering = ["-uploadet", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["myndighed", "miljoe", "sha256"], name="certifikat_unik_pr_miljoe"
            )
        ]

    def __str__(self) -> str:
        return self.navn or self.subject

    @property
    def fingeraftryk(self) -> str:
        return ":".join(self.sha256[i : i + 2] for i in range(0, len(self.sha256), 2))

    def udloebet(self, now=None) -> bool:
        return self.gyldig_til <= (now or timezone.now())

    def dage_tilbage(self, now=None) -> int:
        return (self.gyldig_til - (now or timezone.now())).days

    def kan_bruges(self, now=None) -> bool:
        now = now or timezone.now()
        return self.spaerret is None and self.gyldig_fra <= now < self.gyldig_til


class Miljoe(models.Model):
    """Test, PreProd or Prod for one myndighed: where and how its calls go.

    At most one is active per myndighed; without any, calls go to
    settings.SMDB_ENDPOINT without authentication (the local simulator)."""

    myndighed = models.ForeignKey(
        "accounts.Myndighed", on_delete=models.PROTECT, related_name="smdb_miljoeer"
    )
    navn = models.CharField("miljø", max_length=10, choices=MiljoeNavn.choices)
    endpoint = models.URLField("endpoint", max_length=300)
    auth = models.CharField(
        "autentifikation", max_length=10, choices=AuthMetode.choices, default=AuthMetode.INGEN
    )
    sts_url = models.URLField("STS-adresse", max_length=300, blank=True)
    certifikat = models.ForeignKey(
        Certifikat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aktiv = models.BooleanField(default=False)
    aendret = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SMDB-miljø"
        verbose_name_plural = "SMDB-miljøer"
        ordering = ["myndighed", "navn"]
        constraints = [
            models.UniqueConstraint(fields=["myndighed", "navn"], name="miljoe_unik_pr_myndighed"),
            models.UniqueConstraint(
                fields=["myndighed"], condition=Q(aktiv=True), name="et_aktivt_miljoe"
            ),
        ]

    def __str__(self) -> str:
        return self.get_navn_display()


class Haendelse(models.Model):
    """Audit trail of administrator actions on certificates and environments
    (who or which command, when, what). No key material, no password."""

    tidspunkt = models.DateTimeField(auto_now_add=True, db_index=True)
    myndighed = models.ForeignKey("accounts.Myndighed", on_delete=models.PROTECT, related_name="+")
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kilde = models.CharField(max_length=50, default="web")  # "web" or the command's name
    beskrivelse = models.CharField(max_length=300)

    class Meta:
        verbose_name = "certifikat- og miljøhændelse"
        verbose_name_plural = "certifikat- og miljøhændelser"
        ordering = ["-tidspunkt", "-pk"]

    def __str__(self) -> str:
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.beskrivelse}"


class Udfald(models.TextChoices):
    OK = "ok", "OK"
    AFVIST = "afvist", "Afvist af SMDB"  # Succes=false with SMDB's error codes
    FEJL = "fejl", "Fejl"  # SOAP fault, timeout, connection refused, our own refusal


class Besked(models.Model):
    """The message journal: one SOAP call to SMDB (or the simulator), kept for
    settings.SMDB_JOURNAL_RETENTION_DAYS. Bodies are stored with CPR numbers
    masked; the signature is added after the request is captured, so no key
    material is here either."""

    tidspunkt = models.DateTimeField(default=timezone.now, db_index=True)
    myndighed = models.ForeignKey(
        "accounts.Myndighed", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    miljoe = models.CharField("miljø", max_length=10, blank=True)
    endpoint = models.CharField(max_length=300, blank=True)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job = models.CharField("job", max_length=50, blank=True)
    forloeb_ref = models.PositiveBigIntegerField("kontaktforløb", null=True, blank=True)
    handling = models.CharField("handling", max_length=80)
    varighed_ms = models.PositiveIntegerField("varighed (ms)")
    udfald = models.CharField(max_length=10, choices=Udfald.choices)
    fejlkoder = models.JSONField("SMDB's fejlkoder", default=list, blank=True)
    fejl = models.TextField("fejl", blank=True)
    request = models.TextField("forespørgsel", blank=True)
    response = models.TextField("svar", blank=True)

    class Meta:
        verbose_name = "SOAP-besked"
        verbose_name_plural = "beskedjournal"
        ordering = ["-tidspunkt", "-pk"]
        indexes = [
            models.Index(fields=["myndighed", "-tidspunkt"]),
            models.Index(fields=["myndighed", "forloeb_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.tidspunkt:%Y-%m-%d %H:%M:%S} {self.handling} {self.udfald}"

    #: Jobs are stored by their technical names (smdb.sync's "outbox"); the journal
    #: shows them in Danish (issue 23).
    JOB_VISNING = {"outbox": "Afsendelse til SMDB", "smdb_tokentest": "Token-test"}

    @property
    def job_visning(self) -> str:
        return self.JOB_VISNING.get(self.job, self.job)

    @property
    def miljoe_visning(self) -> str:
        """No environment taken into use: the call went to settings.SMDB_ENDPOINT."""
        if self.miljoe in MiljoeNavn.values:
            return MiljoeNavn(self.miljoe).label
        return self.miljoe or "Intet valgt (indstillingernes endpoint)"
