"""Issue 10: an edit of a value another schema's computed field depends on reaches
SMDB. Services and the eager outbox against the simulator over real HTTP.

32-IVÆR (a) (days from anmodning to iværksættelse) and 23-IVÆR (age at
iværksættelse) are read only and computed by SMDB (R-IVAER-4, R-IVAER-5; the reading
is in ``smdb.rules.ivaerksaettelse``): the edit travels as one write and SMDB
recomputes, so it is accepted in one step with no manual "Prøv igen"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases import services
from cases.models import Afslutning, Anmodning, Ivaerksaettelse, Tilbudstilknytning
from smdb import demo, outbox, rules, sync
from smdb.client import SmdbKlient
from smdb.models import SyncOperation, SyncOperationStatus
from smdb_simulator import store
from smdb_simulator.models import SimSkema
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
    assert sim[ALDER] == rules.age_at(forloeb.person_identifikator, ny)


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


def test_an_edit_that_makes_4_ivaer_required_without_the_reason_is_refused_and_nothing_queued(
    simulator, sagsbehandler
):
    """R-IVAER-4: 10 -> 15 days makes 4-IVÆR required, and no reason is given: the
    app refuses the anmodning's edit with the rule's message; nothing is saved or sent."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=10)
    anm = Anmodning.objects.get(forloeb=forloeb)
    before = SyncOperation.objects.count()

    with pytest.raises(services.RuleViolations) as exc:
        services.anmodning_update(
            user=sagsbehandler,
            forloeb_pk=forloeb.pk,
            version=anm.version,
            data={"BehandlingAnmodningDato": anm.behandling_anmodning_dato - timedelta(days=5)},
        )

    assert {(v.rule, v.felt_id) for v in exc.value.violations} == {("R-IVAER-4", "4-IVÆR")}
    assert SyncOperation.objects.count() == before
    assert Anmodning.objects.get(forloeb=forloeb).version == anm.version


GARANTI_AARSAG = "BehandlingGarantiOverskredeAarsagKode"
LAEGESAMTALE_AARSAG = "LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode"


