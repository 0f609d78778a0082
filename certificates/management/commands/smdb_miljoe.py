"""Set up an SMDB environment for automated set-ups:

    python manage.py smdb_miljoe test|preprod|prod --endpoint URL \\
        --auth sts|signature|none [--sts URL] [--aktiver] [--myndighed KODE]
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from certificates import services
from certificates.crypto import CertifikatFejl
from certificates.forms import endpoint_fejl
from certificates.management.commands import _myndighed
from certificates.models import AuthMetode, MiljoeNavn


class Command(BaseCommand):
    help = "Sæt et SMDB-miljø op (endpoint, autentifikation) og aktivér det evt."

    def add_arguments(self, parser):
        parser.add_argument("miljoe", choices=MiljoeNavn.values)
        parser.add_argument("--endpoint", help="Basis-URL op til og med .../api/external/v1/")
        parser.add_argument("--auth", choices=AuthMetode.values, required=True)
        parser.add_argument("--sts", default="", help="STS-adresse (kræves med --auth sts)")
        parser.add_argument("--aktiver", action="store_true", help="Skift til miljøet")
        _myndighed.add_argument(parser)

    def handle(self, *args, miljoe, endpoint, auth, sts, aktiver, myndighed, **options):
        m = _myndighed.find(myndighed)
        for url in filter(None, (endpoint, sts)):
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError as exc:
                raise CommandError(f"Ugyldig adresse: {url}") from exc
            if fejl := endpoint_fejl(url):
                raise CommandError(f"{url}: {fejl}")
        endpoint = endpoint or services.standard_endpoint(miljoe)
        try:
            row = services.miljoe_gem(
                myndighed=m,
                navn=miljoe,
                endpoint=endpoint,
                auth=auth,
                sts_url=sts,
                kilde="smdb_miljoe",
            )
        except CertifikatFejl as exc:
            raise CommandError(str(exc)) from exc
        if aktiver:
            services.miljoe_aktiver(miljoe=row, kilde="smdb_miljoe")
        self.stdout.write(
            f"{m}: {row} → {row.endpoint} ({row.get_auth_display()})"
            + (" – aktivt" if aktiver else "")
        )
