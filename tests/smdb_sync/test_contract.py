"""Contract tests: the XML that leaves for every action validates against our XSD,
with the exact SOAPAction header and namespace; captured on the wire (the
requests adapter) while the simulator answers over real HTTP."""

from __future__ import annotations

import copy
from datetime import date

import pytest
import requests.adapters
import zeep.exceptions
from lxml import etree

from smdb import client as smdb_client
from smdb import contract, demo
from tests.smdb_sync import harness

ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
CPR = harness.cpr(7)
ANMODET = date(2025, 9, 1)


@pytest.fixture
def wire(monkeypatch):
    """Every HTTP request and response that passes the requests adapter."""
    sent: list[tuple[requests.PreparedRequest, requests.Response]] = []
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        sent.append((request, response))
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def schema_payload(schema_key: str) -> dict:
    values = {
        "anmodning": lambda: demo.anmodning_values(ANMODET),
        "ivaerksaettelse": lambda: demo.ivaerksaettelse_values(CPR, ANMODET, ANMODET),
        "tilbudstilknytning": lambda: demo.tilbudstilknytning_values(
            harness.TILBUD_ID, ANMODET, type_kode="01"
        ),
        "afslutning": lambda: (
            demo.afslutning_values(ANMODET, aarsag="10")
            | {"BehandlingAfsluttetAarsagTekst": "Systemskift"}
        ),
    }[schema_key]()
    payload = smdb_client.to_wire(schema_key, values)
    parent = contract.SCHEMA_TYPES[schema_key][1]
    if parent:
        payload[parent] = 1
    else:
        payload |= {"PersonIdentifikator": CPR, "KommuneKode": 101}
    return payload


SAMPLE = {
    "xs:long": 1,
    "xs:int": 101,
    "xs:date": ANMODET,
    "xs:string": "hej SMDB",
    "tns:PersonIdentifikatorType": CPR,
    "tns:Anmodning": lambda: schema_payload("anmodning"),
    "tns:Ivaerksaettelse": lambda: schema_payload("ivaerksaettelse"),
    "tns:Tilbudstilknytning": lambda: schema_payload("tilbudstilknytning"),
    "tns:Afslutning": lambda: schema_payload("afslutning"),
    "tns:Indskrivning": lambda: {"TilbudId": harness.TILBUD_ID, "IndskrivningDato": ANMODET},
    "tns:Ydelse": lambda: {"YdelseDato": ANMODET},
    "tns:KvalHep": lambda: {"Dato": ANMODET},
    "tns:Asi": lambda: {"PersonIdentifikator": CPR},
}


def sample_args(op: contract.Operation) -> dict:
    args = {}
    for p in op.params:
        value = SAMPLE[p.type]
        args[p.name] = value() if callable(value) else value
    return args


def body_element(content: bytes) -> etree._Element:
    envelope = etree.fromstring(content)
    assert envelope.tag == f"{ENV}Envelope"  # SOAP 1.1
    (element,) = envelope.find(f"{ENV}Body")
    return element


def assert_valid(element: etree._Element) -> None:
    schema = contract.xml_schema()
    ok = schema.validate(etree.ElementTree(copy.deepcopy(element)))
    assert ok, schema.error_log


@pytest.mark.parametrize("op", contract.OPERATIONS, ids=lambda op: op.name)
def test_every_action_sends_valid_xml_with_the_exact_soap_action(simulator, wire, op):
    proxy = smdb_client.service(op.interface)
    if op.name == "Throw":
        with pytest.raises(zeep.exceptions.Fault):
            proxy.Throw()
    else:
        getattr(proxy, op.name)(**sample_args(op))

    request, response = wire[-1]
    assert request.url == simulator + contract.SERVICES[op.interface][0]
    assert request.method == "POST"
    assert request.headers["SOAPAction"] == (
        f'"http://smdb.dst.dk/api/external/v1/{op.interface}/{op.name}"'
    )
    assert request.headers["Content-Type"].startswith("text/xml")
    sent = body_element(request.body)
    assert sent.tag == f"{{http://smdb.dst.dk/api/external/v1/}}{op.name}"
    assert_valid(sent)

    if op.name == "Throw":
        assert response.status_code == 500
        assert body_element(response.content).tag == f"{ENV}Fault"
    else:
        assert response.status_code == 200
        answer = body_element(response.content)
        assert answer.tag == f"{{{contract.NS}}}{op.name}Response"
        assert_valid(answer)


