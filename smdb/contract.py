"""The SOAP contract with SMDB: every operation, and the XSD/WSDL written from it.

DST publishes its WSDL only behind NemLog-in, so we write ours from the
specification (kravspecifikation section 1.2 and 5, ``fields.md`` "Web service
actions"). The element names of the four schemas are the SMDB variable names of
``smdb.fields``; this module adds the operations around them. The files in
``smdb/wsdl/`` are generated from here (``manage.py generate_smdb_wsdl``) and a
test asserts that the committed files equal the generated ones, so the wire
format has one source of truth.

Style: SOAP 1.1, document/literal, wrapped as WCF does it (request element =
operation name, response element ``<Operation>Response`` holding
``<Operation>Result``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from lxml import etree

from smdb.fields import AFSLUTNING, ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING, Field, Schema
from smdb.fields import FieldType as F

NS = "http://smdb.dst.dk/api/external/v1/"
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
XSD_FILE = "smdb.xsd"

HENT = "ISecureHentData"
INDSAET = "ISecureIndsaetData"
TOKEN = "ISecureTokenTest"

#: interface -> (.svc file name on DST's host, WSDL file name, service name)
SERVICES = {
    HENT: ("securehentdata.svc", "securehentdata.wsdl", "SecureHentData"),
    INDSAET: ("secureindsaetdata.svc", "secureindsaetdata.wsdl", "SecureIndsaetData"),
    TOKEN: ("securetokentest.svc", "securetokentest.wsdl", "SecureTokenTest"),
}

PROD_BASE = "https://smdbws.dst.dk/smdbwebservice/api/external/v1/"
PREPROD_BASE = "https://smdbpreprodws.dst.dk/smdbwebservice/api/external/v1/"


def soap_action(interface: str, operation: str) -> str:
    return f"{NS}{interface}/{operation}"


def unanswered(value) -> bool:
    """An empty answer (None, "" or an empty code list): its element is left out."""
    return value is None or value == "" or value == []


# --- The four schemas on the wire ---------------------------------------------------

ANM, IVAER, TILB, AFSL = (
    s.key for s in (ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING, AFSLUTNING)
)

#: schema key -> (XSD type name, element naming its parent's Id, parent schema key)
SCHEMA_TYPES: dict[str, tuple[str, str | None, str | None]] = {
    ANM: ("Anmodning", None, None),
    IVAER: ("Ivaerksaettelse", "AnmodningId", ANM),
    TILB: ("Tilbudstilknytning", "IvaerksaettelseId", IVAER),
    AFSL: ("Afslutning", "AnmodningId", ANM),
}
#: schema key -> its parent's schema key (the Anmodning has none)
PARENT = {key: parent for key, (_, _, parent) in SCHEMA_TYPES.items() if parent}
#: schema key -> the element naming its parent's Id
PARENT_ELEMENT = {key: element for key, (_, element, _) in SCHEMA_TYPES.items() if element}

#: schema key -> the operation that inserts or updates it, deletes it, reads it by Id
#: (SMDB has no HentAfslutning: an Afslutning is read with its Anmodning).
INDSAET_OPERATION = {
    ANM: "IndsaetAnmodning",
    IVAER: "IndsaetIvaerksaettelse",
    TILB: "IndsaetTilbudstilknytning",
    AFSL: "AfslutBehandling",
}
SLET_OPERATION = {
    ANM: "SletAnmodning",
    IVAER: "SletIvaerksaettelse",
    TILB: "SletTilbudsTilknytning",
    AFSL: "SletAfslutning",
}
HENT_OPERATION = {
    ANM: "HentAnmodning",
    IVAER: "HentIvaerksaettelse",
    TILB: "HentTilbudstilknytning",
}

# The XSD checks form: types, code values, lengths and ranges. Whether a
# question must be answered depends on other answers (R-GEN-2 and the
# conditional rules), so completeness is the rule engine's job; the XSD
# requires only the elements that identify a schema.
REQUIRED = frozenset(
    {
        "PersonIdentifikator",
        "KommuneKode",
        "BehandlingAnmodningDato",
        "IvaerksatBehandlingDato",
        "TilbudId",
        "TilbudTilknyttetBehandlingStartDato",
        "BehandlingAfsluttetDato",
    }
)


def simple_type_name(field: Field) -> str | None:
    """Name of the named simple type a field needs, or None for a built-in type."""
    if field.type in (F.CODE, F.CODE_LIST):
        return f"{field.variable}Type" if field.type is F.CODE else f"{field.variable}KodeType"
    if field.type is F.TEXT and field.max_length:
        return f"{field.variable}Type"
    if field.type is F.INT and (field.min_value is not None or field.max_value is not None):
        return f"{field.variable}Type"
    return None


BUILTIN = {F.DATE: "xs:date", F.BOOL: "xs:boolean", F.INT: "xs:int", F.TEXT: "xs:string"}


def element_type(field: Field) -> str:
    if field.type is F.CODE_LIST:
        return f"tns:{field.variable}Type"
    name = simple_type_name(field)
    return f"tns:{name}" if name else BUILTIN[field.type]


# --- SMDB's answers --------------------------------------------------------------

IKKE_FUNDET = "IKKE_FUNDET"


@dataclass(frozen=True)
class Fejl:
    kode: str
    tekst: str
    felt_id: str = ""
    variabel: str = ""

    def as_dict(self) -> dict:
        return {"kode": self.kode, "tekst": self.tekst, "felt_id": self.felt_id,
                "variabel": self.variabel}  # fmt: skip


@dataclass
class Svar:
    """SMDB's response object for Indsaet/Slet/Afslut (and the 2026 Hent by Id)."""

    succes: bool
    id: int | None = None
    fejl: list[Fejl] = dataclasses.field(default_factory=list)

    @property
    def ikke_fundet(self) -> bool:
        return not self.succes and any(f.kode == IKKE_FUNDET for f in self.fejl)


