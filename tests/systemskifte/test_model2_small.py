from __future__ import annotations

from datetime import timedelta

import pytest

from smdb.simulator import seeding, store
from systemskifte import services
from systemskifte.models import JobStatus, Trin

pytestmark = pytest.mark.django_db(transaction=True)


def test_small_model2(simulator, charlie, skiftedato):
    seeding.seed_active(8, 101, glemte=1)
    skifte = services.start(
        user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
    )
    skifte.refresh_from_db()
    print(skifte.status, skifte.fejl, list(skifte.borgere.values_list("trin", "fejl")))
    assert skifte.status == JobStatus.FAERDIG
    assert set(skifte.borgere.values_list("trin", flat=True)) == {Trin.FAERDIG}
    aktive = store.aktive_forloeb(101)
    assert len(aktive) == 8
    for f in aktive:
        assert (
            f.anmodning.values["BehandlingAnmodningDato"]
            == (skiftedato + timedelta(days=1)).isoformat()
        )
