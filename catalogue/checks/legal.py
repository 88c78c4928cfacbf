"""Legal parts of the rights check (Rule 3): review state, IP chain and consent through lineage.

The IP chain is two checks: `legal_ip` (a signed assignment or licence from every non-employee
author: ip.assignment_missing) and `legal_ip_terms` (a held licence whose scope or jurisdiction
excludes the request: ip.scope_excludes_purpose / ip.scope_excludes_channel /
ip.jurisdiction_not_covered). Eligibility counts the first as "pending", the second as final.

Each check costs a fixed number of queries whatever the lineage length: the consent check uses
the shared ancestor walk once, then ONE query for every consent covering the artifact or its
customer-derived ancestors. Each check has a set form for lists (`querysets.reusable_by`).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from ..legal_rules import (
    approved_review_of,
    consent_problem,
    ip_chain,
    ip_gap_authorships,
    ip_terms_gap_authorships,
    jurisdiction_covers,
    lineage_coverage,
    needs_legal_clearance,
    scope_covers_channel,
    scope_covers_purposes,
)
from ..models.choices import Action, Purpose, ReviewKind, ReviewStatus, Sensitivity
from ..rules import Reason
from .base import CheckOutcome, RightsContext, RightsRequest, SetRequest, register


def effective_purposes(action: str, purpose: str | None) -> list[str]:
    """The purposes a request relies on: training a model is model_training whatever is named."""
    purposes = [purpose] if purpose else []
    if action == Action.TRAIN and Purpose.MODEL_TRAINING not in purposes:
        purposes.append(Purpose.MODEL_TRAINING)
    return purposes


def _needs_q() -> Q:
    return Q(customer_derived=True) | Q(sensitivity=Sensitivity.RESTRICTED)


# --- review state ---------------------------------------------------------------------------


def _reviews(ctx: RightsContext) -> list:
    from ..models import Review

    return ctx.cached(
        "legal_reviews",
        lambda: list(
            Review.objects.filter(
                artifact=ctx.artifact, kind__in=[ReviewKind.CONSENT_IP, ReviewKind.ETHICS]
            )
        ),
    )


def review_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    out = CheckOutcome()
    artifact = request.artifact
    if not needs_legal_clearance(artifact):
        return out
    purposes = effective_purposes(request.action, request.purpose)
    reviews = _reviews(ctx)
    on = request.local_date
    approved = approved_review_of(reviews, version_id=artifact.current_version_id, on=on)
    if approved is None and artifact.current_version_id is None:
        approved = approved_review_of(reviews, on=on)
    if approved is None:
        expired = [
            r
            for r in reviews
            if r.kind == ReviewKind.CONSENT_IP
            and r.status == ReviewStatus.APPROVED
            and r.valid_until
            and r.valid_until < on
        ]
        if expired:
            out.deny.append(
                Reason(
                    "review.expired",
                    f"The consent and IP approval of '{artifact.slug}' lapsed on "
                    f"{max(r.valid_until for r in expired).isoformat()}; it needs re-certification.",
                )
            )
        else:
            out.deny.append(
                Reason(
                    "review.missing",
                    f"'{artifact.slug}' has no approved consent and IP review of its current version.",
                )
            )
        return out
    uncovered = [p for p in purposes if p not in approved.purposes]
    if uncovered:
        out.deny.append(
            Reason(
                "review.purpose_not_approved",
                f"Review {approved.pk} of '{artifact.slug}' does not approve {', '.join(uncovered)}.",
            )
        )
    if Purpose.MODEL_TRAINING in purposes:
        ethics = [
            r
            for r in reviews
            if r.kind == ReviewKind.ETHICS and Purpose.MODEL_TRAINING in r.purposes
        ]
        if ethics and approved_review_of(ethics, kind=ReviewKind.ETHICS, on=on) is None:
            out.deny.append(
                Reason(
                    "review.ethics_not_approved",
                    f"The ethics review of model training on '{artifact.slug}' is not approved.",
                )
            )
    if not out.deny:
        out.notes.append(
            Reason(
                "review.approved",
                f"Review {approved.pk} approves {', '.join(purposes) or 'the use'}.",
            )
        )
    return out


def review_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    from ..models import Review

    on = request.local_date
    purposes = effective_purposes(request.action, request.purpose)
    approved = Review.objects.filter(
        artifact_id=OuterRef("pk"),
        kind=ReviewKind.CONSENT_IP,
        status=ReviewStatus.APPROVED,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    if purposes:
        approved = approved.filter(purposes__contains=purposes)
    same_version = approved.filter(version_id=OuterRef("current_version_id"))
    cleared = Exists(same_version) | (Q(current_version__isnull=True) & Exists(approved))
    allowed = ~_needs_q() | cleared
    if Purpose.MODEL_TRAINING in purposes:
        ethics = Review.objects.filter(
            artifact_id=OuterRef("pk"),
            kind=ReviewKind.ETHICS,
            purposes__contains=[Purpose.MODEL_TRAINING],
        )
        ethics_ok = ethics.filter(status=ReviewStatus.APPROVED).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )
        allowed &= ~_needs_q() | ~Exists(ethics) | Exists(ethics_ok)
    return queryset.filter(allowed)


# --- IP chain (Rule 1: every artifact, every non-employee contributor) -------------------


def _ip_chain(ctx: RightsContext):
    return ctx.cached("ip_chain", lambda: ip_chain(ctx.artifact.pk))


def ip_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    """A signed assignment or licence from every customer, partner, agency and academic author."""
    out = CheckOutcome()
    outsiders, licences = _ip_chain(ctx)
    for contributor in outsiders:
        if not licences.get(contributor.pk):
            out.deny.append(
                Reason(
                    "ip.assignment_missing",
                    f"No signed IP assignment or licence from {contributor.pseudonym} ({contributor.kind}) "
                    f"for '{request.artifact.slug}'.",
                )
            )
    return out


def ip_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    return queryset.filter(~Exists(ip_gap_authorships()))


def ip_terms_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    """Each contributor's signed licences: one must cover the purpose, channel and jurisdiction.

    Contributors with no signed licence at all are `ip_check`'s (ip.assignment_missing).
    """
    out = CheckOutcome()
    outsiders, licences = _ip_chain(ctx)
    purposes = effective_purposes(request.action, request.purpose)
    slug = request.artifact.slug
    for contributor in outsiders:
        held = licences.get(contributor.pk)
        if not held:
            continue
        who = f"{contributor.pseudonym} ({contributor.kind})"
        fit = [ip for ip in held if scope_covers_purposes(ip, purposes)]
        if not fit:
            out.deny.append(
                Reason(
                    "ip.scope_excludes_purpose",
                    f"The signed licence from {who} for '{slug}' does not cover {', '.join(purposes)}.",
                )
            )
            continue
        fit = [ip for ip in fit if scope_covers_channel(ip, request.channel)]
        if not fit:
            out.deny.append(
                Reason(
                    "ip.scope_excludes_channel",
                    f"The signed licence from {who} for '{slug}' does not cover the {request.channel} channel.",
                )
            )
            continue
        if not any(jurisdiction_covers(ip, request.jurisdiction) for ip in fit):
            out.deny.append(
                Reason(
                    "ip.jurisdiction_not_covered",
                    f"The signed licence from {who} for '{slug}' does not cover jurisdiction "
                    f"{request.jurisdiction}.",
                )
            )
    return out


def ip_terms_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    purposes = effective_purposes(request.action, request.purpose)
    return queryset.filter(
        ~Exists(
            ip_terms_gap_authorships(
                purposes=purposes,
                channel=request.channel,
                jurisdiction=request.jurisdiction,
            )
        )
    )


# --- consent through lineage ------------------------------------------------------------


def consent_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    out = CheckOutcome()
    artifact = request.artifact
    depths = ctx.ancestor_depths
    coverage = ctx.cached("legal_coverage", lambda: lineage_coverage(artifact.pk, depths))
    if artifact.customer_derived and not any(c.artifact_id == artifact.pk for c in coverage):
        out.deny.append(
            Reason(
                "consent.missing",
                f"No consent record covers the customer-derived '{artifact.slug}'.",
            )
        )
    purposes = effective_purposes(request.action, request.purpose)
    relied_on = []
    for cov in coverage:
        consent = cov.consent
        where = (
            f"'{artifact.slug}'"
            if cov.artifact_id == artifact.pk
            else f"'{cov.artifact.slug}', which '{artifact.slug}' derives from "
            f"({depths.get(cov.artifact_id)} hop(s))"
        )
        problem = consent_problem(consent, request.at)
        if problem:
            out.deny.append(
                Reason(problem, f"Consent {consent.pk} covering {where} is {_state(problem)}.")
            )
            continue
        missing = [p for p in purposes if p not in consent.purposes]
        if missing:
            out.deny.append(
                Reason(
                    "consent.purpose_not_covered",
                    f"Consent {consent.pk} covering {where} does not include {', '.join(missing)}.",
                )
            )
            continue
        relied_on.append(consent.pk)
    if relied_on and not out.deny:
        out.notes.append(
            Reason(
                "consent.in_force", f"Covering consents in force: {', '.join(map(str, relied_on))}."
            )
        )
        out.facts = {"consents": relied_on}
    return out


def _state(code: str) -> str:
    return {"consent.not_yet_given": "not yet given"}.get(code, code.split(".", 1)[1])


_TAINTED = """
SELECT id FROM (
  WITH RECURSIVE bad(id, customer_derived) AS (
      SELECT DISTINCT cc.artifact_id, a.customer_derived
      FROM catalogue_consentcoverage cc
      JOIN catalogue_consentrecord c ON c.id = cc.consent_id
      JOIN catalogue_artifact a ON a.id = cc.artifact_id
      WHERE NOT (
          (c.status = 'given' OR COALESCE(c.status_changed_at > %s, false))
          AND (c.expires_at IS NULL OR c.expires_at > %s)
          AND c.obtained_at <= %s
          AND c.purposes @> %s::varchar[]
      )
  ), walk(id, depth) AS (
      SELECT id, 0 FROM bad WHERE customer_derived
    UNION
      SELECT l.child_id, w.depth + 1 FROM catalogue_lineage l JOIN walk w ON l.parent_id = w.id
      WHERE w.depth < 10000
  )
  SELECT id FROM bad UNION SELECT id FROM walk
) tainted
"""


def consent_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    from ..models import ConsentCoverage

    purposes = effective_purposes(request.action, request.purpose)
    at = request.at
    tainted = RawSQL(_TAINTED, [at, at, at, purposes])  # noqa: S611 - constant SQL, bound params
    covered = ConsentCoverage.objects.filter(artifact_id=OuterRef("pk"))
    return queryset.filter(Q(customer_derived=False) | Exists(covered)).exclude(pk__in=tainted)


PURPOSE = frozenset({"purpose"})
register(name="legal_review", order=30, set_form=review_set_form, reads=PURPOSE)(review_check)
register(name="legal_ip", order=40, set_form=ip_set_form, reads=frozenset())(ip_check)
register(name="legal_ip_terms", order=45, set_form=ip_terms_set_form)(ip_terms_check)
register(name="legal_consent", order=50, set_form=consent_set_form, reads=PURPOSE)(consent_check)
