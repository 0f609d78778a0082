"""The simulator can be loaded with a myndighed's active forløb (issue 14)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from smdb import rules
from smdb_simulator import seeding, store

pytestmark = pytest.mark.django_db


def test_seed_active_stores_valid_active_forloeb_at_mixed_stages():
    assert seeding.seed_active(8, 101, glemte=2) == 10
    aktive = store.aktive_forloeb(101)
    assert len(aktive) == 10
    stadier = {(f.ivaerksaettelse is not None, len(f.tilbudstilknytninger)) for f in aktive}
    assert stadier == {(False, 0), (True, 0), (True, 1), (True, 2)}
    for f in aktive:
        assert rules.validate_forloeb(f.rules_forloeb(), today=rules.today_dk()) == []
    # Forgotten: every tilknytning ended, the forløb not closed.
    glemte = [
        f
        for f in aktive
        if f.tilbudstilknytninger
        and all(t.values.get("TilbudTilknyttetBehandlingSlutDato") for t in f.tilbudstilknytninger)
        and len(f.tilbudstilknytninger) == 1
    ]
    assert len(glemte) == 2


def test_seed_refuses_a_second_active_forloeb_for_a_citizen():  # R-ANM-1
    seeding.seed_active(2, 101)
    with pytest.raises(ValueError, match="allerede"):
        seeding.seed_active(2, 101)
    seeding.seed_active(2, 751)  # another myndighed may hold the same citizens


def test_seed_command(capsys):
    call_command("seed_smdb_active", "5", "--myndighed", "101")
    assert "5 aktive forløb" in capsys.readouterr().out
    assert len(store.aktive_forloeb(101)) == 5


def test_seed_active_can_give_some_forloeb_history_from_before_2025_with_a_kvalhep():
    """Issue 22: KvalHep (discontinued 1 July 2025) on the first ``kvalhep`` forløb."""
    from datetime import date

    from smdb_simulator.models import SimSkema

    assert seeding.seed_active(6, 101, glemte=1, kvalhep=2) == 7
    aktive = {f.anmodning.pk: f for f in store.aktive_forloeb(101)}
    kvalhep = list(SimSkema.objects.filter(schema="kvalhep").order_by("pk"))
    assert len(kvalhep) == 2
    for row in kvalhep:
        f = aktive[row.anmodning_id]
        anmodet = date.fromisoformat(f.anmodning.values["BehandlingAnmodningDato"])
        assert anmodet <= date.fromisoformat(row.values["Dato"]) < date(2025, 7, 1)
        assert row.person_identifikator == f.anmodning.person_identifikator
        assert rules.validate_forloeb(f.rules_forloeb(), today=rules.today_dk()) == []
    uden = [f for pk, f in aktive.items() if pk not in {r.anmodning_id for r in kvalhep}]
    assert all(f.anmodning.values["BehandlingAnmodningDato"] >= "2025-07-01" for f in uden)
    with pytest.raises(ValueError, match="Højst 2"):
        seeding.seed_active(2, 751, kvalhep=3)


def test_seed_command_with_kvalhep(capsys):
    call_command("seed_smdb_active", "5", "--myndighed", "101", "--kvalhep", "2")
    out = capsys.readouterr().out
    assert "5 aktive forløb" in out and "2 af dem er fra før 1. juli 2025" in out
    cpr = store.aktive_forloeb(101)[0].anmodning.person_identifikator
    assert len(store.kvalhep_for_person(cpr, 101)) == 1
