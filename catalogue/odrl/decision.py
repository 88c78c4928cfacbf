"""The product's rights decision: may team T do action A for purpose P in channel C at X?"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .evaluate import ComplianceReport, RuleReport, duty_state, evaluate
from .model import Operand, Policy, Request, Rule, StateOfWorld
from .parse import parse_policy
from .rdfload import Source
from .vocab import ODRL, TEAM_PREFIX, action_iri, short

DUTY_TEXT = {
    "attribute": "Attribute the originators of the artifact",
    "inform": "Inform the owner team of the reuse",
    "obtainConsent": "Obtain the owner team's approval before each reuse",
    "compensate": "Compensate the rights holder",
}


@dataclass(frozen=True)
class Decision:
    """permit/deny with stable reason codes, the duties of a permit and the full report."""

    decision: str
    reasons: list[dict[str, str]]
    duties: list[dict[str, Any]]
    report: ComplianceReport
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def permitted(self) -> bool:
        return self.decision == "permit"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form, suitable for the reuse's rights-decision snapshot."""
        return {
            "decision": self.decision,
            "reasons": self.reasons,
            "duties": self.duties,
            "warnings": self.warnings,
            "report": self.report.as_dict(),
        }


def _reason(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _label(rule: Rule) -> str:
    return rule.uid or rule.path


def describe_duty(duty: Rule, state: StateOfWorld) -> dict[str, Any]:
    """A duty as shown to users: action, plain-language description, parties, state."""
    name = duty.action_name
    text = DUTY_TEXT.get(name, f"Perform '{name}'")
    parties = {k: list(v) for k, v in duty.parties.items()}
    for who in duty.parties.get("informedParty", ()) + duty.parties.get("consentingParty", ()):
        if who.startswith(TEAM_PREFIX):
            text += f" ({who[len(TEAM_PREFIX) :]})"
    return {
        "action": name,
        "description": text,
        "uid": duty.uid,
        "parties": parties,
        "state": duty_state(duty, state),
    }


def _denial_reasons(permissions: list[RuleReport], action: str) -> list[dict[str, str]]:
    applicable = [p for p in permissions if p.applies]
    if not applicable:
        return [
            _reason(
                "odrl.no_matching_permission",
                f"No permission grants '{short(action)}' on this artifact to this team.",
            )
        ]
    reasons = []
    for perm in applicable:
        for report in perm.constraints:
            for c in report.walk():
                if not c.satisfied and not c.operands:
                    reasons.append(
                        _reason(
                            "odrl.constraint_unsatisfied",
                            f"Permission {_label(perm.rule)}: {c.reason}.",
                        )
                    )
        for duty in perm.duties:
            if duty.state == "violated":
                reasons.append(
                    _reason(
                        "odrl.duty_violated",
                        f"Permission {_label(perm.rule)}: duty '{duty.duty.action_name}' was violated.",
                    )
                )
    return reasons or [_reason("odrl.constraint_unsatisfied", "No permission is active.")]


def decide(
    policy: Policy | Source,
    *,
    assignee_team_iri: str,
    action: str,
    purpose: str | None,
    channel: str | None,
    at: datetime | None,
    artifact_iri: str,
    state: StateOfWorld | None = None,
) -> Decision:
    """ODRL decision: permit when a permission is active and no prohibition is."""
    if not isinstance(policy, Policy):
        policy = parse_policy(policy)
    state = state or StateOfWorld()
    now = at or state.now or datetime.now(UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    state = StateOfWorld(now, state.part_of, state.types, state.duty_states, state.context)
    context: dict[str, tuple[Operand, ...]] = {}
    if purpose:
        context[ODRL + "purpose"] = (Operand(purpose, "string", purpose),)
    if channel:
        context[ODRL + "deliveryChannel"] = (Operand(channel, "string", channel),)
    request = Request(assignee_team_iri, action_iri(action), artifact_iri, context)
    report = evaluate(policy, request, state)
    permissions = report.of_kind("permission")
    active_perms = [p for p in permissions if p.active]
    active_prohibitions = [p for p in report.of_kind("prohibition") if p.active]
    reasons = [
        _reason(
            "odrl.prohibited", f"Prohibition {_label(p.rule)} forbids '{p.rule.action_name}' here."
        )
        for p in active_prohibitions
    ]
    if not active_perms:
        reasons += _denial_reasons(permissions, request.action or action)
    if reasons:
        return Decision("deny", reasons, [], report)
    duties = [describe_duty(d.duty, state) for p in active_perms for d in p.duties]
    duties += [describe_duty(o.rule, state) for o in report.of_kind("duty") if o.active]
    unique = list({(d["action"], d["description"]): d for d in duties}.values())
    granted = ", ".join(_label(p.rule) for p in active_perms)
    return Decision(
        "permit", [_reason("odrl.permitted", f"Permitted by {granted}.")], unique, report
    )