# --- Operations ------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    min_occurs: int = 1
    max_occurs: str = "1"


@dataclass(frozen=True)
class Operation:
    interface: str
    name: str
    params: tuple[Param, ...]
    result: str | None  # XSD type of <NameResult>, None for no result element
    doc: str = ""
    assumption: str = ""  # set when the spec does not list the operation

    @property
    def soap_action(self) -> str:
        return soap_action(self.interface, self.name)


def _by_id(name: str = "Id") -> tuple[Param, ...]:
    return (Param(name, "xs:long"),)


CPR_KOMMUNE = (
    Param("PersonIdentifikator", "tns:PersonIdentifikatorType"),
    Param("KommuneKode", "xs:int"),
)

DISCONTINUED = "Udgået: findes kun for at kunne læse, afslutte og slette gamle skemaer."

# --- KvalHep (discontinued 1 July 2025) ------------------------------------------------
#
# Our reading of the specification (kravspecifikation 1.1 and 1.2, fields.md
# "Discontinued schemas"): the KvalHep part of the reporting "udgik pr. 1. juli
# 2025", so IndsaetKvalHep is refused (listed under "Uændrede actions" but there is
# nothing left to report), while DST still answers HentKvalHep ("Uændrede actions"),
# HentKvalHepMedId and SletKvalHep (both "Nye actions 2026": read a known schema by
# Id, slette-markere so a case can be deleted): SMDB still holds the KvalHep of
# forløb from before 1 July 2025, and a system change (model 1) deletes them (the
# guide's step f, "Slet KvalHep"). Section 5.1's "kan ... ikke slettes" via
# webservice predates the 2026 Slet actions; we follow the actions.
#
# The KvalHep's fields are not in the seed documents: on the wire it is a minimal
# record (Id, AnmodningId, Dato; ``render_xsd``). It hangs on an Anmodning, so the
# anmodning cannot be deleted while it is there (R-DEL-1, ``smdb.rules.deletion``).

#: Our key for a KvalHep (outbox operations, the simulator's store); not one of
#: ``smdb.fields.SCHEMAS``: smdb-web never creates or edits one.
KVALHEP = "kvalhep"
#: The first day no KvalHep could be reported: a forløb whose anmodning is on or
#: after it cannot have one (R-GEN-3: the anmodningsdato steers the rules).
KVALHEP_UDGAAET = date(2025, 7, 1)
KVALHEP_HENT_DOC = "Udgået 1. juli 2025: læs KvalHep for forløb fra før (kun læsning)."

