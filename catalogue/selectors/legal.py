"""Reads of the legal sub-domain shared by the web workspace, the API and the rights check.

Consent "in force" is defined once here (`consent_problem`); the rights check, the publish
gates, eligibility and the workspace all ask it.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import (
    Artifact,
    Authorship,
    ConsentCoverage,
    ConsentRecord,
    Contributor,
    IPAssignment,
    Reuse,
    Review,
    WithdrawalImpact,
)
from ..models.choices import (
    ConsentStatus,
    ContributorKind,
    IPKind,
    IPStatus,
    Remediation,
    ReviewKind,
    ReviewStatus,
    Sensitivity,
)
from ..permissions import is_admin, is_legal, team_roles
from ..querysets import visible_artifacts
from .preload import from_json_rows, json_rows

EXPIRY_WARNING_DAYS = 30
# Kinds that transfer or license a non-employee's rights (employee_work is for staff only).
TITLE_KINDS = (IPKind.ASSIGNMENT, IPKind.EXCLUSIVE_LICENCE, IPKind.NON_EXCLUSIVE_LICENCE)
WORLDWIDE = "WW"


def needs_legal_clearance(artifact) -> bool:
    """Rule 1/3: customer-derived and restricted artifacts need a consent_ip review and consents.

    (The IP chain is needed by every artifact: see `ip_chain` and checks/legal.py.)"""
    return bool(artifact.customer_derived) or artifact.sensitivity == Sensitivity.RESTRICTED


# --- consent state ------------------------------------------------------------------------


def consent_problem(consent: ConsentRecord, at: dt.datetime | None = None) -> str | None:
    """None when the consent is in force at `at`, else the stable reason code why not."""
    at = at or timezone.now()
    if consent.status != ConsentStatus.GIVEN:
        changed = consent.status_changed_at
        # A check "as of" a moment before the withdrawal still sees the consent in force.
        if changed is None or changed <= at:
            return f"consent.{consent.status}"
    if consent.expires_at is not None and consent.expires_at <= at:
        return "consent.expired"
    if consent.obtained_at and consent.obtained_at > at:
        return "consent.not_yet_given"
    return None


def in_force_q(at: dt.datetime | None = None, prefix: str = "") -> Q:
    """The set form of `consent_problem(...) is None` (for querysets)."""
    at = at or timezone.now()
    p = prefix
    return (
        (Q(**{f"{p}status": ConsentStatus.GIVEN}) | Q(**{f"{p}status_changed_at__gt": at}))
        & (Q(**{f"{p}expires_at__isnull": True}) | Q(**{f"{p}expires_at__gt": at}))
        & Q(**{f"{p}obtained_at__lte": at})
    )


def lineage_coverage(artifact_id: int, ancestor_ids: Iterable[int]) -> list[ConsentCoverage]:
    """Coverage rows (consent loaded) of the artifact and its customer-derived ancestors: one query."""
    ancestor_ids = list(ancestor_ids)
    return list(
        ConsentCoverage.objects.filter(
            Q(artifact_id=artifact_id)
            | Q(artifact_id__in=ancestor_ids, artifact__customer_derived=True)
        )
        .select_related("consent", "artifact")
        .order_by("artifact_id", "consent_id")
    )


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
        Prefetch("artifacts", queryset=Artifact.objects.only("id", "slug", "title").order_by("slug"))
    )
    if view == "expiring":
        qs = qs.filter(
            status=ConsentStatus.GIVEN, expires_at__gt=at,
            expires_at__lte=at + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        ).order_by("expires_at", "id")
    elif view == "withdrawn":
        qs = qs.exclude(status=ConsentStatus.GIVEN).order_by("-status_changed_at", "-id")
    return qs


def reviews_visible_to(user) -> QuerySet[Review]:
    """Legal and admins see every review; contributors their teams' (restricted rules apply)."""
    qs = Review.objects.select_related("artifact", "artifact__owner_team", "version", "requested_by")
    if is_admin(user) or is_legal(user):
        return qs
    teams = list(team_roles(user))
    return qs.filter(artifact__in=visible_artifacts(user), artifact__owner_team_id__in=teams)


