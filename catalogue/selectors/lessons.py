"""The lessons library: retired artifacts, searchable by why they were retired and what was learned.

Starts from `visible_artifacts` (Rule 8) so entries and facet counts never include what the
user may not see. Keyset pagination over (retired key, id), newest first; no counts of pages.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractYear

from ..models import Artifact, Retirement
from ..models.choices import ArtifactKind, ArtifactStatus
from ..querysets import visible_artifacts
from .common import keyset_page

RETIRED = (ArtifactStatus.DEPRECATED, ArtifactStatus.ARCHIVED)
RESTORED = "restored"  # the status filter's value for restored artifacts, which keep their lessons
PAGE_SIZE = 20

# Must match the expression and predicate of the `artifact_lessons_search` index (migration 0011)
# exactly: retired artifacts, and restored ones, which keep their past lessons (`lessons_history`).
LESSONS_DOCUMENT_SQL = (
    "to_tsvector('english'::regconfig, coalesce(catalogue_artifact.title, '') || ' ' || "
    "coalesce(catalogue_artifact.retirement_rationale, '') || ' ' || "
    "coalesce(catalogue_artifact.lessons_learned, '') || ' ' || "
    "coalesce(catalogue_artifact.lessons_history, ''))"
)
LESSONS_ROWS_SQL = "(catalogue_artifact.status IN ('deprecated', 'archived') OR catalogue_artifact.lessons_history <> '')"


@dataclass(frozen=True)
class LessonsQuery:
    q: str = ""
    kind: str = ""
    team: str = ""
    year: int | None = None
    status: str = ""

    @classmethod
    def from_params(cls, params) -> "LessonsQuery":
        year = (params.get("year") or "").strip()
        status = (params.get("status") or "").strip()
        kind = (params.get("kind") or "").strip()
        return cls(
            q=(params.get("q") or "").strip()[:200],
            kind=kind if kind in ArtifactKind.values else "",
            team=(params.get("team") or "").strip()[:64],
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            status=status if status in (*RETIRED, RESTORED) else "",
        )


def _base(user, query: LessonsQuery) -> QuerySet[Artifact]:
    rows = Artifact.objects.filter(
        RawSQL(LESSONS_ROWS_SQL, [], output_field=BooleanField())  # noqa: S611 - constant SQL
    )
    qs = visible_artifacts(user, rows).annotate(retired_key=Coalesce("retired_at", "updated_at"))
    if query.q:
        qs = qs.filter(
            RawSQL(  # noqa: S611 - constant SQL; the search text is a bound parameter
                f"{LESSONS_DOCUMENT_SQL} @@ websearch_to_tsquery('english', %s)",
                [query.q],
                output_field=BooleanField(),
            )
        )
    if query.status == RESTORED:
        qs = qs.exclude(status__in=RETIRED)
    elif query.status:
        qs = qs.filter(status=query.status)
    return qs


def _apply_facets(qs: QuerySet, query: LessonsQuery, *, skip: str = "") -> QuerySet:
    if query.kind and skip != "kind":
        qs = qs.filter(kind=query.kind)
    if query.team and skip != "team":
        qs = qs.filter(owner_team__slug=query.team)
    if query.year and skip != "year":
        qs = qs.annotate(retired_year=ExtractYear("retired_key")).filter(retired_year=query.year)
    return qs


def lessons_page(
    *, user, query: LessonsQuery, cursor: str = "", page_size: int = PAGE_SIZE
) -> dict:
    """{"entries": [...], "next_cursor": str | None} with owner team and successor loaded.

    A successor the user may not see is dropped from the entry (its title would leak). A restored
    artifact is an entry marked `restored`, with its past retirements as `past` (one more query).
    """
    qs = _apply_facets(_base(user, query), query).select_related(
        "owner_team", "superseded_by", "retired_by"
    )
    page = keyset_page(qs, [("retired_key", True), ("id", True)], cursor, page_size)
    rows = page.items
    successor_ids = {r.superseded_by_id for r in rows if r.superseded_by_id}
    visible = (
        set(
            visible_artifacts(user, Artifact.objects.filter(pk__in=successor_ids)).values_list(
                "pk", flat=True
            )
        )
        if successor_ids
        else set()
    )
    restored_ids = [r.pk for r in rows if r.status not in RETIRED]
    past: dict[int, list[Retirement]] = {}
    if restored_ids:
        for record in Retirement.objects.filter(artifact_id__in=restored_ids).order_by(
            "decided_at", "id"
        ):
            past.setdefault(record.artifact_id, []).append(record)
    for row in rows:
        row.successor = row.superseded_by if row.superseded_by_id in visible else None
        row.restored = row.status not in RETIRED
        row.past = past.get(row.pk, [])
    return {"entries": rows, "next_cursor": page.next_cursor}


def lessons_facets(*, user, query: LessonsQuery) -> dict:
    """Counts by kind, owner team and year retired; each facet ignores its own selection."""
    base = _base(user, query)
    kinds = dict(ArtifactKind.choices)
    kind_rows = (
        _apply_facets(base, query, skip="kind")
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    )
    team_rows = (
        _apply_facets(base, query, skip="team")
        .order_by()
        .values_list("owner_team__slug", "owner_team__name")
        .annotate(n=Count("id"))
        .order_by("-n", "owner_team__slug")
    )
    year_rows = (
        _apply_facets(base, query, skip="year")
        .annotate(retired_year=ExtractYear("retired_key"))
        .order_by()
        .values_list("retired_year")
        .annotate(n=Count("id"))
        .order_by("-retired_year")
    )
    return {
        "kind": [
            {"value": k, "label": kinds.get(k, k), "count": n, "selected": k == query.kind}
            for k, n in kind_rows
        ],
        "team": [
            {"value": s, "label": name, "count": n, "selected": s == query.team}
            for s, name, n in team_rows
        ],
        "year": [
            {"value": y, "label": str(y), "count": n, "selected": y == query.year}
            for y, n in year_rows
        ],
    }


def retirement_history(*, user, artifact: Artifact) -> list[dict]:
    """Every deprecation and archive of `artifact`, oldest first, restored ones included (Rule 6).

    A successor the user may not see reads as None (its slug would leak). Two queries at most.
    """
    records = list(
        Retirement.objects.filter(artifact=artifact)
        .select_related("superseded_by", "decided_by", "restored_by")
        .order_by("decided_at", "id")
    )
    successor_ids = {r.superseded_by_id for r in records if r.superseded_by_id}
    visible = (
        set(
            visible_artifacts(user, Artifact.objects.filter(pk__in=successor_ids)).values_list(
                "pk", flat=True
            )
        )
        if successor_ids
        else set()
    )
    return [_history_entry(r, visible) for r in records]


def _history_entry(r: Retirement, visible: set[int]) -> dict:
    successor = r.superseded_by if r.superseded_by_id in visible else None
    decided_by, restored_by = r.decided_by, r.restored_by
    return {
        "action": r.action,
        "rationale": r.rationale,
        "lessons_learned": r.lessons_learned,
        "superseded_by": successor.slug if successor is not None else None,
        "superseded_by_title": successor.title if successor is not None else None,
        "sunset_on": r.sunset_on,
        "decided_by": decided_by.username if decided_by is not None else None,
        "decided_at": r.decided_at,
        "restored": r.restored_at is not None,
        "restored_at": r.restored_at,
        "restored_by": restored_by.username if restored_by is not None else None,
        "restore_reason": r.restore_reason,
    }
