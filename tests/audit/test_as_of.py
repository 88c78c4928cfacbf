"""As-of answers across create -> edit -> policy -> consent -> review -> publish -> withdraw -> deprecate,
at moments between the changes (taken from the events' own database timestamps)."""

import datetime as dt

import pghistory.models
import pytest
from django.apps import apps
from django.db.models import Max
from django.utils import timezone

from catalogue.models import Artifact
from catalogue.odrl import build_policy
from catalogue.selectors.as_of import artifact_as_of
from catalogue.services.artifacts import artifact_register, artifact_update, version_create
from catalogue.services.audit import audit_context
from catalogue.services.consent import consent_create, consent_withdraw
from catalogue.services.lifecycle import artifact_publish
from catalogue.services.policy import policy_set
from catalogue.services.retirement import artifact_deprecate
from catalogue.services.reviews import review_decide, review_request
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _stamp(model: str, **filters) -> dt.datetime:
    """Database time of the latest matching history event."""
    event_model = apps.get_model("catalogue", model)
    return (
        event_model.objects.filter(**filters)
        .order_by("-pgh_id")
        .values_list("pgh_created_at", flat=True)[0]
    )


def _between(a: dt.datetime, b: dt.datetime) -> dt.datetime:
    assert a < b
    return a + (b - a) / 2


high_water: dict[str, int] = {}


def _high_water() -> dict[str, int]:
    return {
        model._meta.db_table: model.objects.aggregate(m=Max("pgh_id"))["m"] or 0
        for model in apps.get_app_config("catalogue").get_models()
        if issubclass(model, pghistory.models.Event)
    }


@pytest.fixture
def timeline(alice, legal1, monkeypatch):
    monkeypatch.setattr("catalogue.tasks.seal_audit_chain.delay", lambda: None)
    with audit_context(actor=legal1, reason="test contributors"):
        author = ContributorFactory()
        customer = ContributorFactory(customer=True)
    high_water.update(_high_water())
    artifact = artifact_register(
        acting_user=alice,
        owner_team=alice.memberships.get().team,
        slug="journey",
        title="Journey v1",
        kind="customer_journey",
        intent="Faster onboarding",
        authors=[{"contributor": author, "role": "originator", "credit_share": 1}],
    )
    t = {"created": _stamp("ArtifactEvent", pgh_obj_id=artifact.pk)}
    artifact_update(acting_user=alice, artifact=artifact, title="Journey v2", reason="rename")
    t["edited"] = _stamp("ArtifactEvent", pgh_obj_id=artifact.pk)
    policy = policy_set(
        acting_user=alice,
        artifact=artifact,
        reason="open to all teams",
        odrl=build_policy(
            artifact_slug="journey",
            teams=None,
            actions=["use"],
            owner_team_slug="retail",
            version=1,
        ),
    )
    t["policy"] = _stamp("ArtifactEvent", pgh_obj_id=artifact.pk)
    consent = consent_create(
        acting_user=legal1,
        contributor=customer,
        artifacts=[artifact],
        purposes=["research", "product_design"],
        jurisdiction="GB",
        notice_version="2026.1",
        method="web_form",
        obtained_at=timezone.now() - dt.timedelta(days=1),
    )
    t["consent"] = _stamp("ConsentRecordEvent", pgh_obj_id=consent.pk)
    review = review_request(
        acting_user=alice, artifact=artifact, kind="ethics", purposes=["research"]
    )
    t["review"] = _stamp("ReviewEvent", pgh_obj_id=review.pk)
    review_decide(
        acting_user=legal1, review=review, decision="approve", rationale="Fine for research."
    )
    t["decided"] = _stamp("ReviewEvent", pgh_obj_id=review.pk)
    version_create(
        acting_user=alice, artifact=artifact, version="1.0", reason="first version"
    )  # publishing needs one
    artifact_publish(acting_user=alice, artifact=artifact, reason="ready")
    t["published"] = _stamp("ArtifactEvent", pgh_obj_id=artifact.pk)
    consent_withdraw(acting_user=legal1, consent=consent, reason="customer asked")
    t["withdrawn"] = _stamp("ConsentRecordEvent", pgh_obj_id=consent.pk)
    artifact_deprecate(
        acting_user=alice, artifact=artifact, rationale="Superseded by the app journey."
    )
    t["deprecated"] = _stamp("ArtifactEvent", pgh_obj_id=artifact.pk)
    return Artifact.objects.get(pk=artifact.pk), policy, consent, review, t


