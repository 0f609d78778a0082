"""One plan, two uses (issue 22): a model as a dry run and then for real on a
generated population covering every stage (``seeding.POPULATION``); citizen by
citizen, schema by schema, field by field, the simulator holds afterwards
exactly what the dry run said (``checks.tjek_mod_proeven``). Mellemløsning at 200
here; the size tests make the same comparison for model 1 (test_2000.py) and
model 2 with a killed worker (test_broker.py) at 2,000."""

from __future__ import annotations

import pytest
from django.db.models import Q

from smdb.models import SyncOperation
from smdb_simulator import seeding
from smdb_simulator.models import SimSkema
from systemskifte import services
from systemskifte.models import JobStatus, Trin
from tests.systemskifte.checks import (
    andre_myndigheders,
    dobbelt_aktive,
    forskelle_fra_planen,
    tjek_mod_proeven,
)

pytestmark = pytest.mark.django_db(transaction=True)

N = 200


def proeve_og_koer(user, model, skiftedato):
    """The dry run, then the real run: returns both jobs, finished."""
    proeve = services.start(user=user, model=model, skiftedato=skiftedato, proevekoersel=True)
    proeve.refresh_from_db()
    assert proeve.status == JobStatus.FAERDIG, proeve.fejl
    skifte = services.start(user=user, model=model, skiftedato=skiftedato, proevekoersel=False)
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG, skifte.fejl
    assert dobbelt_aktive(proeve.myndighed.kommune_kode) == []  # R-ANM-1
    return proeve, skifte


def test_mellemloesning_holds_what_the_dry_run_said(simulator, charlie, skiftedato):
    """Model 1 and model 2 make this comparison at size (test_2000.py,
    test_broker.py); mellemløsning here, on the population of every stage."""
    seeding.seed_population(N, 101, skiftedato=skiftedato)
    seeding.seed_active(20, 751)  # another myndighed's forløb: untouched
    andre = andre_myndigheders(101)
    proeve, skifte = proeve_og_koer(charlie, "mellemloesning", skiftedato)
    tjek_mod_proeven(proeve, skifte, N, andre_foer=andre)


def test_a_forloeb_smdb_web_sent_is_left_alone_and_another_one_here_is_flagged(
    simulator, charlie, skiftedato
):
    """Issue 22: SMDB's forløb whose AnmodningId smdb-web holds is "allerede i
    smdb-web" for every model; a citizen with a different active forløb here needs a
    person. The dry run says so per citizen; the real run leaves both alone."""
    from cases.models import Anmodning
    from tests.factories import ForloebFactory

    seeding.seed_active(6, 101)
    anm = list(SimSkema.objects.filter(schema="anmodning").order_by("pk")[:2])
    sendt_herfra = ForloebFactory(
        myndighed=charlie.myndighed, person_identifikator=anm[0].person_identifikator
    )
    Anmodning.objects.filter(forloeb=sendt_herfra).update(smdb_id=anm[0].pk)
    andet = ForloebFactory(
        myndighed=charlie.myndighed, person_identifikator=anm[1].person_identifikator
    )
    for model in ("model1", "model2", "mellemloesning"):
        proeve = services.start(
            user=charlie, model=model, skiftedato=skiftedato, proevekoersel=True
        )
        b0, b1 = (proeve.borgere.get(anmodning_id=a.pk) for a in anm)
        assert b0.allerede_i_smdb_web and b0.trin == Trin.FAERDIG
        assert b0.plan == [f"Allerede i smdb-web (forløb {sendt_herfra.pk}): røres ikke."]
        assert b1.trin == Trin.FEJL and f"andet aktivt forløb i smdb-web (forløb {andet.pk})" in (
            b1.fejl
        )

    def skemaer():
        rows = SimSkema.objects.filter(Q(pk__in=[a.pk for a in anm]) | Q(anmodning__in=anm))
        return sorted(rows.values_list("pk", "values", "slettet"))

    foer = skemaer()
    skifte = services.start(
        user=charlie, model="model2", skiftedato=skiftedato, proevekoersel=False
    )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FAERDIG
    assert skemaer() == foer
    assert forskelle_fra_planen(skifte) == []
    assert not SyncOperation.objects.filter(forloeb_ref__in=[sendt_herfra.pk, andet.pk]).exists()


def test_a_change_date_before_the_earliest_forloeb_in_smdb_is_refused(simulator, charlie):
    """Issue 22 (R-GEN-3, R-GEN-1): the date must be plausible."""
    from datetime import date

    from django.core.management import CommandError, call_command

    from smdb.rules import today_dk

    seeding.seed_active(3, 101)
    for dato, fejl in (
        (date(1990, 1, 1), "tidligst være 01.01.2008"),
        (today_dk(), "senest være"),
    ):
        with pytest.raises(ValueError, match=fejl):
            services.start(user=charlie, model="model1", skiftedato=dato, proevekoersel=True)
        with pytest.raises(CommandError, match=fejl):
            call_command(
                "systemskifte", "model2", "--myndighed", "101", "--skiftedato", dato.isoformat()
            )
    skifte = services.start(
        user=charlie, model="model2", skiftedato=date(2010, 1, 1), proevekoersel=True
    )
    skifte.refresh_from_db()
    assert skifte.status == JobStatus.FEJLET
    assert "ligger før myndighedens tidligste forløb i SMDB" in skifte.fejl
    with pytest.raises(CommandError, match="tidligste forløb i SMDB"):
        call_command("systemskifte", "model2", "--myndighed", "101", "--skiftedato", "2010-01-01")
    assert not SyncOperation.objects.exists()
