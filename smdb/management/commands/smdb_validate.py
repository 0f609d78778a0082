"""``python manage.py smdb_validate FILE.json``: validate forløb with the rule engine.

A thin wrapper around ``smdb.rules.jsonio`` (see there for the file format). Exit
code 0 without violations, 1 with violations (one JSON object per line on stdout),
2 for malformed input (a message on stderr). Never a traceback.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from smdb.rules import jsonio


class Command(BaseCommand):
    help = (
        "Validér kontaktforløb i en JSON-fil mod SMDB's forretningsregler. "
        "Exit 0: ingen fejl, 1: regelbrud (én JSON-linje pr. brud), 2: ugyldigt input."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json", help="forløb at validere")

    def handle(self, *args, **options):
        try:
            result = jsonio.check_file(options["file"])
        except Exception as exc:  # the contract: never a traceback
            self.stderr.write(f"smdb_validate: intern fejl (internal error): {exc!r}")
            raise SystemExit(jsonio.EXIT_MALFORMED) from None
        for line in result.lines:
            self.stdout.write(line)
        if result.error:
            self.stderr.write(result.error)
        if result.exit_code:
            raise SystemExit(result.exit_code)
