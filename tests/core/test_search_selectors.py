import pytest
from django.http import Http404

from catalogue.selectors.artifacts import artifact_facets, artifact_get, artifact_list
from tests.factories import ArtifactFactory, LineageFactory

pytestmark = pytest.mark.django_db


def slugs(qs):
    return [a.slug for a in qs]


@pytest.fixture
def corpus(retail, cards):
    return {
        "title": ArtifactFactory(
            slug="mortgage-calc",
            title="Mortgage affordability calculator",
            owner_team=retail,
            summary="Estimates what a household can borrow.",
            tags=["lending"],
        ),
        "tag": ArtifactFactory(
            slug="rate-journey",
            title="Rate switch journey",
            owner_team=retail,
            summary="Customers switch fixed rates.",
            tags=["mortgage"],
        ),
        "summary": ArtifactFactory(
            slug="savings-nudge",
            title="Savings nudge copy",
            owner_team=cards,
            summary="Mentions mortgage deposits once.",
            tags=["savings"],
        ),
        "hidden": ArtifactFactory(
            slug="secret-mortgage",
            title="Mortgage fraud model",
            owner_team=retail,
            restricted=True,
            tags=["mortgage", "fraud"],
            kind="ai_model",
        ),
        "other": ArtifactFactory(
            slug="card-design", title="Card art design", owner_team=cards, tags=["design"]
        ),
    }


def test_relevance_order_title_then_tag_then_summary(corpus, bob):
    found = slugs(artifact_list(user=bob, params={"q": "mortgage"}))
    assert found == ["mortgage-calc", "rate-journey", "savings-nudge"]


def test_typo_tolerance(corpus, bob):
    assert slugs(artifact_list(user=bob, params={"q": "mortage"}))[0] == "mortgage-calc"
    assert "card-design" not in slugs(artifact_list(user=bob, params={"q": "mortage"}))


def test_websearch_syntax(corpus, bob):
    assert slugs(artifact_list(user=bob, params={"q": "mortgage -calculator"})) == [
        "rate-journey",
        "savings-nudge",
    ]
    assert slugs(artifact_list(user=bob, params={"q": '"rate switch"'})) == ["rate-journey"]


def test_restricted_absent_for_outsiders_present_for_team_and_legal(corpus, bob, alice, legal1):
    assert "secret-mortgage" not in slugs(artifact_list(user=bob, params={"q": "mortgage fraud"}))
    assert "secret-mortgage" in slugs(artifact_list(user=alice, params={"q": "mortgage fraud"}))
    assert "secret-mortgage" in slugs(artifact_list(user=legal1, params={}))


def test_facets_never_count_invisible(corpus, bob, alice):
    def facet(user, name, params):
        facets = artifact_facets(user=user, queryset=artifact_list(user=user, params=params))
        return {f["value"]: f["count"] for f in facets[name]}

    assert facet(bob, "tag", {})["mortgage"] == 1
    assert "fraud" not in facet(bob, "tag", {})
    assert "ai_model" not in facet(bob, "kind", {})
    assert "restricted" not in facet(bob, "sensitivity", {})
    assert facet(bob, "owner_team", {}) == {"retail": 2, "cards": 2}
    assert facet(alice, "tag", {})["mortgage"] == 2
    assert facet(alice, "owner_team", {"q": "mortgage"}) == {"retail": 3, "cards": 1}
    assert facet(bob, "tag", {"q": "mortage"}) == {"lending": 1}
    assert facet(alice, "tag", {"q": "mortgage", "ordering": "title"})["mortgage"] == 2
    # even a caller passing an unfiltered queryset cannot count hidden rows
    from catalogue.models import Artifact

    facets = artifact_facets(user=bob, queryset=Artifact.objects.all())
    assert sum(f["count"] for f in facets["kind"]) == 4


def test_filters_and_orderings(corpus, bob, retail):
    assert slugs(artifact_list(user=bob, params={"owner_team": "cards", "ordering": "title"})) == [
        "card-design",
        "savings-nudge",
    ]
    assert slugs(artifact_list(user=bob, params={"tag": "Mortgage"})) == ["rate-journey"]
    assert slugs(artifact_list(user=bob, params={"kind": "ai_model"})) == []
    assert len(artifact_list(user=bob, params={"customer_derived": "false"})) == 4
    assert slugs(artifact_list(user=bob, params={}))[0] == "card-design"  # newest first


def test_artifact_get_404_for_invisible_and_missing(corpus, bob, alice):
    with pytest.raises(Http404):
        artifact_get(user=bob, slug="secret-mortgage")
    with pytest.raises(Http404):
        artifact_get(user=bob, slug="nope")
    assert artifact_get(user=alice, slug="secret-mortgage").title == "Mortgage fraud model"


def test_artifact_get_hides_invisible_lineage(corpus, bob):
    LineageFactory(child=corpus["title"], parent=corpus["hidden"])
    LineageFactory(child=corpus["title"], parent=corpus["other"])
    artifact = artifact_get(user=bob, slug="mortgage-calc")
    assert [link.parent.slug for link in artifact.parent_links.all()] == ["card-design"]


def test_reusable_by_filter_delegates_to_the_rights_set_form(corpus, bob, retail, monkeypatch):
    import catalogue.querysets

    calls = []

    def fake_reusable_by(queryset, team, **kwargs):
        calls.append(team.slug)
        return queryset.filter(slug="rate-journey")

    monkeypatch.setattr(catalogue.querysets, "reusable_by", fake_reusable_by)
    assert slugs(artifact_list(user=bob, params={"reusable_by": "retail"})) == ["rate-journey"]
    assert calls == ["retail"]
    assert slugs(artifact_list(user=bob, params={"reusable_by": "no-such-team"})) == []
