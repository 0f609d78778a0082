"""The simulator's store: what SMDB holds, one row per schema."""

from django.db import models


class SimSkema(models.Model):
    """One schema as SMDB stores it. The primary key is the schema's SMDB Id.

    ``values`` holds the SMDB variables as JSON (dates as ISO strings), without
    the forløb-level PersonIdentifikator and KommuneKode, which are columns.
    Slet* actions only slette-markere (spec section 1.2.2): ``slettet`` is set.

    A KvalHep (discontinued 1 July 2025, ``smdb.contract.KVALHEP``) is kept as an
    opaque record hanging on its Anmodning: ``values`` holds only its ``Dato``.
    """

    class Skematype(models.TextChoices):
        ANMODNING = "anmodning", "Anmodning"
        IVAERKSAETTELSE = "ivaerksaettelse", "Iværksættelse"
        TILBUDSTILKNYTNING = "tilbudstilknytning", "Tilbudstilknytning"
        AFSLUTNING = "afslutning", "Afslutning"
        KVALHEP = "kvalhep", "KvalHep (udgået)"

    schema = models.CharField(max_length=20, choices=Skematype.choices)
    # The forløb's Anmodning (null on the Anmodning itself).
    anmodning = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="skemaer"
    )
    # The schema this one hangs on: the Anmodning (also a KvalHep's), or for a TILB
    # its Iværksættelse.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="boern"
    )
    kommune_kode = models.IntegerField()
    person_identifikator = models.CharField(max_length=10)
    values = models.JSONField(default=dict)
    oprettet = models.DateTimeField(auto_now_add=True)
    aendret = models.DateTimeField(auto_now=True)
    slettet = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "simuleret SMDB-skema"
        verbose_name_plural = "simulerede SMDB-skemaer"
        indexes = [models.Index(fields=["kommune_kode", "person_identifikator"])]

    def __str__(self) -> str:
        return f"{self.get_schema_display()} {self.pk}"
