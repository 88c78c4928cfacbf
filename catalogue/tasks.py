"""Celery tasks: ids in, call a service, idempotent under redelivery."""

import functools
import inspect
import logging

from celery import shared_task

from .origin import task_origin

logger = logging.getLogger(__name__)


def task_with_origin(func):
    """`shared_task(acks_late=True)` whose writes the audit trail attributes to this task."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with task_origin(task=func.__name__):
            return func(*args, **kwargs)

    # Celery checks call arguments against it; functions take arbitrary attributes, the stubs' wrapper type does not say so.
    run.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
    return shared_task(acks_late=True)(run)


@shared_task(acks_late=True)
def seal_audit_chain() -> int:
    """Seal unsealed audit rows into the hash chain; safe to run concurrently and repeatedly.

    Never waits for a sealer already running (it, or the next periodic run, seals the rest).
    """
    from .services.audit_chain import seal_pending

    return seal_pending(wait=False)


@shared_task(acks_late=True)
def ping(marker: str) -> str:
    """Health probe used by tests and /healthz tooling: records that a worker ran it."""
    from django.core.cache import cache

    cache.set(f"ping:{marker}", "pong", 300)
    return marker


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email each notification not yet emailed, unless its recipient chose the daily digest."""
    from django.core.mail import send_mail
    from django.utils import timezone

    from .models import Notification, NotificationPreference

    digest_users = set(
        NotificationPreference.objects.filter(daily_digest=True).values_list("user_id", flat=True)
    )
    sent = 0
    for note in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient"):
        if note.recipient_id in digest_users or not note.recipient.email:
            continue
        send_mail(note.subject, note.body or note.subject, None, [note.recipient.email])
        Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent


# --- Lifecycle: retirement notices, sunset sweep, stale flags, digests ------------------


@task_with_origin
def notify_artifact_retired(artifact_id: int, action: str, event_id: int) -> int:
    """Notify watchers and reusing teams of a deprecation/archive; deduped per audit event."""
    from .services.retirement_notices import notify_retirement

    return notify_retirement(artifact_id=artifact_id, action=action, event_id=event_id)


@task_with_origin
def notify_new_version(version_id: int) -> int:
    """Notify watchers of a new version; queue with transaction.on_commit after creating it."""
    from .services.retirement_notices import notify_new_version as notify

    return notify(version_id=version_id)


@task_with_origin
def archive_sunset_artifacts() -> int:
    """Daily: archive deprecated artifacts past their sunset date, as the system; idempotent."""
    from .services.retirement import artifacts_sunset_sweep

    return len(artifacts_sunset_sweep())


@task_with_origin
def flag_stale_artifacts() -> int:
    """Daily: tell owners about published artifacts idle for twelve months (once a month each)."""
    from .services.retirement_notices import stale_artifacts_flag

    return stale_artifacts_flag()


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """Daily: one email per digest user with the last day's unread notifications."""
    from .services.watching import digests_send

    return digests_send()


@shared_task(acks_late=True)
def rollup_reuse(reuse_id: int) -> bool:
    """Fold one reuse into its artifact's rollup; a redelivered or stale message is a no-op."""
    from .services.rollups import rollup_apply_reuse

    return rollup_apply_reuse(reuse_id)


@shared_task(acks_late=True)
def rollup_outcome(outcome_id: int) -> bool:
    """Fold one outcome into its artifact+metric rollup and refresh the interval; idempotent."""
    from .services.rollups import rollup_apply_outcome

    return rollup_apply_outcome(outcome_id)


@task_with_origin
def notify_consent_impact(consent_id: int) -> int:
    """Tell owner teams and reusing teams about a withdrawn/expired consent; dedupe keys make it idempotent."""
    from .services.consent import impact_notify

    return impact_notify(consent_id=consent_id)


@task_with_origin
def sweep_consent_expiry() -> dict:
    """Daily: expire consents past their date (same effect as withdrawal), warn owners 30 days ahead."""
    from .services.consent import consent_expiry_sweep

    return consent_expiry_sweep()


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> str:
    """Run a queued bulk import (BackgroundJob) as its creator; a finished job is skipped."""
    from .services.bulk_jobs import import_job_run

    with task_origin(task="run_import_job", job=job_id):
        job = import_job_run(job_id=job_id)
    return job.status if job else "skipped"


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str:
    """Write a queued bulk export to the job's file as its creator; a finished job is skipped."""
    from .services.bulk_jobs import export_job_run

    with task_origin(task="run_export_job", job=job_id):
        job = export_job_run(job_id=job_id)
    return job.status if job else "skipped"


@shared_task(acks_late=True)
def repair_rollups() -> int:
    """Nightly: recompute every rollup from scratch and fix what lost or failed messages left wrong."""
    from .services.rollups import rollups_recompute

    differences = rollups_recompute(fix=True)
    for difference in differences[:50]:
        logger.warning("rollup repaired: %s", difference)
    return len(differences)


@task_with_origin
def expire_job_files() -> int:
    """Daily: delete background job files older than a week (rows stay, marked expired)."""
    from .services.job_files import job_files_expire

    return job_files_expire()
