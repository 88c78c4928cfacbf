"""Typo tolerance through the title vocabulary: kept by triggers, used through the full-text index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import search
from catalogue.models import Artifact, SearchTerm
from catalogue.selectors.artifacts import artifact_list
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def slugs(qs):
    return [a.slug for a in qs]


def test_vocabulary_follows_every_way_titles_are_written(retail):
    ArtifactFactory(title="Mortgage affordability calculator", owner_team=retail)
    assert {
        "mortgage": "mortgag",
        "affordability": "afford",
        "calculator": "calcul",
    }.items() <= dict(SearchTerm.objects.values_list("word", "lexeme")).items()
    # Stop words have no lexeme and are not kept.
    assert not SearchTerm.objects.filter(word__in=["the", "of"]).exists()
    artifact = ArtifactFactory(title="Savings nudge", owner_team=retail)
    Artifact.objects.filter(pk=artifact.pk).update(
        title="Pension nudge"
    )  # a bulk UPDATE, no signals
    with connection.cursor() as cursor:  # raw SQL, as COPY and the bulk loaders write
        cursor.execute(
            "UPDATE catalogue_artifact SET title = 'Overdraft of the quarter' WHERE id = %s",
            [artifact.pk],
        )
    assert SearchTerm.objects.filter(word__in=["pension", "overdraft", "quarter"]).count() == 3


def test_misspelling_finds_titles_but_ranks_below_exact_matches(bob, retail):
    ArtifactFactory(slug="calc", title="Mortgage affordability calculator", owner_team=retail)
    ArtifactFactory(
        slug="summary-only",
        title="Rate switch",
        summary="Mentions a mortgage once.",
        owner_team=retail,
    )
    ArtifactFactory(slug="misspelt-title", title="Mortage arrears journey", owner_team=retail)
    ArtifactFactory(slug="other", title="Card art design", owner_team=retail)
    # "mortage" is itself a title word here: its exact match ranks first, then the titles saying
    # "mortgage"; the summary-only mention is not a title match and is not a typo match either.
    assert slugs(artifact_list(user=bob, params={"q": "mortage"})) == ["misspelt-title", "calc"]
    # The right spelling finds the misspelt title too, below every exact match.
    assert slugs(artifact_list(user=bob, params={"q": "mortgage"})) == [
        "calc",
        "summary-only",
        "misspelt-title",
    ]
    # Stemming does not stand in the way: "custmer" is compared with "customer", not "custom".
    ArtifactFactory(slug="journey", title="Customer onboarding journey", owner_team=retail)
    assert slugs(artifact_list(user=bob, params={"q": "custmer onbording"})) == ["journey"]
    assert slugs(artifact_list(user=bob, params={"q": "zzqx"})) == []


def test_excluded_words_stay_excluded_from_typo_matches(bob, retail):
    ArtifactFactory(slug="calc", title="Mortgage affordability calculator", owner_team=retail)
    ArtifactFactory(slug="journey", title="Mortgage switch journey", owner_team=retail)
    assert slugs(artifact_list(user=bob, params={"q": "mortage -calculator"})) == ["journey"]


def test_misspelt_common_word_takes_the_bounded_path(monkeypatch, bob, retail):
    for i in range(3):
        ArtifactFactory(slug=f"m{i}", title=f"Mortgage offer {i}", owner_team=retail)
    # The exact word "mortage" is rare; with its typo alternatives the match is common.
    monkeypatch.setattr(
        search, "_expected_matches", lambda queryset, match: 10**6 if match.connector == "OR" else 1
    )
    monkeypatch.setattr(search, "CANDIDATES", 2)
    with CaptureQueriesContext(connection) as ctx:
        found = slugs(artifact_list(user=bob, params={"q": "mortage"}))
    assert sorted(found) == ["m1", "m2"]  # the two most recent typo matches only
    assert any(
        "LIMIT 2" in q["sql"] and "catalogue_artifact" in q["sql"] for q in ctx.captured_queries
    )


def test_a_repeated_search_reuses_its_estimate_and_typo_alternatives(bob, retail):
    ArtifactFactory(slug="calc", title="Mortgage affordability calculator", owner_team=retail)

    def run():
        with CaptureQueriesContext(connection) as ctx:
            found = slugs(artifact_list(user=bob, params={"q": "mortage calculator"}))
        return found, [q["sql"] for q in ctx.captured_queries]

    first, first_sql = run()
    again, again_sql = run()
    assert first == again == ["calc"]
    assert any(s.startswith("EXPLAIN") for s in first_sql) and any(
        "catalogue_searchterm" in s for s in first_sql
    )
    assert not [s for s in again_sql if s.startswith("EXPLAIN") or "catalogue_searchterm" in s]
    # The first run: two estimates (the word, then with its typo alternatives) and the typo lookup.
    assert (
        len([s for s in first_sql if s.startswith("EXPLAIN") or "catalogue_searchterm" in s]) == 3
    )
