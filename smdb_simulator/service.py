"""The simulator's answer to each SMDB operation of ``smdb.contract.OPERATIONS``.

A handler takes the validated operation element and the HTTP request and
returns the content of ``<Operation>Result`` (or None for no result).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from smdb import contract
from smdb.contract import AFSL, ANM, IKKE_FUNDET, IVAER, KVALHEP, TILB, Fejl, Svar
from smdb.rules.cpr import normaliser_cpr_hvis_muligt as wire_cpr
from smdb_simulator import store
from smdb_simulator.catalogue import DEMO_TILBUD, LANDE
from smdb_simulator.soap import (
    E,
    SoapFault,
    child,
    child_int,
    child_text,
    fejlliste,
    parse_schema,
    schema_element,
)

Handler = Callable[[etree._Element, object], etree._Element | None]
HANDLERS: dict[str, Handler] = {}

UDGAAET_INDBERETNING = {
    "IndsaetIndskrivning": "Indskrivninger kan ikke indberettes efter 1. januar 2025.",
    "IndsaetYdelse": "Ydelser kan ikke indberettes efter 1. januar 2025.",
    "IndsaetKvalHep": "KvalHep kan ikke indberettes efter 1. juli 2025.",
    "IndsaetAsi": "ASI kan kun indberettes for forløb før 1. juli 2019.",
}


def handles(*names: str):
    def register(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = fn
        return fn

    return register


def result(op: str, *children, text=None) -> etree._Element:
    return E(f"{op}Result", *children, text=text)


def indsaet_svar(op: str, r: Svar) -> etree._Element:
    return result(
        op,
        E("Succes", text=r.succes),
        E("Id", text=r.id) if r.id is not None else None,
        fejlliste(r.fejl) if r.fejl else None,
    )


def hent_svar(op: str, payload: etree._Element | None, fejl: list[Fejl]) -> etree._Element:
    return result(op, E("Succes", text=not fejl), fejlliste(fejl) if fejl else None, payload)


def _afslutning_of(anmodning) -> object | None:
    return store.aktive().filter(schema=AFSL, anmodning=anmodning).first()


# --- ISecureHentData -------------------------------------------------------------------


HENT_SCHEMA = {op: key for key, op in contract.HENT_OPERATION.items()}


@handles(*HENT_SCHEMA)
def hent_by_id(el, request):
    op = etree.QName(el).localname
    schema_key = HENT_SCHEMA[op]
    smdb_id = child_int(el, "Id")
    row = store.hent(schema_key, smdb_id)
    if row is None:
        return hent_svar(op, None, store.ikke_fundet(op[4:], smdb_id).fejl)
    afsl = _afslutning_of(row) if schema_key == ANM else None
    return hent_svar(op, schema_element(row, with_afslutning=afsl), [])


@handles("HentIvaerksaettelseForAnmodning")
def hent_ivaerksaettelse_for_anmodning(el, request):
    op = "HentIvaerksaettelseForAnmodning"
    anmodning_id = child_int(el, "AnmodningId")
    anmodning = store.hent(ANM, anmodning_id)
    if anmodning is None:
        return hent_svar(op, None, store.ikke_fundet("Anmodning", anmodning_id).fejl)
    row = store.aktive().filter(schema=IVAER, anmodning=anmodning).first()
    if row is None:
        fejl = [Fejl(IKKE_FUNDET, f"Anmodning {anmodning_id} har ingen iværksættelse.")]
        return hent_svar(op, None, fejl)
    return hent_svar(op, schema_element(row), [])


@handles("HentTilbudstilknytningForIvaerksaettelse")
def hent_tilknytninger_for_ivaerksaettelse(el, request):
    op = "HentTilbudstilknytningForIvaerksaettelse"
    iv_id = child_int(el, "IvaerksaettelseId")
    iv = store.hent(IVAER, iv_id)
    if iv is None:
        return hent_svar(op, None, store.ikke_fundet("Iværksættelse", iv_id).fejl)
    rows = store.aktive().filter(schema=TILB, parent=iv).order_by("pk")
    return hent_svar(op, E("Tilbudstilknytninger", *map(schema_element, rows)), [])


def kvalhep_element(row) -> etree._Element:
    """A KvalHep as the minimal record of our XSD (smdb.contract.KVALHEP)."""
    return E(
        "KvalHep",
        E("Id", text=row.pk),
        E("AnmodningId", text=row.anmodning_id),
        E("Dato", text=row.values.get("Dato")),
    )


@handles("HentKvalHepMedId")
def hent_kvalhep_med_id(el, request):
    op = "HentKvalHepMedId"
    smdb_id = child_int(el, "Id")
    row = store.hent(KVALHEP, smdb_id)
    if row is None:
        return hent_svar(op, None, store.ikke_fundet("KvalHep", smdb_id).fejl)
    return hent_svar(op, kvalhep_element(row), [])


@handles("HentKvalHep")
def hent_kvalhep(el, request):
    # The citizen's KvalHep in the myndighed, as HentAnmodninger lists anmodninger.
    rows = store.kvalhep_for_person(
        wire_cpr(child_text(el, "PersonIdentifikator")), child_int(el, "KommuneKode")
    )
    return result("HentKvalHep", *map(kvalhep_element, rows))


@handles("HentAktiveKontaktForloebIMyndighed")
def hent_aktive_kontaktforloeb(el, request):
    items = []
    for f in store.aktive_forloeb(child_int(el, "KommuneKode")):
        a = f.anmodning
        items.append(
            E(
                "KontaktForloeb",
                E("AnmodningId", text=a.pk),
                E("PersonIdentifikator", text=a.person_identifikator),
                E("KommuneKode", text=a.kommune_kode),
                E("BehandlingAnmodningDato", text=a.values.get("BehandlingAnmodningDato")),
                E("IvaerksaettelseId", text=f.ivaerksaettelse.pk) if f.ivaerksaettelse else None,
                E(
                    "TilbudstilknytningIdListe",
                    *(E("Id", text=t.pk) for t in f.tilbudstilknytninger),
                )
                if f.tilbudstilknytninger
                else None,
            )
        )
    return hent_svar("HentAktiveKontaktForloebIMyndighed", E("KontaktForloebListe", *items), [])


@handles("HentAlleTilbud")
def hent_alle_tilbud(el, request):
    return result(
        "HentAlleTilbud",
        *(
            E(
                "Tilbud",
                E("TilbudId", text=t["tilbud_id"]),
                E("Navn", text=t["navn"]),
                E("Adresse", text=t["adresse"]),
                E("Postnummer", text=t["postnummer"]),
                E("Kommune", text=t["kommune"]),
            )
            for t in DEMO_TILBUD
        ),
    )


@handles("HentAnmodninger", "HentIvaerksaettelser", "HentTilbudstilknytninger")
def hent_for_person(el, request):
    op = etree.QName(el).localname
    schema_key = {"HentAnmodninger": ANM, "HentIvaerksaettelser": IVAER}.get(op, TILB)
    rows = store.forloeb_for_person(
        schema_key,
        wire_cpr(child_text(el, "PersonIdentifikator")),
        child_int(el, "KommuneKode"),
    )
    items = [
        schema_element(r, with_afslutning=_afslutning_of(r) if schema_key == ANM else None)
        for r in rows
    ]
    return result(op, *items)


@handles(
    "HentIndskrivninger",
    "HentYdelser",
    "HentYdelsespakker",
    "HentAsiForMyndighed",
    "HentAsiForTilbud",
)
def hent_udgaaet(el, request):
    # Discontinued schemas the simulator holds none of: the lists are empty.
    return result(etree.QName(el).localname)


@handles("HentLandeliste")
def hent_landeliste(el, request):
    return result(
        "HentLandeliste",
        *(E("Land", E("Kode", text=k), E("Navn", text=n)) for k, n in LANDE),
    )


# --- ISecureIndsaetData ----------------------------------------------------------------

INDSAET_SCHEMA = {op: key for key, op in contract.INDSAET_OPERATION.items()}


@handles(*INDSAET_SCHEMA)
def indsaet(el, request):
    op = etree.QName(el).localname
    schema_key = INDSAET_SCHEMA[op]
    values, ids = parse_schema(schema_key, child(el, contract.SCHEMA_TYPES[schema_key][0]))
    r = store.indsaet(
        schema_key,
        values,
        smdb_id=ids.get("Id"),
        parent_id=ids.get(contract.PARENT_ELEMENT.get(schema_key, "")),
        person_identifikator=wire_cpr(values.get("PersonIdentifikator")),
        kommune_kode=values.get("KommuneKode"),
    )
    return indsaet_svar(op, r)


SLET_SCHEMA = {op: key for key, op in contract.SLET_OPERATION.items()}


@handles(*SLET_SCHEMA)
def slet(el, request):
    op = etree.QName(el).localname
    return indsaet_svar(op, store.slet(SLET_SCHEMA[op], child_int(el, "Id")))


@handles("SletHeltForloeb")
def slet_helt_forloeb(el, request):
    return indsaet_svar("SletHeltForloeb", store.slet_helt_forloeb(child_int(el, "AnmodningId")))


@handles("SletKvalHep")
def slet_kvalhep(el, request):
    return indsaet_svar("SletKvalHep", store.slet_kvalhep(child_int(el, "Id")))


@handles("AfslutIndskrivning")
def afslut_indskrivning(el, request):
    # The simulator holds no Indskrivning (discontinued 1 January 2025).
    svar = store.ikke_fundet("Indskrivning", child_int(el, "Id"))
    return indsaet_svar("AfslutIndskrivning", svar)


@handles(*UDGAAET_INDBERETNING)
def indsaet_udgaaet(el, request):
    op = etree.QName(el).localname
    return indsaet_svar(op, Svar(False, fejl=[Fejl("UDGAAET", UDGAAET_INDBERETNING[op])]))


# --- ISecureTokenTest ------------------------------------------------------------------


@handles("Echo")
def echo(el, request):
    return result("Echo", text=child_text(el, "Tekst") or "")


@handles("Throw")
def throw(el, request):
    raise SoapFault("Server", "Throw: en bevidst fejl fra SMDB's testservice.")


@handles("WhoAmI")
def who_am_i(el, request):
    # The caller's certificate subject, checked by smdb_simulator.wsauth
    # (SMDB_SIMULATOR_AUTH); "anonym" when the simulator checks nothing.
    who = getattr(request, "smdb_caller", None) or "anonym (ingen godkendelse)"
    return result("WhoAmI", text=f"SMDB-simulator: {who}")
