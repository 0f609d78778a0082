"""The outbox in eager mode against the simulator over real HTTP: services record,
the task sends in order, stores Ids, retries transport errors, keeps rejections."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Handling
from cases import services
from cases.models import Anmodning, Ivaerksaettelse, SyncStatus
from smdb import demo, outbox, sync
from smdb.client import SmdbKlient
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb_simulator import store
from smdb_simulator.models import SimSkema
from tests.smdb_sync import harness

S = SyncOperationStatus


def create_anmodning(user, n=1, **values):
    data = {**demo.anmodning_values(harness.anmodningsdato()), **values}
    return services.anmodning_create(user=user, cpr=harness.cpr(n), data=data)


def sim_rows(schema="anmodning"):
    return list(store.aktive().filter(schema=schema))


def test_it_sends_a_new_anmodning_and_stores_the_smdb_id(simulator, sagsbehandler):
    forloeb = create_anmodning(sagsbehandler)

    anmodning = Anmodning.objects.get(forloeb=forloeb)
    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    (sim,) = sim_rows()
    assert op.status == S.SENDT and op.attempts == 1
    assert anmodning.smdb_id == sim.pk == op.smdb_id
    assert anmodning.sync_status == SyncStatus.SENDT
    assert sim.person_identifikator == forloeb.person_identifikator
    assert sim.kommune_kode == 101
    assert sim.values["BehandlingAnmodningDato"] == harness.anmodningsdato().isoformat()


def test_a_whole_forloeb_arrives_in_dependency_order_with_parent_ids(simulator, sagsbehandler):
    forloeb = harness.full_forloeb(sagsbehandler, 1)

    ops = list(SyncOperation.objects.filter(forloeb_ref=forloeb.pk).order_by("pk"))
    assert [o.schema for o in ops] == [
        "anmodning",
        "ivaerksaettelse",
        "tilbudstilknytning",
        "afslutning",
    ]
    assert {o.status for o in ops} == {S.SENDT}
    anm = Anmodning.objects.get(forloeb=forloeb)
    iv = Ivaerksaettelse.objects.get(forloeb=forloeb)
    (sim_iv,) = sim_rows("ivaerksaettelse")
    (sim_tilb,) = sim_rows("tilbudstilknytning")
    assert sim_iv.parent_id == anm.smdb_id
    assert sim_tilb.parent_id == iv.smdb_id
    assert sim_iv.values["HenvisningPaaOpfordringAfListe"] == ["01", "04"]
    assert sim_rows("afslutning")[0].anmodning_id == anm.smdb_id


def test_transport_errors_are_retried_and_the_schema_arrives_when_smdb_is_back(
    simulator, sagsbehandler, settings
):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    forloeb = create_anmodning(sagsbehandler)

    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.FEJL
    assert "HTTP 503" in op.last_error
    assert op.next_attempt_at > op.claimed_at
    assert Anmodning.objects.get(forloeb=forloeb).sync_status == SyncStatus.FEJL
    assert sim_rows() == []

    settings.SMDB_SIMULATOR_FAULT = ""
    SyncOperation.objects.filter(pk=op.pk).update(next_attempt_at=op.claimed_at)
    assert sync.sweep() == 1

    op.refresh_from_db()
    assert op.status == S.SENDT and op.attempts == 2
    assert len(sim_rows()) == 1


def test_a_rule_rejection_is_kept_with_smdbs_errors_and_not_retried(simulator, sagsbehandler):
    # Another system has already reported an active forløb for the citizen (R-ANM-1).
    harness.reported_by_another_system(1)
    forloeb = create_anmodning(sagsbehandler)

    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.AFVIST
    assert [f["kode"] for f in op.fejl] == ["R-ANM-1"]
    assert "aktivt kontaktforløb" in op.fejl[0]["tekst"]
    assert Anmodning.objects.get(forloeb=forloeb).sync_status == SyncStatus.AFVIST
    assert sync.sweep() == 0  # a rejection waits for a person
    assert len(sim_rows()) == 1


def test_prøv_igen_sends_again_after_the_case_is_fixed(simulator, sagsbehandler, client):
    other = harness.reported_by_another_system(1)
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    client.force_login(sagsbehandler)
    url = reverse("smdb:sync_retry", args=["anmodning", anmodning.pk])

    page = client.get(reverse("cases:forloeb_detail", args=[forloeb.pk]))
    assert page.status_code == 200
    assert f'action="{url}"' in page.content.decode()  # the rejected schema offers Prøv igen

    store.slet("anmodning", other.id)  # fixed in SMDB's own web form
    response = client.post(url)

    assert response.status_code == 302
    anmodning.refresh_from_db()
    assert anmodning.sync_status == SyncStatus.SENDT
    assert anmodning.smdb_id is not None
    assert AuditEntry.objects.filter(
        forloeb_id=forloeb.pk, handling=Handling.AENDRET, bruger=sagsbehandler
    ).exists()


def test_prøv_igen_is_scoped_to_the_users_myndighed(simulator, sagsbehandler, client):
    from accounts.models import Rolle
    from tests.factories import MyndighedFactory, UserFactory

    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    bob = UserFactory(
        username="bob", myndighed=MyndighedFactory(kommune_kode=751), rolle=Rolle.SAGSBEHANDLER
    )
    client.force_login(bob)

    response = client.post(reverse("smdb:sync_retry", args=["anmodning", anmodning.pk]))

    assert response.status_code == 404


def test_an_answer_lost_after_the_insert_does_not_duplicate_the_schema(
    simulator, sagsbehandler, settings
):
    settings.SMDB_SIMULATOR_FAULT = "lost"  # SMDB stores it, the answer never arrives
    forloeb = create_anmodning(sagsbehandler)
    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.FEJL
    assert len(sim_rows()) == 1

    settings.SMDB_SIMULATOR_FAULT = ""
    SyncOperation.objects.filter(pk=op.pk).update(next_attempt_at=op.claimed_at)
    sync.sweep()

    op.refresh_from_db()
    (sim,) = sim_rows()
    assert op.status == S.SENDT
    assert Anmodning.objects.get(forloeb=forloeb).smdb_id == sim.pk


def test_an_edit_after_an_uncertain_send_does_not_duplicate_the_schema(
    simulator, sagsbehandler, settings
):
    settings.SMDB_SIMULATOR_FAULT = "lost"  # SMDB stores the old values, the answer is lost
    anmodet = harness.anmodningsdato()
    forloeb = create_anmodning(sagsbehandler, BehandlingAnmodningDato=anmodet)
    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.FEJL
    settings.SMDB_SIMULATOR_FAULT = ""

    # The caseworker corrects the anmodningsdato before the retry: the retry must
    # still find what the lost attempt stored, by the values it sent then.
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    anmodning.behandling_anmodning_dato = anmodet - timedelta(days=1)
    anmodning.save()
    outbox.record(schema_row=anmodning, action=SyncAction.RET)

    op.refresh_from_db()
    (sim,) = sim_rows()
    assert op.status == S.SENDT, op.last_error
    assert sim.values["BehandlingAnmodningDato"] == (anmodet - timedelta(days=1)).isoformat()
    assert Anmodning.objects.get(forloeb=forloeb).smdb_id == sim.pk


def test_an_iværksættelse_waits_while_its_anmodning_is_rejected(simulator, sagsbehandler):
    harness.reported_by_another_system(1)
    forloeb = create_anmodning(sagsbehandler)
    anmodet = harness.anmodningsdato()
    iv = harness.add_schema(
        forloeb,
        Ivaerksaettelse,
        demo.ivaerksaettelse_values(forloeb.person_identifikator, anmodet, anmodet),
    )

    op = SyncOperation.objects.get(schema="ivaerksaettelse", object_id=iv.pk)
    assert op.status == S.BLOKERET and op.attempts == 0
    assert "anmodning" in op.last_error
    iv.refresh_from_db()
    assert iv.sync_status == SyncStatus.AFVENTER
    assert sim_rows("ivaerksaettelse") == []


def test_an_edit_before_sending_changes_what_is_sent(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    anmodning.behandling_tidligere_kode = "01"
    anmodning.save()
    outbox.record(schema_row=anmodning, action=SyncAction.RET)

    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.action == SyncAction.INDSAET
    assert op.payload["values"]["BehandlingTidligereKode"] == "01"


def test_an_edit_after_sending_updates_the_same_smdb_id(simulator, sagsbehandler):
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    smdb_id = anmodning.smdb_id

    anmodning.behandling_tidligere_kode = "01"
    anmodning.save()
    outbox.record(schema_row=anmodning, action=SyncAction.RET)

    (sim,) = sim_rows()
    assert sim.pk == smdb_id
    assert sim.values["BehandlingTidligereKode"] == "01"
    assert SyncOperation.objects.filter(forloeb_ref=forloeb.pk, action="ret").get().status == (
        S.SENDT
    )


def test_deleting_a_sent_schema_deletes_it_in_smdb(simulator, sagsbehandler):
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    smdb_id = anmodning.smdb_id

    outbox.record(schema_row=anmodning, action=SyncAction.SLET)
    anmodning.delete()

    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk, action=SyncAction.SLET)
    assert op.status == S.SENDT
    assert SimSkema.objects.get(pk=smdb_id).slettet is not None


def test_deleting_a_schema_smdb_never_got_cancels_its_insert(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_ENABLED = False  # the queued call cannot happen
    settings.SMDB_ENDPOINT = "http://127.0.0.1:9/nowhere/"
    from django.db import transaction

    with transaction.atomic():
        forloeb = create_anmodning(sagsbehandler)
        anmodning = Anmodning.objects.get(forloeb=forloeb)
        assert outbox.record(schema_row=anmodning, action=SyncAction.SLET) is None
        anmodning.delete()

    (op,) = SyncOperation.objects.filter(forloeb_ref=forloeb.pk)
    assert op.status == S.ANNULLERET and op.attempts == 0


def test_two_workers_cannot_claim_the_same_operation(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    forloeb = create_anmodning(sagsbehandler)
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    first, second = SyncOperation.objects.get(pk=op.pk), SyncOperation.objects.get(pk=op.pk)

    assert sync.claim(first) is True
    assert sync.claim(second) is False


def expire_lease(op):
    SyncOperation.objects.filter(pk=op.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_claim_names_its_worker_and_holds_a_lease(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    op = SyncOperation.objects.get(forloeb_ref=create_anmodning(sagsbehandler).pk)

    assert sync.claim(op)

    op.refresh_from_db()
    assert op.claimed_by == f"{socket.gethostname()}:{os.getpid()}"
    assert op.lease_until == op.claimed_at + timedelta(seconds=settings.SMDB_SYNC_LEASE)


def test_the_sweeper_takes_over_a_claim_whose_lease_ran_out(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    forloeb = create_anmodning(sagsbehandler)
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert sync.claim(op)  # a worker took it ... and died
    settings.SMDB_SIMULATOR_FAULT = ""

    assert sync.sweep() == 0  # its lease still runs: the worker may be alive
    expire_lease(op)
    assert sync.sweep() == 1

    op.refresh_from_db()
    assert op.status == S.SENDT  # looked up first (attempts > 1), then sent
    assert len(sim_rows()) == 1


def test_a_worker_whose_claim_was_taken_over_records_nothing(simulator, sagsbehandler, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    forloeb = create_anmodning(sagsbehandler)
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert sync.claim(op)
    expire_lease(op)
    assert sync.take_over_expired() == {forloeb.pk}  # a live worker took it over
    settings.SMDB_SIMULATOR_FAULT = ""

    # The old worker was only slow; its late result must not overwrite the new claim.
    sync.send_operation(op, SmdbKlient())

    op.refresh_from_db()
    assert op.status == S.FEJL and op.claimed_by == ""
    assert sync.take_over_expired() == set()  # taken over once only


def test_a_batch_renews_its_lease_and_skips_what_was_taken_over(
    simulator, sagsbehandler, settings, monkeypatch
):
    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: None)
    for n in range(3):
        create_anmodning(sagsbehandler, n)
    ops = sync.claim_batch(list(SyncOperation.objects.order_by("pk")))
    first_lease = ops[0].lease_until
    settings.SMDB_SYNC_LEASE = 0.03  # renewal due after 10 ms
    SyncOperation.objects.filter(pk=ops[1].pk).update(claimed_by="andet-vaert:1")
    lease = sync.Lease(ops)
    time.sleep(0.02)

    assert lease.holds(ops[0], ops) is True
    assert lease.holds(ops[1], ops[1:]) is False  # another worker's now
    renewed = SyncOperation.objects.get(pk=ops[2].pk).lease_until
    assert renewed != first_lease


def test_recover_claims_at_worker_start_takes_over_the_dead_and_watches_the_rest(
    simulator, sagsbehandler, settings, monkeypatch
):
    from smdb import tasks

    queued: list[int] = []
    again: list[tuple] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: queued.append(ref))
    monkeypatch.setattr(
        tasks.recover_claims, "apply_async", lambda args, countdown: again.append((args, countdown))
    )
    dead, alive, waiting = (create_anmodning(sagsbehandler, n) for n in range(3))
    op_dead, op_alive = (SyncOperation.objects.get(forloeb_ref=f.pk) for f in (dead, alive))
    assert sync.claim(op_dead) and sync.claim(op_alive)
    expire_lease(op_dead)
    queued.clear()

    tasks.recover_claims()

    assert queued == [dead.pk, waiting.pk]
    ((watch,), countdown) = again[0]
    assert watch == [op_alive.pk]  # still leased: looked at again when its lease ends
    assert 0 < countdown <= settings.SMDB_SYNC_LEASE + 1

    expire_lease(op_alive)
    queued.clear()
    tasks.recover_claims(watch)
    assert queued == [alive.pk]
    assert len(again) == 1  # nothing left to watch


def test_refresh_from_smdb_updates_the_local_copy_when_smdb_differs(simulator, sagsbehandler):
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    version = anmodning.version
    assert sync.refresh_from_smdb(anmodning) is False

    # Another system edits the case in SMDB.
    sim = SimSkema.objects.get(pk=anmodning.smdb_id)
    sim.values = {**sim.values, "BehandlingTidligereKode": "99"}
    sim.save()

    assert sync.refresh_from_smdb(anmodning) is True
    assert anmodning.behandling_tidligere_kode == "99"
    assert anmodning.version == version + 1
    assert sync.refresh_from_smdb(anmodning) is False


def test_refresh_from_smdb_keeps_local_changes_that_are_not_sent_yet(
    simulator, sagsbehandler, settings
):
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    anmodning.behandling_tidligere_kode = "01"
    anmodning.save()
    outbox.record(schema_row=anmodning, action=SyncAction.RET)

    assert sync.refresh_from_smdb(anmodning) is False
    anmodning.refresh_from_db()
    assert anmodning.behandling_tidligere_kode == "01"


def test_refresh_from_smdb_says_when_smdb_deleted_the_schema(simulator, sagsbehandler):
    forloeb = create_anmodning(sagsbehandler)
    anmodning = Anmodning.objects.get(forloeb=forloeb)
    SmdbKlient().slet("anmodning", anmodning.smdb_id)

    with pytest.raises(sync.SkemaSlettetISmdb):
        sync.refresh_from_smdb(anmodning)
