"""Daily expiry of background job files: old files go after commit, rows stay marked, idempotent."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from catalogue.models import BackgroundJob
from catalogue.tasks import expire_job_files

pytestmark = pytest.mark.django_db


def make_job(
    alice, *, age_days: float, status=BackgroundJob.Status.SUCCEEDED, with_input=True
) -> BackgroundJob:
    job = BackgroundJob(
        kind="artifact_export",
        status=status,
        created_by=alice,
        result={"rows": 3},
        params={"format": "csv"},
    )
    if with_input:
        job.input_file.save("in.csv", ContentFile(b"slug\nx\n"), save=False)
    job.output_file.save("out.csv", ContentFile(b"slug\nx\n"), save=False)
    job.save()
    BackgroundJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(days=age_days)
    )
    job.refresh_from_db()
    return job


def exists(name: str) -> bool:
    return (settings.MEDIA_ROOT / name).exists()


def test_old_finished_job_files_are_deleted_after_commit_and_rows_kept(
    alice, client, django_capture_on_commit_callbacks
):
    old = make_job(alice, age_days=8)
    failed = make_job(alice, age_days=30, status=BackgroundJob.Status.FAILED, with_input=False)
    fresh = make_job(alice, age_days=6)
    running = make_job(alice, age_days=9, status=BackgroundJob.Status.RUNNING)
    old_names = [old.input_file.name, old.output_file.name, failed.output_file.name]
    with django_capture_on_commit_callbacks() as callbacks:
        assert expire_job_files() == 2
        assert all(exists(n) for n in old_names)  # nothing deleted before the commit
    for callback in callbacks:
        callback()
    assert not any(exists(n) for n in old_names)
    old.refresh_from_db()
    failed.refresh_from_db()
    assert not old.input_file and not old.output_file and old.result["rows"] == 3
    assert old.result["files_expired_at"] and sorted(old.result["expired_files"]) == sorted(
        old_names[:2]
    )
    assert failed.result["files_expired_at"]
    for kept in (fresh, running):
        kept.refresh_from_db()
        assert (
            kept.output_file
            and exists(kept.output_file.name)
            and "files_expired_at" not in kept.result
        )
    assert BackgroundJob.objects.count() == 4
    # The user is told the file expired rather than that it never existed.
    client.force_login(alice)
    assert "has expired" in client.get(f"/jobs/{old.pk}/").content.decode()
    assert client.get(f"/jobs/{old.pk}/download/").status_code == 404


def test_sweep_is_idempotent(alice, django_capture_on_commit_callbacks):
    job = make_job(alice, age_days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_job_files() == 1
    job.refresh_from_db()
    stamped = job.result["files_expired_at"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert expire_job_files() == 0
    assert callbacks == []
    job.refresh_from_db()
    assert job.result["files_expired_at"] == stamped


def test_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-job-files"]
    assert entry == {"task": "catalogue.tasks.expire_job_files", "schedule": 24 * 3600.0}
