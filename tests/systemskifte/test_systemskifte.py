"""The system change job against the simulator over real HTTP (issue 14,
vejledning-systemskifte.txt, R-SKIFT-1..4), Celery eager as in the embedded default."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from cases import services as case_services
from cases.models import Kontaktforloeb
from smdb.contract import unanswered
from smdb.models import SyncOperation
from smdb.rules import today_dk
from smdb.schema_json import from_json
from smdb_simulator import seeding, store
from smdb_simulator.models import SimSkema
from smdb_simulator.store import StoredForloeb, aktive_forloeb
from systemskifte import planning, report, selectors, services
from systemskifte.models import JobStatus, SkifteBorger, Trin
from tests.systemskifte.checks import R_ANM_1_Vagt, tjek_model2

pytestmark = pytest.mark.django_db(transaction=True)


def smdb_snapshot():
    return sorted(SimSkema.objects.values_list("pk", "schema", "values", "slettet"))


def test_dry_run_plans_every_citizen_and_sends_nothing(simulator, charlie, skiftedato):
    seeding.seed_active(8, 101, glemte=1)
    before = smdb_snapshot()
    skifte = services.start(user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=True)
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    assert smdb_snapshot() == before
    assert not SyncOperation.objects.exists()
    assert not Kontaktforloeb.objects.exists()
    borgere = list(skifte.borgere.all())
    assert len(borgere) == 9 and {b.trin for b in borgere} == {Trin.HENTET}
    assert services.fremdrift(skifte)["procent"] == 100
    glemt = [b for b in borgere if b.glemt]
    assert len(glemt) == 1
    # The forgotten case: closed first with its real end date (the tilknytning's slut).
    forloeb = services.smdb_forloeb(glemt[0].smdb_data, 101, glemt[0].person_identifikator)
    slut = forloeb.tilbudstilknytninger[0]["TilbudTilknyttetBehandlingSlutDato"]
    assert any(f"afslutning {slut:%d.%m.%Y}" in op for op in glemt[0].plan)
    dag = f"{skiftedato:%d.%m.%Y}"
    ny = f"{skiftedato + timedelta(days=1):%d.%m.%Y}"
    for b in borgere:
        if not b.glemt:
            assert (
                f"Afslut behandlingen pr. {dag}: årsag Anden (10), tekst 'Systemskift'." in b.plan
            )
            assert f"Registrér ny anmodning {ny}." in b.plan
    tekst = report.tekst(skifte)
    assert "Prøvekørsel" in tekst and "Registrér ny anmodning" in tekst
    for b in borgere:
        assert b.person_identifikator not in tekst  # CPR masked in reports


def test_model2_closes_on_the_change_date_and_restarts_the_next_day(simulator, charlie, skiftedato):
    seeding.seed_active(12, 101, glemte=2)
    with R_ANM_1_Vagt(101) as vagt:
        skifte = services.start(
            user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
        )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    tjek_model2(skifte, skiftedato, n_aktive=12, n_glemte=2)
    assert vagt.kig > 0 and vagt.fund == []
    # R-SKIFT-4: the pair is linked here too.
    par = skifte.borgere.exclude(nyt_forloeb=None)
    assert par.count() == 12
    for b in par:
        assert b.gammelt_forloeb.afslutning.behandling_afsluttet_aarsag_tekst == "Systemskift"


def test_model1_sends_the_same_forloeb_again_from_here_with_the_original_dates(
    simulator, charlie, skiftedato
):
    seeding.seed_active(8, 101)
    before = {
        f.anmodning.person_identifikator: StoredForloeb_values(f) for f in aktive_forloeb(101)
    }
    gamle_ids = set(SimSkema.objects.values_list("pk", flat=True))
    with R_ANM_1_Vagt(101) as vagt:
        skifte = services.start(
            user=charlie, model="model1", skiftedato=skiftedato, proevekoersel=False
        )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    assert {b.trin for b in skifte.borgere.all()} == {Trin.FAERDIG}
    assert vagt.fund == []
    after = {f.anmodning.person_identifikator: StoredForloeb_values(f) for f in aktive_forloeb(101)}
    assert after == before  # the same forløb, original dates and answers
    # ... but re-sent from our system: every old schema deleted, new Ids ours.
    levende = set(SimSkema.objects.filter(slettet__isnull=True).values_list("pk", flat=True))
    assert not (levende & gamle_ids)
    for forloeb in Kontaktforloeb.objects.all():
        assert forloeb.anmodning.smdb_id in levende
        assert forloeb.anmodning.sync_status == "sendt"
    slet = SyncOperation.objects.filter(action="slet")
    assert slet.count() == SimSkema.objects.filter(pk__in=gamle_ids).count()


def StoredForloeb_values(f: StoredForloeb):  # noqa: N802
    """The forløb's answers; an empty answer is empty whatever its form."""

    def norm(row):
        return {k: None if unanswered(v) else v for k, v in row.values.items()} if row else None

    return (
        norm(f.anmodning),
        norm(f.ivaerksaettelse),
        [norm(t) for t in f.tilbudstilknytninger],
    )


