"""The supervisors' lists, declared: one django-tables2 table for every list of forløb."""

from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from reporting import selectors
from reporting.models import Forloebsstatus


class ForloebTable(tables.Table):
    """OVERBLIK's columns; a kontrolliste adds its own column (``detalje``)."""

    forloeb = tables.Column("Forløb", accessor="pk", order_by=("forloeb",))
    # Sorted by the whole number: the shown part (the birth date) first, as on a CPR list.
    cpr = tables.Column(
        "CPR-nummer", accessor="cpr_maskeret", order_by=("person_identifikator", "forloeb")
    )
    anmodet = tables.Column(
        verbose_name="Anmodningsdato",
        accessor="behandling_anmodning_dato",
        order_by=("behandling_anmodning_dato", "forloeb"),
    )
    ivaerksat = tables.Column(
        verbose_name="Iværksat",
        accessor="ivaerksat_behandling_dato",
        order_by=("ivaerksat_behandling_dato", "forloeb"),
    )
    dage = tables.Column(
        "Dage siden anmodning",
        accessor="pk",
        order_by=("-behandling_anmodning_dato", "-forloeb"),
    )
    # SMDB before the tilknytninger, so the short, key columns are the ones a phone
    # shows first (issue 23).
    smdb = tables.Column("SMDB", accessor="pk", order_by=("smdb_tilstand", "forloeb"))
    # The active ones depend on the page's date; sorted by when the first one started.
    tilknytninger = tables.Column(
        "Aktive tilknytninger",
        accessor="pk",
        order_by=("tilknytning_foerste_start", "forloeb"),
    )
    sagsbehandler = tables.Column(
        "Registreret af",
        accessor="oprettet_af",
        order_by=("oprettet_af__last_name", "oprettet_af__first_name", "forloeb"),
    )

    class Meta:
        model = Forloebsstatus
        fields = ()
        attrs = {"class": "table table-sm align-middle forloeb-tabel"}
        empty_text = "Ingen forløb."
        per_page = 50
        template_name = "reporting/_tabel.html"

    def __init__(self, *args, user=None, dato: date, **kwargs):
        self.user = user
        self.dato = dato
        super().__init__(*args, **kwargs)

    # django-tables2 declares the columns, sorts and pages; the rows of a page are
    # written by ``raekker`` (reporting/_tabel.html), one ``celle_<column>`` per cell,
    # each row one escaped string: the library's per-cell machinery (an
    # ``inspect.signature`` for every cell), and then a template variable per cell,
    # cost more than the page's SQL at 50 rows (issue 12's benchmark).
    def raekker(self) -> list[str]:
        rows = [row.record for row in self.paginated_rows]
        self.indlaes([r.pk for r in rows])
        celler = [getattr(self, f"celle_{kolonne.name}") for kolonne in self.columns]
        return [
            format_html(
                "<tr>{}</tr>", format_html_join("", "<td>{}</td>", ((c(r),) for c in celler))
            )
            for r in rows
        ]

    def indlaes(self, ids: list[int]) -> None:
        """What the page's rows show beyond the row itself (a fixed number of queries)."""
        vist = {kolonne.name for kolonne in self.columns}
        self.tilknytninger = selectors.tilknytninger_for(ids) if "tilknytninger" in vist else {}

    def celle_forloeb(self, record):
        # Administrators see reports, not cases (accounts.User.kan_se_sager).
        if self.user is not None and self.user.kan_se_sager:
            url = reverse("cases:forloeb_detail", args=[record.pk])
            return format_html('<a href="{}">Forløb {}</a>', url, record.pk)
        return f"Forløb {record.pk}"

    def celle_cpr(self, record):
        return record.cpr_maskeret

    def celle_anmodet(self, record):
        return _dato(record.behandling_anmodning_dato)

    def celle_ivaerksat(self, record):
        return _dato(record.ivaerksat_behandling_dato)

    def celle_dage(self, record):
        dage = selectors.dage_siden(record.behandling_anmodning_dato, self.dato)
        if dage is None:  # no negative count (issue 23): "anmodet senere" or "–"
            return selectors.dage_siden_tekst(record.behandling_anmodning_dato, self.dato)
        return dage

    def celle_tilknytninger(self, record):
        aktive = selectors.aktive(self.tilknytninger.get(record.pk, ()), self.dato)
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

    def celle_smdb(self, record):
        return record.get_smdb_tilstand_display()

    def celle_sagsbehandler(self, record):
        bruger = record.oprettet_af
        return (bruger.get_full_name() or bruger.username) if bruger else "–"


def _dato(d: date | None) -> str:
    return f"{d:%d.%m.%Y}" if d else "–"


class KontrollisteTable(ForloebTable):
    detalje = tables.Column("Detalje", accessor="pk", orderable=False)

    def __init__(self, *args, liste: selectors.Kontrolliste, **kwargs):
        self.liste = liste
        super().__init__(*args, **kwargs)
        self.columns["detalje"].column.verbose_name = liste.kolonne

    def indlaes(self, ids: list[int]) -> None:
        super().indlaes(ids)
        self.forloeb = selectors.forloeb_til_detalje(ids) if self.liste.skemaer else {}

    def celle_detalje(self, record):
        return selectors.kontrolliste_detalje(
            self.liste.slug, record, self.dato, self.forloeb.get(record.pk)
        )

    class Meta(ForloebTable.Meta):
        sequence = ("forloeb", "cpr", "anmodet", "ivaerksat", "detalje", "...")
        exclude = ("tilknytninger",)