def review_queue(*, kind: str = "", risk: str = "", status: str = ReviewStatus.OPEN) -> QuerySet[Review]:
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


def _signed_title_holders(**artifact) -> QuerySet[IPAssignment]:
    return IPAssignment.objects.filter(status=IPStatus.SIGNED, kind__in=TITLE_KINDS, **artifact)


def _outside_authorships(**artifact) -> QuerySet[Authorship]:
    """Authorships by non-employees: each needs a signed assignment or licence."""
    return (
        Authorship.objects.filter(**artifact)
        .exclude(contributor__kind=ContributorKind.EMPLOYEE)
        .order_by("artifact_id", "id")
    )


def _unsigned(authorships: Iterable[Authorship], signed: set[tuple[int, int]]) -> dict[int, list[Contributor]]:
    missing: dict[int, list[Contributor]] = {}
    for a in authorships:
        if (a.artifact_id, a.contributor_id) in signed:
            continue
        bucket = missing.setdefault(a.artifact_id, [])
        if a.contributor not in bucket:
            bucket.append(a.contributor)
    return missing


def missing_assignors(artifact_ids: Iterable[int]) -> dict[int, list[Contributor]]:
    """{artifact id: non-employee contributors without a signed assignment/licence}: 2 queries."""
    ids = list(artifact_ids)
    signed = set(_signed_title_holders(artifact_id__in=ids).values_list("artifact_id", "assignor_id"))
    return _unsigned(_outside_authorships(artifact_id__in=ids).select_related("contributor"), signed)


def ip_gap_authorships() -> QuerySet[Authorship]:
    """For `Exists()`: the outer artifact's non-employee authors without a signed assignment/licence."""
    signed = IPAssignment.objects.filter(
        artifact_id=OuterRef("artifact_id"), assignor_id=OuterRef("contributor_id"),
        status=IPStatus.SIGNED, kind__in=TITLE_KINDS,
    )
    return (
        Authorship.objects.filter(artifact_id=OuterRef("pk"))
        .exclude(contributor__kind=ContributorKind.EMPLOYEE)
        .filter(~Exists(signed))
    )


def _split_codes(jurisdiction: str) -> list[str]:
    return [code for code in re.split(r"[,\s]+", (jurisdiction or "").strip().upper()) if code]


def normalise_jurisdiction(value: str) -> str:
    """'gb, ie' -> 'GB,IE' (the stored form of an IP licence's jurisdictions)."""
    return ",".join(dict.fromkeys(_split_codes(value)))


def jurisdiction_covers(assignment: IPAssignment, where: str) -> bool:
    """A licence covers `where` when it names no jurisdiction, WW (worldwide), or that code."""
    codes = _split_codes(assignment.jurisdiction)
    return not codes or WORLDWIDE in codes or where.upper() in codes


def scope_covers_purposes(assignment: IPAssignment, purposes: Iterable[str]) -> bool:
    """An empty scope_purposes covers every purpose."""
    return not assignment.scope_purposes or set(purposes) <= set(assignment.scope_purposes)


def scope_covers_channel(assignment: IPAssignment, channel: str | None) -> bool:
    """An empty scope_channels covers every channel (None asks "some channel")."""
    return not assignment.scope_channels or channel is None or channel in assignment.scope_channels


def _covering_q(*, purposes: list[str], channel: str | None, jurisdiction: str) -> Q:
    """The set form of the three `*_covers*` predicates above, for IPAssignment rows."""
    q = Q(scope_purposes=[]) | Q(scope_purposes__contains=purposes)
    if channel is not None:
        q &= Q(scope_channels=[]) | Q(scope_channels__contains=[channel])
    codes = "|".join(re.escape(c) for c in {WORLDWIDE, jurisdiction.upper() or WORLDWIDE})
    return q & (Q(jurisdiction__regex=r"^\s*$") | Q(jurisdiction__iregex=rf"(^|[,\s])({codes})([,\s]|$)"))


