import pytest

from catalogue.models import Artifact, AuditEvent
from tests.factories import (
    ArtifactFactory,
    AuthorshipFactory,
    ContributorFactory,
    LineageFactory,
    VersionFactory,
)

from .helpers import with_policy

pytestmark = pytest.mark.django_db

URL = "/api/v1/artifacts/"


def payload(**kw):
    return {
        "slug": "card-fee-explainer",
        "title": "Card fee explainer",
        "kind": "content",
        "owner_team": "cards",
        "intent": "Fewer fee complaints",
        "tags": ["Fees", "cards"],
        "channels": ["web", "email"],
        **kw,
    }


class TestList:
    def test_anonymous_401(self, api_client_for):
        assert api_client_for().get(URL).status_code == 401

    def test_shape_filters_and_hidden_restricted(self, api_client_for, bob, retail, cards):
        visible = ArtifactFactory(owner_team=retail, title="Mortgage calculator", tags=["mortgage"])
        AuthorshipFactory(artifact=visible)
        ArtifactFactory(owner_team=retail, restricted=True, title="Mortgage secret")
        parent = ArtifactFactory(owner_team=cards)
        LineageFactory(child=visible, parent=parent)
        body = api_client_for(bob).get(URL, {"q": "mortgage"}).json()
        assert [r["slug"] for r in body["results"]] == [visible.slug]
        row = body["results"][0]
        assert set(row) >= {
            "slug",
            "title",
            "kind",
            "summary",
            "intent",
            "constraints",
            "owner_team",
            "sensitivity",
            "customer_derived",
            "tags",
            "channels",
            "status",
            "authors",
            "derived_from",
            "current_version",
            "created_at",
            "updated_at",
        }
        assert row["owner_team"] == "retail"
        assert row["derived_from"] == [{"artifact": parent.slug, "relation": "derived_from"}]
        assert row["authors"][0]["role"] == "originator"
        assert set(body) == {"results", "next", "previous"}

    def test_invalid_filter_is_400(self, api_client_for, bob):
        response = api_client_for(bob).get(URL, {"kind": "poem"})
        assert response.status_code == 400 and "kind" in response.json()

    @pytest.mark.parametrize("ordering", ["-created_at", "title", "-updated_at", "relevance"])
    def test_cursor_pagination_walks_every_ordering(self, api_client_for, bob, retail, ordering):
        for i in range(7):
            ArtifactFactory(
                owner_team=retail, title=f"Mortgage widget {i % 3}", summary="mortgage " * (i % 4)
            )
        client = api_client_for(bob)
        seen, url = [], f"{URL}?page_size=3&ordering={ordering}&q=mortgage"
        while url:
            body = client.get(url).json()
            seen += [r["slug"] for r in body["results"]]
            url = body["next"]
        assert len(seen) == 7 and len(set(seen)) == 7
        if ordering == "title":
            titles = list(
                Artifact.objects.filter(slug__in=seen)
                .order_by("title", "id")
                .values_list("slug", flat=True)
            )
            assert seen == titles

    def test_list_query_count_is_constant(self, api_client_for, bob, retail, cards, count_queries):
        client = api_client_for(bob)

        def make(n):
            for _ in range(n):
                a = ArtifactFactory(owner_team=retail, tags=["x", "y"])
                AuthorshipFactory(artifact=a)
                AuthorshipFactory(artifact=a, role="co_author", credit_share=0)
                a.current_version = VersionFactory(artifact=a)
                a.save()
                LineageFactory(child=a, parent=ArtifactFactory(owner_team=cards))

        make(2)
        few = count_queries(lambda: client.get(URL))
        make(10)
        many = count_queries(lambda: client.get(URL))
        assert few == many


class TestDetail:
    def test_restricted_is_404_for_outsiders_everywhere(self, api_client_for, bob, alice, retail):
        secret = ArtifactFactory(owner_team=retail, restricted=True)
        client = api_client_for(bob)
        for suffix in ("", "versions/", "lineage/"):
            assert client.get(f"{URL}{secret.slug}/{suffix}").status_code == 404
        for suffix in ("submit/", "publish/", "versions/"):
            assert client.post(f"{URL}{secret.slug}/{suffix}", {}).status_code == 404
        assert client.patch(f"{URL}{secret.slug}/", {"title": "x"}).status_code == 404
        assert api_client_for(alice).get(f"{URL}{secret.slug}/").status_code == 200

    def test_detail_query_count_is_constant(self, api_client_for, bob, retail, count_queries):
        def make(n):
            a = ArtifactFactory(owner_team=retail)
            for _ in range(n):
                AuthorshipFactory(artifact=a, role="co_author", credit_share=0)
                VersionFactory(artifact=a)
                LineageFactory(child=a, parent=ArtifactFactory(owner_team=retail))
                LineageFactory(child=ArtifactFactory(owner_team=retail), parent=a)
            return a

        client = api_client_for(bob)
        few, many = make(2), make(12)
        assert count_queries(lambda: client.get(f"{URL}{few.slug}/")) == count_queries(
            lambda: client.get(f"{URL}{many.slug}/")
        )


