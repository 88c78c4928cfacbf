"""import_artifacts and export_artifacts: progress, summary, errors, exit status, round trip."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.models import Artifact, AuditEvent

from .conftest import snapshot, wipe

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_audits_as_a_command(tmp_path, alice):
    path = tmp_path / "a.csv"
    path.write_text("slug,title,kind,owner_team\nnew-one,New,content,retail\n", encoding="utf-8")
    out, err = run("import_artifacts", str(path), "--as", "alice")
    assert "1 rows as alice: 1 were created, 0 were updated, 0 unchanged." in out
    assert "import" in err and "2/2" in err  # the tqdm bar: checking, then writing
    event = AuditEvent.objects.get(action="artifact.registered")
    assert event.origin["kind"] == "command" and event.origin["command"] == "import_artifacts"
    out, _ = run("import_artifacts", str(path), "--as", "alice")
    assert "0 were created, 0 were updated, 1 unchanged" in out


def test_dry_run_changes_nothing(tmp_path, alice):
    path = tmp_path / "a.csv"
    path.write_text("slug,title,kind,owner_team\nnew-one,New,content,retail\n", encoding="utf-8")
    out, _ = run("import_artifacts", str(path), "--as", "alice", "--dry-run")
    assert "1 would be created" in out and "Dry run" in out
    assert not Artifact.objects.exists()


def test_errors_exit_non_zero_and_name_row_and_column(tmp_path, alice, read_file):
    path = tmp_path / "bad.csv"
    path.write_bytes(read_file("twenty_errors.csv"))
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_artifacts", str(path), "--as", "alice", stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "nothing was imported" in str(caught.value)
    lines = err.getvalue()
    assert "row 6, column kind: 'spaceship' is not an artifact kind." in lines
    assert "row 8, column owner_team: Unknown team 'nowhere'." in lines
    assert not Artifact.objects.exists()


def test_unreadable_files_and_unknown_users_are_errors(tmp_path, alice, read_file):
    path = tmp_path / "latin.csv"
    path.write_bytes(read_file("windows1252.csv"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_artifacts", str(path), "--as", "alice", stdout=StringIO(), stderr=err)
    assert "not valid UTF-8" in err.getvalue()
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("import_artifacts", str(path), "--as", "nobody")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_output_imports_back(tmp_path, admin_user, catalogue, fmt):
    before = snapshot()
    path = tmp_path / f"all.{fmt}"
    out, _ = run("export_artifacts", "--format", fmt, "--output", str(path))
    assert f"Exported 4 artifacts visible to admin to {path}" in out
    wipe()
    out, _ = run("import_artifacts", str(path))
    assert "4 were created" in out
    assert snapshot() == before


def test_export_filters_and_visibility(tmp_path, victor, catalogue):
    path = tmp_path / "mine.csv"
    run("export_artifacts", "--output", str(path), "--as", "victor", "--owner-team", "cards")
    text = path.read_text(encoding="utf-8-sig")
    assert "cards-journey" in text and "cards-secret" not in text
