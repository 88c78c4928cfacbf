import pytest

from catalogue.models import AuditEvent
from catalogue.models import choices as c
from tests.factories import ArtifactFactory

pytestmark = pytest.mark.django_db
S = c.ArtifactStatus


def url(slug, action):
    return f"/api/v1/artifacts/{slug}/{action}/"


@pytest.fixture
def published(retail):
    return ArtifactFactory(owner_team=retail, published=True, slug="journey", title="Journey")


def test_deprecate_returns_status_fields(api_client_for, alice, published, retail):
    ArtifactFactory(owner_team=retail, published=True, slug="journey-v2")
    resp = api_client_for(alice).post(
        url("journey", "deprecate"),
        {
            "rationale": "Replaced by the v2 journey.",
            "lessons_learned": "Test with branch staff.",
            "superseded_by": "journey-v2",
            "sunset_on": "2031-06-30",
        },
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    data = resp.json()
    assert data["status"] == "deprecated"
    assert data["superseded_by"] == "journey-v2"
    assert data["sunset_on"] == "2031-06-30"
    assert data["retirement_rationale"] == "Replaced by the v2 journey."
    assert data["lessons_learned"] == "Test with branch staff."
    assert data["retired_by"] == "alice" and data["retired_at"]
    assert AuditEvent.objects.get(action="artifact.deprecated").origin["kind"] == "api"


def test_rationale_missing_is_a_field_error(api_client_for, alice, published):
    client = api_client_for(alice)
    for action in ("deprecate", "archive"):
        resp = client.post(url("journey", action), {}, format="json")
        assert resp.status_code == 400
        assert "rationale" in resp.json()
        resp = client.post(url("journey", action), {"rationale": "   "}, format="json")
        assert resp.status_code == 400 and "rationale" in resp.json()
    published.refresh_from_db()
    assert published.status == S.PUBLISHED


def test_unknown_or_invisible_successor_is_a_field_error(api_client_for, alice, published, cards):
    ArtifactFactory(owner_team=cards, published=True, restricted=True, slug="hidden")
    client = api_client_for(alice)
    for slug in ("nope", "hidden"):
        resp = client.post(
            url("journey", "deprecate"), {"rationale": "x", "superseded_by": slug}, format="json"
        )
        assert resp.status_code == 400
        assert resp.json()["superseded_by"] == [f"No artifact '{slug}'."]


def test_disallowed_transitions_are_409(api_client_for, alice, admin_user, retail):
    draft = ArtifactFactory(owner_team=retail, slug="draft")
    resp = api_client_for(alice).post(url("draft", "deprecate"), {"rationale": "x"}, format="json")
    assert resp.status_code == 409
    assert resp.json()["reasons"][0]["code"] == "lifecycle.transition_not_allowed"
    resp = api_client_for(alice).post(url("draft", "archive"), {"rationale": "x"}, format="json")
    assert resp.status_code == 409
    resp = api_client_for(admin_user).post(url("draft", "restore"), {"reason": "x"}, format="json")
    assert resp.status_code == 409
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_successor_loop_is_409(api_client_for, alice, retail):
    a = ArtifactFactory(owner_team=retail, published=True, slug="a")
    ArtifactFactory(owner_team=retail, published=True, slug="b", superseded_by=a)
    resp = api_client_for(alice).post(
        url("a", "deprecate"), {"rationale": "x", "superseded_by": "b"}, format="json"
    )
    assert resp.status_code == 409
    assert resp.json()["reasons"][0]["code"] == "retirement.successor_loop"


def test_archive_then_restore(api_client_for, alice, admin_user, published):
    resp = api_client_for(alice).post(
        url("journey", "archive"), {"rationale": "Pilot failed."}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "archived"
    assert (
        api_client_for(alice)
        .post(url("journey", "restore"), {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    resp = api_client_for(admin_user).post(url("journey", "restore"), {}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()
    resp = api_client_for(admin_user).post(
        url("journey", "restore"), {"reason": "Mistake."}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "published" and resp.json()["retirement_rationale"] == ""


@pytest.mark.parametrize("action", ["deprecate", "archive"])
def test_permissions_per_role(api_client_for, carol, bob, victor, admin_user, published, action):
    body = {"rationale": "x"}
    assert api_client_for(None).post(url("journey", action), body, format="json").status_code == 401
    for user in (carol, bob, victor):
        assert (
            api_client_for(user).post(url("journey", action), body, format="json").status_code
            == 403
        )
    assert (
        api_client_for(admin_user).post(url("journey", action), body, format="json").status_code
        == 200
    )


def test_invisible_artifact_is_404(api_client_for, alice, cards):
    ArtifactFactory(owner_team=cards, published=True, restricted=True, slug="secret")
    for action, body in (
        ("deprecate", {"rationale": "x"}),
        ("archive", {"rationale": "x"}),
        ("restore", {"reason": "x"}),
    ):
        assert (
            api_client_for(alice).post(url("secret", action), body, format="json").status_code
            == 404
        )
        assert (
            api_client_for(alice).post(url("missing", action), body, format="json").status_code
            == 404
        )


def test_resemblance_endpoint(api_client_for, alice, retail):
    ArtifactFactory(
        owner_team=retail,
        archived=True,
        slug="apr-bot",
        title="Credit card APR explainer chatbot prompt",
        retirement_rationale="Non-compliant APR statements under FCA CONC 3.5.",
    )
    client = api_client_for(alice)
    resp = client.post(
        "/api/v1/artifacts/resemblance/",
        {"title": "Credit card APR explainer chatbot"},
        format="json",
    )
    assert resp.status_code == 200
    matches = resp.json()["matches"]
    assert [m["slug"] for m in matches] == ["apr-bot"]
    assert matches[0]["retirement_rationale"].startswith("Non-compliant")
    resp = client.post(
        "/api/v1/artifacts/resemblance/", {"title": "Branch queue dashboard"}, format="json"
    )
    assert resp.json() == {"matches": []}
    assert (
        api_client_for(None).post("/api/v1/artifacts/resemblance/", {}, format="json").status_code
        == 401
    )


def test_schema_lists_the_endpoints(api_client_for, alice):
    resp = api_client_for(alice).get("/api/v1/schema/?format=json")
    assert resp.status_code == 200
    paths = (
        resp.json()["paths"]
        if resp.headers["Content-Type"].startswith("application/json")
        else None
    )
    if paths is None:
        import yaml

        paths = yaml.safe_load(resp.content)["paths"]
    for p in (
        "/api/v1/artifacts/{slug}/deprecate/",
        "/api/v1/artifacts/{slug}/archive/",
        "/api/v1/artifacts/{slug}/restore/",
        "/api/v1/artifacts/resemblance/",
    ):
        assert p in paths