class TestCreate:
    def test_contributor_registers_for_own_team(self, api_client_for, bob, cards):
        author = ContributorFactory()
        parent = ArtifactFactory()
        response = api_client_for(bob).post(
            URL,
            payload(
                authors=[{"contributor": author.pk, "role": "originator", "credit_share": "0.5"}],
                derived_from=[{"artifact": parent.slug, "relation": "adapted_from"}],
            ),
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "draft" and body["tags"] == ["fees", "cards"]
        assert (
            body["authors"][0]["contributor"] == author.pk
            and body["authors"][0]["credit_share"] == "0.500"
        )
        assert body["derived_from"] == [{"artifact": parent.slug, "relation": "adapted_from"}]

    def test_other_team_403_viewer_403(self, api_client_for, alice, victor, cards):
        assert api_client_for(alice).post(URL, payload()).status_code == 403
        assert api_client_for(victor).post(URL, payload()).status_code == 403

    def test_field_errors_400(self, api_client_for, bob, cards):
        response = api_client_for(bob).post(
            URL, payload(kind="poem", channels=["pigeon"], title="")
        )
        assert response.status_code == 400
        assert {"kind", "channels", "title"} <= set(response.json())

    def test_service_errors_are_400_with_fields(self, api_client_for, bob, cards):
        ArtifactFactory(slug="card-fee-explainer")
        response = api_client_for(bob).post(URL, payload())
        assert response.status_code == 400 and "slug" in response.json()

    def test_restricted_parent_reads_as_missing(self, api_client_for, bob, retail, cards):
        secret = ArtifactFactory(owner_team=retail, restricted=True)
        response = api_client_for(bob).post(
            URL, payload(derived_from=[{"artifact": secret.slug, "relation": "derived_from"}])
        )
        missing = api_client_for(bob).post(
            URL, payload(derived_from=[{"artifact": "no-such", "relation": "derived_from"}])
        )
        assert response.status_code == missing.status_code == 400, (response.json(), missing.json())
        assert str(response.json()).replace(secret.slug, "X") == str(missing.json()).replace(
            "no-such", "X"
        )

    def test_credit_over_one_is_409(self, api_client_for, bob, cards):
        a, b = ContributorFactory(), ContributorFactory()
        response = api_client_for(bob).post(
            URL,
            payload(
                authors=[
                    {"contributor": a.pk, "role": "originator", "credit_share": "0.8"},
                    {"contributor": b.pk, "role": "co_author", "credit_share": "0.3"},
                ]
            ),
        )
        assert response.status_code == 409
        assert response.json()["reasons"][0]["code"] == "authorship.credit_over_one"


class TestPatch:
    def test_patch_changes_and_audits(self, api_client_for, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        response = api_client_for(carol).patch(
            f"{URL}{artifact.slug}/", {"title": "Better title", "tags": ["a"]}
        )
        assert response.status_code == 200 and response.json()["title"] == "Better title"
        assert AuditEvent.objects.filter(action="artifact.updated", artifact=artifact).exists()

    def test_patch_other_team_403_slug_400_archived_409(self, api_client_for, bob, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        assert (
            api_client_for(bob).patch(f"{URL}{artifact.slug}/", {"title": "x"}).status_code == 403
        )
        assert (
            api_client_for(carol).patch(f"{URL}{artifact.slug}/", {"slug": "other"}).status_code
            == 400
        )
        archived = ArtifactFactory(owner_team=retail, archived=True)
        response = api_client_for(carol).patch(f"{URL}{archived.slug}/", {"title": "x"})
        assert (
            response.status_code == 409
            and response.json()["reasons"][0]["code"] == "artifact.archived"
        )

    def test_patch_replaces_authors_and_parents(self, api_client_for, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        AuthorshipFactory(artifact=artifact)
        parent, other = ArtifactFactory(), ArtifactFactory(owner_team=retail)
        LineageFactory(child=artifact, parent=parent)
        author = ContributorFactory()
        response = api_client_for(carol).patch(
            f"{URL}{artifact.slug}/",
            {
                "authors": [{"contributor": author.pk, "role": "adapter", "credit_share": "0.25"}],
                "derived_from": [{"artifact": other.slug, "relation": "inspired_by"}],
            },
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert [(a["contributor"], a["role"]) for a in body["authors"]] == [(author.pk, "adapter")]
        assert body["derived_from"] == [{"artifact": other.slug, "relation": "inspired_by"}]
        cycle = api_client_for(carol).patch(
            f"{URL}{other.slug}/",
            {"derived_from": [{"artifact": artifact.slug, "relation": "derived_from"}]},
        )
        assert cycle.status_code == 409 and cycle.json()["reasons"][0]["code"] == "lineage.cycle"

    def test_put_not_allowed(self, api_client_for, carol, retail):
        artifact = ArtifactFactory(owner_team=retail)
        assert api_client_for(carol).put(f"{URL}{artifact.slug}/", payload()).status_code == 405


class TestNested:
    def test_versions_list_and_create(self, api_client_for, carol, bob, retail):
        artifact = ArtifactFactory(owner_team=retail)
        client = api_client_for(carol)
        response = client.post(
            f"{URL}{artifact.slug}/versions/",
            {"version": "2.0", "changelog": "Big", "uri": "https://git.bank.example/a"},
        )
        assert response.status_code == 201 and response.json()["version"] == "2.0"
        assert client.post(f"{URL}{artifact.slug}/versions/", {"version": "2.0"}).status_code == 400
        assert (
            client.post(
                f"{URL}{artifact.slug}/versions/", {"version": "3", "uri": "nope"}
            ).status_code
            == 400
        )
        assert (
            api_client_for(bob)
            .post(f"{URL}{artifact.slug}/versions/", {"version": "3"})
            .status_code
            == 403
        )
        body = api_client_for(bob).get(f"{URL}{artifact.slug}/versions/").json()
        assert [v["version"] for v in body["results"]] == ["2.0"]
        assert api_client_for(bob).get(f"{URL}{artifact.slug}/").json()["current_version"] == "2.0"

    def test_lineage_only_visible_nodes(self, api_client_for, bob, retail):
        root = ArtifactFactory(owner_team=retail, title="Root")
        secret = ArtifactFactory(owner_team=retail, restricted=True, title="Secret")
        mid = ArtifactFactory(owner_team=retail, title="Mid")
        leaf = ArtifactFactory(owner_team=retail, title="Leaf")
        LineageFactory(child=mid, parent=root, relation="adapted_from")
        LineageFactory(child=mid, parent=secret)
        LineageFactory(child=leaf, parent=mid, relation="composed_of")
        body = api_client_for(bob).get(f"{URL}{mid.slug}/lineage/").json()
        assert body["ancestors"] == [
            {"slug": root.slug, "title": "Root", "relation": "adapted_from", "depth": 1}
        ]
        assert body["descendants"] == [
            {"slug": leaf.slug, "title": "Leaf", "relation": "composed_of", "depth": 1}
        ]
        deep = api_client_for(bob).get(f"{URL}{leaf.slug}/lineage/").json()
        assert [(n["slug"], n["depth"]) for n in deep["ancestors"]] == [
            (mid.slug, 1),
            (root.slug, 2),
        ]

    def test_publish_409_lists_all_gates_then_200(self, api_client_for, alice, carol, retail):
        artifact = ArtifactFactory(owner_team=retail, intent="")
        assert api_client_for(carol).post(f"{URL}{artifact.slug}/publish/", {}).status_code == 403
        response = api_client_for(alice).post(f"{URL}{artifact.slug}/publish/", {})
        assert response.status_code == 409
        codes = [r["code"] for r in response.json()["reasons"]]
        assert {
            "publish.intent_missing",
            "publish.originator_missing",
            "publish.policy_missing",
        } <= set(codes)
        with_policy(artifact)
        Artifact.objects.filter(pk=artifact.pk).update(intent="Fewer complaints")
        AuthorshipFactory(artifact=artifact)
        VersionFactory(artifact=artifact, version="1.0")
        response = api_client_for(alice).post(f"{URL}{artifact.slug}/publish/", {"version": "1.0"})
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "published"
        assert (
            api_client_for(alice)
            .post(f"{URL}{artifact.slug}/publish/", {"version": "9"})
            .status_code
            == 400
        )

    def test_submit(self, api_client_for, carol, bob, retail):
        artifact = ArtifactFactory(owner_team=retail)
        assert api_client_for(bob).post(f"{URL}{artifact.slug}/submit/", {}).status_code == 403
        response = api_client_for(carol).post(f"{URL}{artifact.slug}/submit/", {"reason": "ready"})
        assert response.status_code == 200 and response.json()["status"] == "in_review"
        again = api_client_for(carol).post(f"{URL}{artifact.slug}/submit/", {})
        assert (
            again.status_code == 409
            and again.json()["reasons"][0]["code"] == "lifecycle.transition_not_allowed"
        )


def test_schema_is_served(api_client_for, victor):
    response = api_client_for(victor).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/artifacts/{slug}/lineage/" in response.content
