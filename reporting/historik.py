"""Loading history (``smdb_import``): forløb from a ``smdb_validate`` JSON file into a
myndighed, all or nothing, each checked by the rule engine with the file's other
forløb and with what is already stored for the same citizen."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from accounts.models import Myndighed
from audit.models import Handling
from audit.services import audit_record_many
from cases import skrivning
from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kontaktforloeb,
    SyncStatus,
    Tilbudstilknytning,
)
from cases.schema_models import model_kwargs
from cases.selectors import with_schemas
from cases.validation import rules_forloeb
from smdb import outbox
from smdb.models import SyncAction
from smdb.rules import Forloeb, Violation, computed_values, validate_forloeb
from smdb.rules import variabler as v
from smdb.rules.cpr import normaliser_cpr_hvis_muligt
from smdb.rules.jsonio import MalformedInput


@dataclass
class Importresultat:
    violations: list[tuple[int, Violation]] = field(default_factory=list)
    forloeb: int = 0
    skemaer: int = 0


def _skema(values) -> dict:
    """The values the model stores (the forløb-level PersonIdentifikator/KommuneKode
    live on the Kontaktforloeb row)."""
    return {k: val for k, val in (values or {}).items() if k not in (v.CPR, v.KOMMUNE)}


def normaliser(*, myndighed: Myndighed, forloeb: list[Forloeb]) -> list[Forloeb]:
    """Each forløb with the myndighed's kommunekode and its CPR number on the forløb;
    MalformedInput if one names another myndighed or no citizen."""
    out = []
    for i, f in enumerate(forloeb):
        if not f.cpr:
            raise MalformedInput(f"forloeb[{i}]: mangler PersonIdentifikator")
        if f.kommune_kode not in (None, myndighed.kommune_kode):
            raise MalformedInput(
                f"forloeb[{i}].KommuneKode: er {f.kommune_kode}, men der importeres til "
                f"{myndighed.kommune_kode}"
            )
        out.append(
            dataclasses.replace(
                f,
                kommune_kode=myndighed.kommune_kode,
                person_identifikator=normaliser_cpr_hvis_muligt(f.cpr),
            )
        )
    return out


def check(*, myndighed: Myndighed, today: date, forloeb: list[Forloeb]) -> list:
    """Every violation, each forløb validated with the citizen's other forløb in the file
    and in the database (R-ANM-1 and the other cross-forløb rules)."""
    cprs = {f.person_identifikator for f in forloeb}
    gemte: dict[str, list[Forloeb]] = defaultdict(list)
    for row in with_schemas(
        Kontaktforloeb.objects.for_myndighed(myndighed.pk).filter(person_identifikator__in=cprs)
    ):
        gemte[row.person_identifikator].append(rules_forloeb(row))
    i_filen: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(forloeb):
        i_filen[f.person_identifikator].append(i)
    out = []
    for i, f in enumerate(forloeb):
        cpr = f.person_identifikator
        andre = [forloeb[j] for j in i_filen[cpr] if j != i] + gemte[cpr]
        out += [(i, viol) for viol in validate_forloeb(f, today=today, andre_forloeb=andre)]
    return out


@transaction.atomic
def importer(
    *, myndighed: Myndighed, user, today: date, forloeb: list[Forloeb], sync: bool
) -> Importresultat:
    """Store every forløb or none. With ``sync`` each schema is queued to SMDB through
    the outbox; without it the schemas are marked as received (data SMDB already has)."""
    # Serialise with anmodning_create: no registration can slip in between check and store.
    myndighed = Myndighed.objects.select_for_update().get(pk=myndighed.pk)
    forloeb = normaliser(myndighed=myndighed, forloeb=forloeb)
    violations = check(myndighed=myndighed, today=today, forloeb=forloeb)
    if violations:
        return Importresultat(violations=violations)
    status = SyncStatus.IKKE_SENDT if sync else SyncStatus.SENDT
    resultat = Importresultat()
    gemte = []
    with skrivning.enhed():  # the reports' rows once, at the end
        for f in forloeb:
            row = Kontaktforloeb.objects.create(
                myndighed=myndighed,
                person_identifikator=normaliser_cpr_hvis_muligt(f.cpr),
                oprettet_af=user,
            )
            gemte.append((row.pk, row.person_identifikator))
            skemaer = [Anmodning.objects.create(forloeb=row, **model_kwargs(_skema(f.anmodning)))]
            if f.ivaerksaettelse is not None:
                skemaer.append(
                    Ivaerksaettelse.objects.create(
                        # 32-IVÆR and 23-IVÆR as the services store them (rule engine).
                        forloeb=row,
                        **model_kwargs({**_skema(f.ivaerksaettelse), **computed_values(f)}),
                    )
                )
            for t in f.tilbudstilknytninger:
                skemaer.append(
                    Tilbudstilknytning.objects.create(forloeb=row, **model_kwargs(_skema(t)))
                )
            if f.afslutning is not None:
                skemaer.append(
                    Afslutning.objects.create(forloeb=row, **model_kwargs(_skema(f.afslutning)))
                )
            for skema in skemaer:
                skema.oprettet_af = skema.aendret_af = user
                skema.sync_status = status
                skema.save(update_fields=["oprettet_af", "aendret_af", "sync_status"])
                if sync:
                    outbox.record(schema_row=skema, action=SyncAction.INDSAET)
            resultat.forloeb += 1
            resultat.skemaer += len(skemaer)
    audit_record_many(
        user=user,
        handling=Handling.IMPORTERET,
        borgere=gemte,
        beskrivelse="Import af historik" + ("" if sync else " (uden synkronisering)"),
    )
    return resultat
