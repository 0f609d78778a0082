"""100,000 forløb across 10 myndigheder, bulk-inserted, for the reporting benchmark.

Deterministic (one seeded ``random.Random``). The myndigheder differ in size (the
largest has ten times the smallest's forløb) so that a page's query count can be
compared across sizes. Of the forløb about 10 % are only anmodet, 10 % iværksat
without a tilknytning, 45 % open with a tilknytning and 35 % closed; dates run
over six years up to ``today``; 2 % of schemas are refused by SMDB, 3 % unsent.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import connection

from accounts.models import Myndighed, Rolle, User
from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kontaktforloeb,
    SyncStatus,
    Tilbud,
    Tilbudstilknytning,
)
from reporting import forloebsstatus
from smdb.rules.dato import DK

TOTAL = 100_000
MYNDIGHEDER = 10
BATCH = 5_000
HOVEDSTOFFER = ("02", "08", "13", "11", "18", "06", "16")
TYPER = ("04", "04", "04", "01", "07", "08")


def _status(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.02:
        return SyncStatus.AFVIST
    if r < 0.05:
        return SyncStatus.IKKE_SENDT
    return SyncStatus.SENDT


def _cpr(rng: random.Random, n: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 45 * 365))
    seventh = "4" if born.year >= 2000 else str(rng.randrange(0, 4))
    return f"{born:%d%m%y}{seventh}{n % 1000:03d}"


def loaded() -> list[Myndighed] | None:
    """The data set, if a kept test database (``--reuse-db``) already holds it."""
    myndigheder = list(
        Myndighed.objects.filter(navn__startswith="Benchkommune ").order_by("kommune_kode")
    )
    if len(myndigheder) != MYNDIGHEDER:
        return None
    if Kontaktforloeb.objects.filter(myndighed__in=myndigheder).count() != TOTAL:
        return None
    return myndigheder


def load(*, today: date, total: int = TOTAL, seed: int = 12) -> list[Myndighed]:
    """Insert the data set; returns the myndigheder, smallest first."""
    rng = random.Random(seed)
    weights = list(range(1, MYNDIGHEDER + 1))
    sizes = [total * w // sum(weights) for w in weights]
    sizes[-1] += total - sum(sizes)
    myndigheder = Myndighed.objects.bulk_create(
        [Myndighed(kommune_kode=500 + i, navn=f"Benchkommune {i + 1}") for i in range(MYNDIGHEDER)]
    )
    Tilbud.objects.bulk_create(
        [
            Tilbud(tilbud_id=90_000 + i, navn=f"Tilbud {i}", postnummer="2200", kommune="X")
            for i in range(60)
        ],
        ignore_conflicts=True,
    )
    n = 0
    for m, size in zip(myndigheder, sizes, strict=True):
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench-{m.kommune_kode}-{r}-{i}",
                    myndighed=m,
                    rolle=r,
                    first_name="Bench",
                    last_name=f"{r} {i}",
                )
                for r, count in ((Rolle.LEDER, 1), (Rolle.SAGSBEHANDLER, 5))
                for i in range(count)
            ]
        )
        caseworkers = users[1:]
        for start in range(0, size, BATCH):
            count = min(BATCH, size - start)
            forloeb = Kontaktforloeb.objects.bulk_create(
                [
                    Kontaktforloeb(
                        myndighed=m,
                        person_identifikator=_cpr(rng, n + i),
                        oprettet_af=rng.choice(caseworkers),
                    )
                    for i in range(count)
                ]
            )
            n += count
            _schemas(rng, forloeb, today)
    # auto_now stamped every schema "now": spread the last change over the forløb's life.
    with connection.cursor() as cursor:
        for model, felt in (
            (Anmodning, "behandling_anmodning_dato"),
            (Ivaerksaettelse, "ivaerksat_behandling_dato"),
            (Tilbudstilknytning, "tilbud_tilknyttet_behandling_start_dato"),
            (Afslutning, "behandling_afsluttet_dato"),
        ):
            cursor.execute(
                f"UPDATE {model._meta.db_table} SET aendret = {felt} + interval '12 hours'"
            )
    # bulk_create and UPDATE send no signals: the reports' rows are computed once here.
    forloebsstatus.genopbyg()
    # As autovacuum leaves a database in use: statistics, and the visibility map that
    # lets an index-only scan skip the table (a freshly loaded table ran the report
    # SQL about twice as slow).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return myndigheder


def _schemas(rng: random.Random, forloeb: list[Kontaktforloeb], today: date) -> None:
    anm, iva, tilb, afsl = [], [], [], []
    for f in forloeb:
        anmodet = today - timedelta(days=rng.randrange(0, 6 * 365))
        anm.append(
            Anmodning(
                forloeb=f,
                behandling_anmodning_dato=anmodet,
                behandling_tidligere_kode="02",
                person_eller_partner_gravid_kode="02",
                person_psykisk_funktionsnedsaettelse_kode="02",
                sync_status=_status(rng),
            )
        )
        r = rng.random()
        if r < 0.10 or (today - anmodet).days < 30:
            continue  # only anmodet
        dage = min(rng.choice((3, 7, 10, 14, 15, 20, 40)), (today - anmodet).days)
        ivaerksat = anmodet + timedelta(days=dage)
        laege = rng.choice((True, True, False))
        iva.append(
            Ivaerksaettelse(
                forloeb=f,
                ivaerksat_behandling_dato=ivaerksat,
                ivaerksat_behandling_dage_siden_anmodning_kvantitet=dage,
                person_ivaerksat_behandling_alder_kvantitet=rng.randrange(16, 70),
                behandling_garanti_overskrede_aarsag_kode="01" if dage > 14 else "",
                oensker_borger_tilbud_laegesamtale_kode=rng.choice(("01", "02")),
                laegesamtale_afholdt_indikator=laege,
                laegesamtale_afholdt_dato=anmodet + timedelta(days=rng.randrange(1, 25))
                if laege
                else None,
                person_aktuelt_hovedstof_kode=rng.choice(HOVEDSTOFFER),
                sync_status=_status(rng),
            )
        )
        if r < 0.20:
            continue  # iværksat, no tilknytning
        lukket = r >= 0.65
        slut = None
        if lukket:
            slut = min(today, ivaerksat + timedelta(days=rng.randrange(30, 400)))
        tilb.append(
            Tilbudstilknytning(
                forloeb=f,
                tilbud_id=90_000 + rng.randrange(60),
                person_behandling_frit_valg_indikator=False,
                tilbud_tilknyttet_behandling_start_dato=ivaerksat,
                tilbud_tilknyttet_behandling_slut_dato=slut,
                behandling_intensitet_kode=rng.choice(("01", "01", "02", "03")),
                behandling_type_kode=rng.choice(TYPER),
                sync_status=_status(rng),
            )
        )
        if lukket:
            afsl.append(
                Afslutning(
                    forloeb=f,
                    behandling_afsluttet_dato=slut,
                    behandling_afsluttet_status_kode="01",
                    behandling_afsluttet_aarsag_kode=rng.choice(("01", "02", "03", "05")),
                    sync_status=_status(rng),
                )
            )
    for model, rows in (
        (Anmodning, anm),
        (Ivaerksaettelse, iva),
        (Tilbudstilknytning, tilb),
        (Afslutning, afsl),
    ):
        model.objects.bulk_create(rows, batch_size=1000)


def midnat(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=DK)
