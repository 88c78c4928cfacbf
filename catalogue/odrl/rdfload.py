"""Load JSON-LD or Turtle into an rdflib graph, offline (local copy of the ODRL context)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from rdflib import Graph

from .errors import PolicyError, PolicyIssue
from .vocab import ODRL, ODRL_CONTEXT_URL

# Extra properties injected into JSON-LD nodes so the graph remembers document order
# (RDF itself is unordered) and which node was the document root.
INDEX = "urn:catalogue:odrl:index"
ROOT = "urn:catalogue:odrl:root"
# Relative IRIs resolve against this base instead of the process's working directory.
BASE = "urn:catalogue:relative:"

Source = dict[str, Any] | str | bytes | Graph


@cache
def odrl_context() -> dict[str, Any]:
    """The ODRL 2.2 JSON-LD context terms, shipped with the package (never fetched)."""
    text = resources.files(__package__).joinpath("odrl_context.jsonld").read_text("utf-8")
    ctx = dict(json.loads(text)["@context"])
    # Unknown bare terms ("foo" as operator) become odrl:foo, so validation can name them.
    ctx["@vocab"] = ODRL
    return ctx


def _swap_context(ctx: Any) -> Any:
    """Replace references to the remote ODRL context by the local copy."""
    if isinstance(ctx, str) and ctx.replace("https:", "http:") == ODRL_CONTEXT_URL:
        return odrl_context()
    if isinstance(ctx, list):
        return [_swap_context(c) for c in ctx]
    return ctx


def _annotate(value: Any, index: int = 0) -> Any:
    """Copy of a JSON-LD value with document positions attached to every node object."""
    if isinstance(value, list):
        return [_annotate(v, i) for i, v in enumerate(value)]
    if not isinstance(value, dict) or "@value" in value or "@list" in value:
        return value
    out: dict[str, Any] = {}
    for key, val in value.items():
        if key == "@context":
            out[key] = _swap_context(val)
        elif not key.startswith("@") and _literal_list(val):
            # Keep the order of literal arrays (e.g. isAnyOf values) as an RDF list.
            out[key] = {"@list": val}
        else:
            out[key] = _annotate(val)
    if "@graph" not in value:
        out[INDEX] = index
    return out


def _literal_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 1 and not any(
        isinstance(v, dict) and "@value" not in v for v in value
    )


def jsonld_graph(doc: dict[str, Any]) -> Graph:
    """Parse a JSON-LD document (compact or expanded) into a graph."""
    data = _annotate(doc)
    if isinstance(data.get("@graph"), list):
        data["@graph"] = [dict(n, **{ROOT: True}) if isinstance(n, dict) else n
                          for n in data["@graph"]]
    else:
        data[ROOT] = True
    try:
        return Graph().parse(data=json.dumps(data), format="json-ld", base=BASE)
    except Exception as exc:  # rdflib raises assorted types for bad JSON-LD
        raise PolicyError([PolicyIssue("", f"invalid JSON-LD: {exc}")]) from exc


def load_graph(source: Source, fmt: str | None = None) -> Graph:
    """Graph from a JSON-LD dict/string, a Turtle string, or an existing graph."""
    if isinstance(source, Graph):
        return source
    if isinstance(source, dict):
        return jsonld_graph(source)
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    if fmt in (None, "json-ld") and text.lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError([PolicyIssue("", f"invalid JSON: {exc}")]) from exc
        if isinstance(doc, list):
            doc = {"@graph": doc}
        return jsonld_graph(doc)
    try:
        return Graph().parse(data=text, format=fmt or "turtle", publicID=BASE)
    except Exception as exc:  # rdflib's Turtle parser raises its own BadSyntax
        raise PolicyError([PolicyIssue("", f"invalid Turtle: {exc}")]) from exc
