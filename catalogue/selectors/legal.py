"""Reads of the legal sub-domain shared by the web workspace, the API and the rights check.

The legal predicates themselves (consent in force, the IP chain, the approving review) live in
`catalogue/legal_rules.py`; this module builds lists and the artifact page's panel from them.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..legal_rules import (
    ip_gap_authorships,
    missing_assignors,
    outside_authorships,
    signed_title_holders,
    unsigned_authors,
)
from ..models import (
    Artifact,
    Authorship,
    ConsentRecord,
    Contributor,
    IPAssignment,
    Reuse,
    Review,
    WithdrawalImpact,
)
from ..models.choices import (
    ConsentStatus,
    Remediation,
    ReviewStatus,
    Sensitivity,
)
from ..permissions import is_admin, is_legal, team_roles
from ..querysets import visible_artifacts
from .preload import from_json_rows, json_rows

EXPIRY_WARNING_DAYS = 30


# --- consent state ------------------------------------------------------------------------


_WALK_WITH_ROOT = """
WITH RECURSIVE walk(id, root, depth) AS (
    SELECT r, r, 0 FROM unnest(%s::bigint[]) AS r
  UNION
    SELECT l.child_id, w.root, w.depth + 1
    FROM catalogue_lineage l JOIN walk w ON l.parent_id = w.id
    WHERE w.depth < %s
)
SELECT DISTINCT ON (id) id, root, depth FROM walk WHERE depth > 0 ORDER BY id, depth, root
"""


def descendants_with_roots(root_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{descendant id: (nearest root it derives from, hops)} in one recursive query."""
    ids = list(root_ids)
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_WALK_WITH_ROOT, [ids, 10_000])
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def live_reuse_counts(artifact_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Reuse.objects.filter(artifact_id__in=list(artifact_ids), ended_on__isnull=True)
        .values("artifact_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["artifact_id"]: r["n"] for r in rows}


# --- lists ----------------------------------------------------------------------------------


def consent_list(*, view: str = "", at: dt.datetime | None = None) -> QuerySet[ConsentRecord]:
    """Consents for legal, newest first; `view` = expiring (within 30 days) or withdrawn."""
    at = at or timezone.now()
    qs = ConsentRecord.objects.select_related("contributor").prefetch_related(
        Prefetch(
            "artifacts", queryset=Artifact.objects.only("id", "slug", "title").order_by("slug")
        )
    )
    if view == "expiring":
        qs = qs.filter(
            status=ConsentStatus.GIVEN,
            expires_at__gt=at,
            expires_at__lte=at + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        ).order_by("expires_at", "id")
    elif view == "withdrawn":
        qs = qs.exclude(status=ConsentStatus.GIVEN).order_by("-status_changed_at", "-id")
    return qs


def reviews_visible_to(user) -> QuerySet[Review]:
    """Legal and admins see every review; contributors their teams' (restricted rules apply)."""
    qs = Review.objects.select_related(
        "artifact", "artifact__owner_team", "version", "requested_by"
    )
    if is_admin(user) or is_legal(user):
        return qs
    teams = list(team_roles(user))
    return qs.filter(artifact__in=visible_artifacts(user), artifact__owner_team_id__in=teams)


def review_queue(
    *, kind: str = "", risk: str = "", status: str = ReviewStatus.OPEN
) -> QuerySet[Review]:
    """The legal queue, oldest first, annotated with approvals so far."""
    qs = (
        Review.objects.select_related("artifact", "artifact__owner_team", "version", "requested_by")
        .annotate(approvals=Count("decisions", filter=Q(decisions__decision="approve")))
        .order_by("created_at", "id")
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if risk == "restricted":
        qs = qs.filter(artifact__sensitivity=Sensitivity.RESTRICTED)
    elif risk == "model_training":
        qs = qs.filter(purposes__contains=["model_training"])
    elif risk == "customer_derived":
        qs = qs.filter(artifact__customer_derived=True)
    return qs


def review_risks(review: Review) -> list[str]:
    risks = []
    if review.artifact.sensitivity == Sensitivity.RESTRICTED:
        risks.append("restricted")
    if "model_training" in (review.purposes or []):
        risks.append("model_training")
    if review.artifact.customer_derived:
        risks.append("customer_derived")
    return risks


def ip_list() -> QuerySet[IPAssignment]:
    return IPAssignment.objects.select_related("artifact", "assignor")


def ip_gaps() -> QuerySet[Artifact]:
    """Artifacts with a non-employee author lacking a signed assignment/licence (Rule 1: all of them)."""
    return (
        Artifact.objects.filter(Exists(ip_gap_authorships()))
        .select_related("owner_team")
        .order_by("slug")
    )


def impacts_for_consent(consent: ConsentRecord) -> QuerySet[WithdrawalImpact]:
    return (
        WithdrawalImpact.objects.filter(consent=consent)
        .select_related("artifact", "artifact__owner_team", "via", "resolved_by")
        .order_by("artifact__slug")
    )


def _consents_of(artifact_ref) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(coverage__artifact=artifact_ref).order_by(
        "-obtained_at", "-id"
    )


def _reviews_of(artifact_ref) -> QuerySet[Review]:
    return Review.objects.filter(artifact=artifact_ref).order_by("-created_at", "-id")


def _open_impacts_of(artifact_ref) -> QuerySet[WithdrawalImpact]:
    return WithdrawalImpact.objects.filter(
        artifact=artifact_ref, remediation=Remediation.OPEN
    ).order_by("-id")


def artifact_consents(artifact: Artifact) -> list[ConsentRecord]:
    return list(_consents_of(artifact).select_related("contributor"))


# --- the artifact page's legal panel: its reads as columns of the page's artifact query ----------

PANEL_IMPACTS = 10


def legal_panel_loads(user) -> dict:
    ref = OuterRef("pk")
    return {
        "legal_consents": json_rows(_consents_of(ref)),
        "legal_reviews": json_rows(_reviews_of(ref), related=["version"]),
        "legal_impacts": json_rows(
            _open_impacts_of(ref)[:PANEL_IMPACTS], related=["consent", "via"]
        ),
        "legal_signed": ArraySubquery(signed_title_holders(artifact_id=ref).values("assignor_id")),
        "legal_outside_authors": json_rows(
            outside_authorships(artifact_id=ref), related=["contributor"]
        ),
    }


@dataclass
class LegalPanelData:
    consents: list[ConsentRecord]
    reviews: list[Review]
    open_impacts: list[WithdrawalImpact]
    missing_ip: list[Contributor]


def legal_panel_data(artifact: Artifact) -> LegalPanelData:
    """The panel's rows: from the page's preloaded columns, or queried when absent."""
    if not hasattr(artifact, "legal_consents"):
        return LegalPanelData(
            consents=artifact_consents(artifact),
            reviews=list(_reviews_of(artifact).select_related("version")),
            open_impacts=list(
                _open_impacts_of(artifact).select_related("consent", "via")[:PANEL_IMPACTS]
            ),
            missing_ip=missing_assignors([artifact.pk]).get(artifact.pk, []),
        )
    column = vars(artifact)  # the columns legal_panel_loads added to the artifact's query
    signed = {(artifact.pk, assignor) for assignor in column["legal_signed"]}
    outside = from_json_rows(Authorship, column["legal_outside_authors"], related=["contributor"])
    return LegalPanelData(
        consents=from_json_rows(ConsentRecord, column["legal_consents"]),
        reviews=from_json_rows(Review, column["legal_reviews"], related=["version"]),
        open_impacts=from_json_rows(
            WithdrawalImpact, column["legal_impacts"], related=["consent", "via"]
        ),
        missing_ip=unsigned_authors(outside, signed).get(artifact.pk, []),
    )


def artifact_ip(artifact: Artifact) -> list[IPAssignment]:
    return list(
        IPAssignment.objects.filter(artifact=artifact).select_related("assignor").order_by("-id")
    )
