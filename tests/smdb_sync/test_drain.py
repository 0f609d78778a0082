"""One task drains the outbox across forløb: batches of heads (one per forløb),
claimed in one commit and recorded in one; each forløb keeps its order, and two
drainers never send one operation twice. Against the simulator over real HTTP."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Anmodning, Ivaerksaettelse, SyncStatus
from smdb import demo, outbox, sync
from smdb.client import SmdbKlient, SmdbTransportError
from smdb.models import SyncAction, SyncOperation, SyncOperationStatus
from smdb_simulator import store
from smdb_simulator.models import SimSkema
from tests.smdb_sync import harness

S = SyncOperationStatus
ORDER = ["anmodning", "ivaerksaettelse", "tilbudstilknytning", "afslutning"]


@pytest.fixture
def held(monkeypatch):
    """Commits queue nothing: the operations wait in the outbox for a drain."""
    refs: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ref, **kw: refs.append(ref))
    return refs


@pytest.fixture
def sent(monkeypatch):
    """Every attempt, in the order the drainers made them."""
    log: list[SyncOperation] = []
    lock = threading.Lock()
    attempt = sync.attempt

    def logged(op, klient):
        with lock:
            log.append(op)
        return attempt(op, klient)

    monkeypatch.setattr(sync, "attempt", logged)
    return log


def anmodninger(user, n: int, *, start: int = 1) -> list[int]:
    values = demo.anmodning_values(harness.anmodningsdato())
    return [
        services.anmodning_create(user=user, cpr=harness.cpr(i), data=values).pk
        for i in range(start, start + n)
    ]


def test_one_task_drains_every_forloeb_and_keeps_each_forloebs_order(
    simulator, sagsbehandler, held, sent, settings
):
    settings.SMDB_SYNC_BATCH = 3  # several batches, each with heads of several forløb
    forloeb = [harness.full_forloeb(sagsbehandler, n) for n in range(1, 6)]
    assert SyncOperation.objects.filter(status=S.VENTER).count() == 20

    assert sync.process_forloeb(forloeb[2].pk, drain=True) == 20

    assert set(SyncOperation.objects.values_list("status", flat=True)) == {S.SENDT}
    assert sorted(op.pk for op in sent) == sorted(
        SyncOperation.objects.values_list("pk", flat=True)
    )
    by_forloeb = defaultdict(list)
    for op in sent:
        by_forloeb[op.forloeb_ref].append(op)
    for f in forloeb:
        ops = by_forloeb[f.pk]
        assert [op.schema for op in ops] == ORDER
        assert [op.pk for op in ops] == sorted(op.pk for op in ops)
    # The forløb were interleaved: the drain did not finish one before starting the next.
    assert len({op.forloeb_ref for op in sent[:5]}) > 1
    for f in forloeb:
        anm = Anmodning.objects.get(forloeb=f)
        iv = Ivaerksaettelse.objects.get(forloeb=f)
        assert anm.sync_status == iv.sync_status == SyncStatus.SENDT
        assert store.hent("ivaerksaettelse", iv.smdb_id).parent_id == anm.smdb_id
    assert SimSkema.objects.count() == 20


def test_a_drain_deletes_bagfra(simulator, sagsbehandler, held, sent):
    f = harness.full_forloeb(sagsbehandler, 1)
    sync.process_forloeb(f.pk, drain=True)
    ids = list(SimSkema.objects.values_list("pk", flat=True))
    sent.clear()

    services.forloeb_delete(user=sagsbehandler, forloeb_pk=f.pk)
    assert sync.drain_outbox() == 4

    assert [(op.action, op.schema) for op in sent] == [
        (SyncAction.SLET, schema) for schema in reversed(ORDER)
    ]
    assert not SimSkema.objects.filter(pk__in=ids, slettet__isnull=True).exists()


def test_a_task_for_a_forloeb_already_drained_sends_nothing(
    simulator, sagsbehandler, held, sent, django_assert_max_num_queries
):
    refs = anmodninger(sagsbehandler, 4)
    sync.process_forloeb(refs[0], drain=True)
    sent.clear()

    with django_assert_max_num_queries(2):
        assert sync.process_forloeb(refs[3], drain=True) == 0
    assert sent == []


def test_a_batch_is_claimed_in_one_commit_and_recorded_in_one(
    simulator, sagsbehandler, held, settings, monkeypatch
):
    settings.SMDB_SYNC_BATCH = 10
    anmodninger(sagsbehandler, 10)
    db = connections["default"]
    commits: list[int] = []
    commit, drainer = db.commit, threading.get_ident()

    def counted():
        # The live server's thread may share the connection (SQLite in memory).
        if threading.get_ident() == drainer:
            commits.append(1)
        commit()

    monkeypatch.setattr(db, "commit", counted)

    assert sync.drain_outbox() == 10

    assert len(commits) == 2  # the claim, the results
    assert len(set(SyncOperation.objects.values_list("claimed_at", flat=True))) == 1
    assert SyncOperation.objects.filter(status=S.SENDT, attempts=1).count() == 10
    assert (
        Anmodning.objects.filter(sync_status=SyncStatus.SENDT, smdb_id__isnull=False).count() == 10
    )
    for op in SyncOperation.objects.all():
        assert Anmodning.objects.get(pk=op.object_id).smdb_id == op.smdb_id
        assert op.smdb_response == {"succes": True, "id": op.smdb_id, "fejl": []}


def test_a_transport_error_stops_the_drain_and_hands_back_the_unsent_rest(
    simulator, sagsbehandler, held, monkeypatch, settings
):
    settings.SMDB_SYNC_BATCH = 10
    refs = anmodninger(sagsbehandler, 5)
    calls = []
    indsaet = SmdbKlient.indsaet

    def fails_third(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise SmdbTransportError("IndsaetAnmodning: HTTP 503")
        return indsaet(self, *args, **kwargs)

    monkeypatch.setattr(SmdbKlient, "indsaet", fails_third)

    assert sync.drain_outbox() == 3

    ops = list(SyncOperation.objects.order_by("pk"))
    assert [op.status for op in ops] == [S.SENDT, S.SENDT, S.FEJL, S.VENTER, S.VENTER]
    assert [op.attempts for op in ops] == [1, 1, 1, 0, 0]
    assert ops[2].next_attempt_at is not None and "503" in ops[2].last_error
    assert len(calls) == 3 and len(store.aktive()) == 2
    # The forløb of the failed one waits for its retry; the others go in the next drain.
    monkeypatch.setattr(SmdbKlient, "indsaet", indsaet)
    assert sync.drain_outbox() == 2
    assert SyncOperation.objects.get(forloeb_ref=refs[2]).status == S.FEJL


def test_a_rejection_in_a_batch_is_kept_and_the_rest_are_sent(simulator, sagsbehandler, held):
    harness.reported_by_another_system(2)
    anmodninger(sagsbehandler, 3)

    assert sync.drain_outbox() == 3

    ops = list(SyncOperation.objects.order_by("pk"))
    assert [op.status for op in ops] == [S.SENDT, S.AFVIST, S.SENDT]
    assert [f["kode"] for f in ops[1].fejl] == ["R-ANM-1"]
    assert ops[0].smdb_response == {"succes": True, "id": ops[0].smdb_id, "fejl": []}
    assert list(Anmodning.objects.order_by("pk").values_list("sync_status", flat=True)) == [
        SyncStatus.SENDT,
        SyncStatus.AFVIST,
        SyncStatus.SENDT,
    ]


def test_an_edit_committed_while_the_batch_is_in_flight_keeps_its_schema_afventer(
    simulator, sagsbehandler, held, monkeypatch
):
    (ref,) = anmodninger(sagsbehandler, 1)
    anmodning = Anmodning.objects.get(forloeb_id=ref)
    indsaet, send_batch = SmdbKlient.indsaet, sync.send_batch
    after_batch: list[tuple] = []

    def edited_meanwhile(self, *args, **kwargs):
        svar = indsaet(self, *args, **kwargs)
        if not after_batch:
            anmodning.behandling_tidligere_kode = "01"
            anmodning.save()
            outbox.record(schema_row=anmodning, action=SyncAction.RET)
        return svar

    def snapshot(*args):
        result = send_batch(*args)
        row = Anmodning.objects.get(pk=anmodning.pk)
        ops = SyncOperation.objects.order_by("pk")
        after_batch.append((row.sync_status, row.smdb_id, [(o.status, o.smdb_id) for o in ops]))
        return result

    monkeypatch.setattr(SmdbKlient, "indsaet", edited_meanwhile)
    monkeypatch.setattr(sync, "send_batch", snapshot)
    assert sync.drain_outbox() == 2  # the anmodning, then (a batch later) its edit

    (status, smdb_id, ops), _ = after_batch
    assert ops == [(S.SENDT, smdb_id), (S.VENTER, None)]
    assert smdb_id is not None
    assert status == SyncStatus.AFVENTER  # the edit was not sent yet
    anmodning.refresh_from_db()
    assert anmodning.sync_status == SyncStatus.SENDT and anmodning.smdb_id == smdb_id
    assert store.hent("anmodning", smdb_id).values["BehandlingTidligereKode"] == "01"


def test_a_drainer_skips_operations_another_drainer_claimed_meanwhile(
    simulator, sagsbehandler, held, sent, monkeypatch
):
    """Drainer A reads the heads; before A claims them, drainer B drains everything.
    A's compare-and-set fails for each one and A sends nothing."""
    anmodninger(sagsbehandler, 6)
    claim_batch = sync.claim_batch
    other: list[int] = []

    def b_first(ops):
        if not other:
            other.append(-1)  # B's own claims are not intercepted
            other[0] = sync.drain_outbox()
        return claim_batch(ops)

    monkeypatch.setattr(sync, "claim_batch", b_first)
    assert sync.drain_outbox() == 0
    assert other == [6]
    assert len(sent) == 6 and len({op.pk for op in sent}) == 6
    assert set(SyncOperation.objects.values_list("attempts", flat=True)) == {1}
    assert len(store.aktive()) == 6


