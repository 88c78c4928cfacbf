"""Full-text search over the trigger-maintained `Artifact.search_vector`, with typo tolerance.

One query: full-text matches (web-search syntax, ranked with ts_rank_cd over the weighted
vector) always rank above title matches found only by trigram word similarity ("mortage"
still finds "Mortgage affordability journey"). Both use GIN indexes.

A common term ("customer" matches most of the catalogue) would rank every match before the
first page is cut. When the planner expects more than FREQUENT_MATCHES rows, only the
CANDIDATES most recent full-text matches are ranked (relevance order holds among them) and the
trigram fallback is left out: thousands of full-text matches rank above any fuzzy one anyway.
"""

import json

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.dispatch import receiver

# ts_rank_cd normalisation 32 maps the rank into [0, 1): rank / (rank + 1).
RANK_NORMALISATION = 32
# pg_trgm's default word-similarity threshold (0.6) misses one-letter slips in short words
# ("mortage" ~ "Mortgage" scores 0.55); the `%>` operator (GIN-indexed) reads it per session.
WORD_SIMILARITY_THRESHOLD = 0.5
# Above this many expected full-text matches a search ranks a bounded candidate set.
FREQUENT_MATCHES = 10_000
CANDIDATES = 2_000


@receiver(connection_created, dispatch_uid="catalogue.search.trigram_threshold")
def _set_trigram_threshold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(WORD_SIMILARITY_THRESHOLD)])
        connection._catalogue_trgm_for = id(connection.connection)


def _ensure_trigram_threshold(using: str) -> None:
    # A connection opened before this module was imported missed the signal: set it once now.
    wrapper = connections[using]
    wrapper.ensure_connection()
    if getattr(wrapper, "_catalogue_trgm_for", None) != id(wrapper.connection):
        _set_trigram_threshold(sender=None, connection=wrapper)


def search_artifacts(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to artifacts matching `q` and annotate `rank` (float8, higher is better)."""
    q = (q or "").strip()
    if not q:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    _ensure_trigram_threshold(queryset.db)
    query = SearchQuery(q, search_type="websearch", config="english")
    fuzzy = _fuzzy_match(q)
    fts_rank = SearchRank(F("search_vector"), query, cover_density=True, normalization=Value(RANK_NORMALISATION))
    if _expected_matches(queryset, query) > FREQUENT_MATCHES:
        recent = queryset.filter(search_vector=query).order_by("-created_at", "-id").values("pk")[:CANDIDATES]
        return queryset.filter(pk__in=recent).annotate(rank=Cast(fts_rank, FloatField()) + Value(1.0))
    # Cast to float8 so cursor pagination can round-trip the rank exactly.
    return queryset.filter(Q(search_vector=query) | fuzzy).annotate(
        rank=Case(
            When(search_vector=query, then=Cast(fts_rank, FloatField()) + Value(1.0)),
            default=Cast(TrigramWordSimilarity(_positive_terms(q) or q, "title"), FloatField()),
            output_field=FloatField(),
        )
    )


def _expected_matches(queryset: QuerySet, query: SearchQuery) -> float:
    """The planner's row estimate for the full-text match alone (tsvector statistics; no scan)."""
    sql, params = queryset.model._base_manager.filter(search_vector=query).values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _positive_terms(q: str) -> str:
    words = q.replace('"', " ").split()
    return " ".join(w for w in words if not w.startswith("-") and w.lower() != "or")


def _fuzzy_match(q: str) -> Q:
    """Title trigram match on the wanted words; words excluded with `-word` stay excluded."""
    positive = _positive_terms(q)
    if not positive:
        return Q(pk__in=[])
    match = Q(title__trigram_word_similar=positive)
    negated = [w[1:] for w in q.replace('"', " ").split() if w.startswith("-") and len(w) > 1]
    if negated:
        match &= ~Q(search_vector=SearchQuery(" or ".join(negated), search_type="websearch", config="english"))
    return match
