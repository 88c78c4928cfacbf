"""Full-text search over the trigger-maintained `Artifact.search_vector`, with typo tolerance.

Full-text matches (web-search syntax, ranked with ts_rank_cd over the weighted vector) always
rank above typo matches. A typo match is found through the title vocabulary
(`models.SearchTerm`): each wanted word is compared by trigram similarity with the distinct
title words (GIN-indexed, thousands of rows, not a million
titles), and the lexemes of the closest few become a title-only (`:A`) full-text query:
"mortage" -> 'mortgag':A. So "mortage" still finds "Mortgage affordability journey", and every
path uses the full-text index.

A common word ("customer" matches most of the catalogue, and so does "mortage" through
"mortgage") would rank every match before the first page is cut. When the planner expects more
than FREQUENT_MATCHES rows, only the CANDIDATES most recent matches are ranked (relevance order
holds among them; paging ends after them); for a common word spelt right, typo matches are left
out, since thousands of exact matches rank above them anyway.
"""

import hashlib
import json

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.dispatch import receiver

# ts_rank_cd normalisation 32 maps the rank into [0, 1): rank / (rank + 1).
RANK_NORMALISATION = 32
# Trigram similarity between a misspelt word and a title word ("mortage" ~ "mortgage": 0.55),
# and how many of the closest title words a misspelt word may stand for.
TYPO_SIMILARITY = 0.4
TYPO_CANDIDATES = 3
# How long a search string's planner estimates and typo alternatives are reused (see _cached).
SEARCH_CACHE_SECONDS = 300
# Above this many expected full-text matches a search ranks a bounded candidate set.
FREQUENT_MATCHES = 10_000
CANDIDATES = 2_000
# pg_trgm's default word-similarity threshold (0.6) misses one-letter slips in short words
# ("mortage" ~ "Mortgage" scores 0.55); the `%>` operator (GIN-indexed; the parent picker of the
# register form uses it) reads it per session.
WORD_SIMILARITY_THRESHOLD = 0.5


@receiver(connection_created, dispatch_uid="catalogue.search.trigram_threshold")
def _set_trigram_threshold(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(WORD_SIMILARITY_THRESHOLD)],
            )
        connection._catalogue_trgm_for = id(connection.connection)


def ensure_trigram_threshold(using: str = "default") -> None:
    """Before a `%>` query: a connection opened before this module was imported missed the signal."""
    wrapper = connections[using]
    wrapper.ensure_connection()
    if getattr(wrapper, "_catalogue_trgm_for", None) != id(wrapper.connection):
        _set_trigram_threshold(sender=None, connection=wrapper)


