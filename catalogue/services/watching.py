"""Watching artifacts and the daily-digest preference; the digest email itself.

Owners watch their team's artifacts automatically; reusing teams are added by reuse_record.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Artifact, Notification, NotificationPreference, Watch
from ..models.teams import Membership

User = get_user_model()


def ensure_automatic_watches(artifact: Artifact) -> int:
    """Owner team members watch the artifact (idempotent; a few queries, none per member)."""
    member_ids = set(
        Membership.objects.filter(team_id=artifact.owner_team_id).values_list("user_id", flat=True)
    )
    existing = set(
        Watch.objects.filter(artifact=artifact, user_id__in=member_ids).values_list(
            "user_id", flat=True
        )
    )
    missing = member_ids - existing
    Watch.objects.bulk_create(
        [Watch(user_id=uid, artifact=artifact, automatic=True) for uid in missing],
        ignore_conflicts=True,
    )
    return len(missing)


def artifact_watch_set(*, acting_user, artifact: Artifact, watching: bool) -> bool:
    """Start or stop watching (the caller checked the artifact is visible); returns the new state."""
    if watching:
        Watch.objects.get_or_create(
            user=acting_user, artifact=artifact, defaults={"automatic": False}
        )
    else:
        Watch.objects.filter(user=acting_user, artifact=artifact).delete()
    return watching


def is_watching(user, artifact: Artifact) -> bool:
    return Watch.objects.filter(user=user, artifact=artifact).exists()


def digest_preference_set(*, acting_user, daily_digest: bool) -> NotificationPreference:
    """One email a day instead of one per notification; no-op when unchanged."""
    pref, created = NotificationPreference.objects.get_or_create(
        user=acting_user, defaults={"daily_digest": daily_digest}
    )
    if not created and pref.daily_digest != daily_digest:
        pref.daily_digest = daily_digest
        pref.save(update_fields=["daily_digest"])
    return pref


def wants_digest(user) -> bool:
    return NotificationPreference.objects.filter(user=user, daily_digest=True).exists()


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Email each digest user their unread, not-yet-emailed notifications of the last day, in one email.

    Idempotent: the rows are marked emailed in the same transaction, under a skip-locked lock.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    sent = 0
    user_ids = NotificationPreference.objects.filter(daily_digest=True).values_list(
        "user_id", flat=True
    )
    for user in User.objects.filter(pk__in=list(user_ids)).exclude(email=""):
        with transaction.atomic():
            notes = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(
                    recipient=user,
                    read_at__isnull=True,
                    emailed_at__isnull=True,
                    created_at__gte=since,
                )
                .order_by("created_at", "id")
            )
            if not notes:
                continue
            lines = [f"- {n.subject}" + (f"\n  {n.url}" if n.url else "") for n in notes]
            send_mail(
                f"Catalogue digest: {len(notes)} notification{'s' if len(notes) != 1 else ''}",
                "Your catalogue notifications of the last day:\n\n" + "\n".join(lines),
                None,
                [user.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=now)
            sent += 1
    return sent
