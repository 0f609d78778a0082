"""Reconciliation with SMDB: each kind of planted difference is found, nothing else,
and each one-click fix makes the next comparison clean (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Afslutning, Kontaktforloeb
from cases.schema_models import model_kwargs
from smdb import demo
from smdb.client import SmdbKlient
from smdb.schema_json import from_json
from smdb_simulator import seeding, store
from smdb_simulator.models import SimSkema
from systemskifte import afstemning, services, tasks
from systemskifte.models import Afstemning, AfstemningStatus, AfvigelseStatus, AfvigelseType

pytestmark = pytest.mark.django_db(transaction=True)
T = AfvigelseType


@pytest.fixture
def ens(simulator, charlie, skiftedato):
    """Six forløb both in SMDB and here, the same (imported as a mellemløsning, then
    made ordinary forløb of ours)."""
    seeding.seed_active(6, 101)
    services.start(user=charlie, model="mellemloesning", skiftedato=skiftedato, proevekoersel=False)
    Kontaktforloeb.objects.update(vedligeholdes_i_smdb_web=False)
    return {f.person_identifikator: f for f in Kontaktforloeb.objects.all()}


def _forloeb(ens, n):
    return ens[seeding.cpr(n)]


def test_nothing_differs_when_nothing_was_planted(ens, charlie):
    run = afstemning.afstem(myndighed=charlie.myndighed)
    assert run.fejl == "" and run.antal_smdb == 6 and run.antal_her == 6
    assert not run.afvigelser.exists()


def plant_every_kind(ens, *, ny_borger: int = 50):
    """Citizens 0 and 4 are only anmodet (seeding's stages), 1 and 5 iværksat."""
    # Only in SMDB: another system registered a citizen we do not have.
    seeding.seed_active(1, 101, start=ny_borger)
    # Missing in SMDB: someone deleted ours there.
    mangler = _forloeb(ens, 2)
    store.slet_helt_forloeb(mangler.anmodning.smdb_id)
    # Closed in SMDB, active here.
    afsl_smdb = _forloeb(ens, 0)
    dato = afsl_smdb.anmodning.behandling_anmodning_dato + timedelta(days=3)
    assert store.indsaet(
        "afslutning",
        demo.afslutning_values(dato, aarsag="03"),
        parent_id=afsl_smdb.anmodning.smdb_id,
    ).succes
    # Closed here (never sent), active in SMDB.
    afsl_her = _forloeb(ens, 4)
    Afslutning.objects.create(
        forloeb=afsl_her,
        **model_kwargs(
            demo.afslutning_values(
                afsl_her.anmodning.behandling_anmodning_dato + timedelta(days=2), aarsag="03"
            )
        ),
    )
    # Different answers: SMDB's iværksættelse says another housing situation.
    vaerdier = _forloeb(ens, 1)
    iv = SimSkema.objects.get(pk=vaerdier.ivaerksaettelse.smdb_id)
    iv.values = {**iv.values, "PersonBoligsituationKode": "12"}
    iv.save()
    return {
        T.KUN_I_SMDB: None,
        T.MANGLER_I_SMDB: mangler.pk,
        T.AFSLUTTET_I_SMDB: afsl_smdb.pk,
        T.AFSLUTTET_HER: afsl_her.pk,
        T.VAERDIER: vaerdier.pk,
    }


def test_each_planted_difference_is_found_and_nothing_else(ens, charlie):
    planted = plant_every_kind(ens)
    run = afstemning.afstem(myndighed=charlie.myndighed, user=charlie)
    found = {a.type: a for a in run.afvigelser.all()}
    assert len(found) == run.afvigelser.count() == 5
    assert {t: a.forloeb_id for t, a in found.items()} == planted
    assert found[T.KUN_I_SMDB].person_identifikator == seeding.cpr(50)
    assert any("10-IVÆR" in d or "IVÆR" in d for d in found[T.VAERDIER].detaljer), found[
        T.VAERDIER
    ].detaljer
    assert afstemning.rettelser(found[T.VAERDIER]) == ("send", "hent")
    assert afstemning.rettelser(found[T.KUN_I_SMDB]) == ("hent",)


def test_each_fix_makes_the_next_comparison_clean(ens, charlie):
    plant_every_kind(ens)
    run = afstemning.afstem(myndighed=charlie.myndighed, user=charlie)
    for a in run.afvigelser.select_related("forloeb", "myndighed"):
        if a.type in (T.KUN_I_SMDB, T.AFSLUTTET_I_SMDB, T.VAERDIER):
            afstemning.hent_smdbs(user=charlie, afvigelse=a)
        else:
            afstemning.send_vores(user=charlie, afvigelse=a)
    assert not run.afvigelser.filter(status=AfvigelseStatus.AABEN).exists()
    assert AuditEntry.objects.filter(beskrivelse__startswith="Afstemning").count() >= 4
    again = afstemning.afstem(myndighed=charlie.myndighed, user=charlie)
    assert list(again.afvigelser.values_list("type", "detaljer")) == []
    # The value fetched from SMDB is ours now.
    iv = _forloeb(ens, 1).ivaerksaettelse
    iv.refresh_from_db()
    assert iv.person_boligsituation_kode == "12"


def test_a_fix_is_made_once(ens, charlie):
    store.slet_helt_forloeb(_forloeb(ens, 2).anmodning.smdb_id)
    a = afstemning.afstem(myndighed=charlie.myndighed).afvigelser.select_related("forloeb").get()
    afstemning.send_vores(user=charlie, afvigelse=a)
    with pytest.raises(afstemning.RettelseFejl):
        afstemning.send_vores(user=charlie, afvigelse=a)


def test_kontrolliste_page_and_buttons(ens, charlie, client):
    store.slet_helt_forloeb(_forloeb(ens, 2).anmodning.smdb_id)
    client.force_login(charlie)
    client.post("/systemskifte/afstemning/afstem/")
    body = client.get("/systemskifte/afstemning/").content.decode()
    assert "Aktivt her, findes ikke i SMDB" in body and "Send vores igen" in body
    a = afstemning.aabne_afvigelser(charlie.myndighed_id).get()
    response = client.post(f"/systemskifte/afstemning/{a.pk}/send/")
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AfvigelseStatus.RETTET
    # Sent again through the outbox (eager): SMDB has it anew.
    forloeb = _forloeb(ens, 2)
    forloeb.anmodning.refresh_from_db()
    sim = SimSkema.objects.get(pk=forloeb.anmodning.smdb_id)
    assert sim.slettet is None
    assert from_json("anmodning", sim.values)["BehandlingAnmodningDato"] == (
        forloeb.anmodning.behandling_anmodning_dato
    )


# --- The run as a job (issue 23) ------------------------------------------------------


@pytest.fixture
def smdb_kald(monkeypatch):
    """How often the run asked SMDB for the active list (once per real comparison)."""
    kald = []
    original = SmdbKlient.hent_aktive_kontaktforloeb

    def taelles(self, kommune_kode):
        kald.append(kommune_kode)
        return original(self, kommune_kode)

    monkeypatch.setattr(SmdbKlient, "hent_aktive_kontaktforloeb", taelles)
    return kald


def test_a_run_is_claimed_once(ens, charlie, smdb_kald):
    run, ny = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    assert ny and run.status == AfstemningStatus.VENTER
    assert afstemning.koer(run.pk).status == AfstemningStatus.FAERDIG
    # A duplicate task (or a redelivered message) finds the run claimed: nothing runs.
    assert afstemning.koer(run.pk).status == AfstemningStatus.FAERDIG
    assert len(smdb_kald) == 1
    # Nor while another task has it ("kører").
    andet, _ = afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
    Afstemning.objects.filter(pk=andet.pk).update(status=AfstemningStatus.KOERER)
    assert afstemning.koer(andet.pk).status == AfstemningStatus.KOERER
    assert len(smdb_kald) == 1


def test_at_most_one_unfinished_run_per_myndighed(ens, charlie, aarhus):
    run, ny = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    igen, ny_igen = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    assert ny and not ny_igen and igen.pk == run.pk
    # The synchronous path (the nightly job) does not start a second one either.
    assert afstemning.afstem(myndighed=charlie.myndighed).pk == run.pk
    assert Afstemning.objects.filter(myndighed=charlie.myndighed).count() == 1
    # The database holds the line too (two requests in the same moment).
    with pytest.raises(IntegrityError), transaction.atomic():
        Afstemning.objects.create(myndighed=charlie.myndighed, status=AfstemningStatus.KOERER)
    # Another myndighed has its own.
    _, ny_aarhus = afstemning.start(myndighed=aarhus, koe_nu=False)
    assert ny_aarhus
    # Once the run is done, the next can start.
    afstemning.koer(run.pk)
    _, ny_efter = afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
    assert ny_efter


def test_a_run_with_a_stale_heartbeat_can_be_started_again(ens, charlie, settings, smdb_kald):
    run, _ = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    Afstemning.objects.filter(pk=run.pk).update(
        status=AfstemningStatus.KOERER,
        sidst_aktiv=timezone.now() - timedelta(seconds=settings.AFSTEMNING_STALE_AFTER + 1),
    )
    run.refresh_from_db()
    assert afstemning.gaaet_i_staa(run)
    ny_run, ny = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    assert ny and ny_run.pk != run.pk
    run.refresh_from_db()
    assert run.status == AfstemningStatus.FEJLET and "gik i stå" in run.fejl
    assert afstemning.koer(ny_run.pk).status == AfstemningStatus.FAERDIG
    assert len(smdb_kald) == 1


def test_a_run_given_up_as_stale_while_working_writes_nothing(ens, charlie, monkeypatch):
    """Its process was slow, not dead: the new run's list is not overwritten."""
    store.slet_helt_forloeb(_forloeb(ens, 2).anmodning.smdb_id)
    gammel, _ = afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
    original = afstemning.hent_smdb_forloeb

    def opgivet_undervejs(klient, anmodning_id):
        if Afstemning.objects.filter(pk=gammel.pk, status=AfstemningStatus.KOERER).exists():
            Afstemning.objects.filter(pk=gammel.pk).update(
                sidst_aktiv=timezone.now() - timedelta(hours=1)
            )
            afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
        return original(klient, anmodning_id)

    monkeypatch.setattr(afstemning, "hent_smdb_forloeb", opgivet_undervejs)
    run = afstemning.koer(gammel.pk)
    assert run.status == AfstemningStatus.FEJLET and "gik i stå" in run.fejl
    assert not run.afvigelser.exists()


def test_progress_is_counted_as_the_run_compares(ens, charlie, monkeypatch):
    monkeypatch.setattr(afstemning, "PULS_HVER", 0)
    run, _ = afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
    set_undervejs = []
    original = afstemning.hent_smdb_forloeb

    def ser_fremdriften(klient, anmodning_id):
        r = Afstemning.objects.get(pk=run.pk)
        set_undervejs.append((r.status, r.antal_sammenlignet, r.antal_i_alt, r.sidst_aktiv))
        return original(klient, anmodning_id)

    monkeypatch.setattr(afstemning, "hent_smdb_forloeb", ser_fremdriften)
    run = afstemning.koer(run.pk)
    assert [(s, n, i) for s, n, i, _ in set_undervejs] == [
        (AfstemningStatus.KOERER, n, 6) for n in range(6)
    ]
    puls = [t for *_, t in set_undervejs]
    assert puls == sorted(puls) and puls[0] is not None
    assert (run.status, run.antal_sammenlignet, run.antal_i_alt) == (AfstemningStatus.FAERDIG, 6, 6)
    assert afstemning.fremdrift(run)["procent"] == 100


def test_smdb_down_is_recorded_on_the_run_and_the_list_stays(ens, charlie, settings):
    store.slet_helt_forloeb(_forloeb(ens, 2).anmodning.smdb_id)
    foer = afstemning.afstem(myndighed=charlie.myndighed)
    assert foer.afvigelser.count() == 1
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    run = afstemning.afstem(myndighed=charlie.myndighed, user=charlie)
    assert run.status == AfstemningStatus.FEJLET and run.afsluttet is not None
    assert run.fejl.startswith("SMDB svarer ikke")
    assert afstemning.aabne_afvigelser(charlie.myndighed_id).count() == 1
    # Not stuck: the next one can start.
    assert afstemning.start(myndighed=charlie.myndighed, koe_nu=False)[1]


def test_an_unexpected_error_fails_the_run(ens, charlie, monkeypatch):
    def kaput(klient, anmodning_id):
        raise RuntimeError("uventet")

    monkeypatch.setattr(afstemning, "hent_smdb_forloeb", kaput)
    run, _ = afstemning.start(myndighed=charlie.myndighed, koe_nu=False)
    with pytest.raises(RuntimeError):
        afstemning.koer(run.pk)
    run.refresh_from_db()
    assert run.status == AfstemningStatus.FEJLET and "stoppede med en fejl" in run.fejl


def test_the_nightly_job_compares_inline(ens, charlie, settings):
    """Even where "Afstem nu" runs in a thread (the demo), the nightly task compares in
    its own worker task, one myndighed after the other."""
    settings.LOKALE_JOB_I_BAGGRUNDEN = True
    store.slet_helt_forloeb(_forloeb(ens, 2).anmodning.smdb_id)
    assert tasks.afstem_alle() == 1
    run = Afstemning.objects.get()
    assert run.status == AfstemningStatus.FAERDIG and run.afvigelser.count() == 1