OPERATIONS: tuple[Operation, ...] = (
    # ISecureHentData: new 2026 actions by Id, with a response object.
    Operation(
        HENT,
        "HentAnmodning",
        _by_id(),
        "HentAnmodningSvar",
        "Anmodning (med evt. afslutning) efter Id.",
    ),
    Operation(
        HENT, "HentIvaerksaettelse", _by_id(), "HentIvaerksaettelseSvar", "Iværksættelse efter Id."
    ),
    Operation(
        HENT,
        "HentIvaerksaettelseForAnmodning",
        _by_id("AnmodningId"),
        "HentIvaerksaettelseSvar",
        "Anmodningens iværksættelse.",
    ),
    Operation(
        HENT,
        "HentTilbudstilknytning",
        _by_id(),
        "HentTilbudstilknytningSvar",
        "Tilbudstilknytning efter Id.",
    ),
    Operation(
        HENT,
        "HentTilbudstilknytningForIvaerksaettelse",
        _by_id("IvaerksaettelseId"),
        "HentTilbudstilknytningerSvar",
        "Iværksættelsens tilbudstilknytninger.",
    ),
    Operation(HENT, "HentKvalHepMedId", _by_id(), "HentKvalHepSvar", KVALHEP_HENT_DOC),
    Operation(
        HENT,
        "HentAktiveKontaktForloebIMyndighed",
        (Param("KommuneKode", "xs:int"),),
        "HentAktiveKontaktForloebSvar",
        "Alle aktive kontaktforløb i myndigheden med skemaernes Id (systemskifte, R-SKIFT-5).",
    ),
    # ISecureHentData: unchanged actions.
    Operation(HENT, "HentAlleTilbud", (), "TilbudListe", "Tilbudskataloget (1-TILB)."),
    Operation(
        HENT,
        "HentAnmodninger",
        CPR_KOMMUNE,
        "AnmodningListe",
        "Borgerens anmodninger i myndigheden.",
    ),
    Operation(HENT, "HentIndskrivninger", CPR_KOMMUNE, "IndskrivningListe", DISCONTINUED),
    Operation(
        HENT,
        "HentIvaerksaettelser",
        CPR_KOMMUNE,
        "IvaerksaettelseListe",
        "Borgerens iværksættelser i myndigheden.",
    ),
    Operation(HENT, "HentKvalHep", CPR_KOMMUNE, "KvalHepListe", KVALHEP_HENT_DOC),
    Operation(HENT, "HentLandeliste", (), "LandListe", "Landekoder."),
    Operation(
        HENT,
        "HentTilbudstilknytninger",
        CPR_KOMMUNE,
        "TilbudstilknytningListe",
        "Borgerens tilbudstilknytninger i myndigheden.",
    ),
    Operation(HENT, "HentYdelser", CPR_KOMMUNE, "YdelseListe", DISCONTINUED),
    Operation(HENT, "HentYdelsespakker", (), "YdelsespakkeListe", DISCONTINUED),
    Operation(
        HENT,
        "HentAsiForMyndighed",
        (Param("KommuneKode", "xs:int"),),
        "AsiListe",
        "Kun forløb før 1. juli 2019.",
    ),
    Operation(
        HENT,
        "HentAsiForTilbud",
        (Param("TilbudId", "xs:int"),),
        "AsiListe",
        "Kun forløb før 1. juli 2019.",
    ),
    # ISecureIndsaetData. An Indsaet* whose schema carries an existing Id
    # updates that schema ("Rediger", spec section 5.1): see smdb.sync.
    Operation(
        INDSAET,
        "IndsaetAnmodning",
        (Param("Anmodning", "tns:Anmodning"),),
        "IndsaetSvar",
        "Opret (uden Id) eller ret (med Id) en anmodning.",
        assumption=(
            "The specification lists HentAnmodning and SletAnmodning but no action that "
            "creates an Anmodning. We assume IndsaetAnmodning, shaped like the other "
            "Indsaet actions."
        ),
    ),
    Operation(
        INDSAET,
        "IndsaetIvaerksaettelse",
        (Param("Ivaerksaettelse", "tns:Ivaerksaettelse"),),
        "IndsaetSvar",
        "Opret eller ret en iværksættelse.",
    ),
    Operation(
        INDSAET,
        "IndsaetTilbudstilknytning",
        (Param("Tilbudstilknytning", "tns:Tilbudstilknytning"),),
        "IndsaetSvar",
        "Opret eller ret en tilbudstilknytning.",
    ),
    Operation(
        INDSAET,
        "AfslutBehandling",
        (Param("Afslutning", "tns:Afslutning"),),
        "IndsaetSvar",
        "Afslut (eller ret afslutningen af) et kontaktforløb.",
    ),
    Operation(
        INDSAET,
        "SletAnmodning",
        _by_id(),
        "IndsaetSvar",
        "Slettemarkér en anmodning (bagfra, R-DEL-1).",
    ),
    Operation(
        INDSAET,
        "SletIvaerksaettelse",
        _by_id(),
        "IndsaetSvar",
        "Slettemarkér en iværksættelse (bagfra, R-DEL-1).",
    ),
    Operation(
        INDSAET,
        "SletTilbudsTilknytning",
        _by_id(),
        "IndsaetSvar",
        "Slettemarkér en tilbudstilknytning.",
    ),
    Operation(
        INDSAET,
        "SletHeltForloeb",
        _by_id("AnmodningId"),
        "IndsaetSvar",
        "Slettemarkér hele kontaktforløbet.",
    ),
    Operation(
        INDSAET,
        "SletAfslutning",
        _by_id(),
        "IndsaetSvar",
        "Slettemarkér en afslutning, så forløbet er aktivt igen.",
        assumption=(
            "R-DEL-1 deletes an Afslutning before everything it closes, but the "
            "specification lists no action for it. We assume SletAfslutning by Id, "
            "like the other Slet actions."
        ),
    ),
    Operation(
        INDSAET,
        "SletKvalHep",
        _by_id(),
        "IndsaetSvar",
        "Udgået 1. juli 2025: slettemarkér en KvalHep, før dens anmodning (systemskifte "
        "model 1, vejledningens trin f).",
    ),
    Operation(
        INDSAET,
        "AfslutIndskrivning",
        (Param("Id", "xs:long"), Param("UdskrivningDato", "xs:date")),
        "IndsaetSvar",
        DISCONTINUED,
    ),
    Operation(
        INDSAET,
        "IndsaetIndskrivning",
        (Param("Indskrivning", "tns:Indskrivning"),),
        "IndsaetSvar",
        DISCONTINUED,
    ),
    Operation(
        INDSAET,
        "IndsaetKvalHep",
        (Param("KvalHep", "tns:KvalHep"),),
        "IndsaetSvar",
        "Udgået 1. juli 2025: afvises (der indberettes ikke længere KvalHep).",
    ),
    Operation(
        INDSAET, "IndsaetYdelse", (Param("Ydelse", "tns:Ydelse"),), "IndsaetSvar", DISCONTINUED
    ),
    Operation(
        INDSAET,
        "IndsaetAsi",
        (Param("Asi", "tns:Asi"),),
        "IndsaetSvar",
        "Kun forløb før 1. juli 2019.",
    ),
    # ISecureTokenTest
    Operation(
        TOKEN, "Echo", (Param("Tekst", "xs:string"),), "xs:string", "Svarer med den sendte tekst."
    ),
    Operation(TOKEN, "Throw", (), None, "Svarer altid med en SOAP fault (test af fejlhåndtering)."),
    Operation(TOKEN, "WhoAmI", (), "xs:string", "Hvem kalder (certifikatets subjekt)."),
)

