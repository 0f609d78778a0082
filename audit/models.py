from django.conf import settings
from django.db import models


class Handling(models.TextChoices):
    VIST = "vist", "Vist"
    SOEGT = "soegt", "Søgt på CPR"
    OPRETTET = "oprettet", "Oprettet"
    AENDRET = "aendret", "Ændret"
    SLETTET = "slettet", "Slettet"
    # Reports (issue 12): a download naming citizens, and a load of history.
    EKSPORTERET = "eksporteret", "Eksporteret"
    IMPORTERET = "importeret", "Importeret"


class AuditEntry(models.Model):
    """Who looked at or changed which citizen's forløb, and when.

    ``forloeb_id`` is a plain number, not a foreign key: the trail must outlive
    a forløb deleted bagfra. No CPR number is stored here.
    """

    tidspunkt = models.DateTimeField(auto_now_add=True, db_index=True)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_entries"
    )
    myndighed = models.ForeignKey(
        "accounts.Myndighed", on_delete=models.PROTECT, related_name="audit_entries"
    )
    forloeb_id = models.PositiveBigIntegerField("kontaktforløb", null=True, db_index=True)
    handling = models.CharField(max_length=20, choices=Handling.choices)
    beskrivelse = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "adgangslog"
        verbose_name_plural = "adgangslog"
        ordering = ["-tidspunkt", "-pk"]

    def __str__(self) -> str:
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.bruger} {self.get_handling_display()}"
