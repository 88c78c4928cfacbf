"""Withdrawal impacts: the rows a user may see (legal and admins all, others their teams'),
the live reuses they concern, and the ended consents an artifact inherits through lineage."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Reuse, WithdrawalImpact
from ..permissions import team_roles
from ..querysets import visible_artifacts
from .legal import consent_problem, lineage_coverage
from .lineage import ancestor_depths


def impacts_visible_to(user) -> QuerySet[WithdrawalImpact]:
    """Impact rows (one query for a page, related rows joined) the user may read and act on."""
    qs = WithdrawalImpact.objects.select_related(
        "consent", "artifact", "artifact__owner_team", "via", "resolved_by"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.has_perm("catalogue.manage_consent"):
        return qs
    # Owner-team members only; visible_artifacts keeps Rule 8 even if team rules change later.
    return qs.filter(
        artifact__owner_team_id__in=list(team_roles(user)),
        artifact__in=visible_artifacts(user),
    )


IMPACT_REUSES_SHOWN = 200


def impact_live_reuses(consent, *, after: int = 0, limit: int | None = None) -> list[dict]:
    """Live reuses of the artifacts a consent's ending affects, by id after `after` (keyset):
    [{id, initiative, team, artifact}], at most `limit` rows, one query."""
    rows = (
        Reuse.objects.filter(artifact__consent_impacts__consent=consent, ended_on__isnull=True, pk__gt=after)
        .order_by("pk")
        .values("pk", "initiative", "team__slug", "artifact__slug")[: limit or IMPACT_REUSES_SHOWN]
    )
    return [
        {"id": r["pk"], "initiative": r["initiative"], "team": r["team__slug"], "artifact": r["artifact__slug"]}
        for r in rows
    ]


def impact_live_reuse_count(consent) -> int:
    return Reuse.objects.filter(artifact__consent_impacts__consent=consent, ended_on__isnull=True).count()


@dataclass
class InheritedConsentState:
    """An ended consent that reaches the artifact through a customer-derived ancestor."""

    consent_id: int
    problem: str  # stable code, e.g. consent.withdrawn
    since: dt.datetime | None
    ancestor: str | None  # the ancestor's slug; None when the user may not see it (Rule 8)
    hops: int


def inherited_consent_state(artifact, *, user, at: dt.datetime | None = None) -> list[InheritedConsentState]:
    """Ended consents covering the artifact's customer-derived ancestors, read as the rights
    check reads them (`lineage_coverage`, `consent_problem`): two queries, no personal data."""
    at = at or timezone.now()
    depths = ancestor_depths([artifact.pk])
    if not depths:
        return []
    rows = []
    for cov in lineage_coverage(artifact.pk, depths):
        if cov.artifact_id == artifact.pk:
            continue  # the artifact's own consents are listed by the panel already
        problem = consent_problem(cov.consent, at)
        if problem is None or problem == "consent.not_yet_given":
            continue
        visible = user.has_perm("catalogue.view_artifact", cov.artifact)
        rows.append(InheritedConsentState(
            consent_id=cov.consent_id, problem=problem, since=cov.consent.status_changed_at or cov.consent.expires_at,
            ancestor=cov.artifact.slug if visible else None, hops=depths[cov.artifact_id],
        ))
    return sorted(rows, key=lambda r: (r.hops, r.consent_id))