def ip_chain(artifact_id: int) -> tuple[list[Contributor], dict[int, list[IPAssignment]]]:
    """(non-employee authors, {author id: their signed assignments/licences}) of one artifact: 2 queries."""
    outsiders: list[Contributor] = []
    for a in _outside_authorships(artifact_id=artifact_id).select_related("contributor"):
        if a.contributor not in outsiders:
            outsiders.append(a.contributor)
    licences: dict[int, list[IPAssignment]] = {}
    for ip in _signed_title_holders(artifact_id=artifact_id).order_by("id"):
        licences.setdefault(ip.assignor_id, []).append(ip)
    return outsiders, licences


def ip_terms_gap_authorships(*, purposes: list[str], channel: str | None, jurisdiction: str) -> QuerySet[Authorship]:
    """For `Exists()`: outer artifact's non-employee authors who hold signed licences, none covering."""
    held = IPAssignment.objects.filter(
        artifact_id=OuterRef("artifact_id"), assignor_id=OuterRef("contributor_id"),
        status=IPStatus.SIGNED, kind__in=TITLE_KINDS,
    )
    covering = held.filter(_covering_q(purposes=purposes, channel=channel, jurisdiction=jurisdiction))
    return (
        Authorship.objects.filter(artifact_id=OuterRef("pk"))
        .exclude(contributor__kind=ContributorKind.EMPLOYEE)
        .filter(Exists(held) & ~Exists(covering))
    )


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
    return ConsentRecord.objects.filter(coverage__artifact=artifact_ref).order_by("-obtained_at", "-id")


def _reviews_of(artifact_ref) -> QuerySet[Review]:
    return Review.objects.filter(artifact=artifact_ref).order_by("-created_at", "-id")


def _open_impacts_of(artifact_ref) -> QuerySet[WithdrawalImpact]:
    return WithdrawalImpact.objects.filter(artifact=artifact_ref, remediation=Remediation.OPEN).order_by("-id")


def artifact_consents(artifact: Artifact) -> list[ConsentRecord]:
    return list(_consents_of(artifact).select_related("contributor"))


# --- the artifact page's legal panel: its reads as columns of the page's artifact query ----------

PANEL_IMPACTS = 10


def legal_panel_loads(user) -> dict:
    ref = OuterRef("pk")
    return {
        "legal_consents": json_rows(_consents_of(ref)),
        "legal_reviews": json_rows(_reviews_of(ref), related=["version"]),
        "legal_impacts": json_rows(_open_impacts_of(ref)[:PANEL_IMPACTS], related=["consent", "via"]),
        "legal_signed": ArraySubquery(_signed_title_holders(artifact_id=ref).values("assignor_id")),
        "legal_outside_authors": json_rows(_outside_authorships(artifact_id=ref), related=["contributor"]),
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
            open_impacts=list(_open_impacts_of(artifact).select_related("consent", "via")[:PANEL_IMPACTS]),
            missing_ip=missing_assignors([artifact.pk]).get(artifact.pk, []),
        )
    column = vars(artifact)  # the columns legal_panel_loads added to the artifact's query
    signed = {(artifact.pk, assignor) for assignor in column["legal_signed"]}
    outside = from_json_rows(Authorship, column["legal_outside_authors"], related=["contributor"])
    return LegalPanelData(
        consents=from_json_rows(ConsentRecord, column["legal_consents"]),
        reviews=from_json_rows(Review, column["legal_reviews"], related=["version"]),
        open_impacts=from_json_rows(WithdrawalImpact, column["legal_impacts"], related=["consent", "via"]),
        missing_ip=_unsigned(outside, signed).get(artifact.pk, []),
    )


def artifact_ip(artifact: Artifact) -> list[IPAssignment]:
    return list(
        IPAssignment.objects.filter(artifact=artifact).select_related("assignor").order_by("-id")
    )


def approved_review_of(
    reviews: Iterable[Review], *, kind: str = ReviewKind.CONSENT_IP, version_id: int | None = None,
    on: dt.date | None = None,
) -> Review | None:
    """The newest approved, not yet expired review of that kind (and version, when given)."""
    on = on or timezone.localdate()
    best = None
    for r in reviews:
        if r.kind != kind or r.status != ReviewStatus.APPROVED:
            continue
        if version_id is not None and r.version_id != version_id:
            continue
        if r.valid_until is not None and r.valid_until < on:
            continue
        if best is None or (r.decided_at or r.created_at) > (best.decided_at or best.created_at):
            best = r
    return best
