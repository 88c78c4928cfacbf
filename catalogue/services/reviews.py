"""Legal and ethics reviews: requesting, the submit hook, and decisions under four eyes (Rule 2).

`review_decide` locks the review row, so two concurrent decisions are serialised: the second
sees the first and is refused (`review.already_decided` / `review.same_reviewer`).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..legal_gates import gate_consents, gate_ip_assignments
from ..legal_rules import in_force_q, needs_legal_clearance
from ..models import Artifact, Authorship, ConsentRecord, Review, ReviewDecision, Version
from ..models.choices import (
    ArtifactStatus,
    Purpose,
    ReviewDecisionKind,
    ReviewKind,
    ReviewStatus,
    Role,
    Sensitivity,
)
from ..permissions import is_legal
from ..rules import PublishContext, Reason, RuleViolation
from .audit import audit_context, audit_event
from .lifecycle import SUBMIT_HOOKS, VERSION_HOOKS

# Re-certification: an approval holds for a year unless the reviewer sets another date.
DEFAULT_VALIDITY = dt.timedelta(days=365)
FINAL_STATUS: dict[str, str] = {
    ReviewDecisionKind.APPROVE: ReviewStatus.APPROVED,
    ReviewDecisionKind.REJECT: ReviewStatus.REJECTED,
    ReviewDecisionKind.REQUEST_CHANGES: ReviewStatus.CHANGES_REQUESTED,
}


def required_approvals_for(artifact: Artifact, purposes: list[str]) -> int:
    """Rule 2: restricted artifacts and model_training approvals need two legal reviewers."""
    if artifact.sensitivity == Sensitivity.RESTRICTED or Purpose.MODEL_TRAINING in purposes:
        return 2
    return 1


def _open(*, artifact, version, kind, purposes, acting_user) -> Review:
    review = Review.objects.create(
        artifact=artifact,
        version=version,
        kind=kind,
        purposes=sorted(set(purposes)),
        required_approvals=required_approvals_for(artifact, purposes),
        requested_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_event(
        actor=acting_user,
        action="review.requested",
        obj=review,
        artifact=artifact,
        changes={
            "kind": [None, kind],
            "purposes": [None, review.purposes],
            "version": [None, getattr(version, "version", None)],
            "required_approvals": [None, review.required_approvals],
        },
    )
    _notify_legal(review)
    return review


def _notify_legal(review: Review) -> None:
    from .notifications import notify

    legal = get_user_model().objects.filter(groups__name=Role.LEGAL, is_active=True)
    notify(
        users=list(legal),
        kind="review.requested",
        subject=f"{review.get_kind_display()} review requested: {review.artifact.title}",
        body=f"Purposes: {', '.join(review.purposes) or 'none named'}.",
        artifact=review.artifact,
        url=f"/legal/reviews/{review.pk}/",
        dedupe_key=f"review:{review.pk}:requested",
    )


def review_request(
    *,
    acting_user,
    artifact: Artifact,
    kind: str,
    purposes: list[str],
    version: Version | None = None,
) -> Review:
    """Open a review of an artifact version (its team's contributors, legal or admins)."""
    if not (
        acting_user.has_perm("catalogue.change_artifact", artifact)
        or acting_user.has_perm("catalogue.manage_consent")
    ):
        raise PermissionDenied("Only the owner team, legal or admins request reviews.")
    errors = {}
    if kind not in ReviewKind.values:
        errors["kind"] = [f"Choose one of {', '.join(ReviewKind.values)}."]
    unknown = sorted(set(purposes) - set(Purpose.values))
    if unknown:
        errors["purposes"] = [f"Unknown purposes: {', '.join(unknown)}."]
    if version is not None and version.artifact_id != artifact.pk:
        errors["version"] = ["That version belongs to another artifact."]
    if errors:
        raise ValidationError(errors)
    version = version or artifact.current_version
    with transaction.atomic(), audit_context(actor=acting_user, reason=f"{kind} review requested"):
        Artifact.objects.select_for_update().filter(pk=artifact.pk).first()
        if Review.objects.filter(
            artifact=artifact, version=version, kind=kind, status=ReviewStatus.OPEN
        ).exists():
            raise RuleViolation(
                "A review of this kind is already open for this version.",
                [
                    Reason(
                        "review.already_open", f"An open {kind} review of '{artifact.slug}' exists."
                    )
                ],
            )
        return _open(
            artifact=artifact,
            version=version,
            kind=kind,
            purposes=purposes,
            acting_user=acting_user,
        )


def _requested_purposes(artifact: Artifact) -> list[str]:
    """What the review must approve: the purposes consents grant, else those the policy permits."""
    purposes: set[str] = set()
    for granted in ConsentRecord.objects.filter(
        in_force_q(), coverage__artifact=artifact
    ).values_list("purposes", flat=True):
        purposes.update(granted)
    if not purposes and artifact.current_policy_id:
        from ..models import RightsGrant

        for granted in RightsGrant.objects.filter(
            artifact=artifact, policy_id=artifact.current_policy_id
        ).values_list("purposes", flat=True):
            purposes.update(granted)
    return sorted(purposes)


def open_required_reviews(artifact: Artifact, version: Version | None, acting_user) -> list[Review]:
    """Submit hook: a customer-derived or restricted artifact gets its consent_ip review (and an
    ethics review when model_training is among the purposes); existing ones are not duplicated."""
    if not needs_legal_clearance(artifact):
        return []
    purposes = _requested_purposes(artifact)
    wanted = [ReviewKind.CONSENT_IP]
    if Purpose.MODEL_TRAINING in purposes:
        wanted.append(ReviewKind.ETHICS)
    existing = set(
        Review.objects.filter(
            artifact=artifact,
            version=version,
            kind__in=wanted,
            status__in=[ReviewStatus.OPEN, ReviewStatus.APPROVED],
        ).values_list("kind", flat=True)
    )
    return [
        _open(
            artifact=artifact,
            version=version,
            kind=kind,
            purposes=purposes,
            acting_user=acting_user,
        )
        for kind in wanted
        if kind not in existing
    ]


def on_submit(artifact: Artifact, version: Version | None, acting_user) -> None:
    """The SUBMIT_HOOKS entry (runs inside the submit transaction)."""
    open_required_reviews(artifact, version, acting_user)


def on_new_version(artifact: Artifact, version: Version, acting_user) -> None:
    """The VERSION_HOOKS entry: a version added once the artifact is past draft gets its own
    reviews at once (a draft's are opened when it is submitted)."""
    if artifact.status != ArtifactStatus.DRAFT:
        open_required_reviews(artifact, version, acting_user)


class ApprovalContradicted(RuleViolation):
    """A consent_ip approval the publish gates contradict; `override` with a rationale lifts it."""


# The publish gates a consent_ip approval vouches for (Rule 1's consent and IP chain). They are
# asked, never copied: an approval they contradict is refused, or overridden on the record.
APPROVAL_GATES = (gate_consents, gate_ip_assignments)


def approval_contradictions(review: Review) -> list[Reason]:
    """What the publish gates hold against approving this consent_ip review (empty: nothing)."""
    if review.kind != ReviewKind.CONSENT_IP:
        return []
    artifact = review.artifact
    ctx = PublishContext(
        artifact=artifact,
        version=review.version,
        authorships=list(artifact.authorships.select_related("contributor")),
        extra={},
    )
    return [reason for gate in APPROVAL_GATES for reason in gate(ctx)]


def review_decide(
    *,
    acting_user,
    review: Review,
    decision: str,
    rationale: str,
    valid_until: dt.date | None = None,
    override: bool = False,
    override_rationale: str = "",
) -> Review:
    """Record one reviewer's decision (review row locked). Rule 2: four eyes, two approvals for
    restricted / model_training, decisions final. A consent_ip approval the publish gates
    contradict is refused (ApprovalContradicted) unless `override` with `override_rationale`,
    audited as `review.gates_overridden`. Raises RuleViolation with stable codes."""
    if not acting_user.has_perm("catalogue.decide_review"):
        raise PermissionDenied("Only legal reviewers and admins decide reviews.")
    errors = {}
    if decision not in ReviewDecisionKind.values:
        errors["decision"] = [f"Choose one of {', '.join(ReviewDecisionKind.values)}."]
    if not (rationale or "").strip():
        errors["rationale"] = ["Explain the decision."]
    if override and not (override_rationale or "").strip():
        errors["override_rationale"] = ["Explain why this approval overrides the publish gates."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_context(actor=acting_user, reason=f"review {decision}"):
        locked = (
            Review.objects.select_for_update(of=("self",))
            .select_related("artifact", "version")
            .get(pk=review.pk)
        )
        reasons = _four_eyes(locked, acting_user, decision)
        if reasons:
            raise RuleViolation("This decision is not allowed.", reasons)
        contradicted = (
            approval_contradictions(locked) if decision == ReviewDecisionKind.APPROVE else []
        )
        if contradicted and not override:
            raise ApprovalContradicted(
                "The publish gates contradict this approval: resolve them, or override with a rationale.",
                contradicted,
            )
        try:
            with transaction.atomic():
                ReviewDecision.objects.create(
                    review=locked, reviewer=acting_user, decision=decision, rationale=rationale
                )
        except IntegrityError:  # the unique constraint backs the same-reviewer rule
            raise RuleViolation(
                "You have already decided this review.",
                [Reason("review.same_reviewer", "The same reviewer cannot decide twice.")],
            ) from None
        if contradicted:
            audit_event(
                actor=acting_user,
                action="review.gates_overridden",
                obj=locked,
                artifact=locked.artifact,
                reason=override_rationale.strip(),
                changes={"overridden": [r.code for r in contradicted]},
            )
        old = locked.status
        if decision == ReviewDecisionKind.APPROVE:
            approvals = locked.decisions.filter(decision=ReviewDecisionKind.APPROVE).count()
            if approvals >= locked.required_approvals:
                locked.status = ReviewStatus.APPROVED
        else:
            locked.status = FINAL_STATUS[decision]
        if locked.status != old:
            locked.decided_at = timezone.now()
            if locked.status == ReviewStatus.APPROVED:
                locked.valid_until = valid_until or (timezone.localdate() + DEFAULT_VALIDITY)
            locked.save(update_fields=["status", "decided_at", "valid_until"])
        audit_event(
            actor=acting_user,
            action=f"review.{decision}",
            obj=locked,
            artifact=locked.artifact,
            reason=rationale,
            changes={"status": [old, locked.status]} if locked.status != old else {},
        )
        if locked.status != old:
            _notify_decided(locked)
    review.status, review.decided_at, review.valid_until = (
        locked.status,
        locked.decided_at,
        locked.valid_until,
    )
    return locked


def _four_eyes(review: Review, user, decision: str) -> list[Reason]:
    if review.status != ReviewStatus.OPEN:
        return [
            Reason(
                "review.already_decided",
                f"This review is already {review.status}; decisions are final.",
            )
        ]
    reasons = []
    if Authorship.objects.filter(artifact_id=review.artifact_id, contributor__user=user).exists():
        reasons.append(
            Reason(
                "review.own_artifact", "You authored this artifact; another reviewer must decide."
            )
        )
    if review.requested_by_id == user.pk:
        reasons.append(
            Reason("review.own_request", "You requested this review; another reviewer must decide.")
        )
    if review.decisions.filter(reviewer=user).exists():
        reasons.append(
            Reason(
                "review.same_reviewer",
                "You have already approved this review; a second reviewer must.",
            )
        )
    if (
        review.required_approvals > 1
        and decision == ReviewDecisionKind.APPROVE
        and not is_legal(user)
    ):
        reasons.append(
            Reason(
                "review.legal_reviewer_required",
                "This review needs approvals from two legal reviewers.",
            )
        )
    return reasons


def _notify_decided(review: Review) -> None:
    from ..models import Membership
    from .notifications import notify

    team_users = [
        m.user
        for m in Membership.objects.filter(team_id=review.artifact.owner_team_id).select_related(
            "user"
        )
    ]
    notify(
        users=[*team_users, review.requested_by],
        kind=f"review.{review.status}",
        subject=f"{review.get_kind_display()} review of '{review.artifact.title}': {review.status.replace('_', ' ')}",
        artifact=review.artifact,
        url=f"/legal/reviews/{review.pk}/",
        dedupe_key=f"review:{review.pk}:{review.status}",
    )


def install_hooks() -> None:
    """Open reviews on submit and on a new version (the lifecycle hooks); idempotent, app config."""
    if on_submit not in SUBMIT_HOOKS:
        SUBMIT_HOOKS.append(on_submit)
    if on_new_version not in VERSION_HOOKS:
        VERSION_HOOKS.append(on_new_version)