@pytest.mark.parametrize(
    ("dage", "flyt", "svar"),
    [
        (10, -5, {GARANTI_AARSAG: "01"}),  # 10 -> 15 days
        # 7 -> 16 days, and the lægesamtale (7 days after the old date) is now 16 days
        # after the new one: 29-IVÆR too (R-IVAER-6).
        (7, -9, {GARANTI_AARSAG: "08", LAEGESAMTALE_AARSAG: "05"}),
    ],
)
def test_an_edit_that_makes_4_ivaer_required_reaches_smdb_with_the_reason_given(
    simulator, sagsbehandler, dage, flyt, svar
):
    """R-IVAER-4: the anmodningsdato moves earlier, past 14 days, and the reason for
    exceeding the guarantee is given with the edit (the Ret anmodning page asks for
    it). The iværksættelse's answer changes with the anmodning, which SMDB takes in no
    single write: the iværksættelse and what hangs on it are deleted bagfra, the
    anmodning edited, and they are inserted again, the iværksættelse with the reason."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=dage)
    anm = Anmodning.objects.get(forloeb=forloeb)
    anm_id = anm.smdb_id
    ny = anm.behandling_anmodning_dato + timedelta(days=flyt)
    assert services.ivaerksaettelse_svar_der_mangler(
        forloeb, anmodning=anm.smdb_values() | {"BehandlingAnmodningDato": ny}
    ) == tuple(k for k in (LAEGESAMTALE_AARSAG, GARANTI_AARSAG) if k in svar)

    services.anmodning_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=anm.version,
        data={"BehandlingAnmodningDato": ny},
        ivaerksaettelse_svar=svar,
    )

    assert_all_sent_and_none_rejected()
    stored, violations = smdb_forloeb(forloeb)
    assert violations == []
    assert stored.anmodning.pk == anm_id  # edited in place
    assert stored.anmodning.values["BehandlingAnmodningDato"] == ny.isoformat()
    sim_ivaer = stored.ivaerksaettelse.values
    assert sim_ivaer[DAGE] == dage - flyt > 14
    for variable, kode in svar.items():
        assert sim_ivaer[variable] == kode
    assert len(stored.tilbudstilknytninger) == 1 and stored.afslutning is not None
    assert store.aktive().count() == 4
    ivaer = Ivaerksaettelse.objects.get(forloeb=forloeb)
    assert ivaer.behandling_garanti_overskrede_aarsag_kode == svar[GARANTI_AARSAG]
    assert (ivaer.smdb_id, ivaer.sync_status) == (stored.ivaerksaettelse.pk, "sendt")
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == dage - flyt


# --- dates tied by equality: R-TILB-3 and R-AFSL-6 -------------------------------------


def smdb_forloeb(forloeb):
    """The forløb as SMDB holds it now, and SMDB's rule engine's verdict on it."""
    anm = store.hent("anmodning", Anmodning.objects.get(forloeb=forloeb).smdb_id)
    stored = store.StoredForloeb.load(anm)
    return stored, rules.validate_forloeb(
        rules.with_computed_values(stored.rules_forloeb()), today=rules.today_dk()
    )


@pytest.mark.parametrize("flyt", [-2, 3])
def test_a_moved_ivaerksaettelsesdato_moves_the_tilknytning_that_started_on_it_in_smdb_too(
    simulator, sagsbehandler, flyt
):
    """R-TILB-3: the tilknytning starting on the iværksættelsesdato moves with it; SMDB
    gets the tilknytning and afslutning deleted bagfra, the edit, and both again."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=10)
    ivaer = Ivaerksaettelse.objects.get(forloeb=forloeb)
    ivaer_id = ivaer.smdb_id
    ny = ivaer.ivaerksat_behandling_dato + timedelta(days=flyt)

    services.ivaerksaettelse_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=ivaer.version,
        data=ivaer.smdb_values() | {"IvaerksatBehandlingDato": ny},
    )

    assert_all_sent_and_none_rejected()
    stored, violations = smdb_forloeb(forloeb)
    assert violations == []
    assert stored.ivaerksaettelse.pk == ivaer_id  # edited in place
    assert stored.ivaerksaettelse.values["IvaerksatBehandlingDato"] == ny.isoformat()
    assert stored.ivaerksaettelse.values[DAGE] == 10 + flyt
    (tilb,) = stored.tilbudstilknytninger
    assert tilb.values["TilbudTilknyttetBehandlingStartDato"] == ny.isoformat()
    assert stored.afslutning is not None
    # Our rows hold SMDB's new Ids, and nothing else is left in SMDB.
    t = Tilbudstilknytning.objects.get(forloeb=forloeb)
    assert t.tilbud_tilknyttet_behandling_start_dato == ny
    assert (t.smdb_id, t.sync_status) == (tilb.pk, "sendt")
    assert Afslutning.objects.get(forloeb=forloeb).smdb_id == stored.afslutning.pk
    assert store.aktive().count() == 4


