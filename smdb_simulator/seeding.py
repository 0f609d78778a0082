"""Load the simulator with a myndighed's active forløb, as another system left them.

``seed_active(n, kommune_kode)`` stores ``n`` valid active forløb at mixed stages
(the citizen's number decides): only an Anmodning; iværksat; iværksat with an open
tilbudstilknytning; iværksat with an ended and an open one. ``glemte`` more are
"forgotten cases" (vejledning-systemskifte.txt section 3, 1a): every tilknytning
has ended, but nobody closed the forløb. ``kvalhep`` of the active ones have
history older than 2025: their anmodning lies before 1 July 2025 and a KvalHep
hangs on it, as SMDB still holds one (issue 22, model 1 deletes it). Every forløb
is checked with the rule engine before it is stored, in bulk, so 2,000 take seconds.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from django.db import transaction

from smdb import demo, rules
from smdb.contract import ANM, IVAER, KVALHEP_UDGAAET, TILB
from smdb.fields import SCHEMAS
from smdb.schema_json import to_json
from smdb_simulator import store
from smdb_simulator.catalogue import DEMO_TILBUD
from smdb_simulator.models import SimSkema

TILBUD_IDS = [t["tilbud_id"] for t in DEMO_TILBUD]
STADIER = ("anmodet", "ivaerksat", "tilknyttet", "skiftet_tilbud")


def cpr(n: int, *, born: date = date(1960, 1, 1)) -> str:
    """A distinct valid CPR number per ``n`` (20th century, 7th digit 1)."""
    d = born + timedelta(days=n // 900)
    return f"{d:%d%m%y}1{n % 900 + 100:03d}"


def forloeb_values(
    n: int, *, today: date, glemt: bool = False, foer_2025: bool = False
) -> rules.Forloeb:
    """Citizen ``n``'s active forløb, ending well before ``today`` - 30 days so a
    system-change date in the last month lies after every date in it. ``foer_2025``:
    the anmodning lies 30-119 days before 1 July 2025, when KvalHep was discontinued
    (R-GEN-3: the 2025-01-01 rules apply to it)."""
    stadie = "glemt" if glemt else STADIER[n % len(STADIER)]
    person = cpr(n)
    anmodet = today - timedelta(days=200 + n % 90)
    if foer_2025:
        anmodet = KVALHEP_UDGAAET - timedelta(days=30 + n % 90)
    ivaer = None
    tilknytninger = []
    if stadie != "anmodet":
        ivaerksat = anmodet + timedelta(days=7)
        ivaer = demo.ivaerksaettelse_values(person, anmodet, ivaerksat)
        tilbud = TILBUD_IDS[n % len(TILBUD_IDS)]
        if stadie == "tilknyttet":
            tilknytninger = [demo.tilbudstilknytning_values(tilbud, ivaerksat)]
        elif stadie == "skiftet_tilbud":
            skift = ivaerksat + timedelta(days=40)
            andet = TILBUD_IDS[(n + 1) % len(TILBUD_IDS)]
            tilknytninger = [
                demo.tilbudstilknytning_values(tilbud, ivaerksat, skift - timedelta(days=1)),
                demo.tilbudstilknytning_values(andet, skift),
            ]
        elif stadie == "glemt":
            tilknytninger = [
                demo.tilbudstilknytning_values(tilbud, ivaerksat, ivaerksat + timedelta(days=60))
            ]
    return rules.Forloeb(
        kommune_kode=0,  # set by the caller
        person_identifikator=person,
        anmodning=demo.anmodning_values(anmodet),
        ivaerksaettelse=ivaer,
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning=None,
    )


#: Every stage a system change meets (issue 22): ``population_values`` cycles
#: through them. The parallel combinations are those R-TILB-7/-8 allow (any number
#: of 04/06, at most one substitution type at a time).
POPULATION = (
    "anmodet",
    "ivaerksat",
    "en_aaben",
    "to_aabne_04_06",
    "to_aabne_01_04",
    "tre_aabne_04_06_04",
    "tre_aabne_01_04_06",
    "endt_og_aaben",
    "glemt",
    "glemt_to_endte",
    "endt_efter_skiftedatoen",
    "anmodet_efter_skiftet",
    "tilknyttet_efter_skiftet",
)


def population_values(n: int, *, today: date, skiftedato: date) -> rules.Forloeb:
    """Citizen ``n`` of a population around the change date ``skiftedato`` (at least
    8 days before ``today``): stage ``POPULATION[n % len(POPULATION)]``."""
    stadie = POPULATION[n % len(POPULATION)]
    person = cpr(n)
    anmodet = skiftedato - timedelta(days=150 + n % 200)
    if stadie == "anmodet_efter_skiftet":
        anmodet = skiftedato + timedelta(days=2)
    ivaer = None
    tilknytninger = []
    ivaerksat = anmodet + timedelta(days=5 + n % 20)
    tilbud = [TILBUD_IDS[(n + i) % len(TILBUD_IDS)] for i in range(3)]
    t = demo.tilbudstilknytning_values
    efter = skiftedato + timedelta(days=3)
    aabne = {
        "en_aaben": [("01", 0)],
        "to_aabne_04_06": [("04", 0), ("06", 1)],
        "to_aabne_01_04": [("01", 0), ("04", 1)],
        "tre_aabne_04_06_04": [("04", 0), ("06", 1), ("04", 0)],  # also the same tilbud
        "tre_aabne_01_04_06": [("01", 0), ("04", 1), ("06", 2)],
    }
    if stadie not in ("anmodet", "anmodet_efter_skiftet"):
        ivaer = demo.ivaerksaettelse_values(person, anmodet, ivaerksat)
        skift = ivaerksat + timedelta(days=30)
        if stadie in aabne:
            tilknytninger = [
                t(tilbud[i], ivaerksat + timedelta(days=k), type_kode=kode)
                for k, (kode, i) in enumerate(aabne[stadie])
            ]
        elif stadie == "endt_og_aaben":
            tilknytninger = [
                t(tilbud[0], ivaerksat, skift - timedelta(days=1), type_kode="04"),
                t(tilbud[1], skift, type_kode="01"),
            ]
        elif stadie == "glemt":
            tilknytninger = [t(tilbud[0], ivaerksat, skift)]
        elif stadie == "glemt_to_endte":
            tilknytninger = [
                t(tilbud[0], ivaerksat, skift, type_kode="01"),
                t(tilbud[1], ivaerksat, skift + timedelta(days=5), type_kode="06"),
            ]
        elif stadie == "endt_efter_skiftedatoen":
            tilknytninger = [t(tilbud[0], ivaerksat, efter, type_kode="04")]
        elif stadie == "tilknyttet_efter_skiftet":
            tilknytninger = [
                t(tilbud[0], ivaerksat, skift, type_kode="04"),
                t(tilbud[1], efter, type_kode="04"),
            ]
    return rules.Forloeb(
        kommune_kode=0,  # set by the caller
        person_identifikator=person,
        anmodning=demo.anmodning_values(anmodet),
        ivaerksaettelse=ivaer,
        tilbudstilknytninger=tuple(tilknytninger),
        afslutning=None,
    )


def seed_population(
    n: int, kommune_kode: int, *, skiftedato: date, today: date | None = None
) -> int:
    """Store ``n`` forløb covering every stage of ``POPULATION`` around
    ``skiftedato``. Returns how many were stored."""
    today = today or rules.today_dk()
    return _store(
        [population_values(i, today=today, skiftedato=skiftedato) for i in range(n)],
        kommune_kode,
        today,
    )


#: A seeded KvalHep's date: this long after its anmodning (before 1 July 2025).
KVALHEP_EFTER = timedelta(days=7)


def seed_active(
    n: int,
    kommune_kode: int,
    *,
    glemte: int = 0,
    start: int = 0,
    kvalhep: int = 0,
    today: date | None = None,
) -> int:
    """Store ``n`` active forløb (+ ``glemte`` forgotten ones) of myndighed
    ``kommune_kode`` in the simulator, citizens ``start``, ``start + 1`` ...
    The first ``kvalhep`` of the active ones started before 1 July 2025 and have a
    KvalHep. Returns how many were stored. Raises ValueError if one breaks a rule."""
    if not 0 <= kvalhep <= n:
        raise ValueError(f"Højst {n} af de aktive forløb kan have en KvalHep.")
    today = today or rules.today_dk()
    forloeb = [
        forloeb_values(i, today=today, glemt=i >= start + n, foer_2025=i < start + kvalhep)
        for i in range(start, start + n + glemte)
    ]
    datoer = [
        f.anmodning["BehandlingAnmodningDato"] + KVALHEP_EFTER if i < kvalhep else None
        for i, f in enumerate(forloeb)
    ]
    return _store(forloeb, kommune_kode, today, kvalhep=datoer)


def _store(
    forloeb: list[rules.Forloeb],
    kommune_kode: int,
    today: date,
    *,
    kvalhep: list[date | None] | None = None,
) -> int:
    """Store the forløb; ``kvalhep[i]``: the date of a KvalHep on forløb ``i``."""
    planned: list[rules.Forloeb] = []
    for i, f in enumerate(forloeb):
        f = dataclasses.replace(f, kommune_kode=kommune_kode)
        if violations := rules.validate_forloeb(f, today=today):
            raise ValueError(f"Forløb {i} bryder reglerne: {violations[0]}")
        planned.append(f)
    taken = set(
        SimSkema.objects.filter(
            schema=ANM,
            kommune_kode=kommune_kode,
            slettet__isnull=True,
            person_identifikator__in=[f.person_identifikator for f in planned],
        ).values_list("person_identifikator", flat=True)
    )
    if taken:  # R-ANM-1 holds in the simulator's store too
        raise ValueError(f"{len(taken)} af borgerne har allerede et forløb i myndigheden.")

    def row(schema, f, values, **kw):
        return SimSkema(
            schema=schema,
            kommune_kode=kommune_kode,
            person_identifikator=f.person_identifikator,
            # Every stored field, as the simulator's own insert stores them.
            values=to_json(
                {f.variable: values.get(f.variable) for f in SCHEMAS[schema].stored_fields}
            ),
            **kw,
        )

    with transaction.atomic():
        anmodninger = SimSkema.objects.bulk_create([row(ANM, f, f.anmodning) for f in planned])
        med_ivaer = [(f, a) for f, a in zip(planned, anmodninger, strict=True) if f.ivaerksaettelse]
        ivaer = SimSkema.objects.bulk_create(
            [row(IVAER, f, f.ivaerksaettelse, anmodning=a, parent=a) for f, a in med_ivaer]
        )
        SimSkema.objects.bulk_create(
            [
                row(TILB, f, t, anmodning=a, parent=iv)
                for (f, a), iv in zip(med_ivaer, ivaer, strict=True)
                for t in f.tilbudstilknytninger
            ]
        )
        SimSkema.objects.bulk_create(
            [
                SimSkema(**store.kvalhep_row(a, dato))
                for a, dato in zip(anmodninger, kvalhep or [], strict=False)
                if dato is not None
            ]
        )
    return len(planned)
