"""Regression: a visible artifact's history, as-of state and audit pack never name a restricted
lineage parent to someone who may not see it (they did: `changes.parent_id`, `lineage[].parent_id`)."""

import pytest

pytestmark = pytest.mark.django_db


def _parents_in_history(client, slug):
    items = client.get(f"/api/v1/artifacts/{slug}/history/").json()["results"]
    return [i["changes"]["parent_id"][1] for i in items if i["object_type"] == "lineage"]


def test_history_hides_a_restricted_parent_from_outsiders_only(world, api_client_for, victor, bob):
    assert _parents_in_history(api_client_for(victor), "visible-child") == []
    assert _parents_in_history(api_client_for(bob), "visible-child") == [world.secret.pk]


def test_as_of_hides_a_restricted_parent_from_outsiders_only(world, api_client_for, victor, bob):
    def parents(user):
        body = (
            api_client_for(user)
            .get("/api/v1/artifacts/visible-child/as-of/?at=2999-01-01T00:00:00Z")
            .json()
        )
        return [row["parent_id"] for row in body["lineage"]]

    assert parents(victor) == []
    assert parents(bob) == [world.secret.pk]
