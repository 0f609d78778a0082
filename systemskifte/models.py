"""A system change (vejledning-systemskifte.txt, R-SKIFT-1..6) as a persisted job,
one row per citizen with the step it has reached, and the reconciliation with SMDB.

The steps are rows, the way open-forms keeps ``SubmissionStep`` rows: a job that
is stopped or whose worker dies continues from them, and a step whose outbox
operations were committed is never made again (the row's ``trin`` moves in the
same transaction as the operations are recorded).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Myndighed
from smdb.rules.cpr import maskeret


class Model(models.TextChoices):
    MODEL1 = "model1", "Model 1 – med historik"
    MODEL2 = "model2", "Model 2 – uden historik"
    MELLEMLOESNING = "mellemloesning", "Mellemløsning"


class JobStatus(models.TextChoices):
    KOERER = "koerer", "Kører"
    STOPPET = "stoppet", "Stoppet"
    FAERDIG = "faerdig", "Færdig"
    FEJLET = "fejlet", "Fejlet"


class Systemskifte(models.Model):
    myndighed = models.ForeignKey(Myndighed, on_delete=models.PROTECT, related_name="systemskifter")
    model = models.CharField("model", max_length=20, choices=Model.choices)
    skiftedato = models.DateField("systemskiftedato")
    proevekoersel = models.BooleanField("prøvekørsel", default=False)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.KOERER)
    stop_oensket = models.BooleanField(default=False)
    #: The fetch of the active list is done once; a re-run never fetches it again
    #: (forløb the job already closed are no longer on it).
    liste_hentet = models.BooleanField(default=False)
    fejl = models.TextField("fejl", blank=True)
    startet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    oprettet = models.DateTimeField(auto_now_add=True)
    sidst_aktiv = models.DateTimeField(null=True, blank=True)
    afsluttet = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "systemskifte"
        verbose_name_plural = "systemskifter"
        ordering = ["-oprettet", "-pk"]

    def __str__(self) -> str:
        return f"Systemskifte {self.pk} ({self.get_model_display()})"


class Trin(models.TextChoices):
    NY = "ny", "Ikke hentet endnu"
    HENTET = "hentet", "Hentet og planlagt"
    LUKNING_SENDT = "lukning_sendt", "Lukning sendt"
    LUKKET = "lukket", "Lukket i SMDB"
    GENSTART_SENDT = "genstart_sendt", "Nyt forløb sendt"
    GENSENDING_SENDT = "gensending_sendt", "Slettet og gensendt"
    FAERDIG = "faerdig", "Færdig"
    FEJL = "fejl", "Fejl"


AFSLUTTENDE_TRIN = (Trin.FAERDIG, Trin.FEJL)


class SkifteBorger(models.Model):
    """One citizen's active forløb in a system change and how far it has come.

    ``smdb_data``: the forløb as fetched from SMDB, by schema (Ids and values as
    JSON). ``plan``: the operations, in Danish, in the order they are sent.
    For model 2, ``gammelt_forloeb`` (closed on the change date) and
    ``nyt_forloeb`` (from the next day) are the pair DST counts once (R-SKIFT-4).
    """

    skifte = models.ForeignKey(Systemskifte, on_delete=models.CASCADE, related_name="borgere")
    anmodning_id = models.BigIntegerField("SMDB AnmodningId")
    person_identifikator = models.CharField("CPR-nummer", max_length=10)
    smdb_data = models.JSONField(default=dict)
    plan = models.JSONField(default=list)
    #: The schemas the plan sends and what SMDB holds after (``Plan.forventet``),
    #: stored with the plan before anything is sent; the real run sends these.
    forventet = models.JSONField(default=dict)
    glemt = models.BooleanField("glemt sag", default=False)
    #: SMDB's forløb is one smdb-web sent (its AnmodningId is stored here): every
    #: model leaves it alone.
    allerede_i_smdb_web = models.BooleanField("allerede i smdb-web", default=False)
    trin = models.CharField(max_length=20, choices=Trin.choices, default=Trin.NY, db_index=True)
    fejl = models.TextField(blank=True)
    gammelt_forloeb = models.ForeignKey(
        "cases.Kontaktforloeb",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="systemskifte_som_gammelt",
    )
    nyt_forloeb = models.ForeignKey(
        "cases.Kontaktforloeb",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="systemskifte_som_nyt",
    )
    aendret = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "borger i systemskifte"
        verbose_name_plural = "borgere i systemskifte"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["skifte", "anmodning_id"], name="en_borger_pr_anmodning"
            )
        ]

    def __str__(self) -> str:
        # Never the CPR number.
        return f"Anmodning {self.anmodning_id} i systemskifte {self.skifte_id}"

    @property
    def cpr_maskeret(self) -> str:
        return maskeret(self.person_identifikator)


class AfstemningStatus(models.TextChoices):
    VENTER = "venter", "Venter"
    KOERER = "koerer", "Kører"
    FAERDIG = "faerdig", "Færdig"
    FEJLET = "fejlet", "Fejlet"


UFAERDIGE_AFSTEMNINGER = (AfstemningStatus.VENTER, AfstemningStatus.KOERER)


class Afstemning(models.Model):
    """One comparison of the myndighed's active forløb in SMDB with ours (nightly,
    or from the kontrolliste's button). A run is a job (issue 23): created
    "venter", claimed once with a compare-and-set ("kører"), its progress and
    ``sidst_aktiv`` (the heartbeat) written as it goes; at most one unfinished run
    per myndighed."""

    myndighed = models.ForeignKey(Myndighed, on_delete=models.PROTECT, related_name="afstemninger")
    startet = models.DateTimeField(auto_now_add=True)
    afsluttet = models.DateTimeField(null=True, blank=True)
    startet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=AfstemningStatus.choices, default=AfstemningStatus.VENTER
    )
    #: The forløb to compare (None until SMDB's active list is fetched) and how
    #: many of them are compared so far.
    antal_i_alt = models.PositiveIntegerField(null=True, blank=True)
    antal_sammenlignet = models.PositiveIntegerField(default=0)
    sidst_aktiv = models.DateTimeField(null=True, blank=True)
    antal_smdb = models.PositiveIntegerField(default=0)
    antal_her = models.PositiveIntegerField(default=0)
    fejl = models.TextField(blank=True)

    class Meta:
        verbose_name = "afstemning med SMDB"
        verbose_name_plural = "afstemninger med SMDB"
        ordering = ["-startet", "-pk"]
        constraints = [
            # A double click or two leders at once never start two runs.
            models.UniqueConstraint(
                fields=["myndighed"],
                condition=models.Q(status__in=["venter", "koerer"]),
                name="en_ufaerdig_afstemning_pr_myndighed",
            )
        ]

    def __str__(self) -> str:
        return f"Afstemning {self.pk}"

    @property
    def ufaerdig(self) -> bool:
        return self.status in UFAERDIGE_AFSTEMNINGER


class AfvigelseType(models.TextChoices):
    KUN_I_SMDB = "kun_i_smdb", "Aktivt i SMDB, findes ikke her"
    MANGLER_I_SMDB = "mangler_i_smdb", "Aktivt her, findes ikke i SMDB"
    AFSLUTTET_I_SMDB = "afsluttet_i_smdb", "Afsluttet i SMDB, aktivt her"
    AFSLUTTET_HER = "afsluttet_her", "Afsluttet her, aktivt i SMDB"
    VAERDIER = "vaerdier", "Forskellige oplysninger"


class AfvigelseStatus(models.TextChoices):
    AABEN = "aaben", "Åben"
    RETTET = "rettet", "Rettet"


class Afvigelse(models.Model):
    """One difference between SMDB and us, on the kontrolliste until a person fixes it."""

    afstemning = models.ForeignKey(Afstemning, on_delete=models.CASCADE, related_name="afvigelser")
    myndighed = models.ForeignKey(Myndighed, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=20, choices=AfvigelseType.choices)
    forloeb = models.ForeignKey(
        "cases.Kontaktforloeb", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anmodning_id = models.BigIntegerField("SMDB AnmodningId", null=True, blank=True)
    person_identifikator = models.CharField(max_length=10, blank=True)
    detaljer = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=AfvigelseStatus.choices, default=AfvigelseStatus.AABEN
    )
    rettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rettet = models.DateTimeField(null=True, blank=True)
    rettelse = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "afvigelse fra SMDB"
        verbose_name_plural = "afvigelser fra SMDB"
        ordering = ["type", "pk"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.pk})"

    @property
    def cpr_maskeret(self) -> str:
        return maskeret(self.person_identifikator)
