"""Parsing JSON-LD (compact and expanded) and Turtle, and malformed-policy errors."""

from __future__ import annotations

import json

import pytest

from catalogue.odrl import LogicalConstraint, PolicyError, parse_policy
from catalogue.odrl.vocab import ODRL, TRAIN

from .helpers import constraint, dt, policy_doc


def _errors(doc) -> dict[str, str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(doc)
    return {e.path: e.message for e in info.value.errors}


def test_compact_jsonld_is_typed():
    doc = policy_doc(
        {
            "uid": "urn:r:1",
            "action": "train",
            "assignee": "urn:catalogue:team:a",
            "constraint": [
                constraint("dateTime", "lt", dt("2027-01-01T00:00:00Z")),
                constraint("purpose", "isAnyOf", ["a", "b"]),
            ],
        }
    )
    policy = parse_policy(doc)
    rule = policy.permissions[0]
    assert policy.type == ODRL + "Set"
    assert rule.uid == "urn:r:1" and rule.action == TRAIN
    assert rule.constraints[0].right_operand[0].kind == "dateTime"
    assert [str(v) for v in rule.constraints[1].right_operand] == ["a", "b"]
    assert rule.constraints[1].path == "permission[0].constraint[1]"


def test_expanded_jsonld_and_json_text():
    doc = {
        "@id": "urn:p:2",
        "@type": [ODRL + "Agreement"],
        ODRL + "permission": [
            {
                ODRL + "action": [{"@id": ODRL + "modify"}],
                ODRL + "target": [{"@id": "urn:a:1"}],
            }
        ],
    }
    policy = parse_policy(json.dumps(doc))
    assert policy.type == ODRL + "Agreement"
    assert policy.permissions[0].action == ODRL + "modify"
    assert policy.permissions[0].target.uid == "urn:a:1"


def test_turtle_with_logical_constraint():
    ttl = """
    @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <urn:p:3> a odrl:Offer ; odrl:uid <urn:p:3> ; odrl:prohibition <urn:r:3> .
    <urn:r:3> odrl:action odrl:distribute ; odrl:constraint <urn:c:l> .
    <urn:c:l> odrl:or <urn:c:1>, <urn:c:2> .
    <urn:c:1> odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand "x" .
    <urn:c:2> odrl:leftOperand odrl:dateTime ; odrl:operator odrl:gt ;
        odrl:rightOperand "2024-01-01T00:00:00Z"^^xsd:dateTime .
    """
    policy = parse_policy(ttl)
    logic = policy.prohibitions[0].constraints[0]
    assert isinstance(logic, LogicalConstraint)
    assert logic.operator == ODRL + "or" and {c.uid for c in logic.operands} == {
        "urn:c:1",
        "urn:c:2",
    }


def test_malformed_policy_lists_every_error_with_path():
    doc = policy_doc(
        {
            "action": "use",
            "constraint": [
                constraint("purpose", "eq", "x"),
                constraint("purpose", "sameAs", "x"),
                constraint("dateTime", "lt", dt("2027-13-45T00:00:00Z")),
                {"leftOperand": "purpose", "operator": "eq"},
                constraint("colour", "eq", "red"),
                constraint("dateTime", "lt", "next tuesday"),
            ],
        },
        {"assignee": "urn:t:a"},
        {"action": "fly"},
    )
    errors = _errors(doc)
    assert "unknown operator 'sameAs'" in errors["permission[0].constraint[1].operator"]
    assert "xsd:dateTime" in errors["permission[0].constraint[2].rightOperand"]
    assert "rightOperand is missing" in errors["permission[0].constraint[3].rightOperand"]
    assert "unknown leftOperand 'colour'" in errors["permission[0].constraint[4].leftOperand"]
    assert "next tuesday" in errors["permission[0].constraint[5].rightOperand"]
    assert errors["permission[1].action"] == "action is missing"
    assert "unknown action 'fly'" in errors["permission[2].action"]
    assert not any(p.startswith("permission[0].constraint[0]") for p in errors)


def test_policy_level_errors():
    errors = _errors({"@context": "http://www.w3.org/ns/odrl.jsonld"})
    assert "uid" in errors and "@type" in errors and "permission" in errors


def test_logical_constraint_errors():
    doc = policy_doc(
        {
            "action": "use",
            "constraint": [
                {
                    "and": [constraint("purpose", "eq", "x")],
                    "or": [constraint("purpose", "eq", "y")],
                },
                {"xone": [{"leftOperand": "purpose", "rightOperand": "x"}]},
            ],
        }
    )
    errors = _errors(doc)
    assert "one operator" in errors["permission[0].constraint[0]"]
    assert errors["permission[0].constraint[1].xone[0].operator"] == "operator is missing"


def test_error_is_a_value_error_with_message():
    with pytest.raises(ValueError, match="unknown operator"):
        parse_policy(policy_doc({"action": "use", "constraint": [constraint("purpose", "x", 1)]}))


def test_invalid_json_and_turtle():
    with pytest.raises(PolicyError, match="invalid JSON"):
        parse_policy("{not json")
    with pytest.raises(PolicyError, match="invalid Turtle"):
        parse_policy("this is not turtle <")
