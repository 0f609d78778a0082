"""The committed WSDL/XSD are generated from smdb.fields: one source of truth."""

import zeep
from lxml import etree

from smdb import contract
from smdb.fields import SCHEMAS


def test_committed_wsdl_and_xsd_equal_the_generated_ones():
    for name, content in contract.generated_files().items():
        committed = (contract.WSDL_DIR / name).read_bytes()
        assert committed == content, f"{name} is stale: run manage.py generate_smdb_wsdl"


def test_xsd_is_a_valid_schema_with_every_smdb_variable_as_element():
    xsd = etree.parse(str(contract.WSDL_DIR / contract.XSD_FILE))
    etree.XMLSchema(xsd)
    ns = {"xs": contract.XS}
    for schema in SCHEMAS.values():
        type_name = contract.SCHEMA_TYPES[schema.key][0]
        names = xsd.xpath(
            f"/xs:schema/xs:complexType[@name='{type_name}']/xs:sequence/xs:element/@name",
            namespaces=ns,
        )
        assert [f.variable for f in schema.fields] == [
            n for n in names if n not in ("Id", "AnmodningId", "IvaerksaettelseId", "Afslutning")
        ]


def test_our_own_afslutning_text_field_is_optional_and_documented_as_assumption():
    xsd = etree.parse(str(contract.WSDL_DIR / contract.XSD_FILE))
    (el,) = xsd.xpath(
        "//xs:complexType[@name='Afslutning']//xs:element[@name='BehandlingAfsluttetAarsagTekst']",
        namespaces={"xs": contract.XS},
    )
    assert el.get("minOccurs") == "0"
    assert "antagelse" in "".join(el.itertext()).lower()


def test_every_action_of_the_spec_is_in_the_wsdl_with_its_soap_action():
    spec_actions = {
        contract.HENT: """HentAnmodning HentIvaerksaettelse HentIvaerksaettelseForAnmodning
            HentTilbudstilknytning HentTilbudstilknytningForIvaerksaettelse HentKvalHepMedId
            HentAktiveKontaktForloebIMyndighed HentAlleTilbud HentAnmodninger
            HentIndskrivninger HentIvaerksaettelser HentKvalHep HentLandeliste
            HentTilbudstilknytninger HentYdelser HentYdelsespakker HentAsiForMyndighed
            HentAsiForTilbud""",
        contract.INDSAET: """SletAnmodning SletIvaerksaettelse SletTilbudsTilknytning
            SletHeltForloeb SletKvalHep AfslutBehandling AfslutIndskrivning IndsaetIndskrivning
            IndsaetIvaerksaettelse IndsaetKvalHep IndsaetTilbudstilknytning IndsaetYdelse
            IndsaetAsi IndsaetAnmodning""",
        contract.TOKEN: "Echo Throw WhoAmI",
    }
    for interface, names in spec_actions.items():
        wsdl_file = contract.SERVICES[interface][1]
        client = zeep.Client(str(contract.WSDL_DIR / wsdl_file))
        operations = client.service._binding._operations
        for name in names.split():
            assert operations[name].soapaction == (
                f"http://smdb.dst.dk/api/external/v1/{interface}/{name}"
            )


def test_assumed_actions_are_said_to_be_assumptions_in_the_wsdl():
    text = (contract.WSDL_DIR / "secureindsaetdata.wsdl").read_text()
    assert "ANTAGELSE IndsaetAnmodning" in text
    assert "ANTAGELSE SletAfslutning" in text