def test_schema_elements_are_smdb_variable_names_and_31_ivaer_is_a_list(simulator, wire):
    smdb_client.SmdbKlient().indsaet(
        "ivaerksaettelse",
        demo.ivaerksaettelse_values(CPR, ANMODET, ANMODET),
        parent_id=1,
    )

    request, _ = wire[-1]
    sent = body_element(request.body)
    (iv,) = sent
    names = [etree.QName(c).localname for c in iv]
    assert names[:3] == ["AnmodningId", "OenskerBorgerTilbudLaegesamtaleKode",
                         "LaegesamtaleAfholdtIndikator"]  # fmt: skip
    henvisning = iv.find(f"{{{contract.NS}}}HenvisningPaaOpfordringAfListe")
    assert [k.text for k in henvisning] == ["01", "04"]
    assert {etree.QName(k).localname for k in henvisning} == {"Kode"}
    # An empty answer (4-IVÆR not shown) is left out, not sent empty.
    assert "BehandlingGarantiOverskredeAarsagKode" not in names


def test_a_code_outside_the_code_list_does_not_leave_the_client():
    with pytest.raises(smdb_client.SmdbProtocolError):
        smdb_client.SmdbKlient(endpoint="http://127.0.0.1:9/").indsaet(
            "anmodning",
            demo.anmodning_values(ANMODET) | {"BehandlingTidligereKode": "07"},
            person_identifikator=CPR,
            kommune_kode=101,
        )


def test_the_client_loads_only_local_wsdl_files(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("WSDL fetched over the network")

    monkeypatch.setattr(requests.Session, "get", no_network)
    for interface in contract.SERVICES:
        client = smdb_client.build_client(interface)
        assert client.wsdl.location.startswith(str(contract.WSDL_DIR))


def anmodning_med_kvalhep(klient):
    """An anmodning from before 1 July 2025 with a KvalHep, as SMDB may hold one."""
    from smdb_simulator import store

    anm = klient.indsaet(
        "anmodning",
        demo.anmodning_values(date(2025, 3, 3)),
        person_identifikator=CPR,
        kommune_kode=101,
    )
    return anm, store.gem_kvalhep(anm.id, date(2025, 4, 1))


def test_sletkvalhep_leaves_with_its_soap_action_and_the_kvalhep_id(simulator, wire):
    """Model 1 of a system change deletes SMDB's KvalHep (discontinued 1 July 2025,
    the guide's step f): the XML that leaves is SletKvalHep in SMDB's namespace, to
    the Indsaet service, with the KvalHep's Id and nothing else."""
    klient = smdb_client.SmdbKlient()
    _, kvalhep = anmodning_med_kvalhep(klient)

    assert klient.slet_kvalhep(kvalhep.pk).succes

    request, response = wire[-1]
    assert request.url == simulator + "secureindsaetdata.svc"
    assert request.headers["SOAPAction"] == (
        '"http://smdb.dst.dk/api/external/v1/ISecureIndsaetData/SletKvalHep"'
    )
    sent = body_element(request.body)
    assert sent.tag == "{http://smdb.dst.dk/api/external/v1/}SletKvalHep"
    assert [(c.tag, c.text) for c in sent] == [
        ("{http://smdb.dst.dk/api/external/v1/}Id", str(kvalhep.pk))
    ]
    assert_valid(sent)
    answer = body_element(response.content)
    assert answer.tag == f"{{{contract.NS}}}SletKvalHepResponse"
    (result,) = answer
    assert etree.QName(result).localname == "SletKvalHepResult"
    assert result.findtext(f"{{{contract.NS}}}Succes") == "true"


def test_hentkvalhep_sends_cpr_and_kommunekode_and_reads_the_minimal_record(simulator, wire):
    klient = smdb_client.SmdbKlient()
    anm, kvalhep = anmodning_med_kvalhep(klient)

    (fundet,) = klient.hent_kvalhep(CPR, 101)

    request, response = wire[-1]
    assert request.headers["SOAPAction"] == (
        '"http://smdb.dst.dk/api/external/v1/ISecureHentData/HentKvalHep"'
    )
    sent = body_element(request.body)
    assert [etree.QName(c).localname for c in sent] == ["PersonIdentifikator", "KommuneKode"]
    assert_valid(sent)
    assert_valid(body_element(response.content))
    assert (fundet.id, fundet.anmodning_id, fundet.dato) == (kvalhep.pk, anm.id, date(2025, 4, 1))
