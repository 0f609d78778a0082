"""The supervisors' lists, declared: one django-tables2 table for every list of forløb."""

from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from cases.models import Kontaktforloeb
from reporting import selectors


class ForloebTable(tables.Table):
    """OVERBLIK's columns; a kontrolliste adds its own column (``detalje``)."""

    forloeb = tables.Column("Forløb", accessor="pk", order_by=("pk",))
    cpr = tables.Column("CPR-nummer", accessor="cpr_maskeret", orderable=False)
    anmodet = tables.DateColumn(
        verbose_name="Anmodningsdato",
        accessor="anmodning__behandling_anmodning_dato",
        format="d.m.Y",
    )
    ivaerksat = tables.DateColumn(
        verbose_name="Iværksat",
        accessor="ivaerksaettelse__ivaerksat_behandling_dato",
        format="d.m.Y",
    )
    dage = tables.Column(
        "Dage siden anmodning",
        accessor="pk",
        order_by=("-anmodning__behandling_anmodning_dato",),
    )
    tilknytninger = tables.Column("Aktive tilknytninger", accessor="pk", orderable=False)
    smdb = tables.Column("SMDB", accessor="pk", orderable=False)
    sagsbehandler = tables.Column(
        "Registreret af",
        accessor="oprettet_af",
        order_by=("oprettet_af__last_name", "oprettet_af__first_name"),
    )

    class Meta:
        model = Kontaktforloeb
        fields = ()
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Ingen forløb."
        per_page = 50

    def __init__(self, *args, user=None, dato: date, **kwargs):
        self.user = user
        self.dato = dato
        super().__init__(*args, **kwargs)

    def render_forloeb(self, record):
        # Administrators see reports, not cases (accounts.User.kan_se_sager).
        if self.user is not None and self.user.kan_se_sager:
            url = reverse("cases:forloeb_detail", args=[record.pk])
            return format_html('<a href="{}">Forløb {}</a>', url, record.pk)
        return f"Forløb {record.pk}"

    def render_dage(self, record):
        return selectors.dage_siden_anmodning(record, self.dato)

    def render_tilknytninger(self, record):
        aktive = selectors.aktive_tilknytninger(record, self.dato)
        if not aktive:
            return "–"
        return format_html_join(
            "",
            "<div>{} <span class='text-body-secondary'>({}, {})</span></div>",
            (
                (
                    t.tilbud_navn or t.tilbud_id,
                    t.get_behandling_type_kode_display(),
                    t.get_behandling_intensitet_kode_display(),
                )
                for t in aktive
            ),
        )

    def render_smdb(self, record):
        return selectors.smdb_tilstand(record)

    def render_sagsbehandler(self, value):
        return value.get_full_name() or value.username


class KontrollisteTable(ForloebTable):
    detalje = tables.Column("Detalje", accessor="pk", orderable=False)

    def __init__(self, *args, liste: selectors.Kontrolliste, **kwargs):
        self.liste = liste
        super().__init__(*args, **kwargs)
        self.columns["detalje"].column.verbose_name = liste.kolonne

    def render_detalje(self, record):
        return selectors.kontrolliste_detalje(self.liste.slug, record, self.dato)

    class Meta(ForloebTable.Meta):
        sequence = ("forloeb", "cpr", "anmodet", "ivaerksat", "detalje", "...")
        exclude = ("tilknytninger",)
