"""ODRL 2.2 rights engine: parse, evaluate and author reuse policies (no Django)."""

from .authoring import FormMappingError, build_policy, describe, form_values
from .decision import Decision, decide
from .errors import PolicyError, PolicyIssue
from .evaluate import ComplianceReport, ConstraintReport, RuleReport, evaluate
from .model import (
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
from .parse import parse_policy, parse_request, parse_state_of_world

__all__ = [
    "Asset",
    "ComplianceReport",
    "Constraint",
    "ConstraintReport",
    "Decision",
    "FormMappingError",
    "LogicalConstraint",
    "Operand",
    "Party",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "Request",
    "Rule",
    "RuleReport",
    "StateOfWorld",
    "build_policy",
    "decide",
    "describe",
    "evaluate",
    "form_values",
    "parse_policy",
    "parse_request",
    "parse_state_of_world",
]