OPERATIONS_BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}


# --- XSD ----------------------------------------------------------------------------

E = "{%s}" % XS  # noqa: UP031 (an lxml namespace prefix, not a format string)


def _xs(tag: str, parent=None, **attrs) -> etree._Element:
    attrs = {k.rstrip("_"): str(v) for k, v in attrs.items()}
    if parent is None:
        return etree.Element(E + tag, attrs, nsmap={"xs": XS, "tns": NS})
    return etree.SubElement(parent, E + tag, attrs)


def _doc(parent, text: str) -> None:
    if text:
        _xs("documentation", _xs("annotation", parent)).text = text


def _seq_element(seq, name: str, type_: str, min_occurs=1, max_occurs="1", doc="") -> None:
    el = _xs("element", seq, name=name, type=type_)
    if min_occurs != 1:
        el.set("minOccurs", str(min_occurs))
    if max_occurs != "1":
        el.set("maxOccurs", max_occurs)
    _doc(el, doc)


def _complex(root, name: str, elements, doc: str = "") -> None:
    ct = _xs("complexType", root, name=name)
    _doc(ct, doc)
    seq = _xs("sequence", ct)
    for args in elements:
        _seq_element(seq, *args)


def _field_doc(field: Field) -> str:
    text = field.full_label
    if field.computed:
        text += " (beregnes af systemet)"
    if field.our_assumption:
        text += (
            " -- Vores antagelse, ikke i DST's felttabel 2026: systemskiftevejledningen "
            "kræver teksten 'Systemskift' ved årsag Anden (10)."
        )
    return text


