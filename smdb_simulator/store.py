"""What the simulated SMDB does with a schema: store, validate, delete.

Every insert, update and deletion is checked with the same rule engine as the
app's forms (``smdb.rules``) on the whole stored forløb, as it would be after the
write, plus the citizen's other forløb in the myndighed; a breach returns the
rules' errors and stores nothing. Like SMDB, the simulator computes the read-only
32-IVÆR and 23-IVÆR itself from the forløb's dates and CPR on every write
(``rules.with_computed_values``, R-IVAER-4/-5): an edit of the anmodningsdato
updates the stored iværksættelse's day count, and what a client sends for them
is replaced.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from smdb import rules
from smdb.contract import (
    AFSL,
    ANM,
    IKKE_FUNDET,
    IVAER,
    KVALHEP,
    KVALHEP_UDGAAET,
    PARENT,
    TILB,
    Fejl,
    Svar,
)
from smdb.fields import SCHEMAS
from smdb.schema_json import from_json, to_json
from smdb_simulator.catalogue import DEMO_TILBUD_IDS
from smdb_simulator.models import SimSkema

# One writer at a time: validation and write of a forløb must not interleave
# (R-ANM-1 looks at the citizen's other forløb). A process-wide lock is enough
# for a simulator served by one process.
_write_lock = threading.RLock()


def _fejl(kode: str, tekst: str, **kw) -> Svar:
    return Svar(False, fejl=[Fejl(kode, tekst, **kw)])


def ikke_fundet(navn: str, smdb_id: int) -> Svar:
    return _fejl(IKKE_FUNDET, f"{navn} med Id {smdb_id} findes ikke i SMDB.")


def aktive() -> Any:
    return SimSkema.objects.filter(slettet__isnull=True)


def hent(schema_key: str, smdb_id: int) -> SimSkema | None:
    return aktive().filter(schema=schema_key, pk=smdb_id).first()


@dataclass
class StoredForloeb:
    anmodning: SimSkema
    ivaerksaettelse: SimSkema | None
    tilbudstilknytninger: list[SimSkema]
    afslutning: SimSkema | None

    @classmethod
    def load(cls, anmodning: SimSkema) -> StoredForloeb:
        rows = list(aktive().filter(anmodning=anmodning).order_by("pk"))
        by = {s: [r for r in rows if r.schema == s] for s in (IVAER, TILB, AFSL)}
        return cls(
            anmodning,
            (by[IVAER] or [None])[0],
            by[TILB],
            (by[AFSL] or [None])[0],
        )

    def rules_forloeb(self, **replace) -> rules.Forloeb:
        def one(name: str, row: SimSkema | None):
            if name in replace:
                return replace[name]
            return from_json(name, row.values) if row is not None else None

        tilknytninger = replace.get(
            "tilbudstilknytninger",
            [from_json(TILB, r.values) for r in self.tilbudstilknytninger],
        )
        return rules.Forloeb(
            kommune_kode=self.anmodning.kommune_kode,
            person_identifikator=self.anmodning.person_identifikator,
            anmodning=one(ANM, self.anmodning),
            ivaerksaettelse=one(IVAER, self.ivaerksaettelse),
            tilbudstilknytninger=tuple(tilknytninger),
            afslutning=one(AFSL, self.afslutning),
        )


def andre_forloeb(kommune_kode: int, cpr: str, exclude_pk: int | None) -> list[rules.Forloeb]:
    qs = aktive().filter(schema=ANM, kommune_kode=kommune_kode, person_identifikator=cpr)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [StoredForloeb.load(a).rules_forloeb() for a in qs]


def _violations(candidate: rules.Forloeb, exclude_pk: int | None) -> list[Fejl]:
    violations = rules.validate_forloeb(
        candidate,
        today=rules.today_dk(),
        andre_forloeb=andre_forloeb(
            candidate.kommune_kode, candidate.person_identifikator, exclude_pk
        ),
    )
    return [
        Fejl(v.rule, v.message, felt_id=v.felt_id or "", variabel=v.variable or "")
        for v in violations
    ]


def _store_computed(stored: StoredForloeb, candidate: rules.Forloeb) -> None:
    """Keep the stored iværksættelse's computed fields those of the forløb as now
    stored (an edit of the anmodning moves 32-IVÆR)."""
    row = stored.ivaerksaettelse
    if row is None or candidate.ivaerksaettelse is None:
        return
    values = to_json(
        {
            f.variable: candidate.ivaerksaettelse.get(f.variable)
            for f in SCHEMAS[IVAER].stored_fields
        }
    )
    if values != row.values:
        row.values = values
        row.save(update_fields=["values"])


def indsaet(
    schema_key: str,
    values: Mapping[str, Any],
    *,
    smdb_id: int | None = None,
    parent_id: int | None = None,
    person_identifikator: str | None = None,
    kommune_kode: int | None = None,
) -> Svar:
    """Insert (no Id) or update (an existing Id) one schema of a forløb."""
    schema = SCHEMAS[schema_key]
    values = {f.variable: values.get(f.variable) for f in schema.stored_fields}
    navn = schema.title
    with _write_lock, transaction.atomic():
        row = None
        if smdb_id is not None:
            row = hent(schema_key, smdb_id)
            if row is None:
                return ikke_fundet(navn, smdb_id)

        if schema_key == ANM:
            if row is not None:
                if (row.person_identifikator, row.kommune_kode) != (
                    person_identifikator,
                    kommune_kode,
                ):
                    return _fejl(
                        "UAENDRELIG",
                        "CPR-nummer og kommunekode kan ikke ændres på en anmodning; "
                        "slet forløbet og opret det igen.",
                    )
                stored = StoredForloeb.load(row)
                old = from_json(ANM, row.values).get("BehandlingAnmodningDato")
                new = values.get("BehandlingAnmodningDato")
                if old and new and (error := rules.start_date_change_error(old, new)):
                    return _fejl("R-GEN-4", error, felt_id="2-ANM")  # R-GEN-4
                candidate = rules.with_computed_values(stored.rules_forloeb(anmodning=values))
            else:
                candidate = rules.Forloeb(
                    kommune_kode=kommune_kode,
                    person_identifikator=person_identifikator,
                    anmodning=values,
                    ivaerksaettelse=None,
                )
            fejl = _violations(candidate, row.pk if row else None)
            if fejl:
                return Svar(False, smdb_id, fejl)
            if row is None:
                row = SimSkema(
                    schema=ANM,
                    kommune_kode=kommune_kode,
                    person_identifikator=person_identifikator,
                )
            row.values = to_json(values)
            row.save()
            if smdb_id is not None:
                _store_computed(stored, candidate)
            return Svar(True, row.pk)

        parent = hent(PARENT[schema_key], parent_id) if parent_id is not None else None
        if parent is None:
            return ikke_fundet(SCHEMAS[PARENT[schema_key]].title, parent_id or 0)
        if row is not None and row.parent_id != parent.pk:
            return _fejl("UAENDRELIG", f"{navn} {smdb_id} hører ikke til skema {parent.pk}.")
        anmodning = parent if parent.schema == ANM else parent.anmodning
        stored = StoredForloeb.load(anmodning)

        if schema_key == TILB:
            if values.get("TilbudId") not in DEMO_TILBUD_IDS:
                return _fejl(
                    "UKENDT_TILBUD",
                    f"Tilbud {values.get('TilbudId')} findes ikke i tilbudskataloget.",
                    felt_id="1-TILB",
                    variabel="TilbudId",
                )
            tilknytninger = [
                values if r.pk == smdb_id else from_json(TILB, r.values)
                for r in stored.tilbudstilknytninger
            ]
            if row is None:
                tilknytninger.append(values)
            candidate = stored.rules_forloeb(tilbudstilknytninger=tilknytninger)
        else:
            existing = getattr(stored, schema_key)
            if row is None and existing is not None:
                rule = "R-IVAER-1" if schema_key == IVAER else "R-AFSL-1"
                return _fejl(
                    rule,
                    f"Forløbet har allerede en {navn.lower()} (Id {existing.pk}).",
                )
            candidate = stored.rules_forloeb(**{schema_key: values})
        candidate = rules.with_computed_values(candidate)
        if schema_key == IVAER:
            values = {
                f.variable: candidate.ivaerksaettelse.get(f.variable) for f in schema.stored_fields
            }

        fejl = _violations(candidate, anmodning.pk)
        if fejl:
            return Svar(False, smdb_id, fejl)
        if row is None:
            row = SimSkema(
                schema=schema_key,
                anmodning=anmodning,
                parent=parent,
                kommune_kode=anmodning.kommune_kode,
                person_identifikator=anmodning.person_identifikator,
            )
        row.values = to_json(values)
        row.save()
        if schema_key != IVAER:
            _store_computed(stored, candidate)
        return Svar(True, row.pk)


def slet(schema_key: str, smdb_id: int) -> Svar:
    """Slette-markér one schema, bagfra (R-DEL-1): nothing may depend on it, and
    the rest of the forløb must still satisfy the rules."""
    schema = SCHEMAS[schema_key]
    with _write_lock, transaction.atomic():
        row = hent(schema_key, smdb_id)
        if row is None:
            return ikke_fundet(schema.title, smdb_id)
        anmodning = row if schema_key == ANM else row.anmodning
        stored = StoredForloeb.load(anmodning)
        index = None
        if schema_key == TILB:
            index = [r.pk for r in stored.tilbudstilknytninger].index(row.pk)
        try:
            rules.check_deletion(stored.rules_forloeb(), schema_key, index)  # R-DEL-1
        except rules.DeletionRefused as exc:
            return _fejl(exc.rule, exc.reason)
        if schema_key == ANM and (kvalhep := kvalhep_paa(row)):
            # R-DEL-1: a schema others depend on is not deleted while they exist.
            return _fejl(
                "R-DEL-1",
                f"Anmodningen kan ikke slettes endnu: KvalHep med Id {kvalhep[0].pk} hører "
                "til den og skal slettes først (SletKvalHep).",
            )
        if schema_key != ANM:
            if schema_key == TILB:
                replace = {
                    "tilbudstilknytninger": [
                        from_json(TILB, r.values)
                        for r in stored.tilbudstilknytninger
                        if r.pk != row.pk
                    ]
                }
            else:
                replace = {schema_key: None}
            fejl = _violations(stored.rules_forloeb(**replace), anmodning.pk)
            if fejl:
                return Svar(False, smdb_id, fejl)
        row.slettet = timezone.now()
        row.save(update_fields=["slettet"])
        return Svar(True, row.pk)


def slet_helt_forloeb(anmodning_id: int) -> Svar:
    """The whole forløb slette-markeret at once, its KvalHep too."""
    with _write_lock, transaction.atomic():
        anmodning = hent(ANM, anmodning_id)
        if anmodning is None:
            return ikke_fundet("Anmodning", anmodning_id)
        now = timezone.now()
        aktive().filter(anmodning=anmodning).update(slettet=now)
        anmodning.slettet = now
        anmodning.save(update_fields=["slettet"])
        return Svar(True, anmodning.pk)


def forloeb_for_person(schema_key: str, cpr: str, kommune_kode: int) -> list[SimSkema]:
    return list(
        aktive()
        .filter(schema=schema_key, person_identifikator=cpr, kommune_kode=kommune_kode)
        .order_by("pk")
    )


def aktive_forloeb(kommune_kode: int) -> list[StoredForloeb]:
    """Every active forløb of the myndighed, in two queries (a municipality may
    hold thousands: HentAktiveKontaktForloebIMyndighed at a system change)."""
    afsluttet = aktive().filter(schema=AFSL, anmodning=OuterRef("pk"))
    anmodninger = list(
        aktive()
        .filter(schema=ANM, kommune_kode=kommune_kode)
        .filter(~Exists(afsluttet))
        .order_by("pk")
    )
    rows: dict[int, list[SimSkema]] = {a.pk: [] for a in anmodninger}
    for r in aktive().filter(anmodning_id__in=rows).order_by("pk"):
        rows[r.anmodning_id].append(r)
    out = []
    for a in anmodninger:
        by = {s: [r for r in rows[a.pk] if r.schema == s] for s in (IVAER, TILB)}
        out.append(StoredForloeb(a, (by[IVAER] or [None])[0], by[TILB], None))
    return out


# --- KvalHep (discontinued 1 July 2025, smdb.contract.KVALHEP) --------------------------


def gem_kvalhep(anmodning_id: int, dato: date) -> SimSkema:
    """Store a KvalHep on the anmodning, as SMDB holds one reported before 1 July
    2025 (seeding and tests: over SOAP, IndsaetKvalHep is refused). An opaque
    record: its Id, its anmodning, its date. Raises ValueError for a KvalHep SMDB
    could not hold: no such anmodning, or a date on or after 1 July 2025 or before
    the anmodning (our assumption: it belongs to the forløb)."""
    anmodning = hent(ANM, anmodning_id)
    if anmodning is None:
        raise ValueError(f"Anmodning med Id {anmodning_id} findes ikke.")
    anmodet = date.fromisoformat(anmodning.values["BehandlingAnmodningDato"])
    if not anmodet <= dato < KVALHEP_UDGAAET:
        raise ValueError(
            f"En KvalHep skal være dateret mellem anmodningen ({anmodet:%d.%m.%Y}) og "
            f"{KVALHEP_UDGAAET:%d.%m.%Y}, hvor KvalHep udgik."
        )
    return SimSkema.objects.create(**kvalhep_row(anmodning, dato))


def kvalhep_row(anmodning: SimSkema, dato: date) -> dict:
    return {
        "schema": KVALHEP,
        "anmodning": anmodning,
        "parent": anmodning,
        "kommune_kode": anmodning.kommune_kode,
        "person_identifikator": anmodning.person_identifikator,
        "values": {"Dato": dato.isoformat()},
    }


def kvalhep_paa(anmodning: SimSkema) -> list[SimSkema]:
    return list(aktive().filter(schema=KVALHEP, anmodning=anmodning).order_by("pk"))


def kvalhep_for_person(cpr: str, kommune_kode: int) -> list[SimSkema]:
    return forloeb_for_person(KVALHEP, cpr, kommune_kode)


def slet_kvalhep(smdb_id: int) -> Svar:
    """SletKvalHep: slette-markér it. Nothing depends on a KvalHep."""
    with _write_lock, transaction.atomic():
        row = hent(KVALHEP, smdb_id)
        if row is None:
            return ikke_fundet("KvalHep", smdb_id)
        row.slettet = timezone.now()
        row.save(update_fields=["slettet"])
        return Svar(True, row.pk)
