"""Start-up behaviour checked in fresh interpreters, the way an operator meets it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "q7Vf9-LmZ2pX4sR8tY1uW3eN6bK0cJ5hG-aD!oP@iU#yT$rE%wQ^zXcVbNm"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_debug():
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DEBUG="1",
        SECRET_KEY=GOOD_SECRET,
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_default_secret_key():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=GOOD_SECRET,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_malformed_database_url_is_one_line():
    result = manage("check", DATABASE_URL="mysql://nope")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr


def test_unreachable_database_is_reported_without_traceback():
    result = manage("migrate", "--check", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 2
    assert "Cannot reach the database given by DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_queries_run_without_parallel_workers_unless_configured(monkeypatch):
    from django.db import connection

    from config.settings.base import database_from_env

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://u@db.example:5432/cat?options=-c%20statement_timeout%3D5000"
    )
    monkeypatch.setenv("DB_PARALLEL_WORKERS", "2")
    options = database_from_env()["OPTIONS"]["options"]
    assert "max_parallel_workers_per_gather=2" in options and "statement_timeout" in options
