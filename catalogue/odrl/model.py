"""Typed ODRL 2.2 policy model (plain dataclasses, no RDF or Django types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .vocab import ODRL, short

OperandValue = datetime | date | Decimal | str


@dataclass(frozen=True)
class Operand:
    """One typed operand value; ``kind`` is dateTime, date, decimal, string or iri."""

    value: OperandValue
    kind: str
    lexical: str = ""

    def __str__(self) -> str:
        return self.lexical or str(self.value)


@dataclass(frozen=True)
class Constraint:
    """An atomic constraint: ``leftOperand operator rightOperand``."""

    left_operand: str
    operator: str
    right_operand: tuple[Operand, ...]
    uid: str | None = None
    unit: str | None = None
    data_type: str | None = None
    path: str = ""


@dataclass(frozen=True)
class LogicalConstraint:
    """A logical combination (and, or, xone, andSequence) of constraints."""

    operator: str
    operands: tuple[Constraint | LogicalConstraint, ...]
    uid: str | None = None
    path: str = ""


AnyConstraint = Constraint | LogicalConstraint


@dataclass(frozen=True)
class Party:
    """A party or, when ``collection`` is true, a PartyCollection."""

    uid: str
    collection: bool = False


@dataclass(frozen=True)
class Asset:
    """An asset or, when ``collection`` is true, an AssetCollection."""

    uid: str
    collection: bool = False


@dataclass(frozen=True)
class Rule:
    """A permission, prohibition, duty or obligation."""

    kind: str
    action: str | None
    uid: str | None = None
    target: Asset | None = None
    assignee: Party | None = None
    assigner: Party | None = None
    constraints: tuple[AnyConstraint, ...] = ()
    duties: tuple[Rule, ...] = ()
    consequences: tuple[Rule, ...] = ()
    remedies: tuple[Rule, ...] = ()
    # Function parties of duties (informedParty, attributedParty, ...), by local name.
    parties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""

    @property
    def action_name(self) -> str:
        """The action's short name (``use``, ``train``), or ``any`` when absent."""
        return short(self.action) if self.action else "any"


@dataclass(frozen=True)
class Policy:
    """An ODRL policy; rules already carry the policy-level defaults they inherit."""

    uid: str
    type: str = ODRL + "Set"
    permissions: tuple[Rule, ...] = ()
    prohibitions: tuple[Rule, ...] = ()
    obligations: tuple[Rule, ...] = ()
    assigner: Party | None = None
    assignee: Party | None = None
    target: Asset | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Permissions, then prohibitions, then obligations."""
        return self.permissions + self.prohibitions + self.obligations


@dataclass(frozen=True)
class Request:
    """Who wants to do what to which asset, plus context values keyed by leftOperand IRI."""

    assignee: str | None
    action: str | None
    target: str | None
    context: dict[str, tuple[Operand, ...]] = field(default_factory=dict)
    uid: str | None = None


@dataclass
class StateOfWorld:
    """Facts the evaluation relies on besides the request."""

    now: datetime | None = None
    # entity IRI -> collections it is odrl:partOf
    part_of: dict[str, set[str]] = field(default_factory=dict)
    # entity IRI -> classes it is an instance of (for isA)
    types: dict[str, set[str]] = field(default_factory=dict)
    # duty uid -> 'fulfilled' | 'violated' | 'not_set'
    duty_states: dict[str, str] = field(default_factory=dict)
    # leftOperand IRI -> values (fallback when the request has none)
    context: dict[str, tuple[Operand, ...]] = field(default_factory=dict)

    def collections_of(self, uid: str) -> set[str]:
        """All collections ``uid`` belongs to, following partOf transitively."""
        seen: set[str] = set()
        todo = [uid]
        while todo:
            for parent in self.part_of.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen
