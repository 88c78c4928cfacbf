"""Full-text search over the trigger-maintained `Artifact.search_vector`, with typo tolerance.

One query: full-text matches (web-search syntax, ranked with ts_rank_cd over the weighted
vector) always rank above title matches found only by trigram word similarity ("mortage"
still finds "Mortgage affordability journey"). Both use GIN indexes.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

# ts_rank_cd normalisation 32 maps the rank into [0, 1): rank / (rank + 1).
RANK_NORMALISATION = 32


def search_artifacts(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to artifacts matching `q` and annotate `rank` (float8, higher is better)."""
    q = (q or "").strip()
    if not q:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    query = SearchQuery(q, search_type="websearch", config="english")
    fts_rank = SearchRank(F("search_vector"), query, cover_density=True, normalization=Value(RANK_NORMALISATION))
    # Cast to float8 so cursor pagination can round-trip the rank exactly.
    return queryset.filter(Q(search_vector=query) | Q(title__trigram_word_similar=q)).annotate(
        rank=Case(
            When(search_vector=query, then=Cast(fts_rank, FloatField()) + Value(1.0)),
            default=Cast(TrigramWordSimilarity(q, "title"), FloatField()),
            output_field=FloatField(),
        )
    )
