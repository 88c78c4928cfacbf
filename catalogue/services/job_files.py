"""Background job files are kept a week: afterwards the files go, the rows (and reports) stay."""

import datetime as dt
import functools
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import BackgroundJob

logger = logging.getLogger(__name__)

KEEP_FILES_FOR = dt.timedelta(days=7)
BATCH = 500


def job_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete input/output files of finished jobs older than a week; marks each row expired.

    Idempotent (expired rows have no files left to match) and safe beside a second sweeper
    (rows are claimed with SKIP LOCKED). Queued and running jobs keep their files: a worker may
    still read them. Files are deleted after the row update commits, never before.
    """
    now = now or timezone.now()
    done = 0
    while True:
        with transaction.atomic():
            jobs = list(
                BackgroundJob.objects.select_for_update(skip_locked=True)
                .filter(
                    created_at__lt=now - KEEP_FILES_FOR,
                    status__in=[BackgroundJob.Status.SUCCEEDED, BackgroundJob.Status.FAILED],
                )
                .filter(
                    ~Q(input_file="") & Q(input_file__isnull=False)
                    | ~Q(output_file="") & Q(output_file__isnull=False)
                )
                .order_by("id")[:BATCH]
            )
            if not jobs:
                return done
            for job in jobs:
                names = [str(f.name) for f in (job.input_file, job.output_file) if f]
                storage = job.output_file.storage
                job.result = {
                    **job.result,
                    "files_expired_at": now.isoformat(),
                    "expired_files": names,
                }
                job.input_file, job.output_file = None, None
                job.save(update_fields=["result", "input_file", "output_file"])
                transaction.on_commit(functools.partial(_delete, storage, names))
            done += len(jobs)


def _delete(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # A file already gone is what we wanted; anything else is logged, the row stays expired.
            logger.warning("could not delete job file %s", name, exc_info=True)
