"""A system change of forløb from before 1 July 2025 that still have a KvalHep in
SMDB (issue 22; the KvalHep part of the reporting was discontinued then, but DST
still answers HentKvalHep and SletKvalHep, kravspecifikation 1.1-1.2).

- Model 1 (R-SKIFT-1, the guide's section 3 step f "Slet KvalHep"): the KvalHep is
  deleted, just before the anmodning it hangs on (R-DEL-1, ``smdb.rules.deletion``),
  and not sent again (IndsaetKvalHep is refused). The dry run names the deletion.
- Model 2 (R-SKIFT-2, the guide's section 4): closing the forløb (a-d) does not
  touch the KvalHep; the guide's "f. KvalHep" in the new system cannot be done since
  1 July 2025, so the KvalHep stays on the closed forløb.
- Mellemløsning (R-SKIFT-3): the forløb stays in SMDB-web as it is, KvalHep too.
"""

from __future__ import annotations

from datetime import date

import pytest

from smdb.models import SyncOperation
from smdb_simulator import seeding
from smdb_simulator.models import SimSkema
from systemskifte.models import Trin
from tests.systemskifte.checks import forskelle_fra_planen
from tests.systemskifte.test_plan_og_koersel import proeve_og_koer

pytestmark = pytest.mark.django_db(transaction=True)

N, MED_KVALHEP = 6, 3


def kvalhep_rows():
    return SimSkema.objects.filter(schema="kvalhep").order_by("pk")


def kvalhep_tekst(row: SimSkema) -> str:
    return f"KvalHep (Id {row.pk}, {date.fromisoformat(row.values['Dato']):%d.%m.%Y})"


def test_model1_deletes_the_kvalhep_before_the_anmodning_as_the_dry_run_said(
    simulator, charlie, skiftedato
):
    seeding.seed_active(N, 101, kvalhep=MED_KVALHEP)
    kvalhep = list(kvalhep_rows())
    assert len(kvalhep) == MED_KVALHEP
    proeve, skifte = proeve_og_koer(charlie, "model1", skiftedato)  # R-ANM-1 after too

    # The dry run's plan names each deletion, after the iværksættelse's and just
    # before the anmodning's (R-DEL-1), and the real run planned the same.
    for row in kvalhep:
        b = proeve.borgere.get(anmodning_id=row.anmodning_id)
        slet = f"Slet {kvalhep_tekst(row)} i SMDB; den sendes ikke igen (udgået)."
        assert slet in b.plan, b.plan
        i = b.plan.index(slet)
        assert b.plan[i + 1] == "Slet anmodningen i SMDB."
        assert all(
            op.startswith(("Importeres", "Slet tilbudstilknytningen", "Slet iværksættelsen"))
            for op in b.plan[:i]
        ), b.plan
        assert b.forventet["slet_kvalhep"] == [row.pk]
        assert skifte.borgere.get(anmodning_id=row.anmodning_id).plan == b.plan
    uden = proeve.borgere.exclude(anmodning_id__in=[r.anmodning_id for r in kvalhep])
    assert uden.count() == N - MED_KVALHEP
    assert not any("KvalHep" in op for b in uden for op in b.plan)

    # SMDB holds the re-sent forløb and no KvalHep; no deletion was refused.
    assert {b.trin for b in skifte.borgere.all()} == {Trin.FAERDIG}
    assert not kvalhep_rows().filter(slettet__isnull=True).exists()
    assert forskelle_fra_planen(proeve) == []
    ops = SyncOperation.objects.all()
    assert set(ops.values_list("status", flat=True)) == {"sendt"}
    for row in kvalhep:
        (op,) = ops.filter(schema="kvalhep", object_id=row.pk)
        assert op.action == "slet" and op.smdb_response["succes"] is True
        forloeb = ops.filter(forloeb_ref=op.forloeb_ref).order_by("pk")
        foer = [(o.schema, o.action) for o in forloeb if o.pk < op.pk]
        efter = [(o.schema, o.action) for o in forloeb if o.pk > op.pk]
        assert all(a == "slet" and s in ("tilbudstilknytning", "ivaerksaettelse") for s, a in foer)
        assert efter[0] == ("anmodning", "slet")  # right after it, the anmodning
        assert ("kvalhep", "indsaet") not in efter  # never sent again


@pytest.mark.parametrize("model", ["model2", "mellemloesning"])
def test_model2_and_mellemloesning_leave_the_kvalhep_as_it_is(
    simulator, charlie, skiftedato, model
):
    seeding.seed_active(N, 101, kvalhep=MED_KVALHEP)
    foer = list(kvalhep_rows().values_list("pk", "anmodning_id", "values", "slettet"))
    proeve, skifte = proeve_og_koer(charlie, model, skiftedato)

    assert list(kvalhep_rows().values_list("pk", "anmodning_id", "values", "slettet")) == foer
    assert not SyncOperation.objects.filter(schema="kvalhep").exists()
    assert {b.trin for b in skifte.borgere.all()} == {Trin.FAERDIG}
    # What SMDB holds after is what the dry run said, the KvalHep on the old forløb.
    assert forskelle_fra_planen(proeve) == []
    hvad = {
        "model2": "bliver på det lukkede forløb i SMDB; den registreres ikke på det nye "
        "(KvalHep udgik 1. juli 2025).",
        "mellemloesning": "bliver i SMDB, som den er.",
    }[model]
    for row in kvalhep_rows():
        b = proeve.borgere.get(anmodning_id=row.anmodning_id)
        assert f"{kvalhep_tekst(row)} {hvad}" in b.plan
        assert not any(op.startswith("Slet KvalHep") for op in b.plan)
        assert b.forventet["smdb_efter"][0]["kvalhep"] == [
            {"Id": row.pk, "Dato": row.values["Dato"]}
        ]