def test_mellemloesning_imports_read_only_and_lists_them(simulator, charlie, alice, skiftedato):
    seeding.seed_active(6, 101)
    before = smdb_snapshot()
    skifte = services.start(
        user=charlie, model="mellemloesning", skiftedato=skiftedato, proevekoersel=False
    )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    assert smdb_snapshot() == before
    liste = list(selectors.mellemloesning_forloeb(charlie.myndighed_id))
    assert len(liste) == 6
    assert all(f.vedligeholdes_i_smdb_web and f.anmodning.smdb_id for f in liste)
    assert not SyncOperation.objects.exists()
    # R-SKIFT-3: maintained in SMDB-web, so smdb-web refuses to change it.
    with pytest.raises(case_services.RuleViolations, match="R-SKIFT-3"):
        case_services.afslutning_create(
            user=alice,
            forloeb_pk=liste[0].pk,
            data={"BehandlingAfsluttetDato": today_dk()},
        )


def test_a_stopped_job_continues_from_each_citizens_step_and_repeats_none(
    simulator, charlie, skiftedato, monkeypatch
):
    seeding.seed_active(10, 101)
    original = services.luk
    calls = []

    def luk_then_stop(skifte, borger):
        calls.append(borger.pk)
        if len(calls) == 4:
            services.Systemskifte.objects.filter(pk=skifte.pk).update(stop_oensket=True)
        return original(skifte, borger)

    monkeypatch.setattr(services, "luk", luk_then_stop)
    skifte = services.start(
        user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
    )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.STOPPET
    trin = list(skifte.borgere.values_list("trin", flat=True))
    assert 0 < trin.count(Trin.FAERDIG) < 10

    services.genoptag(user=charlie, skifte=skifte)
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    assert len(calls) == len(set(calls)) == 10  # each citizen closed once
    tjek_model2(skifte, skiftedato, n_aktive=10)


def test_a_citizen_smdb_rejects_is_reported_with_the_reason_and_the_rest_go_on(
    simulator, charlie, skiftedato, monkeypatch
):
    seeding.seed_active(4, 101)
    original = services.luk
    offer = []

    def luk(skifte, borger):
        if not offer:
            # Someone deleted the forløb in SMDB after the job fetched it.
            offer.append(borger.pk)
            store.slet_helt_forloeb(borger.anmodning_id)
        return original(skifte, borger)

    monkeypatch.setattr(services, "luk", luk)
    skifte = services.start(
        user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
    )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    fejl = skifte.borgere.get(pk=offer[0])
    assert fejl.trin == Trin.FEJL and "SMDB afviste" in fejl.fejl and "findes ikke" in fejl.fejl
    assert fejl.nyt_forloeb_id is None  # never restarted
    assert skifte.borgere.filter(trin=Trin.FAERDIG).count() == 3
    assert services.fremdrift(skifte)["fejl"] == 1


def test_start_refuses_a_date_in_the_future_and_a_second_unfinished_change(charlie):
    with pytest.raises(ValueError, match="R-GEN-1"):
        services.start(user=charlie, model="model2", skiftedato=today_dk(), proevekoersel=True)
    services.start(
        user=charlie,
        model="model2",
        skiftedato=today_dk() - timedelta(days=3),
        proevekoersel=False,
        koe_nu=False,
    )
    with pytest.raises(ValueError, match="ikke færdigt"):
        services.start(
            user=charlie,
            model="model1",
            skiftedato=today_dk() - timedelta(days=3),
            proevekoersel=False,
        )


def test_plan_flags_a_forloeb_with_dates_after_the_change_date(skiftedato):
    f = seeding.forloeb_values(2, today=today_dk())
    plan = planning.planlaeg(
        "model2",
        f,
        f.anmodning["BehandlingAnmodningDato"] - timedelta(days=1),
        klargjort=lambda k, values, forloeb: dict(values),
        today=today_dk(),
    )
    assert plan.fejl and "efter skiftedatoen" in plan.fejl and not plan.operationer


def test_command_dry_run_then_run_prints_progress_and_report(
    simulator, charlie, skiftedato, capsys
):
    seeding.seed_active(5, 101)
    args = ["model2", "--myndighed", "101", "--skiftedato", skiftedato.isoformat()]
    call_command("systemskifte", *args, "--dry-run")
    out = capsys.readouterr().out
    assert "Prøvekørsel" in out and "Registrér ny anmodning" in out
    assert not SyncOperation.objects.exists()
    call_command("systemskifte", *args)
    out = capsys.readouterr().out
    assert "5 af 5 borgere færdige, 0 med fejl." in out
    skifte = services.Systemskifte.objects.get(proevekoersel=False)
    tjek_model2(skifte, skiftedato, n_aktive=5)


def test_excel_report_lists_every_citizen(simulator, charlie, skiftedato):
    from io import BytesIO

    from openpyxl import load_workbook

    seeding.seed_active(3, 101)
    skifte = services.start(user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=True)
    ws = load_workbook(BytesIO(report.excel(skifte))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[3][:2] == ("CPR (maskeret)", "SMDB AnmodningId")
    assert len(rows) == 4 + 3
    assert all(r[0].endswith("-xxxx") for r in rows[4:])


def test_imported_values_are_smdbs(simulator, charlie, skiftedato):
    seeding.seed_active(4, 101)
    services.start(user=charlie, model="mellemloesning", skiftedato=skiftedato, proevekoersel=False)
    for b in SkifteBorger.objects.all():
        sim = SimSkema.objects.get(pk=b.anmodning_id)
        assert b.gammelt_forloeb.anmodning.smdb_values() == from_json("anmodning", sim.values)
