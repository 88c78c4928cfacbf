"""Evaluate a policy against a request and a state of the world into a compliance report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import (
    AnyConstraint,
    Constraint,
    LogicalConstraint,
    Operand,
    Policy,
    Request,
    Rule,
    StateOfWorld,
)
from .operators import apply_operator
from .vocab import ODRL, action_included, short


@dataclass(frozen=True)
class ConstraintReport:
    """Outcome of one (atomic or logical) constraint, with nested operand reports."""

    constraint: AnyConstraint
    satisfied: bool
    left_values: tuple[Operand, ...] = ()
    reason: str = ""
    operands: tuple[ConstraintReport, ...] = ()

    @property
    def uid(self) -> str | None:
        return self.constraint.uid

    def walk(self) -> Iterator[ConstraintReport]:
        """This report and every nested one, depth first."""
        yield self
        for op in self.operands:
            yield from op.walk()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        c = self.constraint
        out: dict[str, Any] = {"uid": c.uid, "path": c.path, "satisfied": self.satisfied}
        if isinstance(c, LogicalConstraint):
            out["operator"] = short(c.operator)
            out["operands"] = [o.as_dict() for o in self.operands]
        else:
            out.update(
                leftOperand=short(c.left_operand),
                operator=short(c.operator),
                rightOperand=[str(v) for v in c.right_operand],
                value=[str(v) for v in self.left_values],
                reason=self.reason,
            )
        return out


@dataclass(frozen=True)
class DutyReport:
    """A duty and its state in the state of the world: fulfilled, violated or not_set."""

    duty: Rule
    state: str


@dataclass(frozen=True)
class RuleReport:
    """Activation of one rule and why."""

    rule: Rule
    action_matched: bool
    party_matched: bool
    target_matched: bool
    constraints: tuple[ConstraintReport, ...]
    duties: tuple[DutyReport, ...] = ()

    @property
    def constraints_satisfied(self) -> bool:
        return all(c.satisfied for c in self.constraints)

    @property
    def applies(self) -> bool:
        """Action, party and target all match the request."""
        return self.action_matched and self.party_matched and self.target_matched

    @property
    def active(self) -> bool:
        # A violated duty deactivates its permission; fulfilled or pending ones do not.
        duties_ok = all(d.state != "violated" for d in self.duties)
        return self.applies and self.constraints_satisfied and duties_ok

    @property
    def activation_state(self) -> str:
        return "Active" if self.active else "Inactive"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "uid": self.rule.uid,
            "path": self.rule.path,
            "kind": self.rule.kind,
            "action": self.rule.action_name,
            "state": self.activation_state,
            "action_matched": self.action_matched,
            "party_matched": self.party_matched,
            "target_matched": self.target_matched,
            "constraints": [c.as_dict() for c in self.constraints],
            "duties": [
                {"uid": d.duty.uid, "action": d.duty.action_name, "state": d.state}
                for d in self.duties
            ],
        }


@dataclass(frozen=True)
class ComplianceReport:
    """Per-rule activation and per-constraint satisfaction for one request."""

    policy: Policy
    request: Request
    rules: tuple[RuleReport, ...] = field(default_factory=tuple)

    def of_kind(self, kind: str) -> list[RuleReport]:
        return [r for r in self.rules if r.rule.kind == kind]

    def constraint_reports(self) -> Iterator[ConstraintReport]:
        """Every constraint report, including nested ones and those of duties."""
        for rule in self.rules:
            for c in rule.constraints:
                yield from c.walk()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (stored with rights decisions)."""
        return {"policy": self.policy.uid, "rules": [r.as_dict() for r in self.rules]}


def left_values(left_operand: str, request: Request, state: StateOfWorld) -> tuple[Operand, ...]:
    """The request's (else the state of the world's) value for a left operand."""
    if left_operand in request.context:
        return request.context[left_operand]
    if left_operand == ODRL + "dateTime" and state.now is not None:
        return (Operand(state.now, "dateTime", state.now.isoformat()),)
    return state.context.get(left_operand, ())


def evaluate_constraint(
    constraint: AnyConstraint, request: Request, state: StateOfWorld
) -> ConstraintReport:
    """Satisfaction of a constraint; logical ones evaluate every operand for the report."""
    if isinstance(constraint, LogicalConstraint):
        subs = tuple(evaluate_constraint(c, request, state) for c in constraint.operands)
        count = sum(s.satisfied for s in subs)
        op = short(constraint.operator)
        if op == "or":
            ok = count >= 1
        elif op == "xone":
            ok = count == 1
        else:  # and, andSequence: all must hold (andSequence also fixes their order)
            ok = count == len(subs)
        return ConstraintReport(constraint, ok, operands=subs)
    return _atomic(constraint, request, state)


def _atomic(c: Constraint, request: Request, state: StateOfWorld) -> ConstraintReport:
    values = left_values(c.left_operand, request, state)
    if not values:
        reason = f"no value for {short(c.left_operand)} in the request"
        return ConstraintReport(c, False, values, reason)
    ok = apply_operator(c.operator, values, c.right_operand, state)
    reason = (
        ""
        if ok
        else (
            f"{short(c.left_operand)} {', '.join(map(str, values))} does not satisfy "
            f"{short(c.operator)} {', '.join(map(str, c.right_operand))}"
        )
    )
    return ConstraintReport(c, ok, values, reason)


def _covers(rule_iri: str, requested: str | None, state: StateOfWorld) -> bool:
    """The rule's party/asset is the requested one or a collection it is partOf."""
    if requested is None:
        return False
    return requested == rule_iri or rule_iri in state.collections_of(requested)


def evaluate_rule(rule: Rule, request: Request, state: StateOfWorld) -> RuleReport:
    """Report for one rule against the request."""
    if rule.kind == "duty":
        action_ok = target_ok = True  # obligations bind parties regardless of the request
    else:
        action_ok = rule.action is None or (
            request.action is not None and action_included(request.action, rule.action)
        )
        target_ok = rule.target is None or _covers(rule.target.uid, request.target, state)
    party_ok = rule.assignee is None or _covers(rule.assignee.uid, request.assignee, state)
    constraints = tuple(evaluate_constraint(c, request, state) for c in rule.constraints)
    duties = tuple(DutyReport(d, duty_state(d, state)) for d in rule.duties)
    return RuleReport(rule, action_ok, party_ok, target_ok, constraints, duties)


def duty_state(duty: Rule, state: StateOfWorld) -> str:
    """fulfilled / violated / not_set, as reported in the state of the world."""
    return state.duty_states.get(duty.uid or "", "not_set")


def evaluate(
    policy: Policy, request: Request, state: StateOfWorld | None = None
) -> ComplianceReport:
    """Compliance report of every rule of ``policy`` for ``request``."""
    state = state or StateOfWorld()
    reports = tuple(evaluate_rule(r, request, state) for r in policy.rules)
    return ComplianceReport(policy, request, reports)
