"""``seed_smdb_active N --myndighed KODE [--glemte G] [--kvalhep K]``: fill the
simulator's store with N valid active forløb at mixed stages
(``smdb_simulator.seeding``), without serving it. ``--kvalhep K``: K of them started
before 1 July 2025 and have a KvalHep (a system change's model 1 deletes it)."""

from django.core.management.base import BaseCommand, CommandError

from smdb_simulator import seeding


class Command(BaseCommand):
    help = "Fyld SMDB-simulatoren med N gyldige aktive forløb for en myndighed."

    def add_arguments(self, parser):
        parser.add_argument("antal", type=int)
        parser.add_argument("--myndighed", type=int, required=True, metavar="KODE")
        parser.add_argument("--glemte", type=int, default=0, help="Glemte sager derudover.")
        parser.add_argument("--start", type=int, default=0, help="Første borgers nummer.")
        parser.add_argument(
            "--kvalhep",
            type=int,
            default=0,
            metavar="K",
            help="Så mange af de aktive forløb er fra før 1. juli 2025 og har en KvalHep.",
        )

    def handle(
        self, *args, antal: int, myndighed: int, glemte: int, start: int, kvalhep: int, **options
    ):
        try:
            n = seeding.seed_active(antal, myndighed, glemte=glemte, start=start, kvalhep=kvalhep)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{n} aktive forløb lagt i simulatoren for myndighed {myndighed}.")
        if kvalhep:
            self.stdout.write(f"{kvalhep} af dem er fra før 1. juli 2025 og har en KvalHep.")
