"""Demo reuse policies, publishing, and reuses: all through the services, so every rule holds.

Policies follow what a bank's owners would actually write: datasets for analysis and training
inside the bank only, pricing designs for the owner team with approval per reuse, customer
co-created work never for model training, content kept off partner channels. Artifacts whose
gates pass are published (the others stay drafts, which the catalogue shows honestly); then
realistic reuses are recorded through `reuse_record`, so each carries its rights decision.
Idempotent: artifacts that have a policy keep it, published ones stay, reuses are keyed by
(artifact, team, initiative).
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .. import odrl
from ..models import Artifact, Reuse
from ..models.choices import ArtifactStatus
from ..rules import RuleViolation
from ..services.policy import policy_set
from ..services.reuse import reuse_record
from .marker import demo_artifacts, seeder

logger = logging.getLogger(__name__)

TEAM_ACTOR = {"retail": "alice", "cards": "bob"}

# Policy shapes, by name -> build_policy keyword arguments (teams None: every team).
SHAPES: dict[str, dict] = {
    "open": {"actions": ["use", "derive"], "duties": ["attribute"]},
    "dataset": {
        "actions": ["use", "derive", "train"],
        "purposes": ["internal_analysis", "research", "model_training", "product_design"],
        "channels": ["internal"],
        "duties": ["attribute", "inform_owner"],
    },
    "model": {
        "actions": ["use"],
        "duties": ["attribute", "inform_owner"],
        "prohibitions": [{"action": "train"}, {"action": "distribute", "channels": ["partner"]}],
    },
    "owner-only-approval": {
        "own_team_only": True,
        "actions": ["use", "modify"],
        "duties": ["inform_owner", "approval_per_reuse"],
    },
    "customer-co-created": {
        "actions": ["use", "derive"],
        "purposes": ["product_design", "research", "customer_service"],
        "duties": ["attribute", "inform_owner"],
        "prohibitions": [{"action": "use", "purposes": ["model_training", "marketing"]}],
    },
    "content": {
        "actions": ["use", "modify"],
        "duties": ["attribute"],
        "prohibitions": [{"action": "use", "channels": ["partner"]}],
    },
    "both-teams": {
        "teams": ["retail", "cards"],
        "actions": ["use", "derive"],
        "duties": ["attribute", "inform_owner"],
    },
    "campaign-window": {
        "actions": ["use"],
        "purposes": ["marketing", "customer_service"],
        "valid_until": dt.date(2027, 12, 31),
        "duties": ["attribute"],
    },
}

BY_SLUG = {
    "card-spend-categories-2025": "both-teams",
    "card-fraud-scoring-v3": "owner-only-approval",
    "collections-propensity-model": "owner-only-approval",
    "complaints-themes-corpus": "owner-only-approval",
    "credit-card-apr-tiering": "owner-only-approval",
    "buy-now-pay-later-guardrails": "owner-only-approval",
    "pan-tokeniser-client": "both-teams",
    "card-scheme-rules-digest": "both-teams",
    "scam-warning-messages": "campaign-window",
    "cost-of-living-support-copy": "campaign-window",
}
BY_KIND = {
    "dataset": "dataset",
    "ai_model": "model",
    "content": "content",
    "pricing_design": "owner-only-approval",
}

# (artifact, team, initiative, purpose, channel, mode, days ago)
REUSES = [
    (
        "accessible-form-field-kit",
        "cards",
        "Card application redesign",
        "product_design",
        "web",
        "adapted",
        240,
    ),
    (
        "accessible-form-field-kit",
        "retail",
        "Mortgage portal refresh",
        "product_design",
        "web",
        "as_is",
        200,
    ),
    (
        "affordability-calculator-widget",
        "retail",
        "Remortgage app flow",
        "customer_service",
        "mobile",
        "as_is",
        150,
    ),
    (
        "plain-language-style-guide",
        "cards",
        "Statement rewrite",
        "customer_service",
        "email",
        "adapted",
        300,
    ),
    (
        "plain-language-style-guide",
        "retail",
        "Overdraft letters review",
        "customer_service",
        "branch",
        "as_is",
        120,
    ),
    (
        "scam-warning-messages",
        "retail",
        "Faster Payments scam friction",
        "customer_service",
        "mobile",
        "adapted",
        90,
    ),
    (
        "scam-warning-messages",
        "cards",
        "Card-not-present alerts",
        "customer_service",
        "web",
        "as_is",
        60,
    ),
    (
        "consumer-duty-ab-test-template",
        "cards",
        "Fee transparency test",
        "research",
        "internal",
        "as_is",
        180,
    ),
    (
        "consumer-duty-ab-test-template",
        "retail",
        "Savings nudge trial",
        "research",
        "internal",
        "adapted",
        110,
    ),
    (
        "merchant-name-cleaner",
        "retail",
        "Budgeting insights merchant names",
        "product_design",
        "mobile",
        "as_is",
        170,
    ),
    (
        "spend-categoriser-model",
        "retail",
        "Current account spending insights",
        "personalisation",
        "mobile",
        "as_is",
        130,
    ),
    (
        "spend-categoriser-model",
        "cards",
        "Monthly card statement categories",
        "customer_service",
        "web",
        "as_is",
        75,
    ),
    (
        "card-spend-categories-2025",
        "retail",
        "Budget planner categories",
        "internal_analysis",
        "internal",
        "as_is",
        140,
    ),
    (
        "open-banking-income-verifier",
        "cards",
        "Credit limit increase checks",
        "product_design",
        "web",
        "adapted",
        95,
    ),
    (
        "card-freeze-toggle",
        "retail",
        "Debit card controls",
        "product_design",
        "mobile",
        "adapted",
        80,
    ),
    (
        "overdraft-pricing-single-rate",
        "retail",
        "Arranged overdraft repricing",
        "product_design",
        "mobile",
        "as_is",
        160,
    ),
    (
        "mortgage-affordability-journey",
        "retail",
        "Buy-to-let affordability",
        "product_design",
        "web",
        "adapted",
        100,
    ),
    (
        "round-up-savings-concept",
        "cards",
        "Card round-ups into savings",
        "product_design",
        "mobile",
        "adapted",
        70,
    ),
    (
        "complaint-summary-prompt",
        "cards",
        "Dispute case summaries",
        "customer_service",
        "contact_centre",
        "adapted",
        50,
    ),
    (
        "agent-knowledge-answer-prompt",
        "cards",
        "Card servicing agent assist",
        "customer_service",
        "contact_centre",
        "as_is",
        45,
    ),
    (
        "fx-fee-transparency",
        "retail",
        "Travel money fees page",
        "customer_service",
        "web",
        "adapted",
        40,
    ),
    (
        "branch-footfall-weekly",
        "retail",
        "Branch staffing model",
        "internal_analysis",
        "internal",
        "as_is",
        35,
    ),
    (
        "co-design-session-kit",
        "cards",
        "Teen card co-design sessions",
        "research",
        "branch",
        "as_is",
        30,
    ),
    (
        "affordability-rules-engine",
        "cards",
        "BNPL affordability rules",
        "product_design",
        "internal",
        "adapted",
        25,
    ),
    ("rewards-catalogue-concept", "retail", "Loyalty pilot", "marketing", "mobile", "as_is", 400),
]


def _shape(artifact: Artifact) -> dict:
    name = BY_SLUG.get(artifact.slug) or BY_KIND.get(artifact.kind) or "open"
    if artifact.customer_derived:
        name = "customer-co-created"
    spec = dict(SHAPES[name])
    if spec.pop("own_team_only", False):
        spec["teams"] = [artifact.owner_team.slug]
    return spec


def _set_policies(artifacts: list[Artifact], users: dict) -> int:
    count = 0
    for artifact in artifacts:
        if artifact.current_policy_id or artifact.status == ArtifactStatus.ARCHIVED:
            continue
        spec = _shape(artifact)
        document = odrl.build_policy(
            artifact_slug=artifact.slug,
            owner_team_slug=artifact.owner_team.slug,
            version=1,
            teams=spec.pop("teams", None),
            **spec,
        )
        policy = policy_set(
            acting_user=users[TEAM_ACTOR[artifact.owner_team.slug]],
            artifact=artifact,
            odrl=document,
            reason="demo data: initial reuse policy",
        )
        artifact.current_policy = policy
        count += 1
    return count


def _publish(artifacts: list[Artifact], users: dict) -> int:
    try:
        from ..services.lifecycle import artifact_publish
    except ImportError:
        return 0
    published = 0
    for artifact in artifacts:
        if artifact.status not in (ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW):
            continue
        try:
            artifact_publish(
                acting_user=users[TEAM_ACTOR[artifact.owner_team.slug]],
                artifact=artifact,
                reason="demo data",
            )
        except (RuleViolation, PermissionDenied, ValidationError) as exc:
            # Gates that fail (e.g. customer-derived work awaiting legal review) keep it a draft.
            logger.info("demo: %s stays unpublished: %s", artifact.slug, exc)
            continue
        published += 1
    return published


def _reuses(users: dict, teams: dict) -> tuple[int, int]:
    slugs = {r[0] for r in REUSES}
    artifacts = {a.slug: a for a in demo_artifacts(slugs)}
    existing = set(
        Reuse.objects.filter(artifact__slug__in=slugs).values_list(
            "artifact__slug", "team__slug", "initiative"
        )
    )
    recorded = refused = 0
    today = timezone.localdate()
    for slug, team, initiative, purpose, channel, mode, days_ago in REUSES:
        if slug not in artifacts or (slug, team, initiative) in existing:
            continue
        try:
            reuse_record(
                acting_user=users[TEAM_ACTOR[team]],
                artifact=artifacts[slug],
                team=teams[team],
                initiative=initiative,
                purpose=purpose,
                channel=channel,
                mode=mode,
                occurred_on=today - dt.timedelta(days=days_ago),
            )
        except RuleViolation as exc:
            # The rights check said no (e.g. a draft); that is the product working, not a seeding error.
            logger.info(
                "demo: reuse of %s by %s refused: %s", slug, team, [r.code for r in exc.reasons]
            )
            refused += 1
            continue
        recorded += 1
    return recorded, refused


@seeder
def seed(*, password: str, context: dict) -> dict:
    users, teams = context["users"], context["teams"]
    # Only the demo's own artifacts: users' work in retail or cards is theirs to publish.
    artifacts = list(
        demo_artifacts()
        .select_related("owner_team")
        .filter(owner_team__slug__in=list(TEAM_ACTOR))
        .order_by("created_at", "id")
    )
    policies = _set_policies(artifacts, users)
    published = _publish(artifacts, users)
    recorded, refused = _reuses(users, teams)
    return {
        "rights_policies_set": policies,
        "rights_published": published,
        "rights_reuses_recorded": recorded,
        "rights_reuses_refused": refused,
    }
