"""Issue 15 finding 11(d, e): unknown query parameters answer 400 naming them on every list
endpoint; `contributor` and `constraint_tag` filter artifacts; every ordering has its `-` form
and keyset pagination walks both directions."""

import pytest

from catalogue.models import Artifact
from tests.factories import ArtifactFactory, AuthorshipFactory, ContributorFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/artifacts/",
    "/api/v1/teams/",
    "/api/v1/contributors/",
    "/api/v1/reuses/",
    "/api/v1/metrics/",
    "/api/v1/outcomes/",
    "/api/v1/consents/",
    "/api/v1/ip-assignments/",
    "/api/v1/reviews/",
    "/api/v1/withdrawal-impacts/",
    "/api/v1/audit-events/",
    "/api/v1/library/",
]


@pytest.mark.parametrize("url", LISTS)
def test_unknown_query_parameter_is_400_naming_it(api_client_for, admin_user, url):
    client = api_client_for(admin_user)
    resp = client.get(url, {"colour": "blue", "page_size": 5})
    assert resp.status_code == 400, (url, resp.status_code)
    assert "colour" in resp.json() and "page_size" not in resp.json()
    assert client.get(url, {"page_size": 5}).status_code == 200


def test_nested_lists_refuse_unknown_parameters(api_client_for, admin_user, retail):
    ArtifactFactory(owner_team=retail, slug="a1")
    client = api_client_for(admin_user)
    for url in ("/api/v1/artifacts/a1/versions/", "/api/v1/artifacts/a1/history/"):
        assert client.get(url, {"bogus": "1"}).status_code == 400, url
        assert client.get(url).status_code == 200, url


def test_artifact_list_filters_by_contributor_and_constraint_tag(api_client_for, bob, retail):
    ann, ben = ContributorFactory(), ContributorFactory()
    a = ArtifactFactory(owner_team=retail, slug="by-ann", constraint_tags=["pii", "gdpr"])
    b = ArtifactFactory(owner_team=retail, slug="by-ben", constraint_tags=["gdpr"])
    ArtifactFactory(owner_team=retail, slug="by-nobody")
    AuthorshipFactory(artifact=a, contributor=ann, role="originator")
    AuthorshipFactory(artifact=a, contributor=ann, role="co_author")  # twice: still one row
    AuthorshipFactory(artifact=b, contributor=ben, role="originator")
    client = api_client_for(bob)

    def slugs(params):
        resp = client.get("/api/v1/artifacts/", params)
        assert resp.status_code == 200, resp.json()
        return sorted(r["slug"] for r in resp.json()["results"])

    assert slugs({"contributor": ann.pk}) == ["by-ann"]
    assert slugs({"contributor": ben.pk}) == ["by-ben"]
    assert slugs({"constraint_tag": "gdpr"}) == ["by-ann", "by-ben"]
    assert slugs({"constraint_tag": "PII"}) == ["by-ann"]
    assert slugs({"constraint_tag": "gdpr", "contributor": ben.pk}) == ["by-ben"]
    assert client.get("/api/v1/artifacts/", {"contributor": "ann"}).status_code == 400


@pytest.mark.parametrize("field", ["created_at", "title", "updated_at", "relevance"])
def test_every_ordering_has_both_directions_and_pages_through(api_client_for, bob, retail, field):
    for i in range(7):
        ArtifactFactory(
            owner_team=retail, title=f"Mortgage widget {i % 3}", summary="mortgage " * (i % 4)
        )
    client = api_client_for(bob)
    walks = {}
    for ordering in (field, f"-{field}"):
        seen, url = [], f"/api/v1/artifacts/?page_size=3&ordering={ordering}&q=mortgage"
        while url:
            resp = client.get(url)
            assert resp.status_code == 200, (ordering, resp.json())
            seen += [r["slug"] for r in resp.json()["results"]]
            url = resp.json()["next"]
        assert len(seen) == 7 and len(set(seen)) == 7
        walks[ordering] = seen
    if field != "relevance":
        expected = list(
            Artifact.objects.filter(slug__in=walks[field])
            .order_by(field, "id")
            .values_list("slug", flat=True)
        )
        assert walks[field] == expected
        assert walks[f"-{field}"] == expected[::-1]


def test_unknown_ordering_is_400(api_client_for, bob):
    assert api_client_for(bob).get("/api/v1/artifacts/", {"ordering": "-colour"}).status_code == 400
