"""Reuse credit flowing back to originators through lineage.

A reuse of artifact X gives credit 1 to X's authors, split by their credit shares, 0.5 to the
authors of X's parents, 0.25 to its grandparents' and so on: each hop halves it. An ancestor
reached by several paths counts once, at its shortest distance (as `ancestor_depths` does).
When none of an artifact's authors has a share, its originators (else all its authors) split
it equally. Reuse counts come from the rollup table; only artifacts the viewer may see count.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from ..models import Artifact, ArtifactRollup, Authorship, Reuse
from ..models.choices import AuthorRole
from ..querysets import visible_artifacts
from .lineage import MAX_DEPTH, ancestor_depths

RECENT_REUSES = 20

# Like lineage._WALK, but remembering where each walk started: credit depends on the pair.
_DOWN_FROM_EACH = """
WITH RECURSIVE walk(origin, id, depth) AS (
    SELECT o, o, 0 FROM unnest(%s::bigint[]) AS o
  UNION
    SELECT w.origin, l.child_id, w.depth + 1
    FROM catalogue_lineage l JOIN walk w ON l.parent_id = w.id
    WHERE w.depth < %s
)
SELECT origin, id, min(depth) FROM walk GROUP BY origin, id
"""


def hop_weight(hops: int) -> float:
    return 0.5**hops


def author_shares(artifact_ids) -> dict[int, dict[int, float]]:
    """{artifact id: {contributor id: share}} in one query, with the equal-split fallback."""
    rows = defaultdict(list)
    for a in Authorship.objects.filter(artifact_id__in=list(artifact_ids)).values(
        "artifact_id", "contributor_id", "role", "credit_share"
    ):
        rows[a["artifact_id"]].append(a)
    shares: dict[int, dict[int, float]] = {}
    for artifact_id, authors in rows.items():
        split: dict[int, float] = defaultdict(float)
        if any(a["credit_share"] and a["credit_share"] > Decimal(0) for a in authors):
            for a in authors:
                split[a["contributor_id"]] += float(a["credit_share"] or 0)
        else:
            named = [a for a in authors if a["role"] == AuthorRole.ORIGINATOR] or authors
            people = {a["contributor_id"] for a in named}
            for person in people:
                split[person] = 1 / len(people)
        shares[artifact_id] = dict(split)
    return shares


def _descendants_from_each(origin_ids) -> list[tuple[int, int, int]]:
    origin_ids = list(origin_ids)
    if not origin_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_DOWN_FROM_EACH, [origin_ids, MAX_DEPTH])
        return cursor.fetchall()


@dataclass(frozen=True)
class CreditSource:
    reused: Artifact
    via: Artifact
    hops: int
    reuses: int
    share: float
    credit: float


@dataclass
class CreditReport:
    total: float = 0.0
    sources: list[CreditSource] = field(default_factory=list)
    recent: list[dict] = field(default_factory=list)


def _report(user, weights: dict[int, float], walk) -> CreditReport:
    """weights: {origin artifact: share}; walk: [(origin, reused, hops)]."""
    ids = {o for o, _, _ in walk} | {x for _, x, _ in walk}
    artifacts = {
        a.pk: a
        for a in visible_artifacts(user).filter(pk__in=ids).only("pk", "slug", "title", "kind")
    }
    counts = dict(
        ArtifactRollup.objects.filter(
            artifact_id__in=list(artifacts), reuse_count__gt=0
        ).values_list("artifact_id", "reuse_count")
    )
    report = CreditReport()
    per_reused: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for origin, reused, hops in walk:
        if origin not in artifacts or reused not in artifacts or reused not in counts:
            continue
        share = weights.get(origin, 0.0)
        if share <= 0:
            continue
        credit = counts[reused] * hop_weight(hops) * share
        report.sources.append(
            CreditSource(artifacts[reused], artifacts[origin], hops, counts[reused], share, credit)
        )
        per_reused[reused].append((hops, share))
        report.total += credit
    report.sources.sort(key=lambda s: (-s.credit, s.hops, s.reused.slug))
    recent = (
        Reuse.objects.filter(artifact_id__in=list(per_reused))
        .select_related("team", "artifact")
        .order_by("-created_at", "-id")[:RECENT_REUSES]
    )
    report.recent = [
        {
            "reuse": r,
            "hops": min(h for h, _ in per_reused[r.artifact_id]),
            "credit": sum(hop_weight(h) * s for h, s in per_reused[r.artifact_id]),
        }
        for r in recent
    ]
    return report


def contributor_credit(user, contributor) -> CreditReport:
    """Where a contributor's credit comes from: reused artifacts, via which authored work, how many hops."""
    authored = set(
        Authorship.objects.filter(contributor=contributor).values_list("artifact_id", flat=True)
    )
    shares = author_shares(authored)
    weights = {a: shares.get(a, {}).get(contributor.pk, 0.0) for a in authored}
    return _report(user, weights, _descendants_from_each(authored))


def team_credit(user, team) -> CreditReport:
    """Credit earned by a team's artifacts (whole artifact, share 1) through their reuse and descendants."""
    owned = list(Artifact.objects.filter(owner_team=team).values_list("pk", flat=True))
    return _report(user, dict.fromkeys(owned, 1.0), _descendants_from_each(owned))


def reuse_credit(artifact_id: int) -> dict[int, float]:
    """{contributor id: credit} that one reuse of this artifact gives, through all its ancestors."""
    depths = {artifact_id: 0} | ancestor_depths([artifact_id])
    credit: dict[int, float] = defaultdict(float)
    for artifact, split in author_shares(depths).items():
        for contributor_id, share in split.items():
            credit[contributor_id] += hop_weight(depths[artifact]) * share
    return dict(credit)
