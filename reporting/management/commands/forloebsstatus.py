"""``manage.py forloebsstatus --kontroller | --genopbyg [--myndighed KODE]``: check or
rebuild the reports' read model (reporting.models.Forloebsstatus).

The app keeps every row true as it writes; this is for data loaded around it
(``loaddata``, SQL) and for an operator who wants to see that it is so."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Myndighed
from reporting import forloebsstatus


class Command(BaseCommand):
    help = "Kontrollér eller genopbyg rapporternes forløbsstatus (én række pr. kontaktforløb)."

    def add_arguments(self, parser):
        handling = parser.add_mutually_exclusive_group(required=True)
        handling.add_argument("--kontroller", action="store_true", help="find rækker, der afviger")
        handling.add_argument("--genopbyg", action="store_true", help="beregn alle rækker igen")
        parser.add_argument("--myndighed", type=int, help="kommunekode (ellers alle)")

    def handle(self, *args, kontroller, genopbyg, myndighed, **options):
        myndighed_id = None
        if myndighed is not None:
            try:
                myndighed_id = Myndighed.objects.get(kommune_kode=myndighed).pk
            except Myndighed.DoesNotExist:
                raise CommandError(f"Ingen myndighed med kommunekode {myndighed}.") from None
        if genopbyg:
            with transaction.atomic():
                n = forloebsstatus.genopbyg(myndighed_id=myndighed_id)
            self.stdout.write(f"{n} forløb beregnet.")
            return
        forkerte = forloebsstatus.afvigelser(myndighed_id=myndighed_id)
        if forkerte:
            vist = ", ".join(str(pk) for pk in list(forkerte)[:50])
            self.stdout.write(f"{len(forkerte)} forløb afviger: {vist}")
            self.stdout.write("Kør manage.py forloebsstatus --genopbyg.")
            raise SystemExit(1)
        self.stdout.write("Forløbsstatus passer for alle forløb.")
