"""What a finished system change must have left in the simulator and here."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from django.db import OperationalError, connection
from django.db.models import Count, Exists, OuterRef

from cases.models import Kontaktforloeb
from smdb.contract import unanswered
from smdb.models import SyncOperation
from smdb.rules import systemskifte as regler
from smdb.schema_json import from_json
from smdb_simulator import seeding
from smdb_simulator.models import SimSkema
from smdb_simulator.store import StoredForloeb, aktive
from systemskifte.models import Trin


def dobbelt_aktive(kommune_kode: int) -> list[str]:
    """Citizens with more than one active forløb in the simulator (R-ANM-1)."""
    afsluttet = aktive().filter(schema="afslutning", anmodning=OuterRef("pk"))
    return list(
        aktive()
        .filter(schema="anmodning", kommune_kode=kommune_kode)
        .filter(~Exists(afsluttet))
        .values("person_identifikator")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("person_identifikator", flat=True)
    )


class R_ANM_1_Vagt:
    """Looks at the simulator's store over and over while a job runs, from its own
    database connection: 'at no moment two active forløb for one citizen'."""

    def __init__(self, kommune_kode: int):
        self.kommune_kode = kommune_kode
        self.fund: list[str] = []
        self.kig = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            while not self._stop.is_set():
                try:
                    self.fund += dobbelt_aktive(self.kommune_kode)
                    self.kig += 1
                except OperationalError as exc:
                    # SQLite's shared in-memory test database locks a table while the
                    # job writes it; the watcher looks again (PostgreSQL never locks).
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                self._stop.wait(0.05)
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


def afslutning(anm: SimSkema) -> dict | None:
    row = aktive().filter(schema="afslutning", anmodning=anm).first()
    return from_json("afslutning", row.values) if row else None


def tjek_model2(skifte, skiftedato: date, *, n_aktive: int, n_glemte: int = 0) -> None:
    """R-SKIFT-2: every old forløb closed on the change date (a forgotten one on its
    real end date), a new one for the same citizen from the next day, each step
    sent once, the pair linked (R-SKIFT-4), no citizen with two active forløb."""
    kode = skifte.myndighed.kommune_kode
    start = (skiftedato + timedelta(days=1)).isoformat()
    borgere = list(skifte.borgere.all())
    assert len(borgere) == n_aktive + n_glemte
    assert {b.trin for b in borgere} == {Trin.FAERDIG}, [b.fejl for b in borgere if b.fejl][:3]
    assert dobbelt_aktive(kode) == []
    gamle = {b.anmodning_id: b for b in borgere}
    for anm in SimSkema.objects.filter(pk__in=gamle, schema="anmodning"):
        b = gamle[anm.pk]
        afsl = afslutning(anm)
        assert afsl is not None, anm.pk
        old = StoredForloeb.load(anm)
        if b.glemt:
            assert afsl["BehandlingAfsluttetAarsagTekst"] != regler.SYSTEMSKIFT_TEKST
            assert b.nyt_forloeb_id is None
            continue
        assert afsl["BehandlingAfsluttetDato"] == skiftedato
        assert regler.er_systemskifte_afslutning(afsl)  # R-SKIFT-4
        slut = [
            from_json("tilbudstilknytning", t.values)["TilbudTilknyttetBehandlingSlutDato"]
            for t in old.tilbudstilknytninger
        ]
        assert all(s and s <= skiftedato for s in slut)
        assert b.nyt_forloeb_id and b.gammelt_forloeb_id
    nye = list(
        aktive().filter(schema="anmodning", kommune_kode=kode).exclude(pk__in=gamle).order_by("pk")
    )
    assert len(nye) == n_aktive
    assert {a.person_identifikator for a in nye} == {
        b.person_identifikator for b in borgere if not b.glemt
    }
    for anm in nye:
        ny = StoredForloeb.load(anm)
        assert ny.afslutning is None
        assert anm.values["BehandlingAnmodningDato"] == start
        if ny.ivaerksaettelse:
            assert ny.ivaerksaettelse.values["IvaerksatBehandlingDato"] == start
        for t in ny.tilbudstilknytninger:
            assert t.values["TilbudTilknyttetBehandlingStartDato"] == start
    # Each step sent once: one operation per schema, accepted at the first or a
    # later attempt, never a second operation for the same change.
    ops = SyncOperation.objects.filter(forloeb_ref__in=Kontaktforloeb.objects.values("pk"))
    assert set(ops.values_list("status", flat=True)) == {"sendt"}
    per_skema = ops.values("schema", "object_id", "action").annotate(n=Count("pk"))
    assert {r["n"] for r in per_skema} == {1}


# --- the dry run's promise against what SMDB holds after (issue 22) -------------------


def _norm(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: None if unanswered(v) else v for k, v in values.items()}


def _skemaer(f: dict) -> list[tuple[str, dict | None]]:
    """A forløb (as ``planning.smdb_efter_json`` writes it) schema by schema, its
    KvalHep (Id and date: discontinued 1 July 2025) last."""
    return [
        ("anmodning", f["anmodning"]),
        ("ivaerksaettelse", f["ivaerksaettelse"]),
        *((f"tilbudstilknytning {i + 1}", t) for i, t in enumerate(f["tilbudstilknytninger"])),
        ("afslutning", f["afslutning"]),
        *((f"kvalhep {i + 1}", k) for i, k in enumerate(f.get("kvalhep", []))),
    ]


def smdb_forloeb_for(kommune_kode: int, cprs) -> dict[str, list[dict]]:
    """Every forløb (closed too) the simulator holds per citizen, oldest first, in
    the form of ``planning.smdb_efter_json``."""
    out: dict[str, list[dict]] = {c: [] for c in cprs}
    anmodninger = (
        aktive()
        .filter(schema="anmodning", kommune_kode=kommune_kode, person_identifikator__in=out)
        .order_by("pk")
    )
    rows: dict[int, list[SimSkema]] = {a.pk: [] for a in anmodninger}
    for r in aktive().filter(anmodning_id__in=rows).order_by("pk"):
        rows[r.anmodning_id].append(r)
    for a in anmodninger:
        by = {s: [r.values for r in rows[a.pk] if r.schema == s] for s in SKEMAER}
        out[a.person_identifikator].append(
            {
                "anmodning": a.values,
                "ivaerksaettelse": (by["ivaerksaettelse"] or [None])[0],
                "tilbudstilknytninger": by["tilbudstilknytning"],
                "afslutning": (by["afslutning"] or [None])[0],
                "kvalhep": [
                    {"Id": r.pk, "Dato": r.values["Dato"]}
                    for r in rows[a.pk]
                    if r.schema == "kvalhep"
                ],
            }
        )
    return out


SKEMAER = ("ivaerksaettelse", "tilbudstilknytning", "afslutning", "kvalhep")


def forskelle_fra_planen(proeve) -> list[str]:
    """Citizen by citizen, schema by schema, field by field: where what the
    simulator holds now differs from what the dry run ``proeve`` said it would."""
    kode = proeve.myndighed.kommune_kode
    borgere = list(proeve.borgere.all())
    faktisk = smdb_forloeb_for(kode, [b.person_identifikator for b in borgere])
    fund: list[str] = []
    for b in borgere:
        hvem = f"anmodning {b.anmodning_id} ({b.trin})"
        lovet = b.forventet.get("smdb_efter")
        if lovet is None:
            fund.append(f"{hvem}: prøvekørslen siger ikke, hvad SMDB har bagefter")
            continue
        har = faktisk[b.person_identifikator]
        if len(har) != len(lovet):
            fund.append(f"{hvem}: {len(har)} forløb i SMDB, prøvekørslen sagde {len(lovet)}")
            continue
        for i, (f_lovet, f_har) in enumerate(zip(lovet, har, strict=True)):
            s_lovet, s_har = _skemaer(f_lovet), _skemaer(f_har)
            if [n for n, x in s_lovet if x] != [n for n, x in s_har if x]:
                fund.append(
                    f"{hvem} forløb {i + 1}: skemaer {[n for n, x in s_har if x]}, "
                    f"prøvekørslen sagde {[n for n, x in s_lovet if x]}"
                )
                continue
            for (navn, lv), (_, hv) in zip(s_lovet, s_har, strict=True):
                lv, hv = _norm(lv) or {}, _norm(hv) or {}
                for felt in sorted(set(lv) | set(hv)):
                    if lv.get(felt) != hv.get(felt):
                        fund.append(
                            f"{hvem} forløb {i + 1} {navn} {felt}: SMDB har "
                            f"{hv.get(felt)!r}, prøvekørslen sagde {lv.get(felt)!r}"
                        )
    return fund


def andre_myndigheders(kommune_kode: int) -> list:
    """Every schema the simulator holds of the other myndigheder, to compare before
    and after: a system change touches its own myndighed's forløb only."""
    return sorted(
        SimSkema.objects.exclude(kommune_kode=kommune_kode).values_list("pk", "values", "slettet")
    )


