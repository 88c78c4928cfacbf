"""API per role: policy GET/PUT, rights-check, reuses (400/401/403/404/409)."""

import datetime as dt

import pytest

from catalogue.models import AuditEvent, Reuse, ReusePolicy
from catalogue.models.choices import ArtifactStatus
from tests.factories import ArtifactFactory, ReuseFactory
from tests.rights.conftest import policy_doc

pytestmark = pytest.mark.django_db

CHECK = {"team": "cards", "action": "use", "purpose": "marketing", "channel": "web"}


def url(artifact, what):
    return f"/api/v1/artifacts/{artifact.slug}/{what}/"


# -- rights-check ------------------------------------------------------------------------


def test_rights_check_permit_for_any_viewer(api_client_for, victor, published, cards):
    artifact = published({"duties": ["inform_owner"]})
    res = api_client_for(victor).post(url(artifact, "rights-check"), CHECK)
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["decision"] == "permit"
    assert body["reasons"][0]["code"] == "odrl.permitted"
    assert body["duties"][0]["description"] == "Inform the owner team Retail Banking"
    assert body["warnings"] == [] and body["policy_revision"] == 1


def test_rights_check_deny_lists_reasons(api_client_for, victor, published, cards):
    artifact = published({"teams": ["retail"]})
    body = api_client_for(victor).post(url(artifact, "rights-check"), CHECK).json()
    assert body["decision"] == "deny"
    assert [r["code"] for r in body["reasons"]] == ["odrl.no_matching_permission"]


def test_rights_check_at_a_past_time(api_client_for, victor, published, cards):
    artifact = published({"valid_until": dt.date(2021, 1, 1)})
    client = api_client_for(victor)
    assert client.post(url(artifact, "rights-check"), CHECK).json()["decision"] == "deny"
    past = client.post(
        url(artifact, "rights-check"), {**CHECK, "at": "2020-06-01T12:00:00Z"}
    ).json()
    assert past["decision"] == "permit"


@pytest.mark.parametrize(
    "field,value",
    [("action", "sell"), ("purpose", "gossip"), ("channel", "fax"), ("team", "nobody")],
)
def test_rights_check_bad_codes_400(api_client_for, victor, published, cards, field, value):
    res = api_client_for(victor).post(url(published({}), "rights-check"), {**CHECK, field: value})
    assert res.status_code == 400 and field in res.json()


def test_rights_check_invisible_404_and_anonymous_401(
    api_client_for, victor, alice, published, cards
):
    artifact = published({}, restricted=True)
    assert api_client_for(victor).post(url(artifact, "rights-check"), CHECK).status_code == 404
    assert api_client_for(alice).post(url(artifact, "rights-check"), CHECK).status_code == 200
    assert api_client_for().post(url(artifact, "rights-check"), CHECK).status_code == 401


# -- policy ------------------------------------------------------------------------------


def test_policy_get(api_client_for, victor, published):
    artifact = published({"purposes": ["research"]})
    res = api_client_for(victor).get(url(artifact, "policy"))
    assert res.status_code == 200
    assert res.json()["@type"] == "Set" and res["X-Policy-Revision"] == "1"
    assert api_client_for(victor).get(url(published(None), "policy")).status_code == 404


def test_policy_put_by_maintainer_makes_a_revision(api_client_for, alice, published):
    artifact = published({})
    doc = policy_doc(artifact, teams=["cards"], version=2)
    res = api_client_for(alice).put(url(artifact, "policy") + "?reason=narrow", doc, format="json")
    assert res.status_code == 200, res.content
    assert res["X-Policy-Revision"] == "2"
    artifact.refresh_from_db()
    assert artifact.current_policy.revision == 2 and artifact.current_policy.odrl == doc
    event = AuditEvent.objects.filter(action="policy.changed").latest("id")
    assert event.reason == "narrow" and event.changes["revision"] == [1, 2]


def test_policy_put_same_document_is_a_noop(api_client_for, alice, published):
    artifact = published({})
    doc = artifact.current_policy.odrl
    assert api_client_for(alice).put(url(artifact, "policy"), doc, format="json").status_code == 200
    assert ReusePolicy.objects.filter(artifact=artifact).count() == 1


@pytest.mark.parametrize("who", ["carol", "bob", "victor", "legal1"])
def test_policy_put_forbidden(api_client_for, request, published, who):
    user = request.getfixturevalue(who)
    artifact = published({})
    res = api_client_for(user).put(
        url(artifact, "policy"), policy_doc(artifact, version=2), format="json"
    )
    assert res.status_code == 403


def test_policy_put_admin_allowed(api_client_for, admin_user, published):
    artifact = published({})
    res = api_client_for(admin_user).put(
        url(artifact, "policy"), policy_doc(artifact, version=2), format="json"
    )
    assert res.status_code == 200


def test_policy_put_malformed_400_with_paths(api_client_for, alice, published):
    artifact = published({})
    doc = policy_doc(artifact, purposes=["research"])
    doc["permission"][0]["constraint"][0]["operator"] = "approximately"
    res = api_client_for(alice).put(url(artifact, "policy"), doc, format="json")
    assert res.status_code == 400
    errors = res.json()["odrl"]
    assert errors and {"path", "message"} <= set(errors[0])
    assert "permission[0]" in errors[0]["path"]
    assert ReusePolicy.objects.filter(artifact=artifact).count() == 1


def test_policy_put_for_another_target_400(api_client_for, alice, published):
    artifact = published({})
    other = ArtifactFactory()
    res = api_client_for(alice).put(url(artifact, "policy"), policy_doc(other), format="json")
    assert res.status_code == 400 and res.json()["odrl"][0]["path"] == "target"