@pytest.mark.parametrize("flyt", [-3, 2])
def test_a_moved_afslutningsdato_moves_the_slut_dates_that_were_on_it_in_smdb_too(
    simulator, sagsbehandler, flyt
):
    """R-AFSL-6: the afslutning equals the latest slut date; both move, and SMDB gets
    the afslutning deleted, the tilknytning's edit, and the afslutning again."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=7)
    afsl = Afslutning.objects.get(forloeb=forloeb)
    ny = afsl.behandling_afsluttet_dato + timedelta(days=flyt)

    services.afslutning_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=afsl.version,
        data=afsl.smdb_values() | {"BehandlingAfsluttetDato": ny},
    )

    assert_all_sent_and_none_rejected()
    stored, violations = smdb_forloeb(forloeb)
    assert violations == []
    assert stored.afslutning.values["BehandlingAfsluttetDato"] == ny.isoformat()
    (tilb,) = stored.tilbudstilknytninger
    assert tilb.values["TilbudTilknyttetBehandlingSlutDato"] == ny.isoformat()
    assert Afslutning.objects.get(forloeb=forloeb).smdb_id == stored.afslutning.pk
    assert store.aktive().count() == 4


def test_a_resent_schema_retried_after_a_lost_answer_is_found_not_inserted_twice(
    simulator, sagsbehandler, settings, monkeypatch
):
    """The re-insert after a deletion in SMDB keeps the look-up before a retry, and
    does not take the deleted old Id for its own."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=7)
    afsl = Afslutning.objects.get(forloeb=forloeb)
    old_id = afsl.smdb_id
    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: None)  # sent step by step
    ny = afsl.behandling_afsluttet_dato - timedelta(days=1)
    services.afslutning_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=afsl.version,
        data=afsl.smdb_values() | {"BehandlingAfsluttetDato": ny},
    )
    slet, ret, indsaet = SyncOperation.objects.exclude(status=S.SENDT).order_by("pk")
    assert [(o.schema, o.action) for o in (slet, ret, indsaet)] == [
        ("afslutning", "slet"),
        ("tilbudstilknytning", "ret"),
        ("afslutning", "indsaet"),
    ]
    klient = SmdbKlient()
    for op in (slet, ret):
        assert sync.claim(op) and sync.send_operation(op, klient).status == S.SENDT
    settings.SMDB_SIMULATOR_FAULT = "lost"  # the re-insert is carried out, its answer lost
    assert sync.claim(indsaet) and sync.send_operation(indsaet, klient).status == S.FEJL
    settings.SMDB_SIMULATOR_FAULT = ""

    SyncOperation.objects.filter(pk=indsaet.pk).update(next_attempt_at=None)
    sync.process_forloeb(forloeb.pk)  # the retry, as the sweeper would queue it

    assert_all_sent_and_none_rejected()
    stored, violations = smdb_forloeb(forloeb)
    assert violations == []
    assert SimSkema.objects.filter(schema="afslutning", slettet__isnull=True).count() == 1
    assert Afslutning.objects.get(forloeb=forloeb).smdb_id == stored.afslutning.pk != old_id


def test_an_edit_that_hides_4_ivaer_clears_it_and_reaches_smdb(simulator, sagsbehandler):
    """R-IVAER-4: 20 -> 14 days; the reason for exceeding the guarantee is cleared
    (R-GEN-2). The iværksættelse's answer changes with the anmodning, which SMDB
    takes in no single write: the iværksættelse and what hangs on it are deleted
    bagfra, the anmodning edited, and they are inserted again."""
    forloeb = iverksat_forloeb(sagsbehandler, dage=20)
    anm = Anmodning.objects.get(forloeb=forloeb)
    anm_id = anm.smdb_id
    ny = anm.behandling_anmodning_dato + timedelta(days=6)

    services.anmodning_update(
        user=sagsbehandler,
        forloeb_pk=forloeb.pk,
        version=anm.version,
        data={"BehandlingAnmodningDato": ny},
    )

    assert_all_sent_and_none_rejected()
    stored, violations = smdb_forloeb(forloeb)
    assert violations == []
    assert stored.anmodning.pk == anm_id  # edited in place
    assert stored.anmodning.values["BehandlingAnmodningDato"] == ny.isoformat()
    assert stored.ivaerksaettelse.values[DAGE] == 14
    assert not stored.ivaerksaettelse.values.get("BehandlingGarantiOverskredeAarsagKode")
    assert len(stored.tilbudstilknytninger) == 1 and stored.afslutning is not None
    assert store.aktive().count() == 4
    ivaer = Ivaerksaettelse.objects.get(forloeb=forloeb)
    assert ivaer.behandling_garanti_overskrede_aarsag_kode in ("", None)
    assert (ivaer.smdb_id, ivaer.sync_status) == (stored.ivaerksaettelse.pk, "sendt")
