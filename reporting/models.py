"""The reports' read model: one ``Forloebsstatus`` row per kontaktforløb.

OVERBLIK, the kontrollister, hovedtal and godkendelse ask the same few facts of every
forløb of a myndighed (its dates, 32-IVÆR, the lægesamtale, the SMDB state, the last
change). Read from the four schema tables, each page joined every schema of the
myndighed (and scanned the other myndigheders' tilknytninger); read from this table,
each is one indexed scan of the myndighed's rows (issue 12's benchmark).

A projection, never a source: ``reporting.forloebsstatus`` recomputes a forløb's row
from its schemas in the transaction that changes them (signals on every save and
delete, and an explicit call where a schema is changed by ``QuerySet.update``), and
``manage.py forloebsstatus`` rebuilds or checks every row. Field names repeat the
SMDB variable each fact comes from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Myndighed
from cases.models import Kontaktforloeb, SyncStatus
from smdb.rules.cpr import maskeret


class Forloebsstatus(models.Model):
    forloeb = models.OneToOneField(
        Kontaktforloeb, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    # From the forløb: whose it is.
    myndighed = models.ForeignKey(
        Myndighed, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    oprettet_af = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,  # in status_myndighed_bruger
    )
    person_identifikator = models.CharField(max_length=10)
    # From the schemas, under their SMDB names.
    behandling_anmodning_dato = models.DateField(null=True)  # 2-ANM
    ivaerksat_behandling_dato = models.DateField(null=True)  # 1-IVÆR
    ivaerksat_behandling_dage_siden_anmodning_kvantitet = models.IntegerField(null=True)
    person_ivaerksat_behandling_alder_kvantitet = models.IntegerField(null=True)  # 23-IVÆR
    person_aktuelt_hovedstof_kode = models.CharField(max_length=2, blank=True)  # 20-IVÆR
    oensker_borger_tilbud_laegesamtale_kode = models.CharField(max_length=2, blank=True)
    laegesamtale_afholdt_indikator = models.BooleanField(null=True)  # 25-IVÆR
    laegesamtale_afholdt_dato = models.DateField(null=True)  # 26-IVÆR
    behandling_garanti_overskrede_aarsag_kode = models.CharField(max_length=2, blank=True)
    behandling_afsluttet_dato = models.DateField(null=True)  # 1-AFSL
    behandling_afsluttet_aarsag_kode = models.CharField(max_length=2, blank=True)  # 3-AFSL
    # R-SKIFT-4: a restart the day after a system change's afslutning (same CPR, same
    # myndighed), and the afslutning so restarted. The pair counts once.
    genstart = models.BooleanField(default=False)
    lukket_ved_systemskift = models.BooleanField(default=False)
    # The tilknytninger's cover: first start, last slut (null while one is open-ended),
    # and whether the periods leave a gap between them ("uden-tilknytning").
    tilknytning_foerste_start = models.DateField(null=True)
    tilknytning_sidste_slut = models.DateField(null=True)
    tilknytning_huller = models.BooleanField(default=False)
    # SMDB: the newest change of any schema; the worst state of its schemas (refused
    # first); the oldest change not yet received (ikke sendt, afventer, fejl); the
    # earliest reporting deadline not yet met.
    senest_aendret = models.DateTimeField(null=True)
    smdb_tilstand = models.CharField(
        max_length=20, choices=SyncStatus.choices, default=SyncStatus.SENDT
    )
    ikke_sendt_siden = models.DateTimeField(null=True)
    naeste_frist = models.DateField(null=True)

    class Meta:
        verbose_name = "forløbsstatus"
        verbose_name_plural = "forløbsstatus"
        indexes = [
            models.Index(
                fields=["myndighed", "behandling_anmodning_dato", "forloeb"],
                name="status_myndighed_anmodning",
            ),
            models.Index(
                fields=["myndighed", "ivaerksat_behandling_dato", "forloeb"],
                name="status_myndighed_ivaerksat",
            ),
            # A caseworker's own forløb ("mine sager"); any scan of one myndighed.
            models.Index(fields=["myndighed", "oprettet_af"], name="status_myndighed_bruger"),
        ]

    def __str__(self) -> str:
        return f"Status for kontaktforløb {self.forloeb_id}"

    @property
    def cpr_maskeret(self) -> str:
        return maskeret(self.person_identifikator)
