"""Typed operand values from RDF terms (dateTime, date, decimal, string, IRI)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .model import Operand
from .vocab import XSD

_NUMERIC = frozenset(
    XSD + t
    for t in (
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
    )
)


def parse_datetime(text: str) -> datetime:
    """ISO 8601 dateTime; a value without timezone is taken as UTC so it stays comparable."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_date(text: str) -> date:
    """xsd:date, ignoring an optional timezone suffix."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1]
    elif len(text) > 10 and text[10] in "+-":
        text = text[:10]
    return date.fromisoformat(text)


def typed_value(lexical: str, datatype: str | None) -> Operand:
    """Operand for a lexical form and XSD datatype; raises ValueError when unparseable."""
    if datatype in (XSD + "dateTime", XSD + "dateTimeStamp"):
        try:
            return Operand(parse_datetime(lexical), "dateTime", lexical)
        except ValueError:
            raise ValueError(f"'{lexical}' is not a valid xsd:dateTime") from None
    if datatype == XSD + "date":
        try:
            return Operand(parse_date(lexical), "date", lexical)
        except ValueError:
            raise ValueError(f"'{lexical}' is not a valid xsd:date") from None
    if datatype in _NUMERIC:
        try:
            return Operand(Decimal(lexical.strip()), "decimal", lexical)
        except InvalidOperation:
            raise ValueError(f"'{lexical}' is not a valid number") from None
    if datatype == XSD + "anyURI":
        return Operand(lexical, "iri", lexical)
    return Operand(lexical, "string", lexical)


def operand_from_term(term: Node, data_type: str | None = None) -> Operand:
    """Operand from an RDF term; ``data_type`` (odrl:dataType) types plain literals."""
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else data_type
        return typed_value(str(term), datatype)
    if isinstance(term, URIRef | BNode):
        return Operand(str(term), "iri", str(term))
    return Operand(str(term), "string", str(term))
