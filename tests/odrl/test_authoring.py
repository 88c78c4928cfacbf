"""build_policy / form_values round trip and plain-language descriptions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from catalogue.odrl import FormMappingError, build_policy, describe, form_values, parse_policy

FORM = {
    "artifact_slug": "hero",
    "teams": ["retail", "cards"],
    "actions": ["use", "train"],
    "purposes": ["marketing", "model_training"],
    "channels": ["web"],
    "valid_from": date(2026, 1, 1),
    "valid_until": datetime(2027, 6, 30, 12, 0, tzinfo=UTC),
    "duties": ["attribute", "inform_owner"],
    "prohibitions": [{"action": "distribute", "purposes": ["marketing"], "channels": ["partner"]}],
    "owner_team_slug": "retail",
    "version": 3,
}


def test_build_policy_shape():
    doc = build_policy(**FORM)
    assert doc["@context"] == "http://www.w3.org/ns/odrl.jsonld"
    assert doc["@type"] == "Set" and doc["uid"] == "urn:catalogue:policy:hero:3"
    assert doc["target"] == "urn:catalogue:artifact:hero"
    assert len(doc["permission"]) == 4  # 2 teams x 2 actions
    assert {p["action"] for p in doc["permission"]} == {"use", "urn:catalogue:action:train"}
    json.dumps(doc)  # plain JSON, storable as-is
    parse_policy(doc)


def test_round_trip():
    assert form_values(build_policy(**FORM)) == FORM


def test_round_trip_all_teams_no_limits():
    form = {
        **FORM,
        "teams": None,
        "purposes": None,
        "channels": None,
        "valid_from": None,
        "valid_until": None,
        "duties": [],
        "prohibitions": [],
        "version": 1,
    }
    assert form_values(build_policy(**form)) == form


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actions", ["sell"]),
        ("purposes", ["fun"]),
        ("channels", ["fax"]),
        ("duties", ["pay"]),
        ("actions", []),
        ("valid_from", date(2028, 1, 1)),
    ],
)
def test_build_policy_rejects_bad_values(field, value):
    with pytest.raises(ValueError):
        build_policy(**{**FORM, field: value})


def test_form_values_rejects_richer_policies():
    doc = build_policy(**FORM)
    doc["permission"][0]["constraint"] = [
        {"leftOperand": "spatial", "operator": "eq", "rightOperand": "GB"}
    ]
    with pytest.raises(FormMappingError):
        form_values(doc)


def test_describe_example_sentence():
    doc = build_policy(
        artifact_slug="hero",
        teams=None,
        actions=["use", "modify"],
        purposes=["marketing", "research"],
        channels=["web", "mobile"],
        valid_from=None,
        valid_until=date(2027, 12, 31),
        duties=["attribute"],
        prohibitions=[],
        owner_team_slug="retail",
    )
    assert describe(doc) == [
        "Any team may use, modify this artifact for marketing, research in the web, mobile "
        "channels until 2027-12-31.",
        "They must attribute the originators.",
    ]


def test_describe_teams_duties_and_prohibitions():
    sentences = describe(build_policy(**FORM))
    assert sentences[0] == (
        "Teams retail and cards may use, train this artifact for marketing, model_training "
        "in the web channel from 2026-01-01 until 2027-06-30T12:00:00Z."
    )
    assert sentences[1] == "They must attribute the originators and inform the owner team (retail)."
    assert sentences[2] == (
        "No team may distribute this artifact for marketing in the partner channel."
    )
