"""Serve only the SMDB simulator on its own port: ``run_smdb_simulator --port 8100``.

Point the app at it with
``SMDB_ENDPOINT=http://127.0.0.1:8100/smdbwebservice/api/external/v1/``.
The simulator's store is its own tables in the configured database (run
``migrate`` first).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import get_internal_wsgi_application, run
from django.db import connection

from smdb import contract
from smdb_simulator import seeding
from smdb_simulator.embedded import NoDelayWSGIServer
from smdb_simulator.models import SimSkema


class Command(BaseCommand):
    help = "Kør SMDB-simulatoren alene (WSGI-server med tråde)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument(
            "--fault",
            choices=["", "unavailable", "slow", "fail", "lost"],
            default=None,
            help="Fejlinjektion (ellers SMDB_SIMULATOR_FAULT).",
        )
        parser.add_argument(
            "--auth",
            choices=["none", "signature", "sts"],
            default=None,
            help="Kontrol af kalderens WS-Security (ellers SMDB_SIMULATOR_AUTH, standard none).",
        )
        parser.add_argument(
            "--trust",
            nargs="+",
            metavar="CERT.pem",
            default=None,
            help="Betroede certifikater (PEM) for --auth signature/sts.",
        )
        parser.add_argument("--fail-rate", type=float, default=None)
        parser.add_argument("--delay", type=float, default=None)
        parser.add_argument(
            "--seed-active",
            type=int,
            default=0,
            metavar="N",
            help="Fyld først simulatoren med N gyldige aktive forløb (kræver --myndighed).",
        )
        parser.add_argument("--myndighed", type=int, default=None, metavar="KODE")
        parser.add_argument(
            "--glemte", type=int, default=0, help="Og så mange glemte sager (med --seed-active)."
        )
        parser.add_argument(
            "--kvalhep",
            type=int,
            default=0,
            metavar="K",
            help="Så mange af de aktive forløb er fra før 1. juli 2025 og har en KvalHep "
            "(med --seed-active).",
        )

    def handle(self, *args, addr: str, port: int, **options):
        if SimSkema._meta.db_table not in connection.introspection.table_names():
            raise CommandError("Simulatorens tabeller findes ikke: kør 'manage.py migrate'.")
        if options["seed_active"]:
            if options["myndighed"] is None:
                raise CommandError("--seed-active kræver --myndighed KODE.")
            try:
                n = seeding.seed_active(
                    options["seed_active"],
                    options["myndighed"],
                    glemte=options["glemte"],
                    kvalhep=options["kvalhep"],
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{n} aktive forløb lagt i simulatoren for {options['myndighed']}.")
            if options["kvalhep"]:
                self.stdout.write(f"{options['kvalhep']} af dem har en KvalHep (før 1.7.2025).")
        settings.ROOT_URLCONF = "smdb_simulator.standalone_urls"
        settings.SMDB_SIMULATOR_ENABLED = True
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, addr, "localhost", "127.0.0.1"]
        for option, setting in (
            ("fault", "SMDB_SIMULATOR_FAULT"),
            ("fail_rate", "SMDB_SIMULATOR_FAIL_RATE"),
            ("delay", "SMDB_SIMULATOR_DELAY"),
            ("auth", "SMDB_SIMULATOR_AUTH"),
            ("trust", "SMDB_SIMULATOR_TRUST"),
        ):
            if options[option] is not None:
                setattr(settings, setting, options[option])
        base = f"http://{addr}:{port}/smdbwebservice/api/external/v1/"
        self.stdout.write(f"SMDB-simulator på {base}")
        for svc, _, _ in contract.SERVICES.values():
            self.stdout.write(f"  {base}{svc}?wsdl")
        self.stdout.write(f"Godkendelse: {settings.SMDB_SIMULATOR_AUTH}; STS: {base}sts/")
        self.stdout.write(f"Sæt SMDB_ENDPOINT={base} i appen. Stop med Ctrl-C.")
        connection.close()
        run(
            addr,
            port,
            get_internal_wsgi_application(),
            threading=True,
            server_cls=NoDelayWSGIServer,
        )
