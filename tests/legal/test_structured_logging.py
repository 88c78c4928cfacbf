"""Structured logging: a request's log lines and its audit origin carry one request id."""

import json
import logging

import pytest
from django.conf import settings

from catalogue.models import AuditEvent, WithdrawalImpact
from catalogue.services.consent import consent_withdraw
from config.logging import logging_config


def request_lines(caplog) -> list[dict]:
    return [
        r.msg
        for r in caplog.records
        if r.name == "django_structlog.middlewares.request" and isinstance(r.msg, dict)
    ]


def test_request_log_line_and_audit_origin_share_the_request_id(
    chain, legal1, alice, api_client_for, caplog
):
    consent_withdraw(acting_user=legal1, consent=chain["consent"], reason="Customer asked.")
    impact = WithdrawalImpact.objects.get(artifact=chain["artifact"])
    caplog.set_level(logging.INFO)
    response = api_client_for(alice).post(
        f"/api/v1/withdrawal-impacts/{impact.pk}/remediate/",
        {"remediation": "retrain", "note": "Retrained."},
        format="json",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="consent.impact_remediated")
    lines = request_lines(caplog)
    assert [line["event"] for line in lines] == ["request_started", "request_finished"]
    ids = {line["request_id"] for line in lines}
    assert ids == {event.origin["request_id"]} == {response["X-Request-ID"]}


def test_upstream_request_id_is_kept_everywhere(client, alice, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(alice)
    response = client.get("/", headers={"X-Request-ID": "lb-1234"})
    assert response["X-Request-ID"] == "lb-1234"
    assert {line["request_id"] for line in request_lines(caplog)} == {"lb-1234"}


def test_json_in_production_and_console_locally(capsys):
    assert "django_structlog.middlewares.RequestMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE.index(
        "django_structlog.middlewares.RequestMiddleware"
    ) < settings.MIDDLEWARE.index("catalogue.middleware.AuditOriginMiddleware")
    assert settings.DJANGO_STRUCTLOG_CELERY_ENABLED is True
    config = logging_config("json", "INFO")
    formatter_cls = config["formatters"]["structured"]["()"]
    kwargs = {k: v for k, v in config["formatters"]["structured"].items() if k != "()"}
    formatter = formatter_cls(**kwargs)
    import structlog

    record = logging.LogRecord(
        "catalogue.x", logging.INFO, __file__, 1, "plain %s", ("stdlib",), None
    )
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        line = json.loads(formatter.format(record))
    assert (
        line["event"] == "plain stdlib" and line["request_id"] == "r-1" and line["level"] == "info"
    )
    with pytest.raises(ValueError):
        logging_config("xml", "INFO")
