"""Write smdb/wsdl/*.wsdl and smdb.xsd from smdb.fields and smdb.contract."""

from django.core.management.base import BaseCommand, CommandError

from smdb import contract


class Command(BaseCommand):
    help = "Skriv WSDL- og XSD-filerne i smdb/wsdl/ ud fra feltdefinitionerne."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fejl hvis de gemte filer ikke er opdaterede."
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            stale = [
                name
                for name, content in contract.generated_files().items()
                if not (contract.WSDL_DIR / name).is_file()
                or (contract.WSDL_DIR / name).read_bytes() != content
            ]
            if stale:
                raise CommandError(f"Forældede filer: {', '.join(stale)}")
            self.stdout.write("WSDL/XSD er opdaterede.")
            return
        for path in contract.write_files():
            self.stdout.write(f"Skrev {path}")
