"""``python manage.py smdb_rapport NAME --myndighed KODE [--dato D] [--aar Y]
[--format json|csv|xlsx] [--output FILE]``: a report for scheduled exports and checks.

NAME is ``overblik``, a kontrolliste (``ikke-ivaerksat``, ``garanti-overskredet``,
``uden-tilknytning``, ``laegesamtale``, ``glemte``, ``smdb-fejl``, ``frister``),
``hovedtal`` or ``godkendelse``. The pages and this command read the same selectors.
"""

from __future__ import annotations

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Myndighed
from reporting import exports, selectors
from reporting.regneark import csv_felt

LISTER = ("overblik", *selectors.KONTROLLISTER)
TAL = ("hovedtal", "godkendelse")


def _dato(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"ugyldig dato {value!r}; brug YYYY-MM-DD") from None


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def liste_raekker(navn: str, *, omfang: selectors.Omfang, dato: date, kommune_kode: int):
    """The forløb of a list and its rows as ``smdb_rapport`` writes them."""
    if navn == "overblik":
        qs = selectors.overblik(omfang=omfang)
    else:
        qs = selectors.kontrolliste_forloeb(omfang=omfang, slug=navn, dato=dato)
    rows = list(selectors.med_skemaer(qs))
    raekker = []
    for r in rows:
        row = exports.forloeb_raekke(r.forloeb, dato, kommune_kode)
        if navn != "overblik":
            row["Detalje"] = selectors.kontrolliste_detalje(navn, r, dato, r.forloeb)
        raekker.append(row)
    return selectors.forloeb_af(rows), raekker


def tal_rapport(navn: str, *, omfang: selectors.Omfang, aar: int) -> dict:
    """Hovedtal or godkendelse as a JSON object (the counts under fixed keys)."""
    h = selectors.hovedtal(omfang=omfang, aar=aar)
    out = h.as_json()
    if navn == "godkendelse":
        out["forloeb"] = h.tal["forloeb"]
        out["personer"] = h.tal["personer"]
        out["afslutninger_efter_aarsag"] = {
            kode or "": {"aarsag": label, "antal": n}
            for kode, label, n in selectors.afslutninger_efter_aarsag(omfang=omfang, aar=aar)
        }
    return out


class Command(BaseCommand):
    help = (
        "Skriv en rapport (OVERBLIK, en kontrolliste, hovedtal eller godkendelse) for en myndighed."
    )

    def add_arguments(self, parser):
        parser.add_argument("navn", choices=[*LISTER, *TAL], metavar="NAME")
        parser.add_argument("--myndighed", required=True, type=int, help="kommunekode")
        parser.add_argument("--dato", type=_dato, help="referencedato YYYY-MM-DD (i dag)")
        parser.add_argument(
            "--aar",
            type=int,
            help="år (referencedatoens); for lister opgjort i året: året til og med "
            "--dato eller årets sidste dag",
        )
        parser.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
        parser.add_argument("--output", help="fil (ellers standard output)")

    def handle(self, *args, navn, myndighed, dato, aar, format, output, **options):
        try:
            m = Myndighed.objects.get(kommune_kode=myndighed)
        except Myndighed.DoesNotExist:
            raise CommandError(f"Ingen myndighed med kommunekode {myndighed}.") from None
        if aar is not None and navn in LISTER:
            liste = selectors.KONTROLLISTER.get(navn)
            if liste is None or not liste.pr_aar:
                pr_aar = ", ".join(k for k, x in selectors.KONTROLLISTER.items() if x.pr_aar)
                raise CommandError(
                    f"--aar gælder ikke for {navn}: listen er ikke opgjort pr. år, men på "
                    f"referencedatoen (brug --dato). --aar gælder for {pr_aar}, hovedtal "
                    "og godkendelse."
                )
            try:
                dato = selectors.aarets_referencedato(aar, dato, selectors.today_dk())
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        dato = dato or selectors.today_dk()
        aar = aar or dato.year
        omfang = selectors.Omfang(m.pk)
        if navn in LISTER:
            forloeb, raekker = liste_raekker(
                navn, omfang=omfang, dato=dato, kommune_kode=m.kommune_kode
            )
            if format == "json":
                body = json.dumps(raekker, default=_json_default, ensure_ascii=False, indent=1)
            elif format == "csv":
                body = exports.liste_csv(forloeb, kommune_kode=m.kommune_kode, dato=dato)
            else:
                body = exports.aktivliste_xlsx(forloeb, kommune_kode=m.kommune_kode, dato=dato)
        else:
            rapport = tal_rapport(navn, omfang=omfang, aar=aar)
            if format == "json":
                body = json.dumps(rapport, ensure_ascii=False, indent=1)
            else:
                rows = [[k, v] for k, v in rapport.items() if isinstance(v, int | float | None)]
                for gruppe, fordeling in rapport["fordelinger"].items():
                    rows += [[f"{gruppe}: {label}", n] for label, n in fordeling.items()]
                for kode, a in rapport.get("afslutninger_efter_aarsag", {}).items():
                    rows.append([f"afslutninger: {kode} {a['aarsag']}", a["antal"]])
                if format == "csv":
                    body = "noegle;antal\n" + "".join(
                        f"{csv_felt(k)};{'' if v is None else v}\n" for k, v in rows
                    )
                else:
                    body = exports.tal_xlsx(f"{navn} {aar}", [(navn, ["Nøgle", "Antal"], rows)])
        self._write(body, output)

    def _write(self, body, output):
        if output:
            mode = "wb" if isinstance(body, bytes) else "w"
            kwargs = {} if isinstance(body, bytes) else {"encoding": "utf-8"}
            with open(output, mode, **kwargs) as fh:
                fh.write(body)
        elif isinstance(body, bytes):
            sys.stdout.buffer.write(body)
        else:
            self.stdout.write(body)
