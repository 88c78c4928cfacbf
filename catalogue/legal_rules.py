"""Legal predicates of the rules (Rules 1 and 3), one home each: consent in force, the review
that clears a version, the IP chain and licence terms, with their set forms for querysets.

Depends only on the models (never on selectors, querysets or checks): the rights check
(checks/legal.py), the publish gates (legal_gates.py), services and selectors all ask these.
"""

import datetime as dt
import re
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Authorship, ConsentCoverage, ConsentRecord, Contributor, IPAssignment, Review
from .models.choices import (
    ConsentStatus,
    ContributorKind,
    IPKind,
    IPStatus,
    ReviewKind,
    ReviewStatus,
    Sensitivity,
)

# Kinds that transfer or license a non-employee's rights (employee_work is for staff only).
TITLE_KINDS = (IPKind.ASSIGNMENT, IPKind.EXCLUSIVE_LICENCE, IPKind.NON_EXCLUSIVE_LICENCE)
WORLDWIDE = "WW"


def needs_legal_clearance(artifact) -> bool:
    """Rule 1/3: customer-derived and restricted artifacts need a consent_ip review and consents.

    (The IP chain is needed by every artifact: see `ip_chain` and checks/legal.py.)"""
    return bool(artifact.customer_derived) or artifact.sensitivity == Sensitivity.RESTRICTED


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


def signed_title_holders(**artifact) -> QuerySet[IPAssignment]:
    return IPAssignment.objects.filter(status=IPStatus.SIGNED, kind__in=TITLE_KINDS, **artifact)


def outside_authorships(**artifact) -> QuerySet[Authorship]:
    """Authorships by non-employees: each needs a signed assignment or licence."""
    return (
        Authorship.objects.filter(**artifact)
        .exclude(contributor__kind=ContributorKind.EMPLOYEE)
        .order_by("artifact_id", "id")
    )


def unsigned_authors(
    authorships: Iterable[Authorship], signed: set[tuple[int, int]]
) -> dict[int, list[Contributor]]:
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
    signed = set(
        signed_title_holders(artifact_id__in=ids).values_list("artifact_id", "assignor_id")
    )
    return unsigned_authors(
        outside_authorships(artifact_id__in=ids).select_related("contributor"), signed
    )


def ip_gap_authorships() -> QuerySet[Authorship]:
    """For `Exists()`: the outer artifact's non-employee authors without a signed assignment/licence."""
    signed = IPAssignment.objects.filter(
        artifact_id=OuterRef("artifact_id"),
        assignor_id=OuterRef("contributor_id"),
        status=IPStatus.SIGNED,
        kind__in=TITLE_KINDS,
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
    return q & (
        Q(jurisdiction__regex=r"^\s*$") | Q(jurisdiction__iregex=rf"(^|[,\s])({codes})([,\s]|$)")
    )


def ip_chain(artifact_id: int) -> tuple[list[Contributor], dict[int, list[IPAssignment]]]:
    """(non-employee authors, {author id: their signed assignments/licences}) of one artifact: 2 queries."""
    outsiders: list[Contributor] = []
    for a in outside_authorships(artifact_id=artifact_id).select_related("contributor"):
        if a.contributor not in outsiders:
            outsiders.append(a.contributor)
    licences: dict[int, list[IPAssignment]] = {}
    for ip in signed_title_holders(artifact_id=artifact_id).order_by("id"):
        licences.setdefault(ip.assignor_id, []).append(ip)
    return outsiders, licences


def ip_terms_gap_authorships(
    *, purposes: list[str], channel: str | None, jurisdiction: str
) -> QuerySet[Authorship]:
    """For `Exists()`: outer artifact's non-employee authors who hold signed licences, none covering."""
    held = IPAssignment.objects.filter(
        artifact_id=OuterRef("artifact_id"),
        assignor_id=OuterRef("contributor_id"),
        status=IPStatus.SIGNED,
        kind__in=TITLE_KINDS,
    )
    covering = held.filter(
        _covering_q(purposes=purposes, channel=channel, jurisdiction=jurisdiction)
    )
    return (
        Authorship.objects.filter(artifact_id=OuterRef("pk"))
        .exclude(contributor__kind=ContributorKind.EMPLOYEE)
        .filter(Exists(held) & ~Exists(covering))
    )


def approved_review_of(
    reviews: Iterable[Review],
    *,
    kind: str = ReviewKind.CONSENT_IP,
    version_id: int | None = None,
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
