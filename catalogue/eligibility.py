"""Training-data eligibility per artifact: may it feed AI training, data mining, AI inference?

Each use is `allowed`, `constrained` (consents grant it but no current legal approval yet, or
restricted material awaiting review) or `not_allowed`, derived from the artifact's own consents
and consent_ip reviews. `artifact_eligibility` is the predicate and `eligibility_q` its set form
for list filters; tests assert they agree. Lineage is the rights check's job (Rule 3): this
is a quick triage signal, and a real use still goes through the rights check.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import ConsentCoverage, Review
from .models.choices import ReviewKind, ReviewStatus, Sensitivity
from .selectors.legal import consent_problem, in_force_q

ALLOWED, CONSTRAINED, NOT_ALLOWED = "allowed", "constrained", "not_allowed"
STATES = (ALLOWED, CONSTRAINED, NOT_ALLOWED)
USES = {
    "ai_training": ("model_training",),
    "data_mining": ("research", "internal_analysis"),
    "ai_inference": ("personalisation", "customer_service"),
}
USE_LABELS = {"ai_training": "AI training", "data_mining": "Data mining", "ai_inference": "AI inference"}


def _approves(review, purposes, on) -> bool:
    return (
        review.kind == ReviewKind.CONSENT_IP and review.status == ReviewStatus.APPROVED
        and (review.valid_until is None or review.valid_until >= on)
        and bool(set(review.purposes) & set(purposes))
    )


def artifact_eligibility(artifact, *, consents: list, reviews: list, at: dt.datetime | None = None) -> dict:
    """{use: state} from the artifact's covering consents and its reviews (already loaded)."""
    at = at or timezone.now()
    on = timezone.localdate(at)
    result = {}
    for use, purposes in USES.items():
        approved = any(_approves(r, purposes, on) for r in reviews)
        if not artifact.customer_derived:
            if artifact.sensitivity != Sensitivity.RESTRICTED or approved:
                result[use] = ALLOWED
            else:
                result[use] = CONSTRAINED
            continue
        consents_ok = bool(consents) and all(
            consent_problem(c, at) is None and set(c.purposes) & set(purposes) for c in consents
        )
        if not consents_ok:
            result[use] = NOT_ALLOWED
        else:
            result[use] = ALLOWED if approved else CONSTRAINED
    return result


def eligibility_q(use: str, state: str, at: dt.datetime | None = None):
    """Set form of `artifact_eligibility(...)[use] == state` for an Artifact queryset."""
    at = at or timezone.now()
    on = timezone.localdate(at)
    purposes = list(USES[use])
    coverage = ConsentCoverage.objects.filter(artifact_id=OuterRef("pk"))
    has_cov = Exists(coverage)
    bad = Exists(coverage.exclude(in_force_q(at, prefix="consent__")))
    lacking = Exists(coverage.exclude(consent__purposes__overlap=purposes))
    approved = Exists(
        Review.objects.filter(
            artifact_id=OuterRef("pk"), kind=ReviewKind.CONSENT_IP, status=ReviewStatus.APPROVED,
            purposes__overlap=purposes,
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    )
    cd = Q(customer_derived=True)
    restricted = Q(sensitivity=Sensitivity.RESTRICTED)
    consents_ok = has_cov & ~bad & ~lacking
    if state == ALLOWED:
        return (~cd & (~restricted | approved)) | (cd & consents_ok & approved)
    if state == CONSTRAINED:
        return (~cd & restricted & ~approved) | (cd & consents_ok & ~approved)
    if state == NOT_ALLOWED:
        return cd & ~consents_ok
    raise ValueError(f"unknown eligibility state {state!r}")


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
    return queryset.filter(eligibility_q(*parsed))
