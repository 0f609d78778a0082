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
