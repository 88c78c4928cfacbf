"""Bad input never 500s: hypothesis-generated requests for every operation of the OpenAPI schema.

schemathesis is not installed, so the strategies come from the schema here: valid-shaped bodies,
wrong types, junk strings and unknown ids, as two roles. Any 5xx (or exception) is a failure;
every 4xx must be the API's JSON error shape (`detail` or field errors).
"""

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))  # more locally: FUZZ_EXAMPLES=200
JUNK = st.sampled_from(
    ["", " ", "x" * 300, "\x00", "null", "-1", "0", "9" * 30, "2026-13-45", "☃", "<b>", "../.."]
)


def _strategy(schema: dict, components: dict, depth: int = 0):
    """A loose strategy for one JSON schema: mostly well-typed values, sometimes anything."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        return _strategy(schema["allOf"][0], components, depth)
    if "oneOf" in schema or "anyOf" in schema:
        return st.one_of(
            [_strategy(s, components, depth) for s in schema.get("oneOf") or schema["anyOf"]]
        )
    junk = st.one_of(JUNK, st.integers(), st.none(), st.booleans())
    if "enum" in schema:
        typed = st.sampled_from(list(schema["enum"]) or [""])
    else:
        kind = schema.get("type", "string")
        if kind == "object" and depth < 3:
            props = schema.get("properties") or {}
            typed = st.fixed_dictionaries(
                {},
                optional={
                    name: _strategy(s, components, depth + 1)
                    for name, s in props.items()
                    if not s.get("readOnly")
                },
            )
        elif kind == "array" and depth < 3:
            typed = st.lists(
                _strategy(schema.get("items") or {}, components, depth + 1), max_size=3
            )
        elif kind == "integer":
            typed = st.integers(min_value=-(2**63), max_value=2**63)
        elif kind == "number":
            typed = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers())
        elif kind == "boolean":
            typed = st.booleans()
        elif schema.get("format") == "date":
            typed = st.one_of(st.dates().map(str), JUNK)
        elif schema.get("format") == "date-time":
            typed = st.one_of(st.datetimes().map(lambda d: d.isoformat()), JUNK)
        else:
            typed = st.one_of(st.text(max_size=40), JUNK)
    return st.one_of(typed, typed, typed, junk)


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _is_error_shape(response) -> bool:
    try:
        body = json.loads(
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and bool(body)
        and ("detail" in body or all(isinstance(k, str) for k in body))
    )


@pytest.mark.parametrize("username", ["alice", "legal1"])
def test_no_operation_answers_5xx_to_bad_input(request, world, api_client_for, username):
    client = api_client_for(request.getfixturevalue(username))
    schema = client.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    ids = world.ids()
    path_values = {
        "slug": st.sampled_from(
            [ids["secret"], ids["parent"], ids["child"], "no-such-thing", "x" * 300]
        ),
        "pk": st.sampled_from(
            [ids["consent"], ids["review"], ids["outcome"], ids["octavia"], ids["job"], 0, 99999999]
        ),
        "id": st.sampled_from(
            [ids["consent"], ids["review"], ids["ip"], ids["impact"], 0, 99999999]
        ),
        "code": st.sampled_from([ids["metric"], "nope"]),
    }
    failures, sent = [], []

    def fuzz(path, method, operation):
        names = re.findall(r"{(\w+)}", path)
        body_schema = (
            (operation.get("requestBody") or {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        body_strategy = _strategy(body_schema, components) if body_schema else st.none()
        query_params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        query_strategy = st.fixed_dictionaries(
            {},
            optional={
                p["name"]: st.one_of(_strategy(p.get("schema") or {}, components), JUNK)
                for p in query_params
            },
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=not os.environ.get("FUZZ_RANDOM"),
            suppress_health_check=list(HealthCheck),
        )
        @given(
            values=st.fixed_dictionaries(
                {n: path_values.get(n, st.sampled_from(["1", "x"])) for n in names}
            ),
            query=query_strategy,
            body=body_strategy,
        )
        def run(values, query, body):
            url = "/api" + path if path.startswith("/v1/") else path
            url = url.format(**values)
            params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()}
            sent.append(url)
            try:
                if method == "get":
                    response = client.get(url, params)
                else:
                    response = getattr(client, method)(url, body, format="json", QUERY_STRING="")
            except Exception as exc:  # an unhandled exception is the 500 a real client would get
                failures.append(
                    f"{method.upper()} {url} {body!r:.200}: {type(exc).__name__}: {exc!s:.200}"
                )
                return
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
            elif response.status_code >= 400 and not _is_error_shape(response):
                failures.append(
                    f"{method.upper()} {url}: {response.status_code} without a JSON error body"
                )

        run()

    operations = list(_operations(schema))
    for path, method, operation in operations:
        fuzz(path, method, operation)
    assert len(operations) > 60 and len(sent) > 4 * len(operations)
    assert failures == [], "\n".join(dict.fromkeys(failures))
