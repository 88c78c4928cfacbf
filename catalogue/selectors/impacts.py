"""Withdrawal impacts: the rows a user may see (legal and admins all, others their teams'),
the live reuses they concern, and the ended consents an artifact inherits through lineage."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ..legal_rules import consent_problem
from ..models import Artifact, ConsentRecord, Reuse, WithdrawalImpact
from ..permissions import team_roles
from ..querysets import visible_artifacts
from .lineage import relatives_of


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
        Reuse.objects.filter(
            artifact__consent_impacts__consent=consent, ended_on__isnull=True, pk__gt=after
        )
        .order_by("pk")
        .values("pk", "initiative", "team__slug", "artifact__slug")[: limit or IMPACT_REUSES_SHOWN]
    )
    return [
        {
            "id": r["pk"],
            "initiative": r["initiative"],
            "team": r["team__slug"],
            "artifact": r["artifact__slug"],
        }
        for r in rows
    ]


def impact_live_reuse_count(consent) -> int:
    return Reuse.objects.filter(
        artifact__consent_impacts__consent=consent, ended_on__isnull=True
    ).count()


@dataclass
class InheritedConsentState:
    """An ended consent that reaches the artifact through a customer-derived ancestor."""

    consent_id: int
    problem: str  # stable code, e.g. consent.withdrawn
    since: dt.datetime | None
    ancestor: str | None  # the ancestor's slug; None when the user may not see it (Rule 8)
    hops: int


def inherited_consent_state(
    artifact, *, user, at: dt.datetime | None = None
) -> list[InheritedConsentState]:
    """Ended consents covering the artifact's customer-derived ancestors, judged by
    `consent_problem` as the rights check judges them; from the page's one lineage walk (plus
    one query for the ancestors' slugs when there are any). No personal data."""
    at = at or timezone.now()
    relatives = relatives_of(artifact)
    found = []
    for ancestor_id, consent_id, status, changed, expires in relatives.ended_ancestor_consents:
        problem = consent_problem(
            ConsentRecord(
                pk=consent_id, status=status, status_changed_at=changed, expires_at=expires
            ),
            at,
        )
        if problem is not None and problem != "consent.not_yet_given":
            found.append((ancestor_id, consent_id, problem, changed or expires))
    if not found:
        return []
    ancestors = {
        a.pk: a
        for a in Artifact.objects.filter(pk__in={f[0] for f in found}).select_related("owner_team")
    }
    rows = [
        InheritedConsentState(
            consent_id=consent_id,
            problem=problem,
            since=since,
            hops=relatives.up[ancestor_id],
            ancestor=ancestors[ancestor_id].slug
            if user.has_perm("catalogue.view_artifact", ancestors[ancestor_id])
            else None,
        )
        for ancestor_id, consent_id, problem, since in found
    ]
    return sorted(rows, key=lambda r: (r.hops, r.consent_id))