def test_as_of_between_each_change(timeline, legal1):
    artifact, policy, consent, review, t = timeline
    order = [
        "created",
        "edited",
        "policy",
        "consent",
        "review",
        "decided",
        "published",
        "withdrawn",
        "deprecated",
    ]

    def state(at):
        return artifact_as_of(user=legal1, artifact=artifact, at=at)

    before = state(t["created"] - dt.timedelta(seconds=1))
    assert before["artifact"] is None and before["status"] is None

    s = state(_between(t["created"], t["edited"]))
    assert (s["artifact"]["title"], s["status"], s["policy"]) == ("Journey v1", "draft", None)
    assert [a["role"] for a in s["authorships"]] == ["originator"]
    assert s["consents"] == [] and s["reviews"] == []

    s = state(_between(t["edited"], t["policy"]))
    assert (s["artifact"]["title"], s["policy"]) == ("Journey v2", None)

    s = state(_between(t["policy"], t["consent"]))
    assert s["policy"]["id"] == policy.pk and s["policy"]["revision"] == 1
    assert s["policy"]["odrl"] == policy.odrl
    assert s["consents"] == []

    s = state(_between(t["consent"], t["review"]))
    assert [(c["id"], c["status"]) for c in s["consents"]] == [(consent.pk, "given")]
    assert s["reviews"] == []

    s = state(_between(t["review"], t["decided"]))
    assert [(r["id"], r["status"], r["decisions"]) for r in s["reviews"]] == [
        (review.pk, "open", [])
    ]

    s = state(_between(t["decided"], t["published"]))
    (r,) = s["reviews"]
    assert r["status"] == "approved"
    assert [(d["reviewer"], d["decision"]) for d in r["decisions"]] == [("legal1", "approve")]
    assert s["status"] == "draft"

    s = state(_between(t["published"], t["withdrawn"]))
    assert s["status"] == "published"
    assert [c["status"] for c in s["consents"]] == ["given"]

    s = state(_between(t["withdrawn"], t["deprecated"]))
    assert (s["status"], [c["status"] for c in s["consents"]]) == ("published", ["withdrawn"])

    s = state(t["deprecated"] + dt.timedelta(seconds=1))
    assert s["status"] == "deprecated"
    assert s["artifact"]["retirement_rationale"] == "Superseded by the app journey."
    assert s["artifact"]["title"] == "Journey v2"
    assert len(order) == len(t)


def test_as_of_api_and_web_page(timeline, legal1, alice, victor, bob, api_client_for, client):
    artifact, _, _, _, t = timeline
    url = f"/api/v1/artifacts/{artifact.slug}/as-of/"
    at = _between(t["published"], t["withdrawn"]).isoformat()
    response = api_client_for(alice).get(url, {"at": at})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "published"
    assert body["artifact"]["title"] == "Journey v2"
    assert body["policy"]["revision"] == 1
    assert [c["status"] for c in body["consents"]] == ["given"]
    assert body["reviews"][0]["decisions"][0]["decision"] == "approve"

    client.force_login(alice)
    page = client.get(f"/artifacts/{artifact.slug}/as-of/", {"at": at})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="as-of-status">published<' in html
    assert 'type="datetime-local"' in html
    early = client.get(
        f"/artifacts/{artifact.slug}/as-of/",
        {"at": _between(t["created"], t["edited"]).isoformat()},
    )
    assert 'id="as-of-status">draft<' in early.content.decode()


def test_every_row_written_by_the_services_carries_actor_reason_origin(timeline, alice, legal1):
    """Whatever the services touched (artifacts, authorship, policies, consents, coverage, reviews,
    decisions, withdrawal impacts...), no history row lacks who, why and from where."""
    tables = set()
    for model in apps.get_app_config("catalogue").get_models():
        if not issubclass(model, pghistory.models.Event):
            continue
        rows = list(
            model.objects.filter(pgh_id__gt=high_water[model._meta.db_table]).select_related(
                "pgh_context"
            )
        )
        for row in rows:
            tables.add(model.__name__)
            assert row.pgh_context is not None, f"{model.__name__} {row.pgh_id} has no context"
            metadata = row.pgh_context.metadata
            assert metadata["actor"] in {"alice", "legal1"}, (model.__name__, metadata)
            assert metadata["reason"], (model.__name__, metadata)
            assert metadata["origin"] == {"kind": "shell"}
    assert {
        "ArtifactEvent",
        "AuthorshipEvent",
        "ReusePolicyEvent",
        "ConsentRecordEvent",
        "ConsentCoverageEvent",
        "ReviewEvent",
        "ReviewDecisionEvent",
    } <= tables
