"""Reconciliation with SMDB: each kind of planted difference is found, nothing else,
and each one-click fix makes the next comparison clean (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from cases.models import Afslutning, Kontaktforloeb
from cases.schema_models import model_kwargs
from smdb import demo
from smdb.schema_json import from_json
from smdb_simulator import seeding, store
from smdb_simulator.models import SimSkema
from systemskifte import afstemning, services
from systemskifte.models import AfvigelseStatus, AfvigelseType

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