def tjek_mod_proeven(proeve, skifte, n: int, *, andre_foer: list) -> None:
    """Issue 22 on a ``seeding.seed_population(n)``: the real run did what the dry
    run said, citizen by citizen and field by field; both planned every citizen the
    same way; every stage was met (those with dates after the change date need a
    person); no other myndighed's forløb was touched; no citizen has two active
    forløb (R-ANM-1)."""
    kode = proeve.myndighed.kommune_kode
    assert forskelle_fra_planen(proeve) == []
    assert dobbelt_aktive(kode) == []  # R-ANM-1
    assert andre_myndigheders(kode) == andre_foer
    plan = {b.anmodning_id: (b.plan, b.forventet, b.fejl) for b in proeve.borgere.all()}
    assert {b.anmodning_id: (b.plan, b.forventet, b.fejl) for b in skifte.borgere.all()} == plan
    assert {b.trin for b in skifte.borgere.all()} == {Trin.FAERDIG, Trin.FEJL}
    efter = skifte.borgere.filter(trin=Trin.FEJL)
    stadier = [seeding.POPULATION[i % len(seeding.POPULATION)] for i in range(n)]
    assert efter.count() == sum(s.endswith("_efter_skiftet") for s in stadier)
    assert all("efter skiftedatoen" in b.fejl for b in efter)
