"""Parse ODRL policies, requests and states of the world (JSON-LD or Turtle) into the model."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .errors import PolicyError, PolicyIssue
from .literals import operand_from_term, parse_datetime
from .model import (
    AnyConstraint,
    Asset,
    Constraint,
    LogicalConstraint,
    Operand,
    Party,
    Policy,
    Request,
    Rule,
    StateOfWorld,
)
from .rdfload import INDEX, ROOT, Source, load_graph
from .vocab import (
    FUNCTION_PARTIES,
    KNOWN_ACTIONS,
    LEFT_OPERANDS,
    LOGICAL_OPERATORS,
    ODRL,
    OPERATORS,
    POLICY_TYPES,
    TRAIN,
    XSD,
    short,
)

DCT = "http://purl.org/dc/terms/"
REPORT = "https://w3id.org/force/compliance-report#"
EX = "http://example.org/"
_MULTI_VALUED_OPERATORS = frozenset(ODRL + o for o in ("isAnyOf", "isAllOf", "isNoneOf"))
_DEONTIC = {"Fulfilled": "fulfilled", "Violated": "violated", "NonSet": "not_set"}


def _o(local: str) -> URIRef:
    return URIRef(ODRL + local)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Reader:
    """Walks a graph from a policy node, collecting errors with their paths."""

    def __init__(self, graph: Graph, require_action: bool) -> None:
        self.g = graph
        self.require_action = require_action
        self.errors: list[PolicyIssue] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(PolicyIssue(path, message))

    def objects(self, node: Node, prop: URIRef) -> list[Node]:
        """Values of ``prop`` in document order (JSON-LD) or a stable order; lists expanded."""
        out: list[Node] = []
        for obj in sorted(self.g.objects(node, prop), key=self._order):
            if isinstance(obj, BNode) and (obj, RDF.first, None) in self.g:
                out.extend(Collection(self.g, obj))  # an RDF list keeps its own order
            elif obj != RDF.nil:
                out.append(obj)
        return out

    def _order(self, node: Node) -> tuple[int, str]:
        positions = [int(str(i)) for i in self.g.objects(node, URIRef(INDEX))]
        return (min(positions) if positions else 0, str(node))

    def one(self, node: Node, prop: URIRef, path: str) -> Node | None:
        values = self.objects(node, prop)
        if len(values) > 1:
            self.error(path, f"expected one {short(str(prop))}, found {len(values)}")
        return values[0] if values else None

    def types(self, node: Node) -> set[str]:
        return {str(t) for t in self.g.objects(node, RDF.type)}

    # -- parties and assets -------------------------------------------------------------

    def party(self, node: Node, prop: str, path: str) -> Party | None:
        ref = self.one(node, _o(prop), _join(path, prop))
        if ref is None:
            return None
        if isinstance(ref, Literal):
            self.error(_join(path, prop), f"expected an IRI, found the literal '{ref}'")
            return None
        is_coll = ODRL + "PartyCollection" in self.types(ref) or self._has_source(ref)
        return Party(self._ref_uid(ref), is_coll)

    def asset(self, node: Node, path: str) -> Asset | None:
        ref = self.one(node, _o("target"), _join(path, "target"))
        if ref is None:
            return None
        if isinstance(ref, Literal):
            self.error(_join(path, "target"), f"expected an IRI, found the literal '{ref}'")
            return None
        is_coll = ODRL + "AssetCollection" in self.types(ref) or self._has_source(ref)
        return Asset(self._ref_uid(ref), is_coll)

    def _has_source(self, ref: Node) -> bool:
        return (ref, _o("source"), None) in self.g

    def _ref_uid(self, ref: Node) -> str:
        # A collection written as a blank node with odrl:source is identified by its source.
        if isinstance(ref, BNode):
            src = next(iter(self.g.objects(ref, _o("source"))), None)
            return str(src) if src is not None else str(ref)
        return str(ref)

    # -- constraints --------------------------------------------------------------------

    def constraint(self, node: Node, path: str) -> AnyConstraint | None:
        uid = str(node) if isinstance(node, URIRef) else None
        present = [op for op in LOGICAL_OPERATORS if (node, URIRef(op), None) in self.g]
        if len(present) > 1:
            names = ", ".join(short(p) for p in present)
            self.error(path, f"a logical constraint takes one operator, found {names}")
            return None
        if present:
            op = present[0]
            members = self.objects(node, URIRef(op))
            if not members:
                self.error(f"{path}.{short(op)}", "logical constraint has no operands")
            operands = [
                self.constraint(m, f"{path}.{short(op)}[{i}]") for i, m in enumerate(members)
            ]
            return LogicalConstraint(op, tuple(c for c in operands if c), uid, path)
        return self.atomic(node, uid, path)

    def atomic(self, node: Node, uid: str | None, path: str) -> Constraint | None:
        before = len(self.errors)
        left = self.one(node, _o("leftOperand"), f"{path}.leftOperand")
        operator = self.one(node, _o("operator"), f"{path}.operator")
        rights = self.objects(node, _o("rightOperand")) or self.objects(
            node, _o("rightOperandReference")
        )
        data_type = self.one(node, _o("dataType"), f"{path}.dataType")
        unit = self.one(node, _o("unit"), f"{path}.unit")
        if left is None:
            self.error(f"{path}.leftOperand", "leftOperand is missing")
        elif str(left).startswith(ODRL) and str(left) not in LEFT_OPERANDS:
            self.error(f"{path}.leftOperand", f"unknown leftOperand '{short(str(left))}'")
        if operator is None:
            self.error(f"{path}.operator", "operator is missing")
        elif str(operator) not in OPERATORS:
            self.error(f"{path}.operator", f"unknown operator '{short(str(operator))}'")
        elif len(rights) > 1 and str(operator) not in _MULTI_VALUED_OPERATORS:
            self.error(
                f"{path}.rightOperand",
                f"operator '{short(str(operator))}' takes one rightOperand, found {len(rights)}",
            )
        if not rights:
            self.error(f"{path}.rightOperand", "rightOperand is missing")
        operands = self.operands(rights, str(data_type) if data_type else None, left, path)
        if len(self.errors) > before or left is None or operator is None:
            return None
        return Constraint(
            str(left),
            str(operator),
            operands,
            uid,
            str(unit) if unit else None,
            str(data_type) if data_type else None,
            path,
        )

    def operands(
        self, rights: list[Node], data_type: str | None, left: Node | None, path: str
    ) -> tuple[Operand, ...]:
        out: list[Operand] = []
        for i, term in enumerate(rights):
            where = f"{path}.rightOperand" + (f"[{i}]" if len(rights) > 1 else "")
            try:
                value = operand_from_term(term, data_type)
            except ValueError as exc:
                self.error(where, str(exc))
                continue
            if str(left) == ODRL + "dateTime" and value.kind not in ("dateTime", "date"):
                coerced = self._coerce_datetime(value, where)
                if coerced is None:
                    continue
                value = coerced
            out.append(value)
        return tuple(out)

    def _coerce_datetime(self, value: Operand, where: str) -> Operand | None:
        # Plain strings holding an ISO dateTime are accepted; anything else is an error.
        try:
            return Operand(parse_datetime(str(value.value)), "dateTime", value.lexical)
        except ValueError:
            self.error(where, f"'{value.lexical}' is not a valid xsd:dateTime for dateTime")
            return None

    # -- rules and policies -------------------------------------------------------------

    def rule(self, node: Node, kind: str, path: str, defaults: Mapping[str, object]) -> Rule:
        action = self.action(node, path)
        if action is None:
            action = defaults.get("action")  # type: ignore[assignment]
        present = (node, _o("action"), None) in self.g  # else already reported as unknown
        if action is None and self.require_action and not present:
            self.error(f"{path}.action", "action is missing")
        target = self.asset(node, path) or defaults.get("target")
        assignee = self.party(node, "assignee", path) or defaults.get("assignee")
        assigner = self.party(node, "assigner", path) or defaults.get("assigner")
        constraints = [
            self.constraint(c, f"{path}.constraint[{i}]")
            for i, c in enumerate(self.objects(node, _o("constraint")))
        ]
        sub_defaults = {"target": target}
        duties = (
            self.rules(node, "duty", "duty", path, sub_defaults) if kind == "permission" else ()
        )
        parties = {
            name: tuple(str(p) for p in self.objects(node, _o(name))) for name in FUNCTION_PARTIES
        }
        return Rule(
            kind=kind,
            action=action,
            uid=str(node) if isinstance(node, URIRef) else None,
            target=target,  # type: ignore[arg-type]
            assignee=assignee,  # type: ignore[arg-type]
            assigner=assigner,  # type: ignore[arg-type]
            constraints=tuple(c for c in constraints if c is not None),
            duties=duties,
            consequences=self.rules(node, "consequence", "duty", path, sub_defaults),
            remedies=self.rules(node, "remedy", "duty", path, sub_defaults),
            parties={k: v for k, v in parties.items() if v},
            path=path,
        )

    def rules(
        self, node: Node, prop: str, kind: str, path: str, defaults: Mapping[str, object]
    ) -> tuple[Rule, ...]:
        prefix = f"{path}." if path else ""
        return tuple(
            self.rule(r, kind, f"{prefix}{prop}[{i}]", defaults)
            for i, r in enumerate(self.objects(node, _o(prop)))
        )

    def action(self, node: Node, path: str) -> str | None:
        ref = self.one(node, _o("action"), _join(path, "action"))
        if ref is None:
            return None
        if isinstance(ref, BNode):
            # Refined action: {"rdf:value": action, "refinement": [...]}
            ref = next(iter(self.g.objects(ref, RDF.value)), ref)
        iri = str(ref)
        if iri == ODRL + "train":
            return TRAIN
        if isinstance(ref, Literal) or (iri.startswith(ODRL) and iri not in KNOWN_ACTIONS):
            self.error(_join(path, "action"), f"unknown action '{short(iri)}'")
            return None
        return iri

    def policy(self, node: Node) -> Policy:
        if not isinstance(node, URIRef):
            self.error("uid", "policy uid is missing")
        types = self.types(node) & POLICY_TYPES
        if not types:
            self.error("@type", "policy type (Set, Offer or Agreement) is missing or unknown")
        defaults = {
            "action": self.action(node, "") if (node, _o("action"), None) in self.g else None,
            "target": self.asset(node, ""),
            "assignee": self.party(node, "assignee", ""),
            "assigner": self.party(node, "assigner", ""),
        }
        permissions = self.rules(node, "permission", "permission", "", defaults)
        prohibitions = self.rules(node, "prohibition", "prohibition", "", defaults)
        obligations = self.rules(node, "obligation", "duty", "", defaults)
        if not (permissions or prohibitions or obligations):
            self.error("permission", "policy has no permission, prohibition or obligation")
        return Policy(
            uid=str(node),
            type=min(types) if types else ODRL + "Set",
            permissions=permissions,
            prohibitions=prohibitions,
            obligations=obligations,
            assigner=defaults["assigner"],  # type: ignore[arg-type]
            assignee=defaults["assignee"],  # type: ignore[arg-type]
            target=defaults["target"],  # type: ignore[arg-type]
        )


def _find_root(graph: Graph, uid: str | None, types: frozenset[str], what: str) -> Node:
    if uid is not None:
        return URIRef(uid)
    roots = list(graph.subjects(URIRef(ROOT), None))
    if len(roots) == 1:
        return roots[0]
    typed = sorted({s for t in types for s in graph.subjects(RDF.type, URIRef(t))}, key=str)
    unreferenced = [s for s in typed if (None, None, s) not in graph]
    candidates = unreferenced or typed
    if len(candidates) != 1:
        found = "none" if not candidates else f"{len(candidates)}"
        raise PolicyError([PolicyIssue("", f"expected one {what}, found {found}")])
    return candidates[0]


def parse_policy(source: Source, *, uid: str | None = None, require_action: bool = True) -> Policy:
    """Policy from JSON-LD (dict or text), Turtle text or a graph; raises PolicyError."""
    graph = load_graph(source)
    types = POLICY_TYPES - {ODRL + "Request"}
    reader = _Reader(graph, require_action)
    policy = reader.policy(_find_root(graph, uid, types, "policy"))
    if reader.errors:
        raise PolicyError(reader.errors)
    return policy


def parse_request(source: Source, *, uid: str | None = None) -> Request:
    """A request (an odrl:Request whose permission names assignee, action and target)."""
    graph = load_graph(source)
    node = _find_root(graph, uid, frozenset({ODRL + "Request"}), "request")
    reader = _Reader(graph, require_action=False)
    rules = reader.rules(
        node,
        "permission",
        "permission",
        "",
        {
            "target": reader.asset(node, ""),
            "assignee": reader.party(node, "assignee", ""),
        },
    )
    if reader.errors:
        raise PolicyError(reader.errors)
    rule = rules[0] if rules else Rule("permission", None)
    context: dict[str, tuple[Operand, ...]] = {}
    for c in rule.constraints:
        # Request constraints state facts about the request: "purpose eq marketing".
        if isinstance(c, Constraint):
            context[c.left_operand] = context.get(c.left_operand, ()) + c.right_operand
    return Request(
        assignee=rule.assignee.uid if rule.assignee else None,
        action=rule.action,
        target=rule.target.uid if rule.target else None,
        context=context,
        uid=str(node) if isinstance(node, URIRef) else None,
    )


def parse_state_of_world(source: Source, *, uid: str | None = None) -> StateOfWorld:
    """Current time, collection membership, types and duty states from a sotw graph."""
    graph = load_graph(source)
    sotw_nodes = [URIRef(uid)] if uid else list(graph.subjects(RDF.type, URIRef(EX + "Sotw")))
    items: list[Node] = []
    for s in sotw_nodes:
        items.extend(graph.objects(s, URIRef(EX + "includes")))
    if not sotw_nodes:
        items = list(set(graph.subjects()))
    state = StateOfWorld()
    for item in items:
        _read_item(graph, item, state)
    return state


def _read_item(graph: Graph, item: Node, state: StateOfWorld) -> None:
    for issued in graph.objects(item, URIRef(DCT + "issued")):
        if isinstance(issued, Literal) and issued.datatype in (None, URIRef(XSD + "dateTime")):
            state.now = parse_datetime(str(issued))
    key = str(item)
    for parent in graph.objects(item, _o("partOf")):
        state.part_of.setdefault(key, set()).add(str(parent))
    for cls in graph.objects(item, RDF.type):
        state.types.setdefault(key, set()).add(str(cls))
    for pred, obj in graph.predicate_objects(item):
        if str(pred) in LEFT_OPERANDS:
            state.context[str(pred)] = state.context.get(str(pred), ()) + (operand_from_term(obj),)
    for report in graph.objects(item, URIRef(REPORT + "ruleReport")):
        rule = graph.value(report, URIRef(REPORT + "rule"))
        deontic = graph.value(report, URIRef(REPORT + "deonticState"))
        if rule is not None and deontic is not None:
            local = str(deontic).rsplit("#", 1)[-1]
            state.duty_states[str(rule)] = _DEONTIC.get(local, "not_set")
