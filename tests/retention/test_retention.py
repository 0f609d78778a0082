"""Retention (issue 9): each beat job, with its setting, tested on both sides of the limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Besked
from cases import services, tasks
from cases.models import Kladde
from smdb import demo
from smdb import tasks as smdb_tasks
from smdb.models import SyncOperation
from smdb.models import SyncOperationStatus as S
from smdb.rules import today_dk
from tests.factories import PASSWORD, ForloebFactory, cpr_for_age

pytestmark = pytest.mark.django_db


def test_retention_jobs_run_from_beat_with_30_days_by_default():
    tasks_in_beat = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "smdb.tasks.rens_outbox",
        "cases.tasks.slet_gamle_kladder",
        "accounts.tasks.clear_expired_sessions",
    } <= tasks_in_beat
    assert settings.SMDB_OUTBOX_RETENTION_DAYS == 30
    assert settings.KLADDE_RETENTION_DAYS == 30


# --- Outbox payloads ---------------------------------------------------------------


def anmodning_op(user, serial: int) -> tuple[SyncOperation, str]:
    cpr = cpr_for_age(30, serial)
    data = demo.anmodning_values(today_dk() - timedelta(days=5))
    forloeb = services.anmodning_create(user=user, cpr=cpr, data=data)
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    assert op.payload["person_identifikator"] == cpr and op.payload["values"]
    return op, cpr


def age(op: SyncOperation, days: int, status: str) -> None:
    SyncOperation.objects.filter(pk=op.pk).update(
        status=status, smdb_id=1000 + op.pk, updated=timezone.now() - timedelta(days=days)
    )


def test_confirmed_outbox_payloads_lose_cpr_and_answers_after_30_days(alice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # keep the operations unsent; we set their state
    old, old_cpr = anmodning_op(alice, 1)
    recent, recent_cpr = anmodning_op(alice, 2)
    unconfirmed, unconfirmed_cpr = anmodning_op(alice, 3)
    age(old, 31, S.SENDT)
    age(recent, 29, S.SENDT)
    age(unconfirmed, 90, S.AFVIST)  # not confirmed: a person must still fix and resend it

    assert smdb_tasks.rens_outbox.apply().get() == 1

    old.refresh_from_db()
    assert old.payload == {"smdb_id": old.smdb_id, "version": 1}
    assert old_cpr not in str(old.payload)
    assert old.status == S.SENDT
    assert old.updated < timezone.now() - timedelta(days=30)  # when SMDB confirmed, kept
    for op, cpr in ((recent, recent_cpr), (unconfirmed, unconfirmed_cpr)):
        op.refresh_from_db()
        assert op.payload["person_identifikator"] == cpr
    # Once is enough: a second run finds nothing more.
    assert smdb_tasks.rens_outbox.apply().get() == 0


def test_outbox_retention_days_is_a_setting(alice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    op, _ = anmodning_op(alice, 4)
    age(op, 8, S.SENDT)
    assert smdb_tasks.rens_outbox.apply().get() == 0
    settings.SMDB_OUTBOX_RETENTION_DAYS = 7
    assert smdb_tasks.rens_outbox.apply().get() == 1


# --- Drafts ----------------------------------------------------------------------


def kladde(user, forloeb, days_old: int, schema: str = "ivaerksaettelse") -> Kladde:
    k = Kladde.objects.create(forloeb=forloeb, bruger=user, schema=schema, data={"x": ["1"]})
    Kladde.objects.filter(pk=k.pk).update(aendret=timezone.now() - timedelta(days=days_old))
    return k


def test_old_drafts_are_deleted_with_a_notice_to_their_owner(client, alice, leder, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    kladde(alice, forloeb, 31)
    fresh = kladde(alice, forloeb, 29, schema="afslutning")
    kladde(leder, forloeb, 40)

    assert tasks.slet_gamle_kladder.apply().get() == 2

    assert list(Kladde.objects.values_list("pk", flat=True)) == [fresh.pk]  # not old, other
    notice = Besked.objects.get(bruger=alice)
    assert f"kontaktforløb {forloeb.pk}" in notice.tekst
    assert "30 dage" in notice.tekst
    assert Besked.objects.filter(bruger=leder).count() == 1

    # Alice sees the notice once, at her next login.
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert notice.tekst in response.content.decode()
    notice.refresh_from_db()
    assert notice.vist is not None
    client.post(reverse("logout"))
    again = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert notice.tekst not in again.content.decode()


def test_draft_retention_days_is_a_setting(alice, kbh, settings):
    forloeb = ForloebFactory(myndighed=kbh)
    kladde(alice, forloeb, 8)
    assert tasks.slet_gamle_kladder.apply().get() == 0
    settings.KLADDE_RETENTION_DAYS = 7
    assert tasks.slet_gamle_kladder.apply().get() == 1