def search_artifacts(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to artifacts matching `q` and annotate `rank` (float8, higher is better)."""
    q = (q or "").strip()
    if not q:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    query = SearchQuery(q, search_type="websearch", config="english")
    # Cast to float8 so cursor pagination can round-trip the rank exactly.
    exact_rank = Cast(_rank(query), FloatField()) + Value(1.0)
    if (
        _cached(("estimate", q), lambda: _expected_matches(queryset, Q(search_vector=query)))
        > FREQUENT_MATCHES
    ):
        # A common word: thousands of exact matches outrank any typo match, which is left out.
        return _most_recent(queryset, Q(search_vector=query)).annotate(rank=exact_rank)
    typo_text = _cached(("typo", q), lambda: _typo_text(q, queryset.db))
    if typo_text is None:
        return queryset.filter(search_vector=query).annotate(rank=exact_rank)
    typo = SearchQuery(typo_text, search_type="raw", config="simple")
    typo_match = Q(search_vector=typo)
    negated = _negated_terms(q)
    if negated:
        typo_match &= ~Q(
            search_vector=SearchQuery(
                " or ".join(negated), search_type="websearch", config="english"
            )
        )
    match = Q(search_vector=query) | typo_match
    rank = Case(
        When(search_vector=query, then=exact_rank),
        default=Cast(_rank(typo), FloatField()),
        output_field=FloatField(),
    )
    if (
        _cached(("estimate", q, typo_text), lambda: _expected_matches(queryset, match))
        > FREQUENT_MATCHES
    ):
        # A misspelt common word ("mortage") is as common as the word it stands for.
        return _most_recent(queryset, match).annotate(rank=rank)
    return queryset.filter(match).annotate(rank=rank)


def _most_recent(queryset: QuerySet, match: Q) -> QuerySet:
    """The CANDIDATES most recent matches, after every other filter of `queryset`."""
    return queryset.filter(
        pk__in=queryset.filter(match).order_by("-created_at", "-id").values("pk")[:CANDIDATES]
    )


def _rank(query: SearchQuery) -> SearchRank:
    return SearchRank(
        F("search_vector"), query, cover_density=True, normalization=Value(RANK_NORMALISATION)
    )


def _expected_matches(queryset: QuerySet, match: Q) -> float:
    """The planner's row estimate for the text match alone (tsvector statistics; no scan)."""
    sql, params = queryset.model._base_manager.filter(match).values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _positive_terms(q: str) -> str:
    words = q.replace('"', " ").split()
    return " ".join(w for w in words if not w.startswith("-") and w.lower() != "or")


def _negated_terms(q: str) -> list[str]:
    return [w[1:] for w in q.replace('"', " ").split() if w.startswith("-") and len(w) > 1]


# For each wanted word (in order): its own lexeme, and the lexemes of the closest other title
# words. Both ways round: "mortage" finds titles saying "mortgage", and "customer" finds a title
# saying "custmer". Stop words (no lexeme) are left out, as full-text search leaves them out.
_ALTERNATIVES_SQL = """
SELECT wanted.n, near.lexeme, near.own
  FROM regexp_split_to_table(lower(%(words)s), '[^[:alnum:]]+') WITH ORDINALITY AS wanted(word, n)
 CROSS JOIN LATERAL (
       SELECT own.lexeme, true AS own
         FROM unnest(tsvector_to_array(to_tsvector('english', wanted.word))) AS own(lexeme)
        UNION ALL
       (SELECT t.lexeme, false FROM catalogue_searchterm AS t
         WHERE t.word %% wanted.word AND t.word <> wanted.word
           AND similarity(t.word, wanted.word) >= %(threshold)s
         ORDER BY similarity(t.word, wanted.word) DESC, t.word
         LIMIT %(per_word)s)) AS near
 WHERE to_tsvector('english', wanted.word) <> ''::tsvector
 ORDER BY wanted.n, near.own DESC, near.lexeme
"""


def _cached(key: tuple, compute):
    """Per search string, the planner's estimates and the typo alternatives change only as the
    catalogue's statistics and title words do: kept for SEARCH_CACHE_SECONDS, they save a
    selective search two round trips. Neither decides what a user may see."""
    cache_key = "search:" + hashlib.sha256(json.dumps(key).encode()).hexdigest()
    found = cache.get(cache_key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(cache_key, found, SEARCH_CACHE_SECONDS)
    return found


_MISSING = object()


def _typo_text(q: str, using: str) -> str | None:
    """A title-only full-text query (raw tsquery text) in which every wanted word may also be
    one of its likely spellings: ('mortag' | 'mortgag'):A & ('calcul'):A. None when no word
    has another spelling."""
    words = _positive_terms(q)
    if not words:
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(
            _ALTERNATIVES_SQL,
            {"words": words, "threshold": TYPO_SIMILARITY, "per_word": TYPO_CANDIDATES},
        )
        rows = cursor.fetchall()
    if all(own for _, _, own in rows):
        return None
    groups: dict[int, list[str]] = {}
    for n, lexeme, _ in rows:
        if lexeme not in groups.setdefault(n, []):
            groups[n].append(lexeme)
    # Lexemes are already normalised: the 'simple' configuration (see the caller) keeps them as they are.
    return " & ".join(
        "(" + " | ".join(f"{_quote_lexeme(x)}:A" for x in group) + ")" for group in groups.values()
    )


def _quote_lexeme(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