def _simple_types(root, schemas: tuple[Schema, ...]) -> None:
    _simple(root, "PersonIdentifikatorType", "xs:string", pattern="[0-9]{10}")
    for schema in schemas:
        for field in schema.fields:
            name = simple_type_name(field)
            if name is None or field.on_forloeb:
                continue
            if field.type in (F.CODE, F.CODE_LIST):
                _simple(root, name, "xs:string", enumeration=[c for c, _ in field.codes])
            elif field.type is F.TEXT:
                _simple(root, name, "xs:string", maxLength=field.max_length)
            else:
                _simple(
                    root,
                    name,
                    "xs:int",
                    minInclusive=field.min_value,
                    maxInclusive=field.max_value,
                )
            if field.type is F.CODE_LIST:
                _complex(
                    root,
                    f"{field.variable}Type",
                    [("Kode", f"tns:{name}", 0, "unbounded")],
                    f"{field.full_label}: en liste af koder.",
                )


def _simple(root, name: str, base: str, enumeration=(), **facets) -> None:
    st = _xs("simpleType", root, name=name)
    restriction = _xs("restriction", st, base=base)
    for facet, value in facets.items():
        if value is not None:
            _xs(facet, restriction, value=value)
    for value in enumeration:
        _xs("enumeration", restriction, value=value)


def _schema_type(root, schema: Schema) -> None:
    type_name, parent_id, _ = SCHEMA_TYPES[schema.key]
    elements = [("Id", "xs:long", 0, "1", "SMDB's Id for skemaet. Udeladt: opret. Angivet: ret.")]
    if parent_id:
        elements.append((parent_id, "xs:long", 1, "1", "Id for skemaet, dette skema hører til."))
    for field in schema.fields:
        type_ = "tns:PersonIdentifikatorType" if field.variable == "PersonIdentifikator" else None
        required = field.variable in REQUIRED
        elements.append(
            (field.variable, type_ or element_type(field), int(required), "1", _field_doc(field))
        )
    if schema is ANMODNING:
        elements.append(
            ("Afslutning", "tns:Afslutning", 0, "1", "Kun i svar: forløbets afslutning.")
        )
    _complex(root, type_name, elements, schema.title)


def _list_type(root, name: str, item: str, item_type: str) -> None:
    _complex(root, name, [(item, item_type, 0, "unbounded")])


def _svar(root, name: str, payload: tuple | None, doc: str) -> None:
    elements = [
        ("Succes", "xs:boolean", 1, "1", "Sand når kaldet lykkedes."),
        ("Fejlliste", "tns:FejlListe", 0, "1", "SMDB's fejl, når Succes er falsk."),
    ]
    if payload:
        elements.append(payload)
    _complex(root, name, elements, doc)


