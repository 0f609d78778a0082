"""Import a function certificate for automated set-ups:

    python manage.py certifikat_import FILE.p12 --miljoe test|preprod|prod \\
        --password-file F [--aktiver] [--myndighed KODE]

The password is read from a file (never from the command line, where it would
show in the process list and shell history).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates import services
from certificates.crypto import CertifikatFejl
from certificates.management.commands import _myndighed
from certificates.models import MiljoeNavn


class Command(BaseCommand):
    help = "Importér et funktionscertifikat (PKCS#12) og tag det evt. i brug."

    def add_arguments(self, parser):
        parser.add_argument("fil")
        parser.add_argument("--miljoe", choices=MiljoeNavn.values, required=True)
        parser.add_argument("--password-file", required=True)
        parser.add_argument("--navn", default="")
        parser.add_argument("--aktiver", action="store_true")
        _myndighed.add_argument(parser)

    def handle(self, *args, fil, miljoe, password_file, navn, aktiver, myndighed, **options):
        m = _myndighed.find(myndighed)
        try:
            data = Path(fil).read_bytes()
            password = Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CommandError(f"Filen kan ikke læses: {exc.filename}") from exc
        try:
            cert = services.certifikat_upload(
                myndighed=m,
                data=data,
                password=password,
                miljoe=miljoe,
                navn=navn,
                kilde="certifikat_import",
            )
            if aktiver:
                services.certifikat_aktiver(certifikat=cert, kilde="certifikat_import")
        except CertifikatFejl as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{m}: {cert.subject}, gyldig til {cert.gyldig_til:%d.%m.%Y}, "
            f"SHA-256 {cert.fingeraftryk}" + (" – i brug" if aktiver else "")
        )
