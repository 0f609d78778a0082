"""SOAP 1.1 envelopes for the simulator: parse a request against our XSD, build
replies and faults. The XML mapping of a schema is mechanical via smdb.fields."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from lxml import etree

from smdb import contract
from smdb.fields import SCHEMAS, FieldType
from smdb_simulator.models import SimSkema

NS = contract.NS
ENV = contract.SOAP_ENV
ID_ELEMENTS = {"Id", *contract.PARENT_ELEMENT.values()}

_parser = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True
)


class SoapFault(Exception):
    def __init__(self, code: str, text: str):
        super().__init__(text)
        self.code = code  # "Client" or "Server"
        self.text = text


def parse_request(body: bytes) -> etree._Element:
    """The operation element inside the SOAP Body, validated against our XSD."""
    try:
        root = etree.fromstring(body, _parser)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Client", f"Ugyldig XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        # As zeep's forbid_dtd: a DTD has no place in SOAP (XXE, entity expansion).
        raise SoapFault("Client", "En SOAP-besked må ikke indeholde en DTD (DOCTYPE).")
    if root.tag != f"{{{ENV}}}Envelope":
        raise SoapFault("Client", "Forventede en SOAP 1.1-envelope.")
    body_el = root.find(f"{{{ENV}}}Body")
    if body_el is None or len(body_el) != 1:
        raise SoapFault("Client", "SOAP Body skal indeholde præcis ét element.")
    operation = body_el[0]
    schema = contract.xml_schema()
    try:
        valid = schema.validate(etree.ElementTree(copy.deepcopy(operation)))
    except etree.Error as exc:
        raise SoapFault("Client", "Beskeden kan ikke valideres mod XSD'en.") from exc
    if not valid:
        errors = "; ".join(e.message for e in list(schema.error_log)[:5])
        raise SoapFault("Client", f"Beskeden overholder ikke XSD'en: {errors}")
    return operation


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def child(el: etree._Element, name: str) -> etree._Element | None:
    return el.find(f"{{{NS}}}{name}")


def child_text(el: etree._Element, name: str) -> str | None:
    c = child(el, name)
    return c.text if c is not None else None


def child_int(el: etree._Element, name: str) -> int | None:
    text = child_text(el, name)
    return int(text) if text not in (None, "") else None


# --- schema <-> XML ------------------------------------------------------------------


def _xml_date(text: str) -> date:
    # xs:date may carry a time zone ("2026-01-05Z", "2026-01-05+01:00").
    return date.fromisoformat(text.strip()[:10])


def parse_schema(schema_key: str, el: etree._Element) -> tuple[dict[str, Any], dict[str, int]]:
    """(values keyed by SMDB variable, Ids) from a schema element."""
    fields = SCHEMAS[schema_key].by_variable()
    values: dict[str, Any] = {}
    ids: dict[str, int] = {}
    for c in el:
        name = local(c)
        if name in ID_ELEMENTS:
            ids[name] = int(c.text)
            continue
        f = fields.get(name)
        if f is None:  # e.g. a nested Afslutning sent back to us: ignored
            continue
        text = (c.text or "").strip()
        match f.type:
            case FieldType.DATE:
                values[name] = _xml_date(text)
            case FieldType.BOOL:
                values[name] = text in ("true", "1")
            case FieldType.INT:
                values[name] = int(text)
            case FieldType.CODE_LIST:
                values[name] = [(k.text or "").strip() for k in c]
            case _:
                values[name] = c.text or ""
    return values, ids


def E(name: str, *children, text: Any = None) -> etree._Element:  # noqa: N802
    el = etree.Element(f"{{{NS}}}{name}", nsmap={None: NS})
    if text is not None:
        el.text = _text(text)
    for c in children:
        if c is not None:
            el.append(c)
    return el


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def schema_element(row: SimSkema, *, with_afslutning: SimSkema | None = None) -> etree._Element:
    type_name, parent_element, _ = contract.SCHEMA_TYPES[row.schema]
    el = E(type_name, E("Id", text=row.pk))
    if parent_element:
        el.append(E(parent_element, text=row.parent_id))
    on_forloeb = {"PersonIdentifikator": row.person_identifikator, "KommuneKode": row.kommune_kode}
    for f in SCHEMAS[row.schema].fields:
        value = on_forloeb[f.variable] if f.on_forloeb else row.values.get(f.variable)
        if contract.unanswered(value):
            continue
        if f.type is FieldType.CODE_LIST:
            el.append(E(f.variable, *(E("Kode", text=k) for k in value)))
        else:
            el.append(E(f.variable, text=value))
    if with_afslutning is not None:
        el.append(schema_element(with_afslutning))
    return el


def fejlliste(fejl) -> etree._Element:
    return E(
        "Fejlliste",
        *(
            E(
                "Fejl",
                E("Kode", text=f.kode),
                E("FeltId", text=f.felt_id) if f.felt_id else None,
                E("Variabel", text=f.variabel) if f.variabel else None,
                E("Tekst", text=f.tekst),
            )
            for f in fejl
        ),
    )


# --- envelopes -------------------------------------------------------------------------


def envelope(content: etree._Element) -> bytes:
    env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"s": ENV})
    etree.SubElement(env, f"{{{ENV}}}Body").append(content)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(code: str, text: str) -> bytes:
    env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"s": ENV})
    f = etree.SubElement(etree.SubElement(env, f"{{{ENV}}}Body"), f"{{{ENV}}}Fault")
    etree.SubElement(f, "faultcode").text = f"s:{code}"
    etree.SubElement(f, "faultstring").text = text
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