def test_a_drainer_leaves_a_forloeb_whose_head_is_in_flight_elsewhere(
    simulator, sagsbehandler, held, sent, monkeypatch
):
    """Drainer A has claimed the anmodninger; drainer B, running while A sends,
    must not send the iværksættelser behind them (order) nor A's anmodninger."""
    for n in (1, 2):
        harness.full_forloeb(sagsbehandler, n, afsluttet=False)
    send_batch = sync.send_batch
    other: list[int] = []

    def b_while_a_sends(ops, klient, deadline):
        if not other:
            assert {op.schema for op in ops} == {"anmodning"}
            other.append(-1)
            other[0] = sync.drain_outbox()
        return send_batch(ops, klient, deadline)

    monkeypatch.setattr(sync, "send_batch", b_while_a_sends)
    assert sync.drain_outbox() == 6
    assert other == [0]
    assert len(sent) == 6 and len({op.pk for op in sent}) == 6


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_drainers_never_send_one_operation_twice(
    simulator, sagsbehandler, held, sent, settings
):
    if not harness.database_shareable() or connection.vendor == "sqlite":
        pytest.skip("needs a database two threads can write at once (PostgreSQL)")
    settings.SMDB_SYNC_BATCH = 5
    forloeb = [harness.full_forloeb(sagsbehandler, n, afsluttet=False) for n in range(1, 11)]
    anmodninger(sagsbehandler, 20, start=100)
    errors: list[BaseException] = []
    handled: list[int] = []
    start = threading.Barrier(2)

    def drainer():
        try:
            start.wait()
            handled.append(sync.drain_outbox())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drainer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    # The last drainer to finish found nothing left, not even behind the other's batch.
    assert sum(handled) == 50
    assert len(sent) == 50 and len({op.pk for op in sent}) == 50  # none twice
    assert set(SyncOperation.objects.values_list("status", flat=True)) == {S.SENDT}
    assert set(SyncOperation.objects.values_list("attempts", flat=True)) == {1}
    assert store.aktive().count() == 50
    by_forloeb = defaultdict(list)
    for op in sent:
        by_forloeb[op.forloeb_ref].append(op.schema)
    for f in forloeb:
        assert by_forloeb[f.pk] == ORDER[:3]
