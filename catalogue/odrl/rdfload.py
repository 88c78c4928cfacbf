"""Load JSON-LD or Turtle into an rdflib graph, offline: contexts come only from bundled documents.

A JSON-LD document may name contexts by URL (`@context`, `@import`, scoped contexts in term
definitions, contexts on nested nodes). rdflib would fetch them: from the network, from
`file://` or from a relative path. Here every context reference is checked before rdflib sees
the document (anything but a bundled context is a PolicyError naming where), and rdflib's own
context loader is replaced by one that serves bundled documents and refuses everything else.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from rdflib import Graph
from rdflib.plugins.shared.jsonld import context as rdflib_context

from .errors import PolicyError, PolicyIssue
from .vocab import ODRL, ODRL_CONTEXT_URL

# Extra properties injected into JSON-LD nodes so the graph remembers document order
# (RDF itself is unordered) and which node was the document root.
INDEX = "urn:catalogue:odrl:index"
ROOT = "urn:catalogue:odrl:root"
# Relative IRIs resolve against this base instead of the process's working directory.
BASE = "urn:catalogue:relative:"

# The only contexts a document may name: URL (http spelling) -> file in this package.
BUNDLED_CONTEXTS = {ODRL_CONTEXT_URL: "odrl_context.jsonld"}

# Limits checked before parsing: every step after this pass is recursive or costs per rule.
MAX_DEPTH = 64
MAX_POLICY_RULES = 500
MAX_POLICY_OBJECTS = 10 * MAX_POLICY_RULES
_RULE_KEYS = frozenset({"permission", "prohibition", "obligation", "duty"})

Source = dict[str, Any] | str | bytes | Graph


class RemoteContextRefused(ValueError):
    """rdflib was asked to load a context that is not bundled with the product."""


@cache
def _bundled_file(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@cache
def odrl_context() -> dict[str, Any]:
    """The ODRL 2.2 JSON-LD context terms, shipped with the package (never fetched)."""
    ctx = dict(_bundled_file(BUNDLED_CONTEXTS[ODRL_CONTEXT_URL])["@context"])
    # Unknown bare terms ("foo" as operator) become odrl:foo, so validation can name them.
    ctx["@vocab"] = ODRL
    return ctx


def _bundled_url(url: str) -> str | None:
    """The bundled context's key for `url` (http or https spelling), or None."""
    key = "http:" + url[len("https:") :] if url.startswith("https:") else url
    return key if key in BUNDLED_CONTEXTS else None


