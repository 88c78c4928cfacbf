"""Rule 6, the warning half: does a new artifact resemble one that was retired, and why was it?

Two signals, either is enough: trigram similarity of the titles (pg_trgm, GIN-indexed), and the
share of the new summary/intent's lexemes found in a retired artifact's search document. Only
deprecated and archived artifacts the user may see are considered (Rule 8).
"""

from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from .models import Artifact
from .models.choices import ArtifactStatus
from .querysets import visible_artifacts

TITLE_THRESHOLD = 0.35
MIN_SHARED_LEXEMES = 3
MIN_SHARED_FRACTION = 0.3
MAX_LEXEMES = 40  # a pasted essay should not become a 500-term query

RETIRED = (ArtifactStatus.DEPRECATED, ArtifactStatus.ARCHIVED)


def _lexemes(text: str) -> list[str]:
    if not text.strip():
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [text[:5000]])
        lexemes = cur.fetchone()[0] or []
    return [lx for lx in lexemes if len(lx) > 2][:MAX_LEXEMES]


def resembling_archived(
    *, user, title: str, summary: str = "", intent: str = "", limit: int = 5
) -> list[Artifact]:
    """Retired artifacts visible to `user` that resemble the given text, most similar first.

    Each carries `title_similarity`, `shared_lexemes` and `resemblance` (0..1) attributes.
    """
    title = (title or "").strip()
    lexemes = _lexemes(f"{summary or ''} {intent or ''}")
    if not title and not lexemes:
        return []
    qs = visible_artifacts(user, Artifact.objects.filter(status__in=RETIRED))
    title_sim = (
        TrigramSimilarity("title", title) if title else Value(0.0, output_field=FloatField())
    )
    shared: RawSQL | Value
    if lexemes:
        shared = RawSQL(
            "cardinality(ARRAY(SELECT unnest(tsvector_to_array(catalogue_artifact.search_vector))"
            " INTERSECT SELECT unnest(%s::text[])))",
            [lexemes],
            output_field=FloatField(),
        )
    else:
        shared = Value(0.0, output_field=FloatField())
    needed = max(MIN_SHARED_LEXEMES, MIN_SHARED_FRACTION * len(lexemes)) if lexemes else 10**6
    n = float(len(lexemes) or 1)
    qs = (
        qs.annotate(title_similarity=title_sim, shared_lexemes=shared)
        .filter(Q(title_similarity__gte=TITLE_THRESHOLD) | Q(shared_lexemes__gte=needed))
        .annotate(
            resemblance=Greatest(
                F("title_similarity"), F("shared_lexemes") / Value(n), output_field=FloatField()
            )
        )
        .select_related("owner_team", "superseded_by")
        .order_by("-resemblance", "-id")
    )
    matches: list[Any] = list(qs[:limit])
    for match in matches:
        match.resemblance = round(min(float(match.resemblance), 1.0), 3)
    return matches


def resemblance_data(matches: list[Any], *, user) -> list[dict]:
    """JSON-ready matches for the API (the artifact create response and `artifacts/resemblance/`)."""
    successor_ids = {m.superseded_by_id for m in matches if m.superseded_by_id}
    visible_successors = (
        set(
            visible_artifacts(user, Artifact.objects.filter(pk__in=successor_ids)).values_list(
                "pk", flat=True
            )
        )
        if successor_ids
        else set()
    )
    return [
        {
            "slug": m.slug,
            "title": m.title,
            "status": m.status,
            "retirement_rationale": m.retirement_rationale,
            "lessons_learned": m.lessons_learned,
            "superseded_by": m.superseded_by.slug
            if m.superseded_by and m.superseded_by_id in visible_successors
            else None,
            "retired_at": m.retired_at.isoformat() if m.retired_at else None,
            "resemblance": m.resemblance,
        }
        for m in matches
    ]


def resembling_archived_data(
    *, user, title: str, summary: str = "", intent: str = "", limit: int = 5
) -> list[dict]:
    """One call for serializers: the matches as JSON-ready dicts."""
    return resemblance_data(
        resembling_archived(user=user, title=title, summary=summary, intent=intent, limit=limit),
        user=user,
    )
