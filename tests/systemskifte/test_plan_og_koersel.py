"""One plan, two uses (issue 22): each model as a dry run and then for real on a
generated population covering every stage (``seeding.POPULATION``); citizen by
citizen, schema by schema, field by field, the simulator holds afterwards
exactly what the dry run said. 200 forløb here; the size tests (test_2000.py,
test_broker.py) make the same comparison at 2,000 on their populations."""

from __future__ import annotations

import pytest

from smdb.simulator import seeding
from smdb.simulator.models import SimSkema
from systemskifte import services
from systemskifte.models import JobStatus, Trin
from tests.systemskifte.checks import dobbelt_aktive, forskelle_fra_planen

pytestmark = pytest.mark.django_db(transaction=True)

N = 200


def proeve_og_koer(user, model, skiftedato):
    """The dry run, then the real run: returns both jobs, finished."""
    proeve = services.start(user=user, model=model, skiftedato=skiftedato, proevekoersel=True)
    proeve.refresh_from_db()
    assert proeve.status == JobStatus.FAERDIG, proeve.fejl
    skifte = services.start(user=user, model=model, skiftedato=skiftedato, proevekoersel=False)
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG, skifte.fejl
    assert dobbelt_aktive(proeve.myndighed.kommune_kode) == []  # R-ANM-1
    return proeve, skifte


def andre_myndigheders(kommune_kode):
    return sorted(
        SimSkema.objects.exclude(kommune_kode=kommune_kode).values_list("pk", "values", "slettet")
    )


@pytest.mark.parametrize("model", ["model1", "model2", "mellemloesning"])
def test_what_smdb_holds_after_is_what_the_dry_run_said(simulator, charlie, skiftedato, model):
    seeding.seed_population(N, 101, skiftedato=skiftedato)
    seeding.seed_active(20, 751)  # another myndighed's forløb: untouched
    andre = andre_myndigheders(101)
    proeve, skifte = proeve_og_koer(charlie, model, skiftedato)
    assert forskelle_fra_planen(proeve) == []
    assert andre_myndigheders(101) == andre
    # Both runs planned every citizen the same way, from the same snapshot.
    plan = {b.anmodning_id: (b.plan, b.forventet, b.fejl) for b in proeve.borgere.all()}
    assert {b.anmodning_id: (b.plan, b.forventet, b.fejl) for b in skifte.borgere.all()} == plan
    # Every stage was met: the dates after the change date need a person.
    trin = {b.trin for b in skifte.borgere.all()}
    assert trin == {Trin.FAERDIG, Trin.FEJL}
    efter = skifte.borgere.filter(trin=Trin.FEJL)
    stadier = [seeding.POPULATION[i % len(seeding.POPULATION)] for i in range(N)]
    assert efter.count() == sum(s.endswith("_efter_skiftet") for s in stadier)
    assert all("efter skiftedatoen" in b.fejl for b in efter)