def bundled_context(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled context document at `url` ({"@context": ...})."""
    key = _bundled_url(url)
    if key is None:
        raise RemoteContextRefused(_refusal(url))
    if key == ODRL_CONTEXT_URL:
        return {"@context": copy.deepcopy(odrl_context())}
    return copy.deepcopy(_bundled_file(BUNDLED_CONTEXTS[key]))


def _refusal(url: str) -> str:
    shown = url if len(url) <= 200 else url[:200] + "…"
    allowed = ", ".join(sorted(BUNDLED_CONTEXTS))
    return f"remote context '{shown}' is not allowed; only the bundled ODRL context ({allowed}) is"


def _offline_source_to_json(source: Any, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], None]:
    """Stands in for rdflib's context fetch: bundled contexts only, never the network or a file."""
    if isinstance(source, str):
        return bundled_context(source), None
    raise RemoteContextRefused("context sources other than the bundled contexts are not allowed")


# rdflib's Context looks the loader up in its module on every fetch (`@context` URL, `@import`,
# scoped and nested contexts): replacing it there makes every JSON-LD parse in the process offline.
rdflib_context.source_to_json = _offline_source_to_json  # type: ignore[assignment]


def _swap_context(ctx: Any) -> Any:
    """Replace references to the remote ODRL context by the local copy."""
    if isinstance(ctx, str) and _bundled_url(ctx) == ODRL_CONTEXT_URL:
        return odrl_context()
    if isinstance(ctx, list):
        return [_swap_context(c) for c in ctx]
    return ctx


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _context_issues(ctx: Any, path: str) -> list[PolicyIssue]:
    """Every context reference in a context value that is not a bundled context."""
    if isinstance(ctx, str):
        return [] if _bundled_url(ctx) else [PolicyIssue(path, _refusal(ctx))]
    if isinstance(ctx, list):
        return [i for n, c in enumerate(ctx) for i in _context_issues(c, _join(path, n))]
    if not isinstance(ctx, dict):
        return []
    issues: list[PolicyIssue] = []
    for key, value in ctx.items():
        if key == "@import":
            # rdflib reads @import only as a string; anything else is refused by rdflib itself.
            if isinstance(value, str):
                issues += _context_issues(value, _join(path, key))
        elif key == "@context":
            # A context object wrapping another context: rdflib unwraps and loads it.
            issues += _context_issues(value, _join(path, key))
        elif isinstance(value, dict) and "@context" in value:
            issues += _context_issues(value["@context"], _join(_join(path, key), "@context"))
    return issues


def context_issues(value: Any, path: str = "") -> list[PolicyIssue]:
    """Every non-bundled context named anywhere in a JSON-LD document (nodes at any depth)."""
    return _scan(value, path).contexts


class _Scan:
    def __init__(self) -> None:
        self.contexts: list[PolicyIssue] = []
        self.rules = 0
        self.objects = 0


def _scan(value: Any, path: str = "") -> _Scan:
    """One iterative pass over a JSON document: contexts named, rules and objects counted.

    Iterative, and stopped at MAX_DEPTH, so a hostile document cannot exhaust the stack here
    or in the recursive steps after it. Raises PolicyError for depth or size.
    """
    scan = _Scan()
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack:
        item, where, depth = stack.pop()
        if not isinstance(item, (list, dict)):
            continue
        if depth > MAX_DEPTH:
            raise PolicyError(
                [PolicyIssue(where, f"the document is nested deeper than {MAX_DEPTH} levels")]
            )
        if isinstance(item, list):
            stack.extend(
                (v, _join(where, n), depth + 1) for n, v in reversed(list(enumerate(item)))
            )
            continue
        scan.objects += 1
        for key, val in reversed(list(item.items())):
            if key == "@context":
                scan.contexts += _context_issues(val, _join(where, key))
                continue
            if _is_rule_key(key):
                scan.rules += len(val) if isinstance(val, list) else 1
            stack.append((val, _join(where, key), depth + 1))
    if scan.rules > MAX_POLICY_RULES:
        raise PolicyError(
            [
                PolicyIssue(
                    path,
                    (
                        f"the policy has {scan.rules:,} rules (permissions, prohibitions, obligations and duties); "
                        f"at most {MAX_POLICY_RULES} are allowed"
                    ),
                )
            ]
        )
    if scan.objects > MAX_POLICY_OBJECTS:
        raise PolicyError(
            [
                PolicyIssue(
                    path,
                    (
                        f"the policy has {scan.objects:,} JSON objects; at most {MAX_POLICY_OBJECTS:,} are allowed"
                    ),
                )
            ]
        )
    return scan


def _is_rule_key(key: str) -> bool:
    name = key.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return name in _RULE_KEYS


def check_document(doc: Any) -> None:
    """Raise PolicyError unless `doc` is within the limits and names only bundled contexts."""
    refused = _scan(doc).contexts
    if refused:
        raise PolicyError(refused)


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
    return (
        isinstance(value, list)
        and len(value) > 1
        and not any(isinstance(v, dict) and "@value" not in v for v in value)
    )


def jsonld_graph(doc: dict[str, Any]) -> Graph:
    """Parse a JSON-LD document (compact or expanded) into a graph; refuses non-bundled contexts."""
    check_document(doc)
    data = _annotate(doc)
    if isinstance(data.get("@graph"), list):
        data["@graph"] = [
            dict(n, **{ROOT: True}) if isinstance(n, dict) else n for n in data["@graph"]
        ]
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
