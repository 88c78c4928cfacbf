"""Demo legal data: consents, IP assignments and reviews for the customer co-created artifacts.

`seed` runs right after the catalogue (before the rights seeder publishes) so cleared artifacts
can pass the legal gates; `seed_withdrawal` runs after reuses exist and withdraws one consent,
so the impact report, notifications and a remediation are there to see. Everything goes
through the services; idempotent (consents keyed by external reference, assignments by
artifact and assignor, reviews by artifact and kind).
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ..models import Artifact, ConsentRecord, IPAssignment, Reuse, Review, WithdrawalImpact
from ..models.choices import ConsentStatus, IPStatus
from ..rules import RuleViolation
from ..services.consent import (
    consent_create,
    consent_end,
    consent_expire,
    consent_withdraw,
    impact_notify,
    impact_resolve,
)
from ..services.ip import ip_assignment_create
from ..services.reviews import review_decide, review_request
from .marker import demo_artifacts, seeder

logger = logging.getLogger(__name__)

PD, RS, CS, MT = "product_design", "research", "customer_service", "model_training"

# external_ref -> (customer key, artifacts, purposes, days since obtained, days until expiry, final state)
CONSENTS = {
    "CP-2026-0163-A": ("cust-0163", ["first-time-buyer-journey"], [PD, RS, CS], 120, 600, "given"),
    "CP-2026-0203-A": (
        "cust-0203",
        ["first-time-buyer-journey", "student-account-onboarding-journey"],
        [PD, RS, CS],
        110,
        600,
        "given",
    ),
    "CP-2026-0219-A": (
        "cust-0219",
        ["bereavement-support-journey", "cost-of-living-support-copy"],
        [PD, RS, CS],
        340,
        20,
        "given",
    ),  # expires soon: in the "expiring" view
    "CP-2026-0142-A": (
        "cust-0142",
        [
            "bereavement-support-journey",
            "vulnerability-cue-detector-prompt",
            "vulnerability-disclosure-panel",
        ],
        [PD, RS, MT],
        90,
        700,
        "given",
    ),
    "CP-2026-0188-A": (
        "cust-0188",
        ["small-business-cashflow-panel"],
        [PD, RS, CS],
        200,
        500,
        "withdrawn",
    ),
    "CP-2026-0157-A": ("cust-0157", ["teen-card-concept"], [PD, RS], 400, -10, "expired"),
    "CP-2026-0157-B": (
        "cust-0157",
        ["vulnerability-cue-detector-prompt"],
        [RS],
        60,
        400,
        "revoked",
    ),
    "CP-2025-0203-OLD": (
        "cust-0203",
        ["student-account-onboarding-journey"],
        [PD],
        500,
        300,
        "invalidated",
    ),
}
ENDING_REASONS = {
    "revoked": "The bank revoked it: the recording was made under the pre-2026 script.",
    "invalidated": "Notice version 2025.1 omitted the research purpose; superseded by CP-2026-0203-A.",
}

# (artifact, assignor key, kind, status)
ASSIGNMENTS = [
    ("first-time-buyer-journey", "studio-north", "assignment", "signed"),
    ("first-time-buyer-journey", "cust-0163", "non_exclusive_licence", "signed"),
    ("first-time-buyer-journey", "cust-0203", "non_exclusive_licence", "signed"),
    ("bereavement-support-journey", "cust-0219", "non_exclusive_licence", "signed"),
    ("bereavement-support-journey", "cust-0142", "non_exclusive_licence", "signed"),
    ("small-business-cashflow-panel", "ledgerly", "exclusive_licence", "signed"),
    ("small-business-cashflow-panel", "cust-0188", "non_exclusive_licence", "signed"),
    ("cashflow-gap-forecaster", "ledgerly", "exclusive_licence", "signed"),
    ("cashflow-gap-forecaster", "cust-0188", "non_exclusive_licence", "signed"),
    ("teen-card-concept", "studio-north", "assignment", "signed"),
    ("teen-card-concept", "cust-0157", "non_exclusive_licence", "signed"),
    ("card-fraud-scoring-v3", "northwind", "exclusive_licence", "signed"),
    ("vulnerability-cue-detector-prompt", "cust-0142", "non_exclusive_licence", "signed"),
    ("vulnerability-cue-detector-prompt", "northbridge", "non_exclusive_licence", "draft"),
    ("student-account-onboarding-journey", "cust-0203", "non_exclusive_licence", "signed"),
    # Rule 1: partner, agency and academic work needs a signed assignment or licence too.
    ("complaint-theme-classifier", "northbridge", "non_exclusive_licence", "signed"),
    ("spending-insight-explainer-prompt", "brightline", "assignment", "signed"),
    ("mortgage-affordability-journey", "studio-north", "assignment", "signed"),
    ("card-dispute-journey", "brightline", "assignment", "signed"),
    ("buy-now-pay-later-guardrails", "northwind", "non_exclusive_licence", "signed"),
    ("balance-transfer-fee-design", "northbridge", "non_exclusive_licence", "signed"),
    ("plain-language-style-guide", "brightline", "assignment", "signed"),
    ("scam-warning-messages", "studio-north", "assignment", "signed"),
    ("accessible-form-field-kit", "studio-north", "assignment", "signed"),
    ("spending-insights-card", "brightline", "assignment", "signed"),
    ("consumer-duty-ab-test-template", "northbridge", "non_exclusive_licence", "signed"),
    ("open-banking-income-verifier", "ledgerly", "exclusive_licence", "signed"),
    ("merchant-name-cleaner", "northwind", "non_exclusive_licence", "signed"),
    ("co-design-session-kit", "studio-north", "assignment", "signed"),
    ("co-design-session-kit", "northbridge", "non_exclusive_licence", "signed"),
    ("rewards-catalogue-concept", "brightline", "assignment", "signed"),
    ("cashback-offers-engine", "northwind", "non_exclusive_licence", "signed"),
    ("budget-planner-dataset-synthetic", "northbridge", "non_exclusive_licence", "signed"),
]

# (artifact, kind, purposes, requester, decisions [(reviewer, decision, rationale)])
REVIEWS = [
    (
        "first-time-buyer-journey",
        "consent_ip",
        [PD, RS, CS],
        "alice",
        [
            (
                "legal1",
                "approve",
                "Consents CP-2026-0163-A and 0203-A cover design and research; "
                "Studio North assigned, customers licensed.",
            )
        ],
    ),
    (
        "bereavement-support-journey",
        "consent_ip",
        [PD, RS, CS],
        "alice",
        [
            (
                "legal2",
                "approve",
                "Both customers consented and licensed; sensitive topic handled by design review.",
            )
        ],
    ),
    (
        "small-business-cashflow-panel",
        "consent_ip",
        [PD, RS, CS],
        "alice",
        [
            (
                "legal1",
                "approve",
                "Ledgerly exclusive licence and the customer's consent are on file.",
            )
        ],
    ),
    (
        "card-fraud-scoring-v3",
        "consent_ip",
        [PD, RS],
        "bob",
        [
            ("legal1", "approve", "Northwind licence covers model reuse inside the bank."),
            ("legal2", "approve", "Second approval for restricted model: agree."),
        ],
    ),
    (
        "complaints-themes-corpus",
        "consent_ip",
        [RS],
        "alice",
        [
            ("legal2", "approve", "Employee-only work; restricted handling confirmed."),
            ("legal1", "approve", "Second approval: DPIA reference checked."),
        ],
    ),
    (
        "teen-card-concept",
        "consent_ip",
        [PD, RS],
        "bob",
        [("legal2", "approve", "Co-design consent in order at the time of review.")],
    ),
    (
        "vulnerability-cue-detector-prompt",
        "consent_ip",
        [PD, RS, MT],
        "alice",
        [
            (
                "legal1",
                "approve",
                "Consent CP-2026-0142-A includes model training; awaiting a second reviewer.",
            )
        ],
    ),
    ("vulnerability-cue-detector-prompt", "ethics", [MT], "alice", []),
    (
        "cost-of-living-support-copy",
        "consent_ip",
        [PD, CS],
        "alice",
        [
            (
                "legal2",
                "reject",
                "Brightline has not signed an assignment; copy cannot be reused yet.",
            )
        ],
    ),
    (
        "student-account-onboarding-journey",
        "consent_ip",
        [PD, RS],
        "alice",
        [
            (
                "legal1",
                "request_changes",
                "The 2025 consent is invalid; attach the 2026 notice evidence.",
            )
        ],
    ),
    ("cashflow-gap-forecaster", "consent_ip", [PD, RS], "alice", []),
]

WITHDRAWN_REF = "CP-2026-0188-A"


def _consents(users, contributors, artifacts) -> int:
    legal = users["legal1"]
    existing = set(
        ConsentRecord.objects.filter(external_ref__in=list(CONSENTS)).values_list(
            "external_ref", flat=True
        )
    )
    now = timezone.now()
    created = 0
    for ref, (key, slugs, purposes, age, expiry, final) in CONSENTS.items():
        if ref in existing or key not in contributors:
            continue
        consent = consent_create(
            acting_user=legal,
            contributor=contributors[key],
            artifacts=[artifacts[s] for s in slugs if s in artifacts],
            purposes=purposes,
            jurisdiction="GB",
            notice_version="2025.1" if "OLD" in ref else "2026.1",
            method="recorded_verbal" if final == "revoked" else "web_form",
            obtained_at=now - dt.timedelta(days=age),
            expires_at=now + dt.timedelta(days=expiry),
            compensation="£40 voucher for a 90-minute co-design session",
            external_ref=ref,
        )
        if final == ConsentStatus.EXPIRED:
            consent_expire(consent=consent, now=now)
        elif final in ENDING_REASONS:
            consent_end(
                acting_user=legal, consent=consent, status=final, reason=ENDING_REASONS[final]
            )
        created += 1
    return created


def _assignments(users, contributors, artifacts) -> int:
    legal = users["legal1"]
    existing = set(
        IPAssignment.objects.filter(artifact__slug__in={a[0] for a in ASSIGNMENTS}).values_list(
            "artifact__slug", "assignor__external_ref"
        )
    )
    created = 0
    for slug, key, kind, status in ASSIGNMENTS:
        contributor = contributors.get(key)
        if (
            slug not in artifacts
            or contributor is None
            or (slug, contributor.external_ref) in existing
        ):
            continue
        ip_assignment_create(
            acting_user=legal,
            artifact=artifacts[slug],
            assignor=contributor,
            kind=kind,
            status=status,
            signed_on=timezone.localdate() - dt.timedelta(days=100)
            if status == IPStatus.SIGNED
            else None,
            scope="Worldwide, perpetual, for the bank's products and internal research",
            jurisdiction="GB",
        )
        created += 1
    return created


def _reviews(users, artifacts) -> int:
    existing = set(
        Review.objects.filter(artifact__slug__in={r[0] for r in REVIEWS}).values_list(
            "artifact__slug", "kind"
        )
    )
    created = 0
    for slug, kind, purposes, requester, decisions in REVIEWS:
        if slug not in artifacts or (slug, kind) in existing:
            continue
        artifact = Artifact.objects.select_related("current_version").get(pk=artifacts[slug].pk)
        try:
            review = review_request(
                acting_user=users[requester], artifact=artifact, kind=kind, purposes=purposes
            )
            for reviewer, decision, rationale in decisions:
                review_decide(
                    acting_user=users[reviewer],
                    review=review,
                    decision=decision,
                    rationale=rationale,
                )
        except (RuleViolation, PermissionDenied, ValidationError) as exc:
            logger.info("demo: review of %s not seeded: %s", slug, exc)
            continue
        created += 1
    return created


@seeder
def seed(*, password: str, context: dict) -> dict:
    users, contributors = context["users"], context.get("contributors", {})
    artifacts = context.get("artifacts") or {a.slug: a for a in demo_artifacts()}
    return {
        "legal_consents": _consents(users, contributors, artifacts),
        "legal_assignments": _assignments(users, contributors, artifacts),
        "legal_reviews": _reviews(users, artifacts),
    }


@seeder
def seed_live_reuse(*, password: str, context: dict) -> dict:
    """The live reuse the withdrawal will hit; runs before the outcomes seeder so its outcomes
    are reported on the first run, not added by a second one (seed_demo must be idempotent)."""
    users, teams = context["users"], context["teams"]
    consent = ConsentRecord.objects.filter(external_ref=WITHDRAWN_REF).first()
    panel = demo_artifacts(["small-business-cashflow-panel"]).first()
    if consent is None or consent.status != ConsentStatus.GIVEN or panel is None:
        return {}
    if Reuse.objects.filter(artifact=panel, team=teams["cards"]).exists():
        return {}
    from ..services.reuse import reuse_record

    try:
        reuse_record(
            acting_user=users["bob"],
            artifact=panel,
            team=teams["cards"],
            initiative="Business card cashflow alerts",
            purpose=RS,
            channel="internal",
            mode="adapted",
            occurred_on=timezone.localdate() - dt.timedelta(days=20),
        )
    except (RuleViolation, PermissionDenied, ValidationError) as exc:
        logger.info("demo: reuse before withdrawal refused: %s", exc)
    return {}


@seeder
def seed_withdrawal(*, password: str, context: dict) -> dict:
    """Withdraw one consent after reuses exist: an impact report with lineage and a live reuse."""
    users = context["users"]
    consent = ConsentRecord.objects.filter(external_ref=WITHDRAWN_REF).first()
    if consent is None or consent.status != ConsentStatus.GIVEN:
        return {"legal_withdrawn": 0}
    consent_withdraw(
        acting_user=users["legal2"],
        consent=consent,
        reason="The customer withdrew consent by phone (case SR-55120).",
    )
    impact_notify(consent_id=consent.pk)
    forecaster = WithdrawalImpact.objects.filter(
        consent=consent, artifact__slug="cashflow-gap-forecaster"
    ).first()
    if forecaster is not None:
        impact_resolve(
            acting_user=users["alice"],
            impact=forecaster,
            remediation="retrain",
            note="Retraining without the withdrawn customer's transactions; v2 due next sprint.",
        )
    return {"legal_withdrawn": 1}
