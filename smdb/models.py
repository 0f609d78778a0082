"""The outbox: every create, edit and delete of a schema that SMDB must hear about."""

from django.db import models


class SyncAction(models.TextChoices):
    # First send of a schema: Indsaet* without Id (AfslutBehandling for AFSL).
    INDSAET = "indsaet", "Indsæt"
    # "Rediger": Indsaet* with the schema's SMDB Id, which updates it (see smdb.sync).
    RET = "ret", "Ret"
    SLET = "slet", "Slet"


class SyncOperationStatus(models.TextChoices):
    VENTER = "venter", "Venter"  # queued, not yet claimed
    SENDER = "sender", "Sendes"  # claimed by a worker; the call may be under way
    SENDT = "sendt", "Sendt"  # SMDB said yes
    AFVIST = "afvist", "Afvist af SMDB"  # rule rejection: waits for a person
    FEJL = "fejl", "Fejl – prøver igen"  # transient error: retried at next_attempt_at
    OPGIVET = "opgivet", "Fejl – kræver handling"  # not retried automatically any more
    BLOKERET = "blokeret", "Venter på et andet skema"  # its parent has no SMDB Id yet
    ANNULLERET = "annulleret", "Annulleret"  # never needed (e.g. deleted before sent)


#: What a caseworker may send again with "Prøv igen" (smdb.outbox.retry).
PROEV_IGEN = (
    SyncOperationStatus.AFVIST,
    SyncOperationStatus.FEJL,
    SyncOperationStatus.OPGIVET,
    SyncOperationStatus.BLOKERET,
)


class SyncOperation(models.Model):
    """One change to send to SMDB, written in the same transaction as the change.

    It outlives the schema row (a deletion must still reach SMDB), so it keeps
    plain ids besides the nullable forløb foreign key: ``forloeb_ref`` is the
    forløb's id, ``object_id`` the schema row's id.
    """

    forloeb = models.ForeignKey(
        "cases.Kontaktforloeb",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sync_operationer",
    )
    forloeb_ref = models.PositiveBigIntegerField("kontaktforløb", db_index=True)
    schema = models.CharField(max_length=20)  # smdb.fields.SCHEMAS key
    object_id = models.PositiveBigIntegerField("skemaets id")
    action = models.CharField(max_length=10, choices=SyncAction.choices)
    # What was sent or is to be sent: values keyed by SMDB variable (JSON),
    # PersonIdentifikator/KommuneKode for an Anmodning, the SMDB Id if known.
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12,
        choices=SyncOperationStatus.choices,
        default=SyncOperationStatus.VENTER,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The claim names its worker process ("host:pid") and holds until lease_until,
    # renewed while the worker sends; an expired lease is taken over (smdb.sync).
    claimed_by = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    smdb_id = models.BigIntegerField("SMDB Id", null=True, blank=True)
    # SMDB's answer: {"succes": bool, "id": int, "fejl": [{kode, tekst, felt_id, variabel}]}
    smdb_response = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SMDB-synkronisering"
        verbose_name_plural = "SMDB-synkroniseringer"
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["schema", "object_id"]),
            models.Index(fields=["forloeb_ref", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.schema} {self.object_id} ({self.status})"

    @property
    def kan_proeves_igen(self) -> bool:
        return self.status in PROEV_IGEN

    @property
    def fejl(self) -> list[dict]:
        return (self.smdb_response or {}).get("fejl", [])
