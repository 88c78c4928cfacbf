"""The paths taken at scale: bounded ranking for common terms, one facet query, no DISTINCT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import search
from catalogue.selectors.artifacts import artifact_facets, artifact_list
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db


def slugs(qs):
    return [a.slug for a in qs]


def test_common_term_ranks_only_the_most_recent_candidates(monkeypatch, bob, retail, cards):
    strong_old = ArtifactFactory(
        slug="old-strong", title="Customer customer journey", owner_team=retail
    )
    weak = ArtifactFactory(
        slug="weak", title="Savings copy", summary="Mentions customer once.", owner_team=retail
    )
    strong_new = ArtifactFactory(slug="new-strong", title="Customer onboarding", owner_team=retail)
    ArtifactFactory(slug="unrelated", title="Card art", owner_team=retail)
    ArtifactFactory(slug="typo", title="Custmer welcome", owner_team=retail)
    # Unbounded: every full-text match, title matches first, plus the trigram match last.
    unbounded = slugs(artifact_list(user=bob, params={"q": "customer"}))
    assert (
        unbounded[:2] == ["old-strong", "new-strong"]
        and unbounded[2] == "weak"
        and "typo" in unbounded
    )

    monkeypatch.setattr(search, "FREQUENT_MATCHES", 0)
    monkeypatch.setattr(search, "CANDIDATES", 2)
    # Only the two most recent full-text matches are ranked, still by relevance among themselves.
    assert slugs(artifact_list(user=bob, params={"q": "customer"})) == [strong_new.slug, weak.slug]
    monkeypatch.setattr(search, "CANDIDATES", 10)
    assert slugs(artifact_list(user=bob, params={"q": "customer"})) == [
        strong_old.slug,
        strong_new.slug,
        weak.slug,
    ]
    # Other filters narrow the candidates before they are cut.
    ArtifactFactory(slug="newest-cards", title="Customer cards", owner_team=cards)
    monkeypatch.setattr(search, "CANDIDATES", 1)
    assert slugs(artifact_list(user=bob, params={"q": "customer"})) == ["newest-cards"]
    assert slugs(artifact_list(user=bob, params={"q": "customer", "owner_team": retail.slug})) == [
        "new-strong"
    ]


def test_common_term_never_ranks_invisible_candidates(monkeypatch, bob, retail):
    ArtifactFactory(slug="visible", title="Customer onboarding", owner_team=retail)
    ArtifactFactory(slug="hidden", title="Customer fraud model", owner_team=retail, restricted=True)
    monkeypatch.setattr(search, "FREQUENT_MATCHES", 0)
    monkeypatch.setattr(search, "CANDIDATES", 1)
    assert slugs(artifact_list(user=bob, params={"q": "customer"})) == ["visible"]


def test_facets_are_one_query(bob, retail, cards):
    ArtifactFactory(owner_team=retail, tags=["a", "b"])
    ArtifactFactory(owner_team=cards, tags=["a"], customer=True)
    qs = artifact_list(user=bob, params={})
    with CaptureQueriesContext(connection) as ctx:
        facets = artifact_facets(user=bob, queryset=qs)
    assert len(ctx.captured_queries) == 1
    assert facets["tag"] == [
        {"value": "a", "label": "a", "count": 2},
        {"value": "b", "label": "b", "count": 1},
    ]
    assert {f["value"]: f["count"] for f in facets["customer_derived"]} == {True: 1, False: 1}
    assert {f["value"]: f["label"] for f in facets["owner_team"]} == {
        retail.slug: retail.name,
        cards.slug: cards.name,
    }


def test_choice_filters_do_not_sort_distinct(bob, retail):
    ArtifactFactory(owner_team=retail, published=True)
    sql = str(
        artifact_list(
            user=bob,
            params={
                "kind": ["prompt_template"],
                "status": ["published"],
                "sensitivity": ["internal"],
            },
        ).query
    ).upper()
    assert "DISTINCT" not in sql and "SEARCH_VECTOR" not in sql.split(" FROM ")[0]


def test_facets_count_a_bounded_sample_of_the_most_recent_matches(
    monkeypatch, bob, retail, cards, client
):
    from catalogue.selectors import artifacts as selectors

    for _ in range(3):
        ArtifactFactory(owner_team=retail, kind="ai_model")
    for _ in range(2):
        ArtifactFactory(owner_team=cards, kind="dataset")  # the two most recent
    full = artifact_facets(user=bob, queryset=artifact_list(user=bob, params={}))
    assert full.sampled is False
    assert {f["value"]: f["count"] for f in full["kind"]} == {"ai_model": 3, "dataset": 2}
    monkeypatch.setattr(selectors, "FACET_SAMPLE", 2)
    sampled = artifact_facets(user=bob, queryset=artifact_list(user=bob, params={}))
    assert sampled.sampled is True
    assert {f["value"]: f["count"] for f in sampled["kind"]} == {"dataset": 2}
    client.force_login(bob)
    assert "Counts cover the 2 most recent matches." in client.get("/artifacts/").content.decode()
