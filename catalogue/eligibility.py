"""Training-data eligibility: may an artifact feed AI training, data mining, AI inference?

Not a second copy of the rules (Rule 3): each use is a set of rights-check questions, an action
with the use's purposes over every channel, and its state is read from the rights check's own
answers:

- `allowed`: the rights check permits at least one of the questions;
- `constrained`: none is permitted, but one is denied only by legal clearance still to come
  (a consent_ip / ethics review to approve, an IP assignment or licence to sign: the checks
  in PENDING_CHECKS, whose codes are PENDING_CODES);
- `not_allowed`: every question is denied for another reason as well (consent withdrawn or not
  covering the purpose, through lineage too; policy; lifecycle; IP licence scope or jurisdiction).

The question is asked for `team`, or by default for ANY_TEAM: a team the policy does not name,
i.e. what the policy grants every team. `artifact_eligibility` asks `services.rights`; the list
filter asks the set forms of the same checks (`querysets.reusable_for_some`), so they agree.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import Artifact, Team
from .models.choices import Action, Channel, Purpose

ALLOWED, CONSTRAINED, NOT_ALLOWED = "allowed", "constrained", "not_allowed"
STATES = (ALLOWED, CONSTRAINED, NOT_ALLOWED)
# use -> (rights-check action, the purposes that use relies on)
USES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ai_training": (Action.TRAIN, (Purpose.MODEL_TRAINING,)),
    "data_mining": (Action.USE, (Purpose.RESEARCH, Purpose.INTERNAL_ANALYSIS)),
    "ai_inference": (Action.USE, (Purpose.PERSONALISATION, Purpose.CUSTOMER_SERVICE)),
}
USE_LABELS = {
    "ai_training": "AI training",
    "data_mining": "Data mining",
    "ai_inference": "AI inference",
}
# Checks (checks/legal.py) whose denial legal can still lift, and the only codes they give.
PENDING_CHECKS = ("legal_review", "legal_ip")
PENDING_CODES = frozenset(
    {
        "review.missing",
        "review.expired",
        "review.purpose_not_approved",
        "review.ethics_not_approved",
        "ip.assignment_missing",
    }
)

# "Any team": slugs cannot contain '*', so no policy names it; the policy check and its grant
# rows both treat it as the stand-in for every team the policy does not name.
ANY_TEAM = Team(slug="*", name="Any team")


def questions(use: str) -> list[tuple[str, str]]:
    """The (purpose, channel) pairs a use asks the rights check about."""
    return [(p, c) for p in USES[use][1] for c in Channel.values]


def artifact_eligibility(artifact, *, team=None, at: dt.datetime | None = None) -> dict[str, str]:
    """{use: state} from the rights check's answers (one shared context: bounded queries)."""
    from .services.rights import rights_checks

    team = team or ANY_TEAM
    asked = [(USES[use][0], p, c) for use in USES for p, c in questions(use)]
    answers = iter(
        rights_checks(artifact=artifact, team=team, questions=asked, at=at or timezone.now())
    )
    result = {}
    for use in USES:
        decisions = [next(answers) for _ in questions(use)]
        if any(d.permitted for d in decisions):
            result[use] = ALLOWED
        elif any(set(d.codes) <= PENDING_CODES for d in decisions):
            result[use] = CONSTRAINED
        else:
            result[use] = NOT_ALLOWED
    return result


def eligibility_filter(
    queryset: QuerySet[Artifact],
    use: str,
    state: str,
    *,
    team=None,
    at: dt.datetime | None = None,
) -> QuerySet[Artifact]:
    """Set form of `artifact_eligibility(...)[use] == state`."""
    from .querysets import reusable_for_some_exists

    if state not in STATES:
        raise ValueError(f"unknown eligibility state {state!r}")
    team = team or ANY_TEAM
    at = at or timezone.now()
    action = USES[use][0]

    def some(skip=()):
        return reusable_for_some_exists(
            team, action=action, questions=questions(use), at=at, skip=skip
        )

    if state == ALLOWED:
        return queryset.filter(some())
    pending_or_allowed = some(skip=PENDING_CHECKS)
    if state == CONSTRAINED:
        return queryset.filter(pending_or_allowed & ~some())
    return queryset.filter(~pending_or_allowed)


def parse_filter(value: str) -> tuple[str, str] | None:
    """`ai_training` (= allowed) or `ai_training:constrained` -> (use, state); None if malformed."""
    use, _, state = (value or "").partition(":")
    state = state or ALLOWED
    if use not in USES or state not in STATES:
        return None
    return use, state


def filter_by_eligibility(queryset, value: str):
    """The `eligibility` list filter (django-filter method body); malformed values match nothing."""
    parsed = parse_filter(value)
    if parsed is None:
        return queryset.none()
    return eligibility_filter(queryset, *parsed)
