"""A kontaktforløb and its four SMDB schemas.

Kontaktforløb = Anmodning (ANM) -> Iværksættelse (IVÆR) -> Tilbudstilknytning(er)
(TILB) -> Afslutning (AFSL), one citizen (CPR) in one myndighed. The schema
fields come from ``smdb.fields`` via ``cases.schema_models``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Myndighed
from cases.schema_models import schema_model_base, smdb_values
from smdb.fields import AFSLUTNING, ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING
from smdb.rules.cpr import maskeret


class KontaktforloebQuerySet(models.QuerySet):
    def for_myndighed(self, myndighed_id: int | None) -> KontaktforloebQuerySet:
        """The one place a forløb query is narrowed to a myndighed."""
        return self.filter(myndighed_id=myndighed_id) if myndighed_id else self.none()


class Kontaktforloeb(models.Model):
    myndighed = models.ForeignKey(Myndighed, on_delete=models.PROTECT, related_name="forloeb")
    person_identifikator = models.CharField("6-ANM CPR-nummer", max_length=10, db_index=True)
    oprettet = models.DateTimeField(auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # R-SKIFT-3 (mellemløsning): a forløb from before the system change, imported to
    # be seen here but maintained in SMDB's own web form until it ends; read-only.
    vedligeholdes_i_smdb_web = models.BooleanField("vedligeholdes i SMDB-web", default=False)

    objects = KontaktforloebQuerySet.as_manager()

    class Meta:
        verbose_name = "kontaktforløb"
        verbose_name_plural = "kontaktforløb"
        indexes = [models.Index(fields=["myndighed", "person_identifikator"])]

    def __str__(self) -> str:
        # Never the CPR number: __str__ ends up in logs and admin breadcrumbs.
        return f"Kontaktforløb {self.pk}"

    @property
    def kommune_kode(self) -> int:
        return self.myndighed.kommune_kode

    @property
    def cpr_formatted(self) -> str:
        return f"{self.person_identifikator[:6]}-{self.person_identifikator[6:]}"

    @property
    def cpr_maskeret(self) -> str:
        """For lists of many citizens: the birth date only. The full number is shown
        on the case page, whose every view is audit-logged."""
        return maskeret(self.person_identifikator)


class SyncStatus(models.TextChoices):
    IKKE_SENDT = "ikke_sendt", "Ikke sendt"
    AFVENTER = "afventer", "Afventer"
    SENDT = "sendt", "Sendt"
    AFVIST = "afvist", "Afvist af SMDB med fejl"
    FEJL = "fejl", "Fejl – prøver igen"


#: The largest ``version`` (a PositiveIntegerField on every database Django supports).
VERSION_MAX = 2_147_483_647


class Skema(models.Model):
    """What every schema row has besides its SMDB fields."""

    smdb_id = models.BigIntegerField("SMDB Id", null=True, blank=True, editable=False)
    sync_status = models.CharField(
        "synkronisering",
        max_length=20,
        choices=SyncStatus.choices,
        default=SyncStatus.IKKE_SENDT,
        editable=False,
    )
    # Optimistic locking: a save must name the version it was edited from.
    version = models.PositiveIntegerField(default=1, editable=False)
    oprettet = models.DateTimeField(auto_now_add=True)
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    aendret = models.DateTimeField(auto_now=True)
    aendret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    schema = None  # set by subclasses: the smdb.fields.Schema

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.schema.title} i kontaktforløb {self.forloeb_id}"

    def smdb_values(self) -> dict:
        return smdb_values(self, self.schema)


class Anmodning(Skema, schema_model_base(ANMODNING, __name__)):  # noqa: DJ008 (__str__ on Skema)
    schema = ANMODNING
    forloeb = models.OneToOneField(
        Kontaktforloeb, on_delete=models.CASCADE, related_name="anmodning"
    )

    class Meta:
        verbose_name = "anmodning"
        verbose_name_plural = "anmodninger"


class Ivaerksaettelse(Skema, schema_model_base(IVAERKSAETTELSE, __name__)):  # noqa: DJ008 (__str__ on Skema)
    schema = IVAERKSAETTELSE
    # R-IVAER-1/R-IVAER-2: one Iværksættelse per Anmodning, belonging to exactly one.
    forloeb = models.OneToOneField(
        Kontaktforloeb, on_delete=models.CASCADE, related_name="ivaerksaettelse"
    )

    class Meta:
        verbose_name = "iværksættelse"
        verbose_name_plural = "iværksættelser"


class Tilbudstilknytning(Skema, schema_model_base(TILBUDSTILKNYTNING, __name__)):  # noqa: DJ008 (__str__ on Skema)
    schema = TILBUDSTILKNYTNING
    forloeb = models.ForeignKey(
        Kontaktforloeb, on_delete=models.CASCADE, related_name="tilbudstilknytninger"
    )

    class Meta:
        verbose_name = "tilbudstilknytning"
        verbose_name_plural = "tilbudstilknytninger"
        # Registration order: R-DEL-1 deletes bagfra, the newest registered first, and
        # the rule engine reads the list in this order (smdb.rules.deletion).
        ordering = ["pk"]


class Afslutning(Skema, schema_model_base(AFSLUTNING, __name__)):  # noqa: DJ008 (__str__ on Skema)
    schema = AFSLUTNING
    # R-AFSL-1: at most one Afslutning per kontaktforløb.
    forloeb = models.OneToOneField(
        Kontaktforloeb, on_delete=models.CASCADE, related_name="afslutning"
    )

    class Meta:
        verbose_name = "afslutning"
        verbose_name_plural = "afslutninger"


class Tilbud(models.Model):
    """DST's catalogue of treatment offers (HentAlleTilbud), 1-TILB refers to TilbudId."""

    tilbud_id = models.PositiveIntegerField("TilbudId", unique=True)
    navn = models.CharField("navn", max_length=200)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    postnummer = models.CharField("postnummer", max_length=4, blank=True, db_index=True)
    kommune = models.CharField("kommune", max_length=100, blank=True)

    class Meta:
        verbose_name = "tilbud"
        verbose_name_plural = "tilbud"
        ordering = ["navn"]

    def __str__(self) -> str:
        return f"{self.navn} ({self.postnummer} {self.kommune})".strip()