def test_policy_put_archived_409_and_invisible_404(api_client_for, alice, bob, published):
    archived = published({}, status=ArtifactStatus.ARCHIVED)
    res = api_client_for(alice).put(
        url(archived, "policy"), policy_doc(archived, version=2), format="json"
    )
    assert res.status_code == 409 and res.json()["reasons"][0]["code"] == "artifact.archived"
    hidden = published({}, restricted=True)
    assert (
        api_client_for(bob)
        .put(url(hidden, "policy"), policy_doc(hidden), format="json")
        .status_code
        == 404
    )
    assert api_client_for(bob).get(url(hidden, "policy")).status_code == 404


# -- reuses ------------------------------------------------------------------------------


def reuse_body(artifact, **extra):
    return {
        "artifact": artifact.slug,
        "team": "retail",
        "initiative": "Spring campaign",
        "purpose": "marketing",
        "channel": "web",
        "occurred_on": "2026-11-01",
        **extra,
    }


def test_reuse_create_by_team_contributor(api_client_for, carol, published):
    artifact = published({"duties": ["attribute"]})
    res = api_client_for(carol).post("/api/v1/reuses/", reuse_body(artifact, mode="adapted"))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["rights_decision"]["decision"] == "permit"
    assert body["rights_decision"]["duties"][0]["action"] == "attribute"
    assert body["team"] == "retail" and body["mode"] == "adapted" and body["recorded_by"] == "carol"


def test_reuse_refused_409_nothing_saved(api_client_for, carol, published):
    artifact = published({"teams": ["cards"]})
    before = (Reuse.objects.count(), AuditEvent.objects.filter(action="reuse.recorded").count())
    res = api_client_for(carol).post("/api/v1/reuses/", reuse_body(artifact))
    assert res.status_code == 409
    assert res.json()["detail"] == "Reuse refused"
    assert [r["code"] for r in res.json()["reasons"]] == ["odrl.no_matching_permission"]
    assert (
        Reuse.objects.count(),
        AuditEvent.objects.filter(action="reuse.recorded").count(),
    ) == before


@pytest.mark.parametrize("who", ["victor", "bob", "legal1"])
def test_reuse_create_for_a_team_not_yours_403(api_client_for, request, published, who):
    artifact = published({})
    res = api_client_for(request.getfixturevalue(who)).post("/api/v1/reuses/", reuse_body(artifact))
    assert res.status_code == 403
    assert not Reuse.objects.exists()


def test_reuse_create_400s(api_client_for, carol, bob, published):
    artifact = published({})
    client = api_client_for(carol)
    assert client.post("/api/v1/reuses/", reuse_body(artifact, purpose="gossip")).status_code == 400
    assert client.post("/api/v1/reuses/", reuse_body(artifact, version="9.9")).status_code == 400
    hidden = published({}, restricted=True, owner_team=bob.memberships.get().team)
    res = client.post("/api/v1/reuses/", reuse_body(hidden))
    assert res.status_code == 400 and "artifact" in res.json()


def test_reuse_list_hides_invisible_and_filters(api_client_for, victor, cards, retail, published):
    visible = published({})
    hidden = published({}, restricted=True, owner_team=cards)
    ReuseFactory(artifact=visible, team=retail, purpose="research")
    ReuseFactory(artifact=hidden, team=cards)
    client = api_client_for(victor)
    rows = client.get("/api/v1/reuses/").json()["results"]
    assert [r["artifact"] for r in rows] == [visible.slug]
    assert client.get("/api/v1/reuses/?purpose=marketing").json()["results"] == []
    assert (
        len(client.get(f"/api/v1/reuses/?artifact={visible.slug}&team=retail").json()["results"])
        == 1
    )
    assert client.get("/api/v1/reuses/?purpose=gossip").status_code == 400


def test_reuse_list_query_count_is_flat(api_client_for, admin_user, retail, count_queries):
    client = api_client_for(admin_user)
    counts = []
    for n in (2, 10):
        ReuseFactory.create_batch(n, team=retail)
        counts.append(count_queries(lambda: client.get("/api/v1/reuses/?page_size=50")))
    assert counts[0] == counts[1]


def test_artifact_list_reusable_by_filter(api_client_for, victor, cards, retail, published):
    open_to_all = published({})
    retail_only = published({"teams": ["retail"]})
    published({}, status=ArtifactStatus.ARCHIVED)
    published(None)
    client = api_client_for(victor)
    slugs = {
        a["slug"] for a in client.get("/api/v1/artifacts/?reusable_by=cards").json()["results"]
    }
    assert slugs == {open_to_all.slug}
    slugs = {
        a["slug"] for a in client.get("/api/v1/artifacts/?reusable_by=retail").json()["results"]
    }
    assert slugs == {open_to_all.slug, retail_only.slug}


def test_anonymous_gets_401_everywhere(api_client_for, published):
    artifact = published({})
    client = api_client_for()
    assert client.get(url(artifact, "policy")).status_code == 401
    assert client.put(url(artifact, "policy"), {}, format="json").status_code == 401
    assert client.get("/api/v1/reuses/").status_code == 401
    assert client.post("/api/v1/reuses/", reuse_body(artifact)).status_code == 401


def test_policy_put_not_an_object_400(api_client_for, alice, published):
    artifact = published({})
    res = api_client_for(alice).put(url(artifact, "policy"), ["not", "a", "policy"], format="json")
    assert res.status_code == 400 and "odrl" in res.json()
