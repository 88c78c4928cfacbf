"""The public ODRL evaluator test suite must pass on activation and constraint states."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogue.odrl.suite import main, run_suite

# A copy of the public suite (SolidLabResearch/ODRL-Test-Suite, MIT) lives in the repo so the
# test never depends on what sits beside the checkout; ODRL_SUITE_DIR runs a larger one.
SUITE_DIR = Path(
    os.environ.get("ODRL_SUITE_DIR") or Path(__file__).resolve().parent / "data" / "odrl-test-suite"
)


@pytest.fixture(scope="module")
def results():
    assert (SUITE_DIR / "test_cases").is_dir(), f"ODRL test suite not found at {SUITE_DIR}"
    return run_suite(SUITE_DIR)


def test_every_case_passes(results):
    assert len(results) > 0
    failures = [f"{r.name}: {r.problems}" for r in results if not r.passed]
    assert failures == []


def test_cli_prints_summary(results, capsys):
    assert main([str(SUITE_DIR)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == f"{len(results)} passed, 0 failed"
    assert all(line.startswith("PASS testcase-") for line in lines[:-1])


def test_cli_reports_a_wrong_expectation(tmp_path):
    # Copy one case and flip its expected activation: the runner must notice.
    for sub in ("policies", "requests", "sotw", "test_cases"):
        (tmp_path / sub).mkdir()
    src = SUITE_DIR
    case = (src / "test_cases" / "testcase-001-alice.ttl").read_text()
    (tmp_path / "test_cases" / "testcase-001-alice.ttl").write_text(
        case.replace("report:Active", "report:Inactive")
    )
    for sub, name in (
        ("policies", "policy-1.ttl"),
        ("requests", "request-1.ttl"),
        ("sotw", "temporal.ttl"),
    ):
        (tmp_path / sub / name).write_text((src / sub / name).read_text())
    assert main([str(tmp_path)]) == 1


def test_cli_usage_error():
    assert main([]) == 2
