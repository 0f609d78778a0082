"""The reports' read model (reporting.models.Forloebsstatus): each write path keeps a
forløb's row true, and the tilknytninger's cover answers "uden-tilknytning" exactly.

Every other test of the suite checks the rows after it ran (tests/conftest.py)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Afslutning, Anmodning, Kontaktforloeb, SyncStatus, Tilbudstilknytning
from cases.schema_models import model_kwargs
from reporting import forloebsstatus
from reporting.models import Forloebsstatus
from smdb import demo, outbox
from tests.cases.test_services_forloeb import tilb_values
from tests.factories import TilbudFactory
from tests.reporting.conftest import REF, dage_foer, genberegn, lav
from tests.reporting.test_selectors import _systemskift_par, paa_listen

pytestmark = pytest.mark.django_db


def status(f) -> Forloebsstatus:
    return Forloebsstatus.objects.get(forloeb=f)


# --- the tilknytninger's cover ------------------------------------------------------


def periode(start, slut=None):
    return SimpleNamespace(
        tilbud_tilknyttet_behandling_start_dato=start, tilbud_tilknyttet_behandling_slut_dato=slut
    )


@pytest.mark.parametrize(
    ("perioder", "daekning"),
    [
        ([], (None, None, False)),
        ([periode(date(2026, 1, 1))], (date(2026, 1, 1), None, False)),
        (
            [periode(date(2026, 1, 1), date(2026, 1, 31)), periode(date(2026, 2, 1))],
            (date(2026, 1, 1), None, False),  # the next day: no gap
        ),
        (
            [periode(date(2026, 1, 1), date(2026, 1, 31)), periode(date(2026, 2, 2))],
            (date(2026, 1, 1), None, True),  # 1 February is not covered
        ),
        (
            [periode(date(2026, 3, 1), date(2026, 3, 5)), periode(date(2026, 1, 1))],
            (date(2026, 1, 1), None, False),  # the open-ended one covers the later one
        ),
        (
            [periode(date(2026, 1, 1)), periode(date(2026, 1, 1), date(2026, 1, 9))],
            (date(2026, 1, 1), None, False),  # same start, one open-ended
        ),
        (
            [
                periode(date(2026, 1, 1), date(2026, 6, 30)),
                periode(date(2026, 2, 1), date(2026, 3, 1)),
            ],
            (date(2026, 1, 1), date(2026, 6, 30), False),  # nested
        ),
    ],
)
def test_the_cover_of_tilknytninger(perioder, daekning):
    assert forloebsstatus._daekning(perioder) == daekning


def _tilknyt(f, start, slut=None):
    values = demo.tilbudstilknytning_values(TilbudFactory().tilbud_id, start, slut)
    return Tilbudstilknytning.objects.create(forloeb=f, **model_kwargs(values))


def test_uden_tilknytning_a_reference_date_in_a_gap_between_tilknytninger(kbh):
    # Ivaerksat 60 days before REF; a tilknytning until 10 days before, the next from
    # 5 days after: on REF (in the gap) the forløb has none open.
    i_hullet = lav(kbh, dage_foer(70), "ivaersat", dage=10)
    _tilknyt(i_hullet, dage_foer(60), dage_foer(10))
    _tilknyt(i_hullet, REF + timedelta(days=5))
    naeste_dag = lav(kbh, dage_foer(70), "ivaersat", dage=10)
    _tilknyt(naeste_dag, dage_foer(60), REF - timedelta(days=1))
    _tilknyt(naeste_dag, REF)
    assert status(i_hullet).tilknytning_huller is True
    assert status(naeste_dag).tilknytning_huller is False
    assert paa_listen("uden-tilknytning", kbh) == {i_hullet.pk}
    # On a date inside either period the gap does not matter.
    assert paa_listen("uden-tilknytning", kbh, dato=dage_foer(20)) == set()
    assert paa_listen("uden-tilknytning", kbh, dato=REF + timedelta(days=6)) == set()


# --- write paths ---------------------------------------------------------------------------


def test_each_schema_saved_or_deleted_updates_the_row(kbh):
    f = lav(kbh, dage_foer(40), "tilknyttet", dage=20)
    row = status(f)
    assert row.behandling_anmodning_dato == dage_foer(40)
    assert row.ivaerksat_behandling_dato == dage_foer(20)
    assert row.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 20
    assert row.tilknytning_foerste_start == f.ivaerksaettelse.ivaerksat_behandling_dato
    assert row.behandling_afsluttet_dato is None
    afslutning = Afslutning.objects.create(
        forloeb=f,
        behandling_afsluttet_dato=REF,
        behandling_afsluttet_status_kode="01",
        behandling_afsluttet_aarsag_kode="01",
    )
    assert status(f).behandling_afsluttet_dato == REF
    afslutning.delete()
    assert status(f).behandling_afsluttet_dato is None
    f.delete()
    assert not Forloebsstatus.objects.filter(forloeb_id=f.pk).exists()


def test_the_outbox_and_its_results_update_the_smdb_state(kbh):
    f = lav(kbh, dage_foer(40))
    Anmodning.objects.filter(forloeb=f).update(sync_status=SyncStatus.SENDT)
    genberegn(f)
    assert status(f).smdb_tilstand == SyncStatus.SENDT
    outbox.record(schema_row=f.anmodning, action="ret")
    row = status(f)
    assert row.smdb_tilstand == SyncStatus.AFVENTER
    assert row.ikke_sendt_siden is not None


def test_deleting_the_restart_of_a_system_change_counts_the_afslutning_again(kbh):  # R-SKIFT-4
    foerste, anden = _systemskift_par(kbh)
    assert status(foerste).lukket_ved_systemskift and status(anden).genstart
    anden.delete()
    assert not status(foerste).lukket_ved_systemskift


def test_the_command_finds_and_mends_a_row_changed_behind_the_apps_back(kbh):
    f = lav(kbh, dage_foer(40))
    out = io.StringIO()
    call_command("forloebsstatus", "--kontroller", stdout=out)
    assert "passer" in out.getvalue()
    Anmodning.objects.filter(forloeb=f).update(aendret=timezone.now() - timedelta(days=400))
    with pytest.raises(SystemExit) as exc:
        call_command("forloebsstatus", "--kontroller", stdout=(out := io.StringIO()))
    assert exc.value.code == 1 and f"afviger: {f.pk}" in out.getvalue()
    call_command("forloebsstatus", "--genopbyg", "--myndighed", "101", stdout=io.StringIO())
    assert forloebsstatus.afvigelser() == {}


def test_a_caseworkers_write_updates_the_rows_from_memory_in_one_statement(alice, kbh):
    # The citizen has an earlier forløb: its row is written in the same statement.
    cpr = "0101901234"
    lav(kbh, dage_foer(900), "afsluttet", person_identifikator=cpr)
    f = lav(kbh, dage_foer(40), "ivaersat", person_identifikator=cpr)
    data = tilb_values(f)
    with CaptureQueriesContext(connection) as ctx:
        services.tilbudstilknytning_create(user=alice, forloeb_pk=f.pk, data=data)
    sql = [q["sql"] for q in ctx.captured_queries]
    status_sql = [q for q in sql if "reporting_forloebsstatus" in q]
    assert len(status_sql) == 1 and status_sql[0].startswith("INSERT")
    # Nothing is read again after the write: the row comes from memory.
    skrevet = next(
        i for i, q in enumerate(sql) if q.startswith('INSERT INTO "cases_tilbudstilknytning"')
    )
    assert not [q for q in sql[skrevet:] if q.startswith("SELECT") and '"cases_' in q]
    row = status(f)
    assert row.tilknytning_foerste_start == f.ivaerksaettelse.ivaerksat_behandling_dato
    assert row.smdb_tilstand == SyncStatus.AFVENTER
    assert forloebsstatus.afvigelser() == {}


def test_deleting_forloeb_by_queryset_writes_no_row_for_them(kbh):  # R-SKIFT-4
    foerste, anden = _systemskift_par(kbh)
    Kontaktforloeb.objects.filter(pk=anden.pk).delete()
    assert not Forloebsstatus.objects.filter(forloeb_id=anden.pk).exists()
    assert not status(foerste).lukket_ved_systemskift
