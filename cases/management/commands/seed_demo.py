"""Demo myndigheder, users, tilbud catalogue and forløb. Idempotent.

Every demo forløb is checked with the rule engine before it is saved, so the
demo never shows a case SMDB would reject.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Myndighed, Rolle, User
from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kontaktforloeb,
    Tilbud,
    Tilbudstilknytning,
)
from cases.schema_models import model_kwargs as fields
from cases.validation import validate
from smdb import demo, outbox, sync
from smdb.models import SyncAction, SyncOperation
from smdb.models import SyncOperationStatus as S
from smdb.rules import today_dk
from smdb_simulator.catalogue import DEMO_TILBUD
from smdb_simulator.embedded import simulator_in_thread

MYNDIGHEDER = [(101, "København"), (751, "Aarhus")]
USERS = [
    # username, first, last, kommune, role
    ("sagsbehandler", "Sara", "Sagsbehandler", 101, Rolle.SAGSBEHANDLER),
    ("leder", "Lars", "Leder", 101, Rolle.LEDER),
    ("admin", "Anna", "Administrator", 101, Rolle.ADMINISTRATOR),
    ("sagsbehandler2", "Søren", "Sagsbehandler", 751, Rolle.SAGSBEHANDLER),
]
FORLOEB_PER_MYNDIGHED = {101: 30, 751: 10}


class Command(BaseCommand):
    help = "Opret demo-myndigheder, -brugere, tilbudskatalog og -forløb (kan køres flere gange)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Adgangskode til demo-brugerne (ellers tilfældig).")
        parser.add_argument(
            "--sso",
            metavar="ISSUER",
            help="Sæt fælles login (SSO) op for myndighed 101 mod den lokale test-udbyder "
            "(make sso-demo), fx http://127.0.0.1:9700.",
        )

    def handle(self, *args, password=None, sso=None, **options):
        password = password or secrets.token_urlsafe(9)
        if sso:
            from accounts.oidc_demo import saet_demo_sso_op

            self.stdout.write(saet_demo_sso_op(issuer=sso))
        if settings.CELERY_TASK_ALWAYS_EAGER and settings.SMDB_SIMULATOR_ENABLED:
            # Embedded default: send the demo forløb through the outbox to the
            # simulator now; runserver (which normally serves it) is not up yet.
            with simulator_in_thread():
                created = self.seed(password)
                sendt = send_pending()
        else:
            # A real worker sends them (REDIS_URL set), to whatever SMDB_ENDPOINT is.
            created, sendt = self.seed(password), 0

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo-data klar ({created} nye forløb; {sendt} skemaer sendt til SMDB)."
            )
        )
        self.stdout.write(f"Demo-brugere (log ind på {settings.SMDB_EMBEDDED_URL}/):")
        for username, _, _, kode, rolle in USERS:
            self.stdout.write(f"  {username:<15} {rolle.label:<14} {kode}  adgangskode: {password}")
        self.print_totp_secrets()

    @transaction.atomic
    def seed(self, password: str) -> int:
        myndigheder = {
            kode: Myndighed.objects.update_or_create(kommune_kode=kode, defaults={"navn": navn})[0]
            for kode, navn in MYNDIGHEDER
        }
        for t in DEMO_TILBUD:
            Tilbud.objects.update_or_create(
                tilbud_id=t["tilbud_id"], defaults={k: v for k, v in t.items() if k != "tilbud_id"}
            )
        users = {}
        for username, first, last, kode, rolle in USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "myndighed": myndigheder[kode],
                    "rolle": rolle,
                    # The demo administrator manages users at /konto/brugere/; the
                    # Django admin is for the operator's superuser only (issue 9).
                    "is_staff": False,
                    "is_superuser": False,
                },
            )
            user.set_password(password)
            user.save()
            users[username] = user
            # A demo database seeded before issue 9 gave the admin every user permission.
            user.user_permissions.clear()
            user.groups.clear()
        created = 0
        for kode, count in FORLOEB_PER_MYNDIGHED.items():
            myndighed = myndigheder[kode]
            if Kontaktforloeb.objects.filter(myndighed=myndighed).exists():
                continue
            user = users["sagsbehandler" if kode == 101 else "sagsbehandler2"]
            rng = random.Random(kode)
            for i in range(count):
                self.create_forloeb(rng, myndighed, user, i)
                created += 1
        return created

    def print_totp_secrets(self) -> None:
        """Administrators and ledere log in with a code (issue 9): each demo user of
        those roles gets an authenticator app whose secret is printed here."""
        if not settings.OTP_REQUIRED:
            self.stdout.write("To-faktor-login er slået fra (OTP_REQUIRED=false).")
            return
        self.stdout.write("To-faktor (læg nøglen i en godkendelses-app, fx FreeOTP):")
        for username, _, _, _, rolle in USERS:
            if rolle not in two_factor.ROLLER_MED_TOTP:
                continue
            user = User.objects.get(username=username)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(
                    user=user, name=two_factor.APP_NAVN, confirmed=True
                )
            self.stdout.write(f"  {username:<15} TOTP-nøgle: {two_factor.hemmelighed(device)}")

    def create_forloeb(self, rng: random.Random, myndighed, user, i: int) -> None:
        today = today_dk()
        cpr = demo_cpr(rng, i)
        anmodet = today - timedelta(days=rng.randint(120, 400))
        stage = i % 6  # 0 anmodet, 1 iværksat, 2-3 tilknyttet, 4 afsluttet, 5 afsluttet uden IVÆR
        forloeb = Kontaktforloeb.objects.create(
            myndighed=myndighed, person_identifikator=cpr, oprettet_af=user
        )
        rows = [Anmodning(forloeb=forloeb, **fields(demo.anmodning_values(anmodet)))]
        if stage == 5:  # R-ANM-2: never iværksat, closed directly
            afsluttet = anmodet + timedelta(days=rng.randint(5, 30))
            rows.append(
                Afslutning(
                    forloeb=forloeb, **fields(demo.afslutning_values(afsluttet, aarsag="02"))
                )
            )
        elif stage >= 1:
            # Two in five are iværksat after the 14-day guarantee (4-IVÆR shown).
            ivaerksat = anmodet + timedelta(days=rng.choice([3, 10, 14, 21, 30]))
            rows.append(
                Ivaerksaettelse(
                    forloeb=forloeb, **fields(demo.ivaerksaettelse_values(cpr, anmodet, ivaerksat))
                )
            )
            tilbud_ids = [t["tilbud_id"] for t in DEMO_TILBUD]
            if stage >= 2:
                slut1 = ivaerksat + timedelta(days=rng.randint(20, 40)) if stage == 4 else None
                rows.append(
                    Tilbudstilknytning(
                        forloeb=forloeb,
                        **fields(
                            demo.tilbudstilknytning_values(rng.choice(tilbud_ids), ivaerksat, slut1)
                        ),
                    )
                )
                if stage == 3:  # a parallel substitution treatment (R-TILB-7/8)
                    rows.append(
                        Tilbudstilknytning(
                            forloeb=forloeb,
                            **fields(
                                demo.tilbudstilknytning_values(
                                    rng.choice(tilbud_ids),
                                    ivaerksat + timedelta(days=7),
                                    type_kode="01",
                                )
                            ),
                        )
                    )
                if stage == 4:
                    aarsag = rng.choice(["01", "06"])
                    rows.append(
                        Afslutning(
                            forloeb=forloeb, **fields(demo.afslutning_values(slut1, aarsag=aarsag))
                        )
                    )
        for row in rows:
            row.oprettet_af = row.aendret_af = user
            row.save()
            # Sent on commit like any caseworker's schema: nothing reaches SMDB
            # except through the outbox.
            outbox.record(schema_row=row, action=SyncAction.INDSAET)
        violations = validate(forloeb, today=today)
        if violations:
            raise CommandError(f"Demo-forløb {i} bryder reglerne: {violations}")


def send_pending() -> int:
    """Send what the outbox still holds (eager mode has no worker to retry)."""
    refs = (
        SyncOperation.objects.exclude(status__in=[S.SENDT, S.ANNULLERET])
        .values_list("forloeb_ref", flat=True)
        .distinct()
    )
    for ref in list(refs):
        sync.process_forloeb(ref)
    return SyncOperation.objects.filter(status=S.SENDT).count()


def demo_cpr(rng: random.Random, i: int) -> str:
    """A CPR number with a real birth date between 1960 and 2007 (ages 18-65)."""
    year = rng.randint(1960, 2007)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    # 7th digit 0-3 means born 1900-1999; 4 with year < 37 means 2000-2036.
    seventh = str(rng.randint(0, 3)) if year < 2000 else "4"
    return f"{day:02d}{month:02d}{year % 100:02d}{seventh}{i % 1000:03d}"
