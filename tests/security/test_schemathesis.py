"""The API schema describes the API: schemathesis over every operation of /api/v1/schema/, as two roles.

Requests go in-process through Django's WSGI handler into the test transaction on the real
PostgreSQL, against the security World (tests/security/conftest.py). Path parameters are
sometimes the World's real objects, so the fuzzer reaches 200/409 answers and not only 404s.

Checks: not_a_server_error, status_code_conformance (every status is documented),
content_type_conformance and response_schema_conformance. Inputs are schema-valid and
schema-violating (both generation modes).

Budget: FUZZ_CASES cases in total (default 2,000, split over operations and roles). The longer
run of the README: `FUZZ_CASES=50000 make test PYTEST_ARGS=tests/security/test_schemathesis.py`.
FUZZ_RANDOM=1 draws new inputs each run (CI is derandomised so that a failure reproduces).
"""

import json
import math
import os
from collections import Counter
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db
ROLES = ["alice", "victor"]
CASES = int(os.environ.get("FUZZ_CASES", "2000"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Known, not yet fixed: "role METHOD /path" -> why. A listed operation still runs every check; its failures
# are printed, not failed on. Issue 23 wants none: add an entry only with a failing regression test and a
# fix under way, and remove it once the fix is merged; an entry that passes is reported as such.
KNOWN_FAILURES: dict[str, str] = {}


@contextmanager
def wsgi_app():
    """Django's real WSGI handler, without closing the test transaction's connection per request
    (what django.test.Client does too, reconnecting them after each of its own requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_ids(world) -> dict:
    ids = world.ids()
    return {
        "slug": [ids["secret"], ids["parent"], ids["child"], ids["lesson"], "cards", "retail"],
        "id": [
            ids["consent"],
            ids["review"],
            ids["ip"],
            ids["impact"],
            ids["octavia"],
            ids["barnaby"],
            ids["outcome"],
            ids["visible_outcome"],
            ids["job"],
        ],
        "pk": [
            ids["consent"],
            ids["review"],
            ids["outcome"],
            ids["octavia"],
            ids["job"],
            ids["impact"],
        ],
        "code": [ids["metric"]],
    }


def _fuzz_operation(operation, *, app, headers, real, per_operation, failures, sent):
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    names = [p.name for p in operation.path_parameters]

    @settings(
        max_examples=per_operation,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case, data):
        for name in names:  # half the time, a real object of the World
            if name in real and data.draw(st.booleans()):
                case.path_parameters = {
                    **(case.path_parameters or {}),
                    name: str(data.draw(st.sampled_from(real[name]))),
                }
        sent[operation.label] += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS, app=app)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected; no shrinking
            for failure in getattr(exc, "exceptions", [exc]):
                kind = f"{type(failure).__name__}: {str(failure).splitlines()[-1] if str(failure) else ''}"[
                    :200
                ]
                failures.setdefault(operation.label, {}).setdefault(kind, str(exc)[:1500])

    run()


@pytest.mark.parametrize("username", ROLES)
def test_every_operation_conforms_to_its_schema(request, world, api_client_for, username):
    from rest_framework.authtoken.models import Token

    user = request.getfixturevalue(username)
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    document = api_client_for(user).get("/api/v1/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(2, math.ceil(CASES / len(ROLES) / len(operations)))
    failures: dict[str, dict[str, str]] = {}
    sent: Counter = Counter()
    with wsgi_app() as app:
        for operation in operations:
            _fuzz_operation(
                operation,
                app=app,
                headers=headers,
                real=_real_ids(world),
                per_operation=per_operation,
                failures=failures,
                sent=sent,
            )
    total = sum(sent.values())
    print(
        f"\nschemathesis as {username}: {len(operations)} operations, {total} cases, {len(failures)} failing"
    )
    known = {
        label: failures.pop(label)
        for label in list(failures)
        if f"{username} {label}" in KNOWN_FAILURES
    }
    for label, message in known.items():
        print(f"KNOWN (not yet fixed) {label}: {sorted(message)!a}")
    assert len(operations) > 60
    # Hypothesis stops early on operations with few distinct inputs; the budget is still met overall.
    assert total >= 0.8 * CASES / len(ROLES), f"only {total} cases sent"
    if os.environ.get("FUZZ_REPORT"):  # a JSON file with every failure and one reproduction each
        with open(f"{os.environ['FUZZ_REPORT']}.{username}.json", "w") as report:
            json.dump(failures, report, indent=1, sort_keys=True)
    summary = [f"{label}: {kind}" for label, kinds in sorted(failures.items()) for kind in kinds]
    examples = [next(iter(kinds.values())) for kinds in failures.values()]
    assert failures == {}, (
        "\n".join(summary) + "\n\nFirst example of each operation:\n" + "\n\n".join(examples)
    )
    listed = {key.split(" ", 1)[1] for key in KNOWN_FAILURES if key.startswith(f"{username} ")}
    for label in sorted(
        listed - set(known)
    ):  # found or not depending on the budget: a note, not a failure
        print(f"KNOWN but not seen in this run as {username}: {label}")
