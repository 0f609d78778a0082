"""The wizard pages: administrators of the myndighed only, Danish, htmx progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from smdb.rules import today_dk
from smdb_simulator import seeding
from systemskifte import services
from systemskifte.models import JobStatus, Systemskifte


@pytest.fixture
def admin_client(client, charlie):
    client.force_login(charlie)
    return client


@pytest.mark.django_db
def test_only_administrators_reach_the_wizard(alice_client):
    assert alice_client.get("/systemskifte/").status_code == 403


@pytest.mark.django_db
def test_a_date_in_the_future_is_refused_in_danish(admin_client):
    response = admin_client.post(
        "/systemskifte/", {"model": "model2", "skiftedato": today_dk().isoformat()}
    )
    assert response.status_code == 200
    assert "R-GEN-1" in response.content.decode()
    assert not Systemskifte.objects.exists()


@pytest.mark.django_db
def test_progress_is_polled_while_running_and_not_after(admin_client, charlie):
    skifte = services.start(
        user=charlie,
        model="model2",
        skiftedato=today_dk() - timedelta(days=5),
        proevekoersel=True,
        koe_nu=False,
    )
    url = f"/systemskifte/{skifte.pk}/fremdrift/"
    body = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body
    assert "style=" not in body and "<script" not in body  # strict CSP
    Systemskifte.objects.filter(pk=skifte.pk).update(status=JobStatus.FAERDIG)
    response = admin_client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in response.content.decode()
    assert response["HX-Refresh"] == "true"
    assert "100 %" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_dry_run_from_the_wizard_then_run_it(admin_client, simulator, skiftedato):
    seeding.seed_active(3, 101)
    response = admin_client.post(
        "/systemskifte/",
        {"model": "model2", "skiftedato": skiftedato.isoformat(), "proevekoersel": "on"},
    )
    proeve = Systemskifte.objects.get()
    assert response.url == f"/systemskifte/{proeve.pk}/"
    body = admin_client.get(response.url).content.decode()
    assert "Registrér ny anmodning" in body and "Udfør systemskiftet" in body
    assert "100 %" in body
    excel = admin_client.get(f"/systemskifte/{proeve.pk}/excel/")
    assert excel["Content-Type"].startswith("application/vnd.openxmlformats")

    # Issue 23: asked first; asking runs nothing.
    confirm = admin_client.get(f"/systemskifte/{proeve.pk}/udfoer/").content.decode()
    assert "Udfør systemskiftet?" in confirm and "Ja, udfør systemskiftet" in confirm
    assert not Systemskifte.objects.filter(proevekoersel=False).exists()
    response = admin_client.post(f"/systemskifte/{proeve.pk}/udfoer/")
    skifte = Systemskifte.objects.get(proevekoersel=False)
    assert response.url == f"/systemskifte/{skifte.pk}/"
    assert skifte.status == JobStatus.FAERDIG
    assert "3 af 3 borgere" in admin_client.get(response.url).content.decode()
    assert AuditEntry.objects.filter(beskrivelse__startswith=f"Systemskifte {skifte.pk}").exists()


@pytest.mark.django_db
def test_stop_and_resume_buttons(admin_client, charlie, django_capture_on_commit_callbacks):
    skifte = services.start(
        user=charlie,
        model="model2",
        skiftedato=today_dk() - timedelta(days=5),
        proevekoersel=False,
        koe_nu=False,
    )
    admin_client.post(f"/systemskifte/{skifte.pk}/stop/")
    skifte.refresh_from_db()
    assert skifte.stop_oensket
    Systemskifte.objects.filter(pk=skifte.pk).update(status=JobStatus.STOPPET)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(f"/systemskifte/{skifte.pk}/genoptag/")
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.KOERER and not skifte.stop_oensket
    assert len(callbacks) == 1  # the job is queued again


@pytest.mark.django_db
def test_mellemloesning_list_for_caseworkers(alice_client, kbh):
    from tests.factories import ForloebFactory

    f = ForloebFactory(myndighed=kbh, vedligeholdes_i_smdb_web=True)
    ForloebFactory(myndighed=kbh)
    body = alice_client.get("/systemskifte/mellemloesning/").content.decode()
    assert f.cpr_maskeret in body and body.count("-xxxx") == 1


# --- Afstem nu (issue 23): a job in the background, its progress polled --------------


@pytest.fixture
def job_venter(monkeypatch):
    """The background job waits until the test lets it go (bounded), so the test sees
    the run before it is done, without timing anything; nothing in the job touches
    the database before (SQLite's shared in-memory test database would lock a table
    read and written at once)."""
    import threading

    from systemskifte import tasks

    gate = threading.Event()
    original = tasks.LOKALE_JOB["afstemning"]

    def venter(pk):
        gate.wait(timeout=10)
        return original(pk)

    monkeypatch.setitem(tasks.LOKALE_JOB, "afstemning", venter)
    return gate


@pytest.mark.django_db(transaction=True)
def test_afstem_nu_answers_at_once_and_the_run_finishes_in_the_background(
    admin_client, simulator, settings, job_venter
):
    from systemskifte import tasks
    from systemskifte.models import Afstemning, AfstemningStatus
    from tests.smdb_sync import harness

    settings.LOKALE_JOB_I_BAGGRUNDEN = True  # as in the demo
    seeding.seed_active(2, 101)
    response = admin_client.post("/systemskifte/afstemning/afstem/")
    assert response.status_code == 302 and response.url == "/systemskifte/afstemning/"
    run = Afstemning.objects.get()
    try:
        # The comparison did not run inside the request: it waits in its thread.
        assert run.status == AfstemningStatus.VENTER and run.afsluttet is None
        body = admin_client.get(response.url).content.decode()
        assert "Afstemning i gang" in body and 'hx-trigger="every 1s"' in body
    finally:
        job_venter.set()
        harness.wait_for(
            lambda: ("afstemning", run.pk) not in tasks._i_gang, timeout=60, what="the run"
        )
    run.refresh_from_db()
    assert run.status == AfstemningStatus.FAERDIG, run.fejl
    body = admin_client.get(
        f"/systemskifte/afstemning/koersel/{run.pk}/fremdrift/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in body
    assert "Afstemt: 2 afvigelser." in body  # SMDB's two are not ours
    assert 'id="afvigelser" class="table-responsive" hx-swap-oob="true"' in body


@pytest.mark.django_db
def test_afstem_nu_while_a_run_is_under_way_shows_that_run(admin_client, charlie):
    from systemskifte import afstemning
    from systemskifte.models import Afstemning

    run, _ = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    response = admin_client.post("/systemskifte/afstemning/afstem/", follow=True)
    body = response.content.decode()
    assert "En afstemning er allerede i gang" in body and "Der startes ikke en ny." in body
    assert "Afstemning i gang: henter listen over aktive forløb fra SMDB" in body
    assert list(Afstemning.objects.values_list("pk", flat=True)) == [run.pk]


@pytest.mark.django_db
def test_afstemning_progress_is_polled_while_running_then_shows_the_result(
    admin_client, charlie, settings
):
    from django.utils import timezone

    from systemskifte import afstemning
    from systemskifte.models import Afstemning, AfstemningStatus

    run, _ = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    url = f"/systemskifte/afstemning/koersel/{run.pk}/fremdrift/"
    Afstemning.objects.filter(pk=run.pk).update(
        status=AfstemningStatus.KOERER, antal_i_alt=6, antal_sammenlignet=2
    )
    body = admin_client.get(url).content.decode()
    assert "Afstemning i gang: 2 af 6 forløb sammenlignet" in body
    assert 'hx-trigger="every 1s"' in body and '<progress id="afstemning-bar"' in body
    assert "style=" not in body and "<script" not in body  # strict CSP
    assert "hx-swap-oob" not in body  # the list is sent once, when the run is done

    # Its process died: no more polling, and a word on what to do.
    Afstemning.objects.filter(pk=run.pk).update(
        sidst_aktiv=timezone.now() - timedelta(seconds=settings.AFSTEMNING_STALE_AFTER + 1)
    )
    body = admin_client.get(url).content.decode()
    assert "er gået i stå" in body and "hx-trigger" not in body

    Afstemning.objects.filter(pk=run.pk).update(
        status=AfstemningStatus.FEJLET, fejl="SMDB svarer ikke: 503"
    )
    body = admin_client.get(url).content.decode()
    assert "Afstemningen kunne ikke gennemføres: SMDB svarer ikke: 503" in body

    Afstemning.objects.filter(pk=run.pk).update(status=AfstemningStatus.FAERDIG, fejl="")
    body = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in body and "Afstemt: 0 afvigelser." in body
    assert "Ingen afvigelser." in body and 'hx-swap-oob="true"' in body


@pytest.mark.django_db
def test_another_myndigheds_administrator_gets_404_for_the_run(client, charlie, aarhus):
    from accounts.models import Rolle
    from systemskifte import afstemning
    from tests.factories import UserFactory

    run, _ = afstemning.start(myndighed=charlie.myndighed, user=charlie, koe_nu=False)
    url = f"/systemskifte/afstemning/koersel/{run.pk}/fremdrift/"
    client.force_login(UserFactory(myndighed=aarhus, rolle=Rolle.ADMINISTRATOR))
    assert client.get(url).status_code == 404
    client.force_login(charlie)
    assert client.get(url).status_code == 200
