"""Operators, logical constraints, collections, duties and includedIn."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalogue.odrl import Request, StateOfWorld, evaluate, parse_policy
from catalogue.odrl.model import Operand
from catalogue.odrl.vocab import ODRL, TRAIN, action_included

from .helpers import constraint, dt, policy_doc

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _request(action="use", assignee="urn:t:alice", target="urn:t:x", **ctx):
    context = {
        ODRL + k: tuple(
            Operand(v, "string", v) for v in (vals if isinstance(vals, list) else [vals])
        )
        for k, vals in ctx.items()
    }
    return Request(assignee, ODRL + action if ":" not in action else action, target, context)


def _constraint_ok(c, request=None, state=None) -> bool:
    policy = parse_policy(policy_doc({"action": "use", "constraint": [c]}))
    report = evaluate(policy, request or _request(), state or StateOfWorld(now=NOW))
    return report.rules[0].constraints[0].satisfied


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "2026-03-01T12:00:00Z", True),
        ("eq", "2026-03-01T13:00:00+01:00", True),  # same instant, other timezone
        ("neq", "2026-03-01T12:00:00Z", False),
        ("lt", "2026-03-01T12:00:01Z", True),
        ("lt", "2026-03-01T12:00:00Z", False),
        ("lteq", "2026-03-01T12:00:00Z", True),
        ("gt", "2026-03-01T11:59:59Z", True),
        ("gt", "2026-03-01T12:00:00Z", False),
        ("gteq", "2026-03-01T12:00:00Z", True),
        ("gteq", "2026-03-02T00:00:00Z", False),
    ],
)
def test_datetime_operators(op, value, expected):
    assert _constraint_ok(constraint("dateTime", op, dt(value))) is expected


def test_datetime_against_date_compares_days():
    date_value = {"@value": "2026-03-01", "@type": "xsd:date"}
    assert _constraint_ok(constraint("dateTime", "lteq", date_value)) is True
    assert _constraint_ok(constraint("dateTime", "lt", date_value)) is False


@pytest.mark.parametrize(
    ("op", "right", "purposes", "expected"),
    [
        ("eq", "marketing", "marketing", True),
        ("eq", "marketing", "research", False),
        ("neq", "marketing", "research", True),
        ("isAnyOf", ["marketing", "research"], "research", True),
        ("isAnyOf", ["marketing", "research"], "model_training", False),
        ("isAnyOf", ["marketing"], ["marketing", "research"], False),
        ("isAllOf", ["marketing", "research"], ["research", "marketing"], True),
        ("isAllOf", ["marketing", "research"], "marketing", False),
        ("isNoneOf", ["model_training", "personalisation"], "marketing", True),
        ("isNoneOf", ["model_training", "personalisation"], "model_training", False),
    ],
)
def test_set_operators_on_purpose(op, right, purposes, expected):
    req = _request(purpose=purposes)
    assert _constraint_ok(constraint("purpose", op, right), req) is expected


def test_missing_context_value_is_unsatisfied_with_reason():
    policy = parse_policy(
        policy_doc({"action": "use", "constraint": [constraint("purpose", "eq", "research")]})
    )
    report = evaluate(policy, _request(), StateOfWorld(now=NOW))
    c = report.rules[0].constraints[0]
    assert not c.satisfied and "no value for purpose" in c.reason


def test_numbers_compare_numerically():
    value = {"@value": "10", "@type": "xsd:decimal"}
    req = _request()
    req.context[ODRL + "count"] = (Operand(Decimal("9"), "decimal"),)
    assert _constraint_ok(constraint("count", "lt", value), req) is True
    assert _constraint_ok(constraint("count", "gteq", value), req) is False


def test_other_left_operands_use_request_context():
    req = _request(recipient="urn:t:partner", spatial="GB", deliveryChannel="web")
    assert _constraint_ok(constraint("recipient", "eq", {"@id": "urn:t:partner"}), req)
    assert _constraint_ok(constraint("spatial", "isAnyOf", ["GB", "IE"]), req)
    assert not _constraint_ok(constraint("deliveryChannel", "eq", "email"), req)


def test_is_part_of_and_is_a_use_state_of_world():
    state = StateOfWorld(
        now=NOW, part_of={"urn:geo:leeds": {"urn:geo:uk"}}, types={"urn:t:partner": {"urn:t:Bank"}}
    )
    req = _request(spatial="urn:geo:leeds", recipient="urn:t:partner")
    req.context[ODRL + "spatial"] = (Operand("urn:geo:leeds", "iri"),)
    req.context[ODRL + "recipient"] = (Operand("urn:t:partner", "iri"),)
    assert _constraint_ok(constraint("spatial", "isPartOf", {"@id": "urn:geo:uk"}), req, state)
    assert not _constraint_ok(constraint("spatial", "isPartOf", {"@id": "urn:geo:fr"}), req, state)
    assert _constraint_ok(constraint("recipient", "isA", {"@id": "urn:t:Bank"}), req, state)
    assert not _constraint_ok(constraint("recipient", "isA", {"@id": "urn:t:Shop"}), req, state)


def _logical(op):
    inside = constraint("dateTime", "gt", dt("2026-01-01T00:00:00Z"), "urn:c:in")
    outside = constraint("dateTime", "gt", dt("2027-01-01T00:00:00Z"), "urn:c:out")
    inside2 = constraint("dateTime", "lt", dt("2027-01-01T00:00:00Z"), "urn:c:in2")
    return {"@type": "LogicalConstraint", "uid": "urn:c:logic", op: [inside, outside, inside2]}


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("and", False),
        ("or", True),
        ("xone", False),
        ("andSequence", False),
    ],
)
def test_logical_constraints_report_every_operand(op, expected):
    report = evaluate(
        parse_policy(policy_doc({"action": "use", "constraint": [_logical(op)]})),
        _request(),
        StateOfWorld(now=NOW),
    )
    states = {c.uid: c.satisfied for c in report.constraint_reports()}
    assert states == {
        "urn:c:logic": expected,
        "urn:c:in": True,
        "urn:c:out": False,
        "urn:c:in2": True,
    }
    assert report.rules[0].active is expected


def test_xone_exactly_one():
    one = constraint("purpose", "eq", "marketing")
    other = constraint("purpose", "eq", "research")
    doc = policy_doc({"action": "use", "constraint": [{"xone": [one, other]}]})
    report = evaluate(parse_policy(doc), _request(purpose="research"), StateOfWorld(now=NOW))
    assert report.rules[0].active


def test_party_collection_membership_from_state():
    doc = policy_doc(
        {"action": "use", "assignee": {"@id": "urn:t:team", "@type": "PartyCollection"}}
    )
    policy = parse_policy(doc)
    assert policy.permissions[0].assignee.collection
    member = StateOfWorld(part_of={"urn:t:alice": {"urn:t:team"}})
    assert evaluate(policy, _request(), member).rules[0].active
    report = evaluate(policy, _request(), StateOfWorld())
    assert not report.rules[0].party_matched and not report.rules[0].active


def test_asset_collection_membership_from_state():
    doc = policy_doc({"action": "use", "target": {"@id": "urn:t:all", "@type": "AssetCollection"}})
    policy = parse_policy(doc)
    state = StateOfWorld(part_of={"urn:t:x": {"urn:t:folder"}, "urn:t:folder": {"urn:t:all"}})
    assert evaluate(policy, _request(), state).rules[0].target_matched
    assert not evaluate(policy, _request(target="urn:t:y"), state).rules[0].target_matched


@pytest.mark.parametrize(
    ("state", "active"),
    [
        ("fulfilled", True),
        ("not_set", True),
        ("violated", False),
    ],
)
def test_duty_states(state, active):
    doc = policy_doc({"action": "use", "duty": [{"uid": "urn:d:1", "action": "compensate"}]})
    sotw = StateOfWorld(duty_states={"urn:d:1": state} if state != "not_set" else {})
    rule = evaluate(parse_policy(doc), _request(), sotw).rules[0]
    assert rule.duties[0].state == state
    assert rule.active is active


def test_included_in_hierarchy():
    for action in ("modify", "derive", "distribute", "read", "write", "print"):
        assert action_included(ODRL + action, ODRL + "use")
    assert action_included(TRAIN, ODRL + "use")
    assert action_included(ODRL + "write", ODRL + "modify")
    assert not action_included(ODRL + "sell", ODRL + "use")
    assert not action_included(ODRL + "use", ODRL + "modify")
    assert not action_included(ODRL + "use", TRAIN)


def test_rule_activation_flags():
    doc = policy_doc({"action": "read", "assignee": "urn:t:alice", "target": "urn:t:x"})
    policy = parse_policy(doc)
    ok = evaluate(policy, _request("read")).rules[0]
    assert (ok.action_matched, ok.party_matched, ok.target_matched, ok.active) == (
        True,
        True,
        True,
        True,
    )
    bad = evaluate(policy, _request("modify", assignee="urn:t:bob", target="urn:t:y")).rules[0]
    assert (bad.action_matched, bad.party_matched, bad.target_matched, bad.active) == (
        False,
        False,
        False,
        False,
    )
    assert bad.activation_state == "Inactive"


def test_policy_level_target_and_assignee_are_inherited():
    doc = policy_doc(
        {"action": "use"},
        prohibitions=({"action": "distribute"},),
        target="urn:t:x",
        assignee="urn:t:alice",
    )
    policy = parse_policy(doc)
    assert all(r.target.uid == "urn:t:x" and r.assignee.uid == "urn:t:alice" for r in policy.rules)
    assert not evaluate(policy, _request(target="urn:t:y")).rules[0].active
