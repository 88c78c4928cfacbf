"""Finding 23.3: malformed and oversized requests answer JSON errors with the contract's status,
never a 500, an HTML page or an unbounded amount of work."""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from catalogue import limits
from catalogue.bulk.formats import FileProblem, parse
from catalogue.odrl import PolicyError, parse_policy
from catalogue.services.artifacts import clean_fields, clean_version
from tests.factories import ArtifactFactory, ContributorFactory
from tests.odrl.helpers import policy_doc

pytestmark = pytest.mark.django_db


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def _artifact_body(**extra) -> dict:
    return {
        "slug": "limits-probe",
        "title": "Limits probe",
        "kind": "content",
        "owner_team": "retail",
        "intent": "Probe the limits",
        **extra,
    }


def _assert_json(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_deeply_nested_json_is_a_400_naming_the_depth_limit(api_client_for, alice, depth):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    client = api_client_for(alice)
    body = _nested(depth)
    for method, path in (
        ("post", "/api/v1/artifacts/"),
        ("put", f"/api/v1/artifacts/{artifact.slug}/policy/"),
        ("patch", f"/api/v1/artifacts/{artifact.slug}/"),
    ):
        response = getattr(client, method)(path, body, content_type="application/json")
        detail = _assert_json(response, 400)["detail"]
        assert f"nested deeper than {limits.MAX_JSON_DEPTH}" in detail, (path, detail)


def test_nesting_inside_the_limit_is_parsed(api_client_for, alice):
    response = api_client_for(alice).post(
        "/api/v1/artifacts/", {**_artifact_body(), "details": {"a": {"b": {}}}}, format="json"
    )
    assert response.status_code in (201, 400)
    assert "nested" not in json.dumps(response.json())


@pytest.mark.parametrize("field", ["summary", "intent", "constraints"])
def test_an_oversized_text_field_is_a_400_naming_the_field(api_client_for, alice, field):
    text = "x" * (limits.MAX_TEXT_CHARS + 1)
    body = _assert_json(
        api_client_for(alice).post(
            "/api/v1/artifacts/", _artifact_body(**{field: text}), format="json"
        ),
        400,
    )
    assert field in body and f"{limits.MAX_TEXT_CHARS:,}" in json.dumps(body)
    ok = api_client_for(alice).post(
        "/api/v1/artifacts/", _artifact_body(**{field: "x" * limits.MAX_TEXT_CHARS}), format="json"
    )
    assert ok.status_code == 201, ok.content[:300]


def test_an_oversized_changelog_is_a_400(api_client_for, alice):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    response = api_client_for(alice).post(
        f"/api/v1/artifacts/{artifact.slug}/versions/",
        {"version": "9.9.9", "changelog": "x" * (limits.MAX_TEXT_CHARS + 1)},
        format="json",
    )
    assert "changelog" in _assert_json(response, 400)


def test_a_19_mib_summary_is_refused_before_it_is_stored(api_client_for, alice):
    response = api_client_for(alice).post(
        "/api/v1/artifacts/", _artifact_body(summary="x" * (19 * 1024 * 1024)), format="json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert not alice.memberships.get().team.artifacts.filter(slug="limits-probe").exists()


def test_the_shared_field_rules_refuse_oversized_text_for_web_and_bulk_too():
    with pytest.raises(ValidationError) as raised:
        clean_fields({"summary": "x" * (limits.MAX_TEXT_CHARS + 1), "intent": "short"})
    assert list(raised.value.message_dict) == ["summary"]
    with pytest.raises(ValidationError) as raised:
        clean_version("1.0.0", "x" * (limits.MAX_TEXT_CHARS + 1), "")
    assert list(raised.value.message_dict) == ["changelog"]


def test_a_policy_with_too_many_rules_is_refused_quickly(api_client_for, alice):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    doc = dict(policy_doc(*[{"action": "use"} for _ in range(20_000)]), target=artifact.iri)
    started = time.monotonic()
    response = api_client_for(alice).put(
        f"/api/v1/artifacts/{artifact.slug}/policy/", doc, format="json"
    )
    assert time.monotonic() - started < 10
    issues = _assert_json(response, 400)["odrl"]
    assert f"at most {limits.MAX_POLICY_RULES}" in issues[0]["message"]
    assert artifact.policies.count() == 0


def test_the_rule_limit_lives_in_the_parser():
    with pytest.raises(PolicyError, match=f"at most {limits.MAX_POLICY_RULES}"):
        parse_policy(policy_doc(*[{"action": "use"} for _ in range(limits.MAX_POLICY_RULES + 1)]))
    with pytest.raises(PolicyError, match="nested deeper"):
        parse_policy(policy_doc({"action": "use", "x": json.loads(_nested(200))}))
    parse_policy(policy_doc(*[{"action": "use"} for _ in range(limits.MAX_POLICY_RULES)]))


@override_settings(API_MAX_BODY_BYTES=64 * 1024)
def test_a_body_over_the_limit_is_a_json_413_naming_the_limit(api_client_for, alice):
    response = api_client_for(alice).post(
        "/api/v1/artifacts/", _artifact_body(summary="x" * 100_000), format="json"
    )
    body = _assert_json(response, 413)
    assert "65,536 bytes" in body["detail"] and "API_MAX_BODY_BYTES" in body["detail"]


def test_a_50_mb_body_is_a_json_413(api_client_for, alice):
    payload = b'{"summary": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    response = api_client_for(alice).generic(
        "POST", "/api/v1/artifacts/", payload, content_type="application/json"
    )
    assert "limit" in _assert_json(response, 413)["detail"]


def test_a_nul_byte_in_a_json_body_is_a_json_400(api_client_for, alice):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    client = api_client_for(alice)
    for body in (
        b'{"team": "retail\x00", "action": "use", "purpose": "research", "channel": "web"}',
        b'{"team": "retail\\u0000", "action": "use", "purpose": "research", "channel": "web"}',
    ):
        for content_type in ("application/json", "application/json; charset=utf-8"):
            response = client.generic(
                "POST",
                f"/api/v1/artifacts/{artifact.slug}/rights-check/",
                body,
                content_type=content_type,
            )
            _assert_json(response, 400)


def test_malformed_json_is_a_json_400(api_client_for, alice):
    response = api_client_for(alice).generic(
        "POST", "/api/v1/artifacts/", b'{"title": ', content_type="application/json"
    )
    _assert_json(response, 400)


@pytest.mark.parametrize(
    ("cursor", "status"),
    [
        (base64.b64encode(b"p=not-a-number").decode(), 404),
        (base64.b64encode(b"p=1.5&r=1").decode(), 404),
        ("cD0=", 404),
        ("%%%", 200),  # not base64 at all: read as no cursor, the first page
        (base64.b64encode(b"o=99999999999999999999&p=1").decode(), 200),  # DRF caps the offset
    ],
)
def test_a_bad_cursor_on_the_contributors_list_is_a_404_not_a_500(
    api_client_for, legal1, cursor, status
):
    ContributorFactory()
    response = api_client_for(legal1).get("/api/v1/contributors/", {"cursor": cursor})
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Invalid cursor"}


def test_a_bad_cursor_on_a_datetime_ordered_list_is_not_a_500(api_client_for, alice):
    cursor = base64.b64encode(b"p=yesterday").decode()
    response = api_client_for(alice).get("/api/v1/artifacts/", {"cursor": cursor})
    assert response.status_code in (400, 404) and "detail" in response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/contributors/null,null/"),
        ("patch", "/api/v1/contributors/null/"),
        ("post", "/api/v1/withdrawal-impacts/false/remediate/"),
        ("get", "/api/v1/withdrawal-impacts/1e3/"),
        ("get", "/api/v1/consents/abc/"),
        ("get", "/api/v1/reviews/-1/"),
    ],
)
def test_a_non_numeric_id_is_a_json_404(api_client_for, legal1, method, path):
    response = getattr(api_client_for(legal1), method)(path, {}, format="json")
    _assert_json(response, 404)


