"""The rights check (Rule 3): one answer, composed of the registered checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from ..checks import CHECKS, RightsContext, RightsRequest, home_jurisdiction
from ..models.choices import Action, Channel, Purpose
from ..rules import Reason


@dataclass
class RightsDecision:
    decision: str
    reasons: list[Reason]
    duties: list[dict] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    request: RightsRequest | None = None
    facts: dict = field(default_factory=dict)

    @property
    def permitted(self) -> bool:
        return self.decision == "permit"

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe snapshot, stored with a reuse: what was asked, answered and relied on."""
        req = self.request
        out: dict[str, Any] = {
            "decision": self.decision,
            "reasons": [r.as_dict() for r in self.reasons],
            "duties": self.duties,
            "warnings": [w.as_dict() for w in self.warnings],
            **self.facts,
        }
        if req is not None:
            out.update(
                artifact=req.artifact.slug,
                team=req.team.slug,
                action=req.action,
                purpose=req.purpose,
                channel=req.channel,
                jurisdiction=req.jurisdiction,
                evaluated_at=req.at.isoformat(),
            )
        return out


def validate_codes(*, action: str, purpose: str, channel: str) -> dict[str, str]:
    """{field: message} for unknown vocabulary codes (empty when all are valid)."""
    errors = {}
    for name, value, allowed in (
        ("action", action, Action.values),
        ("purpose", purpose, Purpose.values),
        ("channel", channel, Channel.values),
    ):
        if value not in allowed:
            errors[name] = f"'{value}' is not one of {', '.join(allowed)}."
    return errors


def rights_check(
    *,
    artifact,
    team,
    action: str,
    purpose: str,
    channel: str,
    at: datetime | None = None,
    jurisdiction: str | None = None,
    acting_user=None,
) -> RightsDecision:
    """May `team` do `action` on `artifact` for `purpose` in `channel` at `at` (default now)?

    Runs every registered check (bounded queries each); any denial denies, and every reason
    of every check is listed. `jurisdiction` (ISO 3166) defaults to the home jurisdiction.
    Read-only: callers that act on the answer lock the artifact first.
    """
    return rights_checks(
        artifact=artifact,
        team=team,
        questions=[(action, purpose, channel)],
        at=at,
        jurisdiction=jurisdiction,
    )[0]


def rights_checks(
    *,
    artifact,
    team,
    questions: list[tuple[str, str, str]],
    at: datetime | None = None,
    jurisdiction: str | None = None,
) -> list[RightsDecision]:
    """The rights check for several (action, purpose, channel) questions about one artifact.

    Each answer is exactly `rights_check`'s; the questions share one RightsContext, so the
    lineage, consents, reviews and IP rows are loaded once (eligibility asks up to ~40 at once).
    """
    for action, purpose, channel in questions:
        errors = validate_codes(action=action, purpose=purpose, channel=channel)
        if errors:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in errors.items()))
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    where = (jurisdiction or home_jurisdiction()).upper()
    ctx: RightsContext | None = None
    answers = []
    for action, purpose, channel in questions:
        request = RightsRequest(
            artifact=artifact,
            team=team,
            action=action,
            purpose=purpose,
            channel=channel,
            at=at,
            jurisdiction=where,
        )
        ctx = ctx or RightsContext(request)  # its loaders depend on the artifact only
        answers.append(_decide(request, ctx))
    return answers


def _decide(request: RightsRequest, ctx: RightsContext) -> RightsDecision:
    deny: list[Reason] = []
    notes: list[Reason] = []
    warnings: list[Reason] = []
    duties: list[dict] = []
    facts: dict = {}
    for entry in CHECKS:
        outcome = entry.check(request, ctx)
        deny += outcome.deny
        notes += outcome.notes
        warnings += outcome.warnings
        duties += outcome.duties
        facts.update(outcome.facts)
    facts.setdefault("policy_id", request.artifact.current_policy_id)
    if deny:
        return RightsDecision("deny", deny, [], warnings, request, facts)
    return RightsDecision("permit", notes, duties, warnings, request, facts)
