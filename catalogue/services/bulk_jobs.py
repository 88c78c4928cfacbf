"""Bulk import and export jobs: queued on commit, run by a worker as their creator, with progress.

The worker's task (`tasks.run_import_job` / `run_export_job`) calls `import_job_run` /
`export_job_run`; the job is queued by task name (`queueing.registered_task`), so services
never import tasks.
"""

import logging
import tempfile
import time

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import QueryDict
from django.utils import timezone

from ..bulk.exporter import export_queryset, iter_csv, iter_json
from ..bulk.formats import FileProblem, parse
from ..models import BackgroundJob
from .bulk_import import import_rows
from .queueing import registered_task

logger = logging.getLogger(__name__)

IMPORT_JOB = "artifact_import"
EXPORT_JOB = "artifact_export"


def _queue(task_name: str, job_id: int) -> None:
    transaction.on_commit(lambda: registered_task(task_name).delay(job_id))


def import_job_create(
    *, acting_user, data: bytes, filename: str, dry_run: bool, total: int
) -> BackgroundJob:
    """Store the upload and queue its import on a worker (after this transaction commits)."""
    if not getattr(acting_user, "pk", None):
        raise PermissionDenied("Sign in to import.")
    with transaction.atomic():
        job = BackgroundJob(
            kind=IMPORT_JOB,
            created_by=acting_user,
            total=total,
            params={"dry_run": dry_run, "filename": filename[:200]},
        )
        job.input_file.save(
            f"import-{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}", ContentFile(data), save=False
        )
        job.save()
        _queue("run_import_job", job.pk)
    return job


def export_job_create(*, acting_user, fmt: str, query: str, total: int) -> BackgroundJob:
    """Queue an export of the user's filtered catalogue view; the file is kept on the job."""
    with transaction.atomic():
        job = BackgroundJob.objects.create(
            kind=EXPORT_JOB,
            created_by=acting_user,
            total=total,
            params={"format": fmt, "query": query},
        )
        _queue("run_export_job", job.pk)
    return job


def _claim(job_id: int, kind: str) -> BackgroundJob | None:
    """Mark a queued job running; None when it is gone or already handled (redelivery)."""
    with transaction.atomic():
        job = (
            BackgroundJob.objects.select_for_update(of=("self",))
            .filter(pk=job_id, kind=kind)
            .select_related("created_by")
            .first()
        )
        if job is None or job.status in (
            BackgroundJob.Status.SUCCEEDED,
            BackgroundJob.Status.FAILED,
        ):
            return None
        job.status = BackgroundJob.Status.RUNNING
        job.save(update_fields=["status"])
    return job


def _finish(job: BackgroundJob, *, ok: bool, result: dict, **extra) -> None:
    job.status = BackgroundJob.Status.SUCCEEDED if ok else BackgroundJob.Status.FAILED
    job.result = result
    job.finished_at = timezone.now()
    for name, value in extra.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "result", "finished_at", *extra])


class ProgressWriter:
    """Writes progress from inside a long transaction through its own autocommit connection,
    so the page polling the job sees it move; skips (never waits) while the row is locked."""

    SQL = (
        "UPDATE catalogue_backgroundjob SET progress = %s, total = %s WHERE id = "
        "(SELECT id FROM catalogue_backgroundjob WHERE id = %s FOR UPDATE SKIP LOCKED)"
    )

    def __init__(self, job_id: int, *, interval: float = 0.5):
        self.job_id, self.interval, self.last = job_id, interval, 0.0
        self.done = self.total = 0
        self.connection: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if done != total and now - self.last < self.interval:
            return
        self.last = now
        try:
            connection = self.connection or connections.create_connection("default")
            self.connection = connection
            with connection.cursor() as cursor:
                cursor.execute(self.SQL, [done, total, self.job_id])
        except Exception:  # noqa: BLE001 - progress is cosmetic; the import must not fail for it
            logger.warning("could not record progress of job %s", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def import_job_run(*, job_id: int, progress: ProgressWriter | None = None) -> BackgroundJob | None:
    """Run a queued import as its creator; idempotent (a finished job is left alone)."""
    job = _claim(job_id, IMPORT_JOB)
    if job is None:
        return None
    progress = progress or ProgressWriter(job.pk)
    dry_run = bool(job.params.get("dry_run"))
    try:
        with job.input_file.open("rb") as handle:
            data = handle.read()
        parsed = parse(data, filename=job.params.get("filename", ""))
        report = import_rows(
            parsed.rows,
            acting_user=job.created_by,
            dry_run=dry_run,
            source=parsed.format,
            progress=progress,
            reason=f"bulk import of {job.params.get('filename', 'a file')}",
        )
    except FileProblem as exc:
        _finish(
            job, ok=False, result={"errors": [e.as_dict() for e in exc.errors], "dry_run": dry_run}
        )
        return job
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(
            job,
            ok=False,
            result={
                "errors": [
                    {
                        "row": None,
                        "column": "",
                        "message": "The import failed unexpectedly; nothing was imported.",
                    }
                ],
                "dry_run": dry_run,
            },
        )
        return job
    finally:
        progress.close()
    _finish(
        job,
        ok=report.ok,
        result=report.as_dict(),
        progress=job.total or report.rows,
        total=job.total or report.rows,
    )
    return job


def export_job_run(*, job_id: int) -> BackgroundJob | None:
    """Write a queued export to the job's output file as its creator; idempotent."""
    job = _claim(job_id, EXPORT_JOB)
    if job is None:
        return None
    fmt = job.params.get("format", "csv")
    queryset = export_queryset(user=job.created_by, params=QueryDict(job.params.get("query", "")))
    progress = ProgressWriter(job.pk)
    writer = iter_csv if fmt == "csv" else iter_json
    # The request only counted far enough to choose a job; the worker can afford the full count.
    chunks = writer(queryset, progress=progress, total=queryset.order_by().count())
    try:
        with tempfile.TemporaryFile() as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8"))
            handle.seek(0)
            job.output_file.save(f"export-{job.pk}.{fmt}", File(handle), save=False)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _finish(job, ok=False, result={"detail": "the export failed unexpectedly"})
        return job
    finally:
        progress.close()
    _finish(job, ok=True, result={"rows": progress.done}, output_file=job.output_file)
    return job