class Kladde(models.Model):
    """A half-filled schema a caseworker is working on, kept per user (R-GEN-2: a
    draft is never sent to SMDB; only the service that saves the schema is).

    The IVÆR wizard saves each step here as it is filled in, the way open-forms keeps
    ``SubmissionStep`` rows, so a draft survives logging out and is resumed later.
    ``data`` is what was typed, as the form received it (form field name -> list of
    strings), so that even an entry the form cannot read yet is kept.
    """

    forloeb = models.ForeignKey(Kontaktforloeb, on_delete=models.CASCADE, related_name="kladder")
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kladder"
    )
    schema = models.CharField(
        "skema",
        max_length=20,
        choices=[(s.key, s.title) for s in (IVAERKSAETTELSE, TILBUDSTILKNYTNING, AFSLUTNING)],
    )
    # 0 for a schema not created yet; otherwise the pk of the row being edited.
    skema_pk = models.PositiveBigIntegerField(default=0)
    # For an edit: the row's version when the edit began (optimistic locking).
    version = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    trin = models.CharField("seneste trin", max_length=30, blank=True)
    oprettet = models.DateTimeField(auto_now_add=True)
    aendret = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kladde"
        verbose_name_plural = "kladder"
        ordering = ["-aendret", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forloeb", "bruger", "schema", "skema_pk"],
                name="en_kladde_pr_bruger_og_skema",
            )
        ]

    def __str__(self) -> str:
        return f"Kladde til {self.get_schema_display().lower()} i kontaktforløb {self.forloeb_id}"

    @property
    def er_redigering(self) -> bool:
        return bool(self.skema_pk)