def render_xsd() -> bytes:
    root = _xs("schema", targetNamespace=NS, elementFormDefault="qualified")
    root.addprevious(
        etree.Comment(
            " GENERATED from smdb/fields.py and smdb/contract.py by "
            "`python manage.py generate_smdb_wsdl`. Do not edit by hand. "
        )
    )
    schemas = (ANMODNING, IVAERKSAETTELSE, TILBUDSTILKNYTNING, AFSLUTNING)
    _simple_types(root, schemas)
    for schema in schemas:
        _schema_type(root, schema)

    _complex(
        root,
        "Fejl",
        [
            ("Kode", "xs:string", 1, "1", "Forretningsreglens id (fx R-TILB-8) eller fejlkode."),
            ("FeltId", "xs:string", 0, "1", "Felt-ID, fx 3-TILB."),
            ("Variabel", "xs:string", 0, "1", "SMDB-variablen fejlen gælder."),
            ("Tekst", "xs:string", 1, "1", "Fejlen på dansk."),
        ],
        "En fejl fra SMDB.",
    )
    _list_type(root, "FejlListe", "Fejl", "tns:Fejl")
    _complex(
        root,
        "IndsaetSvar",
        [
            ("Succes", "xs:boolean", 1, "1", "Sand når skemaet er gemt."),
            ("Id", "xs:long", 0, "1", "Skemaets Id i SMDB."),
            ("Fejlliste", "tns:FejlListe", 0, "1", "Brudte forretningsregler; intet er gemt."),
        ],
        "Svarobjekt for Indsaet-, Slet- og Afslut-kald (kravspecifikation afsnit 6).",
    )
    for type_name in ("Anmodning", "Ivaerksaettelse", "Tilbudstilknytning"):
        _svar(
            root,
            f"Hent{type_name}Svar",
            (type_name, f"tns:{type_name}", 0, "1", ""),
            f"Svarobjekt for Hent{type_name} (2026).",
        )
    _svar(
        root,
        "HentTilbudstilknytningerSvar",
        ("Tilbudstilknytninger", "tns:TilbudstilknytningListe", 0, "1", ""),
        "Svarobjekt for HentTilbudstilknytningForIvaerksaettelse (2026).",
    )
    _svar(root, "HentKvalHepSvar", ("KvalHep", "tns:KvalHep", 0, "1", ""), DISCONTINUED)
    _complex(
        root,
        "KontaktForloeb",
        [
            ("AnmodningId", "xs:long"),
            ("PersonIdentifikator", "tns:PersonIdentifikatorType"),
            ("KommuneKode", "xs:int"),
            ("BehandlingAnmodningDato", "xs:date"),
            ("IvaerksaettelseId", "xs:long", 0),
            ("TilbudstilknytningIdListe", "tns:IdListe", 0),
        ],
        "Et aktivt kontaktforløb med skemaernes Id.",
    )
    _list_type(root, "IdListe", "Id", "xs:long")
    _list_type(root, "KontaktForloebListe", "KontaktForloeb", "tns:KontaktForloeb")
    _svar(
        root,
        "HentAktiveKontaktForloebSvar",
        ("KontaktForloebListe", "tns:KontaktForloebListe", 0, "1", ""),
        "Svarobjekt for HentAktiveKontaktForloebIMyndighed (2026).",
    )
    for type_name in ("Anmodning", "Ivaerksaettelse", "Tilbudstilknytning"):
        _list_type(root, f"{type_name}Liste", type_name, f"tns:{type_name}")
    _complex(
        root,
        "Tilbud",
        [
            ("TilbudId", "xs:int"),
            ("Navn", "xs:string"),
            ("Adresse", "xs:string", 0),
            ("Postnummer", "xs:string", 0),
            ("Kommune", "xs:string", 0),
        ],
        "Et behandlingstilbud i DST's tilbudskatalog.",
    )
    _list_type(root, "TilbudListe", "Tilbud", "tns:Tilbud")
    _complex(root, "Land", [("Kode", "xs:string"), ("Navn", "xs:string")], "Et land.")
    _list_type(root, "LandListe", "Land", "tns:Land")

    # Discontinued schemas: their field lists are not in the seed documents, so
    # these are minimal placeholders that let a system read, close and delete.
    minimal = "Udgået skema; felterne er ikke i vores kildedokumenter (minimal type)."
    _complex(
        root,
        "Indskrivning",
        [
            ("Id", "xs:long", 0),
            ("PersonIdentifikator", "tns:PersonIdentifikatorType", 0),
            ("TilbudId", "xs:int", 0),
            ("IndskrivningDato", "xs:date", 0),
            ("UdskrivningDato", "xs:date", 0),
        ],
        minimal,
    )
    _complex(
        root,
        "Ydelse",
        [
            ("Id", "xs:long", 0),
            ("IndskrivningId", "xs:long", 0),
            ("YdelseDato", "xs:date", 0),
            ("YdelseKode", "xs:string", 0),
        ],
        minimal,
    )
    _complex(
        root,
        "KvalHep",
        [
            ("Id", "xs:long", 0, "1", "SMDB's Id for KvalHep-skemaet."),
            ("AnmodningId", "xs:long", 0, "1", "Anmodningen, KvalHep-skemaet hører til."),
            ("Dato", "xs:date", 0, "1", "KvalHep-skemaets dato (før 1. juli 2025)."),
        ],
        minimal,
    )
    _complex(
        root,
        "Asi",
        [("Id", "xs:long", 0), ("PersonIdentifikator", "tns:PersonIdentifikatorType", 0)],
        minimal,
    )
    _complex(root, "Ydelsespakke", [("Kode", "xs:string"), ("Navn", "xs:string")], minimal)
    for type_name in ("Indskrivning", "Ydelse", "KvalHep", "Asi", "Ydelsespakke"):
        _list_type(root, f"{type_name}Liste", type_name, f"tns:{type_name}")

    for op in OPERATIONS:
        request = _xs("element", root, name=op.name)
        _doc(request, op.doc + (f" ANTAGELSE: {op.assumption}" if op.assumption else ""))
        seq = _xs("sequence", _xs("complexType", request))
        for p in op.params:
            _seq_element(seq, p.name, p.type, p.min_occurs, p.max_occurs)
        response = _xs("element", root, name=f"{op.name}Response")
        seq = _xs("sequence", _xs("complexType", response))
        if op.result:
            result = op.result if op.result.startswith("xs:") else f"tns:{op.result}"
            _seq_element(seq, f"{op.name}Result", result, 0)
    return _serialise(root)


