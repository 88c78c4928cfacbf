"""Deprecated and archived demo artifacts with real-sounding rationales and successors.

Runs after the catalogue (and rights) seeders. An artifact still in draft is published first
through the services (with a default "use, any team" policy when it has none); one that cannot
be published (e.g. it needs a consent review) is skipped. Idempotent: already retired
artifacts are left alone.
"""

import datetime as dt
import logging

from django.utils import timezone

from ..models import Artifact
from ..models.choices import ArtifactStatus
from ..rules import RuleViolation
from ..services.lifecycle import artifact_publish
from ..services.retirement import artifact_archive, artifact_deprecate
from .marker import demo_artifacts, seeder

logger = logging.getLogger(__name__)

TEAM_ACTOR = {"retail": "alice", "cards": "bob"}

# slug -> (status, rationale, lessons learned, successor slug, sunset in days (deprecated only))
EXTRA: dict[str, tuple[str, str, str, str | None, int | None]] = {
    "agent-knowledge-answer-prompt": (
        "archived",
        "Chatbot prompt produced non-compliant APR statements under FCA CONC 3.5: answers quoted "
        "superseded card APRs and left out the representative example; agents repeated them on calls.",
        "Ground answers only in the versioned product terms, never the open knowledge base, and have "
        "Compliance sample outputs every month before widening use.",
        None,
        None,
    ),
    "branch-campaign-test-template": (
        "deprecated",
        "Matched-pair branch tests report branch totals only, so they cannot show outcomes for customers "
        "in vulnerable circumstances as Consumer Duty requires; replaced by the A/B template with "
        "Consumer Duty checks.",
        "Outcome testing needs customer-level outcomes split by vulnerability, not footfall or branch totals.",
        "consumer-duty-ab-test-template",
        120,
    ),
    "balance-transfer-fee-design": (
        "deprecated",
        "The fee was modelled on 24-month promotional periods; the range moved to 18 months and the "
        "fee no longer covers expected credit losses. APR tiering now carries the risk pricing.",
        "Re-run the pricing model whenever the promotional term changes; keep fee and APR decisions together.",
        "credit-card-apr-tiering",
        60,
    ),
}


def _ensure_published(artifact: Artifact, actor, admin) -> bool:
    if artifact.status == ArtifactStatus.PUBLISHED:
        return True
    if artifact.status not in (ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW):
        return False
    try:
        if artifact.current_policy_id is None:
            from ..odrl import build_policy
            from ..services.policy import policy_set

            policy_set(
                acting_user=admin,
                artifact=artifact,
                reason="demo data",
                odrl=build_policy(
                    artifact_slug=artifact.slug,
                    teams=None,
                    actions=["use"],
                    owner_team_slug=artifact.owner_team.slug,
                ),
            )
            artifact.refresh_from_db()
        artifact_publish(acting_user=actor, artifact=artifact, reason="demo data")
    except (RuleViolation, ValueError) as exc:
        logger.info("demo: cannot publish %s to retire it: %s", artifact.slug, exc)
        return False
    artifact.refresh_from_db()
    return True


@seeder
def seed(*, password: str, context: dict) -> dict:
    users = context["users"]
    plan: dict[str, tuple[str, str, str, str | None, int | None]] = {
        slug: (status, rationale, lessons, successor, None)
        for slug, (status, rationale, lessons, successor) in context.get(
            "catalogue_retired", {}
        ).items()
    }
    plan.update(EXTRA)
    artifacts = {
        a.slug: a
        for a in demo_artifacts(list(plan) + [p[3] for p in plan.values() if p[3]]).select_related(
            "owner_team"
        )
    }
    retired = []
    for slug, (status, rationale, lessons, successor_slug, sunset_days) in plan.items():
        artifact = artifacts.get(slug)
        if artifact is None or artifact.status in (
            ArtifactStatus.DEPRECATED,
            ArtifactStatus.ARCHIVED,
        ):
            continue
        actor = users[TEAM_ACTOR.get(artifact.owner_team.slug, "admin")]
        if not _ensure_published(artifact, actor, users["admin"]):
            continue
        successor = artifacts.get(successor_slug) if successor_slug else None
        if successor is not None and successor.status == ArtifactStatus.ARCHIVED:
            successor = None
        if status == "deprecated":
            sunset = timezone.localdate() + dt.timedelta(days=sunset_days) if sunset_days else None
            artifact_deprecate(
                acting_user=actor,
                artifact=artifact,
                rationale=rationale,
                lessons_learned=lessons,
                superseded_by=successor,
                sunset_on=sunset,
            )
        else:
            if successor is not None:
                artifact_deprecate(
                    acting_user=actor,
                    artifact=artifact,
                    rationale=rationale,
                    lessons_learned=lessons,
                    superseded_by=successor,
                )
            artifact_archive(
                acting_user=actor, artifact=artifact, rationale=rationale, lessons_learned=lessons
            )
        retired.append(slug)
    return {"retired": retired}
