"""Celery tasks: ids in, call a service, idempotent under redelivery."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def seal_audit_chain() -> int:
    """Seal unsealed audit rows into the hash chain; safe to run concurrently and repeatedly."""
    from .services.audit_chain import seal_pending

    return seal_pending()


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
    for note in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient"):
        if note.recipient_id in digest_users or not note.recipient.email:
            continue
        send_mail(note.subject, note.body or note.subject, None, [note.recipient.email])
        Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        sent += 1
    return sent
