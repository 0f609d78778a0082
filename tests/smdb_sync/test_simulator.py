"""The local SMDB simulator over real HTTP on 127.0.0.1: the client talks to it as
it would to DST's service."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
import zeep

from smdb import client as smdb_client
from smdb import contract, demo
from smdb.client import KvalHep, SmdbKlient, SmdbProtocolError, SmdbTransportError
from smdb_simulator import store
from smdb_simulator.catalogue import DEMO_TILBUD
from smdb_simulator.models import SimSkema
from tests.smdb_sync import harness

CPR = harness.cpr(3)


@pytest.fixture
def klient(simulator):
    return SmdbKlient()


def anmod(klient, cpr=CPR, dato=None, **extra):
    values = demo.anmodning_values(dato or harness.anmodningsdato()) | extra
    return klient.indsaet("anmodning", values, person_identifikator=cpr, kommune_kode=101)


def whole_forloeb(klient, cpr=CPR):
    anmodet = harness.anmodningsdato()
    ivaerksat = anmodet + timedelta(days=3)
    slut = ivaerksat + timedelta(days=10)
    anm = anmod(klient, cpr)
    iv = klient.indsaet(
        "ivaerksaettelse",
        demo.ivaerksaettelse_values(cpr, anmodet, ivaerksat),
        parent_id=anm.id,
    )
    tilb = klient.indsaet(
        "tilbudstilknytning",
        demo.tilbudstilknytning_values(harness.TILBUD_ID, ivaerksat, slut),
        parent_id=iv.id,
    )
    afsl = klient.indsaet("afslutning", demo.afslutning_values(slut), parent_id=anm.id)
    assert anm.succes and iv.succes and tilb.succes and afsl.succes, (iv, tilb, afsl)
    return anm.id, iv.id, tilb.id, afsl.id


def test_an_inserted_anmodning_is_stored_and_read_back_with_the_same_values(klient):
    svar = anmod(klient)

    assert svar.succes and svar.id
    skema = klient.hent("anmodning", svar.id)
    assert skema.values == demo.anmodning_values(harness.anmodningsdato())
    assert (skema.person_identifikator, skema.kommune_kode) == (CPR, 101)


def test_a_rule_breach_is_rejected_with_the_rules_errors_and_nothing_stored(klient):
    future = harness.anmodningsdato() + timedelta(days=365)

    svar = anmod(klient, dato=future, PersonEllerPartnerGravidKode="")

    assert not svar.succes and svar.id is None
    assert {"R-GEN-1", "R-GEN-2"} <= {f.kode for f in svar.fejl}
    fejl = next(f for f in svar.fejl if f.kode == "R-GEN-2")
    assert fejl.felt_id == "9-ANM" and fejl.variabel == "PersonEllerPartnerGravidKode"
    assert fejl.tekst  # Danish text for the case page
    assert SimSkema.objects.count() == 0


def test_the_same_rule_engine_judges_the_whole_stored_forloeb(klient):
    anm = anmod(klient)
    anmodet = harness.anmodningsdato()

    # R-IVAER-3: iværksat before the stored anmodning.
    svar = klient.indsaet(
        "ivaerksaettelse",
        demo.ivaerksaettelse_values(CPR, anmodet, anmodet - timedelta(days=1)),
        parent_id=anm.id,
    )

    assert not svar.succes
    assert "R-IVAER-3" in {f.kode for f in svar.fejl}
    assert SimSkema.objects.filter(schema="ivaerksaettelse").count() == 0


def test_a_second_active_forloeb_for_the_citizen_is_refused(klient):
    assert anmod(klient).succes
    svar = anmod(klient, dato=harness.anmodningsdato() + timedelta(days=1))
    assert [f.kode for f in svar.fejl] == ["R-ANM-1"]


def test_a_whole_forloeb_is_stored_and_can_be_read_by_id_and_by_parent(klient):
    anm_id, iv_id, tilb_id, afsl_id = whole_forloeb(klient)

    assert klient.hent_ivaerksaettelse_for_anmodning(anm_id).id == iv_id
    assert [t.id for t in klient.hent_tilknytninger_for_ivaerksaettelse(iv_id)] == [tilb_id]
    assert klient.hent("tilbudstilknytning", tilb_id).parent_id == iv_id
    anmodning = klient.hent("anmodning", anm_id)
    assert anmodning.afslutning.id == afsl_id
    assert klient.hent("afslutning", afsl_id, anmodning_id=anm_id).values[
        "BehandlingAfsluttetAarsagKode"
    ] == ("01")
    assert [a.id for a in klient.hent_anmodninger(CPR, 101)] == [anm_id]


def test_insert_with_an_existing_id_updates_the_schema_in_place(klient):
    anm = anmod(klient)

    svar = klient.indsaet(
        "anmodning",
        demo.anmodning_values(harness.anmodningsdato(), tidligere="01"),
        smdb_id=anm.id,
        person_identifikator=CPR,
        kommune_kode=101,
    )

    assert svar.succes and svar.id == anm.id
    assert klient.hent("anmodning", anm.id).values["BehandlingTidligereKode"] == "01"
    assert SimSkema.objects.count() == 1


def test_deletion_is_bagfra(klient):
    anm_id, iv_id, tilb_id, afsl_id = whole_forloeb(klient)

    refused = klient.slet("anmodning", anm_id)
    assert not refused.succes and refused.fejl[0].kode == "R-DEL-1"
    assert not klient.slet("ivaerksaettelse", iv_id).succes

    for schema, smdb_id in [
        ("afslutning", afsl_id),
        ("tilbudstilknytning", tilb_id),
        ("ivaerksaettelse", iv_id),
        ("anmodning", anm_id),
    ]:
        assert klient.slet(schema, smdb_id).succes, schema
    assert klient.hent("anmodning", anm_id) is None
    assert klient.slet("anmodning", anm_id).ikke_fundet


def test_slet_helt_forloeb_and_the_active_forloeb_of_the_myndighed(klient):
    anm_id, *_ = whole_forloeb(klient)  # afsluttet: not active
    aktiv = anmod(klient, harness.cpr(4))

    assert [k["anmodning_id"] for k in klient.hent_aktive_kontaktforloeb(101)] == [aktiv.id]
    assert klient.slet_helt_forloeb(anm_id).succes
    assert klient.hent_anmodninger(CPR, 101) == []


# --- KvalHep (discontinued 1 July 2025; issue 22) ------------------------------------

FOER_2025 = date(2025, 3, 3)  # an anmodning from before KvalHep was discontinued


def old_forloeb_with_kvalhep(klient):
    """An iværksat forløb from before 1 July 2025 with a KvalHep on its anmodning,
    as another system left it in SMDB."""
    anm = anmod(klient, dato=FOER_2025)
    iv = klient.indsaet(
        "ivaerksaettelse",
        demo.ivaerksaettelse_values(CPR, FOER_2025, FOER_2025 + timedelta(days=5)),
        parent_id=anm.id,
    )
    assert anm.succes and iv.succes, (anm, iv)
    kvalhep = store.gem_kvalhep(anm.id, date(2025, 4, 1))
    return anm.id, iv.id, kvalhep.pk


def test_the_simulator_holds_a_kvalhep_on_an_anmodning_and_hent_finds_it(klient):
    anm_id, _, kvalhep_id = old_forloeb_with_kvalhep(klient)

    assert klient.hent_kvalhep_med_id(kvalhep_id) == KvalHep(kvalhep_id, anm_id, date(2025, 4, 1))
    assert klient.hent_kvalhep(CPR, 101) == [KvalHep(kvalhep_id, anm_id, date(2025, 4, 1))]
    assert klient.hent_kvalhep(CPR, 751) == []  # another myndighed's
    assert klient.hent_kvalhep_med_id(kvalhep_id + 1000) is None  # IKKE_FUNDET


def test_R_DEL_1_sletanmodning_is_refused_while_a_kvalhep_is_on_it(klient):
    anm_id, iv_id, kvalhep_id = old_forloeb_with_kvalhep(klient)
    assert klient.slet("ivaerksaettelse", iv_id).succes

    refused = klient.slet("anmodning", anm_id)
    assert not refused.succes and not refused.ikke_fundet
    assert [f.kode for f in refused.fejl] == ["R-DEL-1"]
    assert f"KvalHep med Id {kvalhep_id}" in refused.fejl[0].tekst
    assert klient.hent("anmodning", anm_id) is not None  # nothing deleted

    assert klient.slet_kvalhep(kvalhep_id).succes
    assert klient.hent_kvalhep_med_id(kvalhep_id) is None
    assert klient.hent_kvalhep(CPR, 101) == []
    assert klient.slet_kvalhep(kvalhep_id).ikke_fundet  # slette-markeret already
    assert klient.slet("anmodning", anm_id).succes
    assert klient.hent("anmodning", anm_id) is None


def test_slet_helt_forloeb_takes_the_kvalhep_too(klient):
    anm_id, _, kvalhep_id = old_forloeb_with_kvalhep(klient)
    assert klient.slet_helt_forloeb(anm_id).succes
    assert klient.hent_kvalhep_med_id(kvalhep_id) is None


def test_a_kvalhep_smdb_could_not_hold_is_not_stored(klient):
    anm = anmod(klient, dato=FOER_2025)
    with pytest.raises(ValueError, match="01.07.2025"):
        store.gem_kvalhep(anm.id, date(2025, 7, 1))  # discontinued that day
    with pytest.raises(ValueError, match="03.03.2025"):
        store.gem_kvalhep(anm.id, FOER_2025 - timedelta(days=1))
    # And over SOAP none can be reported at all.
    svar = klient.call(contract.INDSAET, "IndsaetKvalHep", KvalHep={"AnmodningId": anm.id})
    assert svar.Succes is False and svar.Fejlliste.Fejl[0].Kode == "UDGAAET"
    assert klient.hent_kvalhep(CPR, 101) == []


def test_a_tilbud_outside_the_catalogue_is_refused(klient):
    anmodet = harness.anmodningsdato()
    anm = anmod(klient)
    iv = klient.indsaet(
        "ivaerksaettelse", demo.ivaerksaettelse_values(CPR, anmodet, anmodet), parent_id=anm.id
    )
    svar = klient.indsaet(
        "tilbudstilknytning", demo.tilbudstilknytning_values(4242, anmodet), parent_id=iv.id
    )
    assert [(f.kode, f.felt_id) for f in svar.fejl] == [("UKENDT_TILBUD", "1-TILB")]


def test_hent_alle_tilbud_is_the_demo_catalogue(klient):
    assert klient.hent_alle_tilbud() == DEMO_TILBUD


def test_discontinued_schemas_answer_sensibly(klient):
    ydelse = klient.call(contract.INDSAET, "IndsaetYdelse", Ydelse={})
    assert ydelse.Succes is False and ydelse.Fejlliste.Fejl[0].Kode == "UDGAAET"
    hent = klient.call(
        contract.HENT, "HentIndskrivninger", PersonIdentifikator=CPR, KommuneKode=101
    )
    assert hent is None or not hent.Indskrivning


def test_token_test_service(klient):
    assert klient.echo("hej") == "hej"
    assert "SMDB-simulator" in klient.who_am_i()
    with pytest.raises(SmdbTransportError, match="Throw"):
        klient.call(contract.TOKEN, "Throw")


@pytest.mark.parametrize("svc", [s for s, _, _ in contract.SERVICES.values()])
def test_the_wsdl_is_served_and_points_at_the_simulator(simulator, svc):
    client = zeep.Client(f"{simulator}{svc}?wsdl")
    (service,) = client.wsdl.services.values()
    (port,) = service.ports.values()
    assert port.binding_options["address"] == simulator + svc


def test_a_wrong_soap_action_is_a_client_fault(simulator):
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<Echo xmlns="http://smdb.dst.dk/api/external/v1/"><Tekst>x</Tekst></Echo>'
        b"</s:Body></s:Envelope>"
    )
    url = simulator + "securetokentest.svc"
    wrong = requests.post(
        url, data=envelope, headers={"SOAPAction": '"http://smdb.dst.dk/x/Echo"'}, timeout=5
    )
    right = requests.post(
        url,
        data=envelope,
        headers={"SOAPAction": '"http://smdb.dst.dk/api/external/v1/ISecureTokenTest/Echo"'},
        timeout=5,
    )
    assert wrong.status_code == 500 and b"s:Client" in wrong.content
    assert right.status_code == 200 and b"<EchoResult>x</EchoResult>" in right.content


def test_a_message_that_breaks_the_xsd_is_a_client_fault(simulator):
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<HentAnmodning xmlns="http://smdb.dst.dk/api/external/v1/"><Id>abc</Id></HentAnmodning>'
        b"</s:Body></s:Envelope>"
    )
    response = requests.post(
        simulator + "securehentdata.svc",
        data=envelope,
        headers={
            "SOAPAction": '"http://smdb.dst.dk/api/external/v1/ISecureHentData/HentAnmodning"'
        },
        timeout=5,
    )
    assert response.status_code == 500
    assert b"s:Client" in response.content and b"XSD" in response.content


def test_fault_unavailable_is_http_503_and_transient(klient, settings):
    settings.SMDB_SIMULATOR_FAULT = "unavailable"
    with pytest.raises(SmdbTransportError, match="503"):
        anmod(klient)
    assert SimSkema.objects.count() == 0


def test_fault_fail_rejects_the_given_fraction_with_a_server_fault(klient, settings):
    settings.SMDB_SIMULATOR_FAULT = "fail"
    settings.SMDB_SIMULATOR_FAIL_RATE = 1.0
    with pytest.raises(SmdbTransportError, match="Server"):
        klient.echo("x")
    settings.SMDB_SIMULATOR_FAIL_RATE = 0.5
    outcomes = []
    for _ in range(40):
        try:
            klient.echo("x")
            outcomes.append(True)
        except SmdbTransportError:
            outcomes.append(False)
    assert 0 < outcomes.count(False) < 40


def test_fault_slow_beyond_the_timeout_is_a_transient_timeout(simulator, settings):
    settings.SMDB_SIMULATOR_FAULT = "slow"
    settings.SMDB_SIMULATOR_DELAY = 1.0
    with pytest.raises(SmdbTransportError, match="Timeout"):
        SmdbKlient(timeout=0.3).echo("x")


def test_the_simulator_is_off_unless_enabled(simulator, settings):
    settings.SMDB_SIMULATOR_ENABLED = False
    with pytest.raises(SmdbProtocolError, match="404"):
        SmdbKlient().echo("x")


def test_the_client_targets_the_configured_endpoint(settings):
    settings.SMDB_ENDPOINT = contract.PREPROD_BASE
    assert smdb_client.endpoint_for(contract.INDSAET) == (
        "https://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/secureindsaetdata.svc"
    )