@pytest.mark.parametrize(
    "path", ["/api/v1/nonexistent/", "/api/nowhere", "/api/v1/artifacts/x/y/z/"]
)
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_routes_are_json_404_even_with_debug(
    api_client_for, victor, settings, path, debug
):
    settings.DEBUG = debug
    body = _assert_json(api_client_for(victor).get(path), 404)
    assert body == {"detail": "Not found."}


def test_bulk_import_refuses_too_many_rows_naming_the_limit(settings):
    settings.MAX_IMPORT_ROWS = 3
    rows = "\n".join(f"row-{i},Row {i},content,retail" for i in range(4))
    with pytest.raises(FileProblem) as raised:
        parse(f"slug,title,kind,owner_team\n{rows}\n".encode(), filename="a.csv")
    assert "more than 3 rows" in raised.value.errors[0].message
    assert "MAX_IMPORT_ROWS" in raised.value.errors[0].message
    items = json.dumps(
        [
            {"slug": f"r{i}", "title": "t", "kind": "content", "owner_team": "retail"}
            for i in range(4)
        ]
    )
    with pytest.raises(FileProblem):
        parse(items.encode(), filename="a.json")
    assert (
        len(
            parse(
                f"slug,title,kind,owner_team\n{rows.splitlines()[0]}\n".encode(), filename="a.csv"
            ).rows
        )
        == 1
    )


