"""Call Echo and WhoAmI through the active environment (or --miljoe M):
python manage.py smdb_tokentest [--miljoe test|preprod|prod] [--myndighed KODE]
"""

from django.core.management.base import BaseCommand, CommandError

from certificates import forbindelse, journal
from certificates.management.commands import _myndighed
from certificates.models import Miljoe, MiljoeNavn


class Command(BaseCommand):
    help = "Test forbindelsen til SMDB (Echo og WhoAmI)."

    def add_arguments(self, parser):
        parser.add_argument("--miljoe", choices=MiljoeNavn.values)
        _myndighed.add_argument(parser)

    def handle(self, *args, miljoe, myndighed, **options):
        m = _myndighed.find(myndighed)
        valgt = None
        if miljoe:
            valgt = Miljoe.objects.filter(myndighed=m, navn=miljoe).first()
            if valgt is None:
                raise CommandError(f"{miljoe} er ikke sat op for {m}: brug smdb_miljoe.")
        with journal.kontekst(job="smdb_tokentest"):
            resultat = forbindelse.forbindelsestest(myndighed_id=m.pk, miljoe=valgt)
        self.stdout.write(f"{m}: {resultat.miljoe.label} ({resultat.miljoe.endpoint})")
        for navn, svar in resultat.linjer:
            self.stdout.write(f"  {navn}: {svar}")
        if not resultat.ok:
            raise CommandError("Forbindelsen virker ikke.")
