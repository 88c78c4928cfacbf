import pytest

from catalogue.models import AuditEvent, Contributor
from tests.factories import ContributorFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


class TestTeams:
    def test_list_with_members(self, api_client_for, victor, alice, carol):
        body = api_client_for(victor).get("/api/v1/teams/").json()
        retail = next(t for t in body["results"] if t["slug"] == "retail")
        assert retail["name"] == "Retail Banking"
        assert retail["members"] == [
            {"username": "alice", "role": "maintainer"},
            {"username": "carol", "role": "member"},
        ]

    def test_detail_and_404(self, api_client_for, victor, retail):
        assert api_client_for(victor).get("/api/v1/teams/retail/").json()["slug"] == "retail"
        assert api_client_for(victor).get("/api/v1/teams/nope/").status_code == 404

    def test_only_admin_creates(self, api_client_for, admin_user, alice):
        assert (
            api_client_for(alice)
            .post("/api/v1/teams/", {"slug": "wealth", "name": "Wealth"})
            .status_code
            == 403
        )
        response = api_client_for(admin_user).post(
            "/api/v1/teams/", {"slug": "wealth", "name": "Wealth"}
        )
        assert response.status_code == 201 and response.json()["members"] == []
        duplicate = api_client_for(admin_user).post(
            "/api/v1/teams/", {"slug": "wealth", "name": "Again"}
        )
        assert duplicate.status_code == 400 and "slug" in duplicate.json()

    def test_query_count_is_constant(self, api_client_for, victor, count_queries):
        client = api_client_for(victor)

        def make(n):
            for _ in range(n):
                team = TeamFactory()
                MembershipFactory(team=team)
                MembershipFactory(team=team)

        make(2)
        few = count_queries(lambda: client.get("/api/v1/teams/"))
        make(10)
        assert count_queries(lambda: client.get("/api/v1/teams/")) == few


class TestContributors:
    URL = "/api/v1/contributors/"

    def test_viewer_sees_pseudonyms_only_and_nothing_is_audited(self, api_client_for, victor):
        c = ContributorFactory(legal_name="Jane Doe", email="jane@example.com")
        body = api_client_for(victor).get(self.URL).json()
        row = body["results"][0]
        assert row["pseudonym"] == c.pseudonym and "legal_name" not in row and "email" not in row
        assert set(row) >= {"id", "kind", "pseudonym", "organisation", "external_ref"}
        detail = api_client_for(victor).get(f"{self.URL}{c.pk}/").json()
        assert "legal_name" not in detail
        assert not AuditEvent.objects.filter(action="contributor.personal_data_viewed").exists()

    def test_legal_sees_personal_data_with_one_audit_row_per_request(self, api_client_for, legal1):
        people = [ContributorFactory() for _ in range(3)]
        body = api_client_for(legal1).get(self.URL).json()
        assert {r["legal_name"] for r in body["results"]} == {p.legal_name for p in people}
        events = AuditEvent.objects.filter(action="contributor.personal_data_viewed")
        assert events.count() == 1
        assert sorted(events.get().changes["contributor_ids"][1]) == sorted(p.pk for p in people)
        assert events.get().actor == legal1
        api_client_for(legal1).get(f"{self.URL}{people[0].pk}/")
        assert events.count() == 2

    def test_contributor_creates_without_personal_data(self, api_client_for, carol):
        response = api_client_for(carol).post(
            self.URL, {"kind": "agency", "organisation": "Studio North"}
        )
        assert response.status_code == 201 and response.json()["pseudonym"].startswith(
            "contributor-"
        )
        refused = api_client_for(carol).post(self.URL, {"kind": "customer", "legal_name": "Jane"})
        assert refused.status_code == 403

    def test_viewer_403_and_field_errors_400(self, api_client_for, victor, legal1):
        assert api_client_for(victor).post(self.URL, {"kind": "employee"}).status_code == 403
        response = api_client_for(legal1).post(self.URL, {"kind": "alien", "email": "nope"})
        assert response.status_code == 400 and {"kind", "email"} <= set(response.json())

    def test_patch(self, api_client_for, legal1, carol):
        c = ContributorFactory()
        response = api_client_for(legal1).patch(f"{self.URL}{c.pk}/", {"email": "new@example.com"})
        assert response.status_code == 200 and response.json()["email"] == "new@example.com"
        assert (
            api_client_for(carol)
            .patch(f"{self.URL}{c.pk}/", {"email": "x@example.com"})
            .status_code
            == 403
        )
        assert (
            api_client_for(carol).patch(f"{self.URL}{c.pk}/", {"external_ref": "CRM-1"}).status_code
            == 200
        )
        assert Contributor.objects.get(pk=c.pk).external_ref == "CRM-1"
        assert (
            api_client_for(carol).patch(f"{self.URL}999999/", {"external_ref": "x"}).status_code
            == 404
        )

    def test_query_count_is_constant(self, api_client_for, legal1, count_queries):
        client = api_client_for(legal1)
        for _ in range(2):
            ContributorFactory()
        few = count_queries(lambda: client.get(self.URL))
        for _ in range(10):
            ContributorFactory()
        assert count_queries(lambda: client.get(self.URL)) == few
