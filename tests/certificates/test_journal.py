"""The message journal: every SOAP call kept with who/which job, environment,
action, duration, outcome and SMDB's error codes, bodies with CPR masked;
filterable by administrators, linked from the case's SMDB state, deleted after
the retention period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from certificates import journal
from certificates.models import Besked, Udfald
from certificates.tasks import ryd_journal
from smdb import demo
from smdb.models import SyncOperation
from tests.factories import UserFactory
from tests.smdb_sync import harness


@pytest.fixture
def simulator(live_server, settings):
    return harness.configure_simulator(settings, live_server.url)


def test_outbox_calls_are_kept_with_job_forloeb_outcome_and_masked_cpr(simulator, alice, charlie):
    cpr = harness.cpr(11)
    forloeb = case_services.anmodning_create(
        user=alice, cpr=cpr, data=demo.anmodning_values(harness.anmodningsdato())
    )
    op = SyncOperation.objects.get(forloeb_ref=forloeb.pk)
    besked = Besked.objects.get(handling="IndsaetAnmodning")
    assert besked.job == "outbox"
    assert besked.forloeb_ref == forloeb.pk
    assert besked.myndighed_id == alice.myndighed_id
    assert besked.udfald == Udfald.OK
    assert besked.varighed_ms >= 0
    assert cpr not in besked.request and cpr[:6] not in besked.request
    assert "******-****" in besked.request
    assert str(op.smdb_id) in besked.response

    client = Client()
    client.force_login(charlie)
    page = client.get(reverse("certificates:journal"), {"handling": "Indsaet"}).content.decode()
    assert "IndsaetAnmodning" in page
    page = client.get(reverse("certificates:journal"), {"udfald": "fejl"}).content.decode()
    assert "IndsaetAnmodning" not in page
    detail = client.get(reverse("certificates:journal_detalje", args=[besked.pk])).content.decode()
    assert "******-****" in detail and cpr not in detail


def test_a_rejection_is_kept_with_smdbs_error_codes(simulator, kbh):
    from certificates.klient import klient_for

    with journal.kontekst(job="test"):
        svar = klient_for(kbh.pk).indsaet(
            "anmodning",
            demo.anmodning_values(harness.anmodningsdato() + timedelta(days=400)),
            person_identifikator=harness.cpr(12),
            kommune_kode=101,
        )
    assert not svar.succes
    besked = Besked.objects.get()
    assert besked.udfald == Udfald.AFVIST
    assert besked.fejlkoder == [f.kode for f in svar.fejl]


def test_a_failed_call_is_kept_with_its_error(kbh, settings):
    from certificates.klient import klient_for
    from smdb.client import SmdbTransportError

    settings.SMDB_ENDPOINT = "http://127.0.0.1:9/smdbwebservice/api/external/v1/"
    settings.SMDB_TIMEOUT = 2
    with pytest.raises(SmdbTransportError):
        klient_for(kbh.pk).echo("hej")
    besked = Besked.objects.get()
    assert (besked.handling, besked.udfald) == ("Echo", Udfald.FEJL)
    assert "ConnectionError" in besked.fejl


@pytest.mark.django_db
def test_journal_is_scoped_and_linked_from_the_case(client, alice, charlie, bob, aarhus):
    forloeb = case_services.anmodning_create(
        user=alice, cpr=harness.cpr(13), data=demo.anmodning_values(harness.anmodningsdato())
    )
    Besked.objects.all().delete()
    mine = Besked.objects.create(
        myndighed=alice.myndighed,
        handling="IndsaetAnmodning",
        varighed_ms=3,
        udfald=Udfald.OK,
        forloeb_ref=forloeb.pk,
        job="outbox",
    )
    client.force_login(alice)
    case_page = client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    link = f"{reverse('certificates:journal')}?forloeb={forloeb.pk}"
    assert link in case_page
    assert "IndsaetAnmodning" in client.get(link).content.decode()
    # A caseworker may not read the whole journal, only a forløb of their own.
    assert client.get(reverse("certificates:journal")).status_code == 403
    from accounts.models import Rolle

    client.force_login(UserFactory(myndighed=aarhus, rolle=Rolle.ADMINISTRATOR))
    assert "IndsaetAnmodning" not in client.get(reverse("certificates:journal")).content.decode()
    assert client.get(reverse("certificates:journal_detalje", args=[mine.pk])).status_code == 404
    client.force_login(bob)
    assert client.get(link).status_code == 403


@pytest.mark.django_db
def test_retention_deletes_old_calls(kbh, settings):
    settings.SMDB_JOURNAL_RETENTION_DAYS = 90
    old = Besked.objects.create(
        myndighed=kbh,
        handling="Echo",
        varighed_ms=1,
        udfald=Udfald.OK,
        tidspunkt=timezone.now() - timedelta(days=91),
    )
    new = Besked.objects.create(
        myndighed=kbh,
        handling="Echo",
        varighed_ms=1,
        udfald=Udfald.OK,
        tidspunkt=timezone.now() - timedelta(days=89),
    )
    assert settings.CELERY_BEAT_SCHEDULE["smdb-journal-oprydning"]["task"] == ryd_journal.name
    ryd_journal.delay()
    assert not Besked.objects.filter(pk=old.pk).exists()
    assert Besked.objects.filter(pk=new.pk).exists()
