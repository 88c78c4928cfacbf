"""decide(): permit/deny, reason codes and duties."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalogue.odrl import StateOfWorld, build_policy, decide

ARTIFACT = "urn:catalogue:artifact:hero"
RETAIL = "urn:catalogue:team:retail"
CARDS = "urn:catalogue:team:cards"
AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy():
    return build_policy(
        artifact_slug="hero",
        teams=["retail"],
        actions=["use", "distribute"],
        purposes=["marketing", "research"],
        channels=["web", "mobile"],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
        duties=["attribute", "inform_owner", "approval_per_reuse"],
        prohibitions=[{"action": "distribute", "channels": ["mobile"]}],
        owner_team_slug="cards",
    )


def _decide(policy, **kw):
    args = {
        "assignee_team_iri": RETAIL,
        "action": "use",
        "purpose": "marketing",
        "channel": "web",
        "at": AT,
        "artifact_iri": ARTIFACT,
        **kw,
    }
    return decide(policy, **args)


def _codes(decision):
    return [r["code"] for r in decision.reasons]


def test_permit_with_duties(policy):
    d = _decide(policy)
    assert d.decision == "permit" and d.permitted
    assert _codes(d) == ["odrl.permitted"]
    assert [x["action"] for x in d.duties] == ["attribute", "inform", "obtainConsent"]
    assert "(cards)" in d.duties[1]["description"]
    assert d.as_dict()["report"]["rules"][0]["state"] == "Active"


@pytest.mark.parametrize("action", ["modify", "derive", "train"])
def test_use_includes_product_actions(policy, action):
    assert _decide(policy, action=action).decision == "permit"


def test_other_team_has_no_permission(policy):
    d = _decide(policy, assignee_team_iri=CARDS)
    assert d.decision == "deny" and _codes(d) == ["odrl.no_matching_permission"]
    assert d.duties == []


def test_other_artifact_has_no_permission(policy):
    d = _decide(policy, artifact_iri="urn:catalogue:artifact:other")
    assert _codes(d) == ["odrl.no_matching_permission"]


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"purpose": "model_training"}, "purpose"),
        ({"channel": "branch"}, "deliveryChannel"),
        ({"at": datetime(2027, 1, 1, tzinfo=UTC)}, "dateTime"),
        ({"at": datetime(2025, 12, 31, 23, 0, tzinfo=UTC)}, "dateTime"),
    ],
)
def test_constraint_failures_deny(policy, kw, fragment):
    d = _decide(policy, **kw)
    assert d.decision == "deny"
    assert "odrl.constraint_unsatisfied" in _codes(d)
    assert any(fragment in r["message"] for r in d.reasons)


def test_last_day_is_inclusive(policy):
    assert _decide(policy, at=datetime(2026, 12, 31, 23, 0, tzinfo=UTC)).permitted


def test_prohibition_wins(policy):
    assert _decide(policy, action="distribute").decision == "permit"
    d = _decide(policy, action="distribute", channel="mobile")
    assert d.decision == "deny" and _codes(d) == ["odrl.prohibited"]


def test_violated_duty_denies(policy):
    uid = "urn:catalogue:policy:hero:1:permission:1:duty:attribute"
    d = _decide(policy, state=StateOfWorld(duty_states={uid: "violated"}))
    assert d.decision == "deny" and "odrl.duty_violated" in _codes(d)


def test_no_assignee_means_every_team_and_no_target_means_the_artifact():
    doc = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Set",
        "uid": "urn:catalogue:policy:x:1",
        "permission": [{"action": "use"}],
    }
    d = decide(
        doc,
        assignee_team_iri=CARDS,
        action="train",
        purpose=None,
        channel=None,
        at=None,
        artifact_iri=ARTIFACT,
    )
    assert d.decision == "permit" and d.duties == []


def test_train_permission_does_not_cover_use():
    doc = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Set",
        "uid": "urn:catalogue:policy:x:1",
        "permission": [{"action": "train"}],
    }
    assert decide(
        doc,
        assignee_team_iri=CARDS,
        action="train",
        purpose=None,
        channel=None,
        at=AT,
        artifact_iri=ARTIFACT,
    ).permitted
    assert not decide(
        doc,
        assignee_team_iri=CARDS,
        action="use",
        purpose=None,
        channel=None,
        at=AT,
        artifact_iri=ARTIFACT,
    ).permitted
