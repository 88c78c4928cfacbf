"""Rule 4: a reuse is checked as the action its mode means (as_is -> use, adapted -> modify)."""

import pytest
from django.urls import reverse

from catalogue.models import AuditEvent, Reuse

pytestmark = pytest.mark.django_db

USE_ONLY = {"actions": ["use"], "prohibitions": [{"action": "modify"}, {"action": "derive"}]}
BODY = {
    "team": "retail",
    "initiative": "Branch redesign",
    "purpose": "marketing",
    "channel": "web",
    "occurred_on": "2026-10-01",
}


def test_mode_maps_to_actions():
    from catalogue.rules import reuse_actions

    assert reuse_actions("as_is") == ("use",)
    assert reuse_actions("adapted") == ("modify",)
    with pytest.raises(ValueError):
        reuse_actions("stolen")


def test_api_adapted_reuse_is_checked_as_modify_and_refused(api_client_for, carol, published):
    artifact = published(USE_ONLY)
    client = api_client_for(carol)
    before = AuditEvent.objects.count()
    res = client.post("/api/v1/reuses/", {**BODY, "artifact": artifact.slug, "mode": "adapted"})
    assert res.status_code == 409, res.content
    body = res.json()
    assert body["reasons"] and all(r["code"].startswith("odrl.") for r in body["reasons"])
    assert not Reuse.objects.exists() and AuditEvent.objects.count() == before
    ok = client.post("/api/v1/reuses/", {**BODY, "artifact": artifact.slug, "mode": "as_is"})
    assert ok.status_code == 201, ok.content
    assert ok.json()["rights_decision"]["action"] == "use"


def test_api_adapted_reuse_snapshot_says_modify(api_client_for, carol, published):
    artifact = published({"actions": ["use", "modify"]})
    res = api_client_for(carol).post(
        "/api/v1/reuses/", {**BODY, "artifact": artifact.slug, "mode": "adapted"}
    )
    assert res.status_code == 201, res.content
    assert res.json()["rights_decision"]["action"] == "modify"


def test_web_adapted_reuse_refused(client, carol, published):
    artifact = published(USE_ONLY)
    client.force_login(carol)
    res = client.post(
        reverse("catalogue:reuse_create", args=[artifact.slug]), {**BODY, "mode": "adapted"}
    )
    assert res.status_code == 409
    assert "odrl." in res.content.decode()
    assert not Reuse.objects.exists()
