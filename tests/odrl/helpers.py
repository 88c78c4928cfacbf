"""Small builders shared by the ODRL unit tests."""

from __future__ import annotations

from typing import Any

CTX = "http://www.w3.org/ns/odrl.jsonld"


def policy_doc(*permissions: dict[str, Any], prohibitions: tuple = (), **extra: Any) -> dict:
    """Compact ODRL JSON-LD Set policy with the given rules."""
    doc: dict[str, Any] = {"@context": CTX, "@type": "Set", "uid": "urn:test:policy:1", **extra}
    if permissions:
        doc["permission"] = list(permissions)
    if prohibitions:
        doc["prohibition"] = list(prohibitions)
    return doc


def constraint(left: str, op: str, right: Any, uid: str | None = None) -> dict[str, Any]:
    """One atomic constraint in compact form."""
    c: dict[str, Any] = {"leftOperand": left, "operator": op, "rightOperand": right}
    if uid:
        c["uid"] = uid
    return c


def dt(value: str) -> dict[str, str]:
    """A typed xsd:dateTime JSON-LD value."""
    return {"@value": value, "@type": "xsd:dateTime"}
