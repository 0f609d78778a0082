"""``python manage.py smdb_import FILE.json --myndighed KODE [--no-sync] [--bruger NAVN]``.

Reads the ``smdb_validate`` JSON format and stores its forløb in the myndighed, all
or nothing. Exit 0 and "N forløb og M skemaer gemt" on success; 1 with the violations
printed as ``smdb_validate`` prints them (nothing stored); 2 for malformed input.
Without ``--no-sync`` every schema is queued to SMDB through the outbox. The import
is audit-logged for each forløb, in the name of ``--bruger`` (default: the
myndighed's first administrator).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.models import Myndighed, Rolle, User
from reporting import historik
from smdb.rules import jsonio


class Command(BaseCommand):
    help = "Importér kontaktforløb (smdb_validate-format) i en myndighed; alt eller intet."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json")
        parser.add_argument("--myndighed", required=True, type=int, help="kommunekode")
        parser.add_argument("--no-sync", action="store_true", help="send intet til SMDB")
        parser.add_argument("--bruger", help="brugernavn, importen logges i (administrator)")

    def _fejl(self, besked: str):
        self.stderr.write(f"smdb_import: {besked}")
        raise SystemExit(jsonio.EXIT_MALFORMED)

    def handle(self, *args, file, myndighed, no_sync, bruger, **options):
        m = Myndighed.objects.filter(kommune_kode=myndighed).first()
        if m is None:
            self._fejl(f"ingen myndighed med kommunekode {myndighed}")
        brugere = User.objects.filter(myndighed=m)
        user = (
            brugere.filter(username=bruger).first()
            if bruger
            else brugere.filter(rolle=Rolle.ADMINISTRATOR).order_by("pk").first()
        )
        if user is None:
            self._fejl("angiv --bruger: en bruger i myndigheden, som importen logges i")
        try:
            with open(file, encoding="utf-8") as fh:
                today, forloeb = jsonio.parse(fh.read())
            resultat = historik.importer(
                myndighed=m, user=user, today=today, forloeb=forloeb, sync=not no_sync
            )
        except (OSError, UnicodeDecodeError) as exc:
            self._fejl(f"kan ikke læse {file}: {exc}")
        except jsonio.MalformedInput as exc:
            self._fejl(f"fejl i input (malformed input): {exc}")
        if resultat.violations:
            for i, violation in resultat.violations:
                self.stdout.write(jsonio.output_line(i, violation))
            self.stderr.write("smdb_import: regelbrud; intet er gemt.")
            raise SystemExit(jsonio.EXIT_VIOLATIONS)
        self.stdout.write(
            f"{resultat.forloeb} forløb og {resultat.skemaer} skemaer gemt i {m}"
            + (" (ikke sendt til SMDB)." if no_sync else "; sendes til SMDB.")
        )
