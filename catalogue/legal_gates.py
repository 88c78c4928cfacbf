"""Publish gates of the legal sub-domain (Rule 1), one per concern, appended to PUBLISH_GATES.

The review and consent gates apply to customer-derived and restricted artifacts; the IP gate
to every artifact with a customer, partner, agency or academic author (the rights check's
`legal_ip` check asks the same question of the same rows). The data all three need is
loaded once per PublishContext (`ctx.extra["legal"]`, three queries), never per row.
"""

from django.utils import timezone

from .legal_rules import TITLE_KINDS, approved_review_of, consent_problem, needs_legal_clearance
from .models import ConsentRecord, Contributor, IPAssignment, Review
from .models.choices import ContributorKind, IPStatus, ReviewKind
from .rules import PUBLISH_GATES, PublishContext, Reason


def _legal(ctx: PublishContext) -> dict:
    if "legal" not in ctx.extra:
        artifact = ctx.artifact
        contributor_ids = {a.contributor_id for a in ctx.authorships}
        ctx.extra["legal"] = {
            "reviews": list(Review.objects.filter(artifact=artifact, kind=ReviewKind.CONSENT_IP)),
            "consents": list(
                ConsentRecord.objects.filter(coverage__artifact=artifact).order_by("id")
            ),
            "signed": set(
                IPAssignment.objects.filter(
                    artifact=artifact, status=IPStatus.SIGNED, kind__in=TITLE_KINDS
                ).values_list("assignor_id", flat=True)
            ),
            "outsiders": list(
                Contributor.objects.filter(pk__in=contributor_ids)
                .exclude(kind=ContributorKind.EMPLOYEE)
                .order_by("id")
            ),
        }
    return ctx.extra["legal"]


def gate_consent_ip_review(ctx: PublishContext) -> list[Reason]:
    if not needs_legal_clearance(ctx.artifact):
        return []
    version_id = getattr(ctx.version, "pk", None)
    if approved_review_of(_legal(ctx)["reviews"], version_id=version_id) is None:
        label = f"version {ctx.version.version}" if ctx.version is not None else "this artifact"
        return [
            Reason(
                "publish.consent_ip_review_missing",
                f"Customer-derived and restricted artifacts need an approved, current consent and IP "
                f"review of {label}.",
            )
        ]
    return []


def gate_consents(ctx: PublishContext) -> list[Reason]:
    if not needs_legal_clearance(ctx.artifact):
        return []
    consents = _legal(ctx)["consents"]
    now = timezone.now()
    ended = [(c, code) for c in consents if (code := consent_problem(c, now))]
    if ctx.artifact.customer_derived and not consents:
        return [
            Reason(
                "publish.consent_missing",
                "No consent record covers this customer-derived artifact.",
            )
        ]
    if ended:
        listed = ", ".join(f"consent {c.pk} ({code.split('.', 1)[1]})" for c, code in ended)
        return [Reason("publish.consent_missing", f"Covering consents are not in force: {listed}.")]
    return []


def gate_ip_assignments(ctx: PublishContext) -> list[Reason]:
    """Every artifact (Rule 1): a signed assignment or licence from each non-employee author."""
    data = _legal(ctx)
    missing = [c for c in data["outsiders"] if c.pk not in data["signed"]]
    if missing:
        names = ", ".join(f"{c.pseudonym} ({c.kind})" for c in missing)
        return [
            Reason(
                "publish.ip_assignment_missing",
                f"No signed IP assignment or licence from: {names}.",
            )
        ]
    return []


LEGAL_GATES = [gate_consent_ip_review, gate_consents, gate_ip_assignments]


def install() -> None:
    """Append the legal gates to PUBLISH_GATES once (idempotent; called from the app config)."""
    for gate in LEGAL_GATES:
        if gate not in PUBLISH_GATES:
            PUBLISH_GATES.append(gate)
