"""Issue 10: an edit of a value another schema's computed field depends on reaches
SMDB. Services and the eager outbox against the simulator over real HTTP.

32-IVÆR (a) (days from anmodning to iværksættelse) and 23-IVÆR (age at
iværksættelse) are read only and computed by SMDB (R-IVAER-4, R-IVAER-5; the reading
is in ``smdb.rules.ivaerksaettelse``): the edit travels as one write and SMDB
recomputes, so it is accepted in one step with no manual "Prøv igen"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases import demo, services
from cases.models import Afslutning, Anmodning, Ivaerksaettelse, Tilbudstilknytning
from smdb.client import SmdbKlient
from smdb.models import SyncOperation, SyncOperationStatus
from smdb.rules import age_at
from smdb.simulator import store
from tests.smdb_sync import harness

S = SyncOperationStatus
DAGE = "IvaerksatBehandlingDageSidenAnmodningKvantitet"
ALDER = "PersonIvaerksatBehandlingAlderKvantitet"


def iverksat_forloeb(user, *, dage: int, n: int = 1, tilknyttet: bool = True):
    """ANM, IVÆR ``dage`` later (and a closed TILB + AFSL), all sent to SMDB."""
    anmodet = harness.anmodningsdato()
    forloeb = services.anmodning_create(
        user=user, cpr=harness.cpr(n), data=demo.anmodning_values(anmodet)
    )
    ivaerksat = anmodet + timedelta(days=dage)
    harness.add_schema(
        forloeb,
        Ivaerksaettelse,
        demo.ivaerksaettelse_values(forloeb.person_identifikator, anmodet, ivaerksat),
    )
    if tilknyttet:
        slut = ivaerksat + timedelta(days=10)
        harness.add_schema(
            forloeb,
            Tilbudstilknytning,
            demo.tilbudstilknytning_values(harness.TILBUD_ID, ivaerksat, slut),
        )
        harness.add_schema(forloeb, Afslutning, demo.afslutning_values(slut))
    assert set(SyncOperation.objects.values_list("status", flat=True)) == {S.SENDT}
    return forloeb


def in_smdb(row):
    return store.hent(row.schema.key, row.smdb_id)


def assert_all_sent_and_none_rejected():
    statuses = set(SyncOperation.objects.values_list("status", flat=True))
    assert statuses == {S.SENDT}, list(
        SyncOperation.objects.exclude(status=S.SENDT).values("schema", "status", "last_error")
    )


@pytest.mark.parametrize(
    ("dage", "flyt"),
    [
        (7, -3),  # earlier: 7 -> 10 days
        (7, 2),  # later: 7 -> 5 days (the 02.10 -> 04.10)
        (20, -3),  # guarantee exceeded (4-IVÆR answered): 20 -> 23 days
        (20, 2),  # 20 -> 18 days
    ],
)
def test_an_edited_anmodningsdato_of_an_ivaerksat_and_sent_forloeb_reaches_smdb(
    simulator, sagsbehandler, dage, flyt
):
    forloeb = iverksat_forloeb(sagsbehandler, dage=dage)
    anm = Anmodning.objects.get(forloeb=forloeb)
    ivaer = Ivaerksaettelse.objects.get(forloeb=forloeb)
    ny = anm.behandling_anmodning_dato + timedelta(days=flyt)
    before = SyncOperation.objects.count()

    services.anmodning_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=anm.version,
        data={"BehandlingAnmodningDato": ny},
    )

    assert_all_sent_and_none_rejected()
    # One write travels: the anmodning's; SMDB recomputes the day count itself.
    (op,) = SyncOperation.objects.order_by("pk")[before:]
    assert op.schema == "anmodning" and op.attempts == 1
    assert in_smdb(anm).values["BehandlingAnmodningDato"] == ny.isoformat()
    sim_ivaer = in_smdb(ivaer).values
    assert sim_ivaer[DAGE] == dage - flyt
    assert sim_ivaer["IvaerksatBehandlingDato"] == ivaer.ivaerksat_behandling_dato.isoformat()
    ivaer.refresh_from_db()
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == dage - flyt
    assert ivaer.sync_status == "sendt"
    # What SMDB holds now validates as a whole (a further edit is accepted).
    svar = SmdbKlient().indsaet(
        "anmodning",
        anm.smdb_values() | {"BehandlingAnmodningDato": ny},
        smdb_id=anm.smdb_id,
        person_identifikator=forloeb.person_identifikator,
        kommune_kode=101,
    )
    assert svar.succes, svar.fejl


@pytest.mark.parametrize("flyt", [-2, 3])
def test_an_edited_ivaerksaettelsesdato_reaches_smdb_with_day_count_and_age_recomputed(
    simulator, sagsbehandler, flyt
):
    # R-TILB-3 ties the date to a tilknytning's start, so a forløb not yet tilknyttet.
    # The lægesamtale (7 days after the anmodning) stays before the iværksættelse.
    forloeb = iverksat_forloeb(sagsbehandler, dage=10, tilknyttet=False)
    ivaer = Ivaerksaettelse.objects.get(forloeb=forloeb)
    ny = ivaer.ivaerksat_behandling_dato + timedelta(days=flyt)

    services.ivaerksaettelse_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=ivaer.version,
        data=ivaer.smdb_values() | {"IvaerksatBehandlingDato": ny},
    )

    assert_all_sent_and_none_rejected()
    sim = in_smdb(ivaer).values
    assert sim["IvaerksatBehandlingDato"] == ny.isoformat()
    assert sim[DAGE] == 10 + flyt
    assert sim[ALDER] == age_at(forloeb.person_identifikator, ny)


def test_smdb_computes_the_read_only_fields_itself_whatever_a_client_sends(simulator):
    """R-IVAER-4, R-IVAER-5: the simulator replaces a client's 32-IVÆR and 23-IVÆR
    by its own (as SMDB's "Automatisk udregnet") instead of rejecting them."""
    klient = SmdbKlient()
    cpr = harness.cpr(7)
    anmodet = harness.anmodningsdato()
    anm = klient.indsaet(
        "anmodning", demo.anmodning_values(anmodet), person_identifikator=cpr, kommune_kode=101
    )
    values = demo.ivaerksaettelse_values(cpr, anmodet, anmodet + timedelta(days=5))
    iv = klient.indsaet("ivaerksaettelse", values | {DAGE: 99, ALDER: 3}, parent_id=anm.id)

    assert iv.succes, iv.fejl
    stored = store.hent("ivaerksaettelse", iv.id).values
    assert (stored[DAGE], stored[ALDER]) == (5, values[ALDER])

    # The anmodning moved two days later: the stored iværksættelse follows.
    moved = klient.indsaet(
        "anmodning",
        demo.anmodning_values(anmodet + timedelta(days=2)),
        smdb_id=anm.id,
        person_identifikator=cpr,
        kommune_kode=101,
    )
    assert moved.succes, moved.fejl
    assert store.hent("ivaerksaettelse", iv.id).values[DAGE] == 3


def test_the_simulator_still_validates_the_forloeb_as_it_would_be_after_the_edit(simulator):
    """R-IVAER-3: an anmodningsdato after the iværksættelse is rejected, stored data kept."""
    klient = SmdbKlient()
    cpr = harness.cpr(8)
    anmodet = harness.anmodningsdato()
    anm = klient.indsaet(
        "anmodning", demo.anmodning_values(anmodet), person_identifikator=cpr, kommune_kode=101
    )
    iv_values = demo.ivaerksaettelse_values(cpr, anmodet, anmodet + timedelta(days=5))
    iv = klient.indsaet("ivaerksaettelse", iv_values, parent_id=anm.id)

    svar = klient.indsaet(
        "anmodning",
        demo.anmodning_values(anmodet + timedelta(days=6)),
        smdb_id=anm.id,
        person_identifikator=cpr,
        kommune_kode=101,
    )

    assert not svar.succes and "R-IVAER-3" in {f.kode for f in svar.fejl}
    assert store.hent("anmodning", anm.id).values["BehandlingAnmodningDato"] == anmodet.isoformat()
    assert store.hent("ivaerksaettelse", iv.id).values[DAGE] == 5


def test_an_edit_crossing_the_14_day_guarantee_is_refused_locally_and_nothing_is_queued(
    simulator, sagsbehandler
):
    """R-IVAER-4: 7 -> 16 days would make 4-IVÆR required on the iværksættelse; no
    single write can change both, so the app refuses the edit (see README)."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=7)
    anm = Anmodning.objects.get(forloeb=forloeb)
    before = SyncOperation.objects.count()

    with pytest.raises(services.RuleViolations) as exc:
        services.anmodning_update(
            user=sagsbehandler,
            forloeb_pk=forloeb.pk,
            version=anm.version,
            data={"BehandlingAnmodningDato": anm.behandling_anmodning_dato - timedelta(days=9)},
        )

    assert "R-IVAER-4" in {v.rule for v in exc.value.violations}
    assert SyncOperation.objects.count() == before
