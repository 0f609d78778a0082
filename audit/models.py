from django.conf import settings
from django.db import models


class Handling(models.TextChoices):
    VIST = "vist", "Vist"
    SOEGT = "soegt", "Søgt på CPR"
    SOEGT_INTET = "soegt_intet", "Søgt på CPR uden fund"
    OPRETTET = "oprettet", "Oprettet"
    AENDRET = "aendret", "Ændret"
    SLETTET = "slettet", "Slettet"
    # User administration by the myndighed's administrator (accounts.services).
    BRUGER_OPRETTET = "bruger_oprettet", "Bruger oprettet"
    BRUGER_AENDRET = "bruger_aendret", "Bruger ændret"
    BRUGER_DEAKTIVERET = "bruger_deaktiveret", "Bruger deaktiveret"
    BRUGER_GENAKTIVERET = "bruger_genaktiveret", "Bruger genaktiveret"
    ADGANGSKODE_LINK = "adgangskode_link", "Link til adgangskode sendt"
    AFVIST = "afvist", "Afvist (ingen adgang)"
    IKKE_FUNDET = "ikke_fundet", "Ikke fundet"
    # Reports (issue 12): a download naming citizens, and a load of history.
    EKSPORTERET = "eksporteret", "Eksporteret"
    IMPORTERET = "importeret", "Importeret"
    # Single sign-on (issue 26): a login through the provider, a change of the set-up.
    SSO_LOGIN = "sso_login", "Logget ind med SSO"
    SSO_AENDRET = "sso_aendret", "SSO-opsætning ændret"

    # The operator's changes in the Django admin (issue 21).
    DRIFT_OPRETTET = "drift_oprettet", "Oprettet af driften (Django-admin)"
    DRIFT_AENDRET = "drift_aendret", "Ændret af driften (Django-admin)"
    DRIFT_SLETTET = "drift_slettet", "Slettet af driften (Django-admin)"
    # Changes that need a second administrator (issue 21).
    GODKENDELSE_ANMODET = "godk_anmodet", "Godkendelse anmodet"
    GODKENDELSE_GODKENDT = "godk_godkendt", "Godkendt af anden administrator"
    GODKENDELSE_AFVIST = "godk_afvist", "Afvist af anden administrator"


class AuditEntry(models.Model):
    """Who looked at or changed which citizen's forløb, and when.

    ``forloeb_id`` is a plain number, not a foreign key: the trail must outlive
    a forløb deleted bagfra. No CPR number is stored here: ``cpr_noegle`` is a
    keyed hash of it (audit.services.cpr_noegle), so "who viewed this citizen"
    is answered by the CPR typed in again, even after the forløb is gone.
    """

    tidspunkt = models.DateTimeField(auto_now_add=True, db_index=True)
    bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_entries"
    )
    # The myndighed whose log holds the row: the user's; for the operator's changes
    # in the Django admin, the myndighed changed (none: a change of no myndighed's).
    myndighed = models.ForeignKey(
        "accounts.Myndighed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    forloeb_id = models.PositiveBigIntegerField("kontaktforløb", null=True, db_index=True)
    handling = models.CharField(max_length=20, choices=Handling.choices)
    # The user a user-administration entry is about (who changed whom).
    beroert_bruger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries_om",
        verbose_name="berørt bruger",
    )
    beskrivelse = models.CharField(max_length=200, blank=True)
    cpr_noegle = models.CharField(
        "CPR-nøgle", max_length=64, blank=True, db_index=True, editable=False
    )
    sti = models.CharField("adresse", max_length=300, blank=True)

    class Meta:
        verbose_name = "adgangslog"
        verbose_name_plural = "adgangslog"
        ordering = ["-tidspunkt", "-pk"]

    def __str__(self) -> str:
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.bruger} {self.get_handling_display()}"