def _serialise(root) -> bytes:
    return etree.tostring(
        root.getroottree(), pretty_print=True, xml_declaration=True, encoding="utf-8"
    )


# --- WSDL ---------------------------------------------------------------------------


def render_wsdl(
    interface: str, *, address: str | None = None, xsd_location: str = XSD_FILE
) -> bytes:
    """The WSDL of one interface. ``address``/``xsd_location`` let the simulator
    serve it with its own URLs; the files carry DST's production address."""
    svc, _, service_name = SERVICES[interface]
    W = "{%s}" % WSDL  # noqa: UP031
    S = "{%s}" % SOAP  # noqa: UP031
    root = etree.Element(
        W + "definitions",
        {"name": service_name, "targetNamespace": NS},
        nsmap={"wsdl": WSDL, "soap": SOAP, "tns": NS, "xs": XS},
    )
    root.addprevious(
        etree.Comment(
            " GENERATED from smdb/contract.py by `python manage.py generate_smdb_wsdl`. "
            "Written by us from DST's kravspecifikation (section 1.2), not DST's own WSDL. "
        )
    )
    operations = [op for op in OPERATIONS if op.interface == interface]
    for op in operations:
        if op.assumption:
            root.append(etree.Comment(f" ANTAGELSE {op.name}: {op.assumption} "))
    types = etree.SubElement(root, W + "types")
    schema = etree.SubElement(types, E + "schema", {"targetNamespace": NS + "Imports"})
    etree.SubElement(schema, E + "import", {"namespace": NS, "schemaLocation": xsd_location})

    for op in operations:
        for kind, element in (("Input", op.name), ("Output", f"{op.name}Response")):
            msg = etree.SubElement(
                root, W + "message", {"name": f"{interface}_{op.name}_{kind}Message"}
            )
            etree.SubElement(msg, W + "part", {"name": "parameters", "element": f"tns:{element}"})

    port_type = etree.SubElement(root, W + "portType", {"name": interface})
    for op in operations:
        o = etree.SubElement(port_type, W + "operation", {"name": op.name})
        if op.doc:
            etree.SubElement(o, W + "documentation").text = op.doc
        for kind, tag in (("Input", "input"), ("Output", "output")):
            etree.SubElement(o, W + tag, {"message": f"tns:{interface}_{op.name}_{kind}Message"})

    binding_name = f"BasicHttpBinding_{interface}"
    binding = etree.SubElement(
        root, W + "binding", {"name": binding_name, "type": f"tns:{interface}"}
    )
    etree.SubElement(
        binding,
        S + "binding",
        {"transport": "http://schemas.xmlsoap.org/soap/http", "style": "document"},
    )
    for op in operations:
        o = etree.SubElement(binding, W + "operation", {"name": op.name})
        etree.SubElement(o, S + "operation", {"soapAction": op.soap_action, "style": "document"})
        for tag in ("input", "output"):
            etree.SubElement(etree.SubElement(o, W + tag), S + "body", {"use": "literal"})

    service = etree.SubElement(root, W + "service", {"name": service_name})
    port = etree.SubElement(
        service, W + "port", {"name": binding_name, "binding": f"tns:{binding_name}"}
    )
    etree.SubElement(port, S + "address", {"location": address or PROD_BASE + svc})
    return _serialise(root)


@lru_cache(maxsize=1)
def xml_schema() -> etree.XMLSchema:
    """The committed XSD, parsed once per process (client and simulator validate with it)."""
    return etree.XMLSchema(etree.parse(str(WSDL_DIR / XSD_FILE)))


def generated_files() -> dict[str, bytes]:
    files = {XSD_FILE: render_xsd()}
    for interface, (_, wsdl_file, _) in SERVICES.items():
        files[wsdl_file] = render_wsdl(interface)
    return files


def write_files(directory: Path = WSDL_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in generated_files().items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written
