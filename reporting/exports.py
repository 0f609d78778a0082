"""Downloads: OVERBLIK in DST's Aktivliste layout (Excel) and as CSV, hovedtal and
godkendelse as Excel. The callers log each download (audit) for every forløb in it.
Every row goes through reporting.regneark, so no text becomes a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cases.models import Kontaktforloeb
from reporting import selectors
from reporting.regneark import csv_raekke, tilfoej_raekke

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The Aktivliste's first sheet: one row per open forløb ("aktive anmodninger"),
#: headed by SMDB's variable names so that the file reads like DST's own list.
ANMODNING_KOLONNER = (
    "KommuneKode",
    "PersonIdentifikator",
    "BehandlingAnmodningDato",
    "IvaerksatBehandlingDato",
    "DageSidenAnmodning",
    "SMDB-status",
    "RegistreretAf",
    "Forloeb",
)
#: Its second sheet: one row per tilknytning open on the date ("indskrivninger").
INDSKRIVNING_KOLONNER = (
    "KommuneKode",
    "PersonIdentifikator",
    "BehandlingAnmodningDato",
    "TilbudId",
    "TilbudNavn",
    "TilbudTilknyttetBehandlingStartDato",
    "TilbudTilknyttetBehandlingSlutDato",
    "BehandlingTypeKode",
    "BehandlingIntensitetKode",
    "Forloeb",
)


def _anm_dato(f: Kontaktforloeb) -> date | None:
    anmodning = getattr(f, "anmodning", None)
    return anmodning.behandling_anmodning_dato if anmodning else None


def forloeb_raekke(f: Kontaktforloeb, dato: date, kommune_kode: int | None = None) -> dict:
    """One forløb as a row of a list export (and of ``smdb_rapport``'s JSON)."""
    iv = getattr(f, "ivaerksaettelse", None)
    bruger = f.oprettet_af
    return {
        "KommuneKode": kommune_kode,
        "PersonIdentifikator": f.person_identifikator,
        "BehandlingAnmodningDato": _anm_dato(f),
        "IvaerksatBehandlingDato": iv.ivaerksat_behandling_dato if iv else None,
        "DageSidenAnmodning": selectors.dage_siden_anmodning(f, dato),
        "SMDB-status": selectors.smdb_tilstand(f),
        "RegistreretAf": (bruger.get_full_name() or bruger.username) if bruger else "",
        "Forloeb": f.pk,
    }


def indskrivning_raekker(f: Kontaktforloeb, dato: date, kommune_kode: int) -> Iterable[dict]:
    for t in selectors.aktive_tilknytninger(f, dato):
        yield {
            "KommuneKode": kommune_kode,
            "PersonIdentifikator": f.person_identifikator,
            "BehandlingAnmodningDato": _anm_dato(f),
            "TilbudId": t.tilbud_id,
            "TilbudNavn": t.tilbud_navn or "",
            "TilbudTilknyttetBehandlingStartDato": t.tilbud_tilknyttet_behandling_start_dato,
            "TilbudTilknyttetBehandlingSlutDato": t.tilbud_tilknyttet_behandling_slut_dato,
            "BehandlingTypeKode": t.behandling_type_kode,
            "BehandlingIntensitetKode": t.behandling_intensitet_kode,
            "Forloeb": f.pk,
        }


def _sheet(wb: Workbook, title: str, columns: Iterable[str], rows: Iterable[dict], first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    columns = list(columns)
    tilfoej_raekke(ws, columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        tilfoej_raekke(ws, [row.get(c) for c in columns])
    for i, c in enumerate(columns, start=1):
        # As wide as the longest value (a TilbudNavn is long), within reason (issue 23).
        laengst = max(
            (
                len(str(v))
                for (v,) in ws.iter_rows(min_col=i, max_col=i, values_only=True)
                if v is not None
            ),
            default=0,
        )
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(12, laengst + 2))
        if "Dato" in c:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def aktivliste_xlsx(forloeb: list[Kontaktforloeb], *, kommune_kode: int, dato: date) -> bytes:
    wb = Workbook()
    anmodninger = []
    indskrivninger = []
    for f in forloeb:
        row = forloeb_raekke(f, dato, kommune_kode)
        anmodninger.append(row)
        indskrivninger.extend(indskrivning_raekker(f, dato, kommune_kode))
    _sheet(wb, "Anmodninger", ANMODNING_KOLONNER, anmodninger, first=True)
    _sheet(wb, "Indskrivninger", INDSKRIVNING_KOLONNER, indskrivninger)
    return _bytes(wb)


def liste_csv(forloeb: list[Kontaktforloeb], *, kommune_kode: int, dato: date) -> str:
    """The Anmodninger sheet as CSV (semicolons, as Danish spreadsheets expect), with
    the tilknytninger open on the date in one column."""
    out = io.StringIO()
    columns = [*ANMODNING_KOLONNER, "AktiveTilknytninger"]
    writer = csv.DictWriter(out, columns, delimiter=";")
    writer.writeheader()
    for f in forloeb:
        row = forloeb_raekke(f, dato, kommune_kode)
        row["AktiveTilknytninger"] = " | ".join(
            f"{t.tilbud_id} {t.tilbud_navn or ''} "
            f"({t.behandling_type_kode}/{t.behandling_intensitet_kode})"
            for t in selectors.aktive_tilknytninger(f, dato)
        )
        writer.writerow(csv_raekke(row))
    return out.getvalue()


def tal_xlsx(titel: str, ark: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of plain sheets: (title, header, rows)."""
    wb = Workbook()
    for i, (navn, header, rows) in enumerate(ark):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = navn[:31]
        tilfoej_raekke(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            tilfoej_raekke(ws, r)
        for j in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(j)].width = 24
    wb.properties.title = titel
    return _bytes(wb)
