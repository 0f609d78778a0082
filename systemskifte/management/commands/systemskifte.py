"""``manage.py systemskifte model1|model2|mellemloesning --myndighed KODE
--skiftedato YYYY-MM-DD [--dry-run]``: the system change from the command line,
printing progress and the report. Run again after a crash or a stop, it
continues the unfinished job of the same myndighed, model and date."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Myndighed, Rolle, User
from smdb import sync
from systemskifte import report, services
from systemskifte.models import JobStatus, Model


class Command(BaseCommand):
    help = "Systemskifte (model 1, model 2 eller mellemløsning) for en myndighed."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=[m.value for m in Model])
        parser.add_argument("--myndighed", type=int, required=True, metavar="KODE")
        parser.add_argument("--skiftedato", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="Vis planen; send intet.")
        parser.add_argument(
            "--bruger", help="Administratoren der står som ansvarlig (ellers myndighedens første)."
        )

    def handle(self, *args, model, myndighed, skiftedato, dry_run, bruger, **options):
        try:
            dato = date.fromisoformat(skiftedato)
        except ValueError as exc:
            raise CommandError("--skiftedato skal være en dato som 2026-06-30.") from exc
        m = Myndighed.objects.filter(kommune_kode=myndighed).first()
        if m is None:
            raise CommandError(f"Myndighed {myndighed} findes ikke.")
        admins = User.objects.filter(myndighed=m, rolle=Rolle.ADMINISTRATOR, is_active=True)
        user = (admins.filter(username=bruger) if bruger else admins.order_by("pk")).first()
        if user is None:
            raise CommandError(f"Ingen aktiv administrator{' ' + bruger if bruger else ''} i {m}.")

        aaben = None if dry_run else services.ufaerdigt_skifte(m.pk)
        if aaben is not None:
            if (aaben.model, aaben.skiftedato) != (model, dato):
                raise CommandError(
                    f"Systemskifte {aaben.pk} ({aaben.get_model_display()}, "
                    f"{aaben.skiftedato}) er ikke færdigt; genoptag det først."
                )
            self.stdout.write(f"Genoptager systemskifte {aaben.pk}.")
            services.genoptag(user=user, skifte=aaben, koe_nu=False)
            skifte = aaben
        else:
            try:
                skifte = services.start(
                    user=user, model=model, skiftedato=dato, proevekoersel=dry_run, koe_nu=False
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(report.overskrift(skifte))
        while (status := services.koer(skifte.pk, budget=2)) == JobStatus.KOERER:
            tal = services.fremdrift(skifte)
            self.stdout.write(
                f"  {tal['faerdige']}/{tal['i_alt']} færdige, {tal['fejl']} fejl "
                f"({tal['procent']} %)"
            )
            sync.sweep()  # operations due for a retry, if no worker does it
            time.sleep(0.2)
        skifte.refresh_from_db()
        self.stdout.write(report.tekst(skifte))
        if status == JobStatus.STOPPET:
            self.stdout.write("Stoppet; kør kommandoen igen for at fortsætte.")
        if status == JobStatus.FEJLET:
            raise CommandError(skifte.fejl or "Systemskiftet fejlede.")