def test_a_deeply_nested_bulk_json_file_is_a_file_problem():
    with pytest.raises(FileProblem, match="nested"):
        parse(("[" * 100_000 + "]" * 100_000).encode(), filename="deep.json")


def test_the_api_import_names_the_row_limit(api_client_for, alice, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MAX_IMPORT_ROWS = 2
    data = (
        "slug,title,kind,owner_team\n"
        + "\n".join(f"r-{i},R {i},content,retail" for i in range(3))
        + "\n"
    )
    upload = SimpleUploadedFile("many.csv", data.encode(), content_type="text/csv")
    response = api_client_for(alice).post(
        "/api/v1/artifacts/import/", {"file": upload}, format="multipart"
    )
    body = _assert_json(response, 400)
    assert "at most 2 rows" in json.dumps(body)


def test_a_nul_byte_in_a_form_encoded_api_body_is_a_json_400(api_client_for, alice):
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    response = api_client_for(alice).generic(
        "POST",
        f"/api/v1/artifacts/{artifact.slug}/rights-check/",
        b"team=retail%00&action=use&purpose=research&channel=web",
        content_type="application/x-www-form-urlencoded",
    )
    assert "NUL" in _assert_json(response, 400)["detail"]


@pytest.mark.parametrize(
    "at",
    [
        "0096-01-02T06:21:41-22:44",  # an offset Python accepts and PostgreSQL refuses (over 15:59)
        "2026-01-02T06:21:41+23:59",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    ],
)
def test_a_time_zone_offset_postgresql_refuses_is_not_a_500(api_client_for, alice, legal1, at):
    """Schemathesis: as-of/?at= (and audit-events since/until) passed the offset to PostgreSQL (DataError)."""
    artifact = ArtifactFactory(owner_team=alice.memberships.get().team)
    response = api_client_for(alice).get(f"/api/v1/artifacts/{artifact.slug}/as-of/", {"at": at})
    assert response.status_code in (200, 400), response.content[:300]
    for name in ("since", "until"):
        response = api_client_for(legal1).get("/api/v1/audit-events/", {name: at})
        assert response.status_code in (200, 400), response.content[:300]


@pytest.mark.parametrize(
    "path", ["/api/v1/reuses/", "/api/v1/outcomes/", "rights-check", "remediate"]
)
@pytest.mark.parametrize("encoding", ["form", "multipart"])
def test_a_nul_byte_in_a_form_or_multipart_api_body_is_a_json_400(
    api_client_for, world, legal1, path, encoding
):
    """Schemathesis' known failures: a NUL in a form-encoded or multipart body reached PostgreSQL (500)."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    artifact = world.parent
    if path == "rights-check":
        path = f"/api/v1/artifacts/{artifact.slug}/rights-check/"
    elif path == "remediate":
        path = f"/api/v1/withdrawal-impacts/{world.impact.pk}/remediate/"
    fields = {
        "artifact": artifact.slug,
        "team": "retail\x00",
        "action": "use",
        "purpose": "research",
        "channel": "web",
        "note": "a\x00b",
        "metric": "x\x00",
        "value": "1",
    }
    if encoding == "form":
        from urllib.parse import urlencode

        body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
    else:
        body, content_type = encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
    response = api_client_for(legal1).generic("POST", path, body, content_type=content_type)
    assert "NUL" in _assert_json(response, 400)["detail"]


def test_a_nul_in_an_evidence_body_matches_the_documented_400(api_client_for, world, legal1):
    """Schemathesis: evidence/'s 400 schema required `reasons`; a NUL refusal says `detail`."""
    response = api_client_for(legal1).generic(
        "POST",
        f"/api/v1/consents/{world.consent.pk}/evidence/",
        b"\x00",
        content_type="application/json",
    )
    assert "NUL" in _assert_json(response, 400)["detail"]
    schema = api_client_for(legal1).get("/api/v1/schema/?format=json").json()
    assert "reasons" not in schema["components"]["schemas"]["UploadRefused"].get("required", [])
