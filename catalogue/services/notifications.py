"""Notifications used by the whole product: in-app inbox plus email (or a daily digest).

`notify` writes inbox rows inside the caller's transaction and queues the emails on commit;
the dedupe key makes a redelivered task or a repeated sweep a no-op.
"""

from collections.abc import Iterable

from ..models import Artifact, Notification, Watch
from .queueing import enqueue_on_commit


def notify(
    *,
    users: Iterable,
    kind: str,
    subject: str,
    body: str = "",
    artifact: Artifact | None = None,
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            subject=subject[:200],
            body=body,
            artifact=artifact,
            url=url,
            dedupe_key=dedupe_key,
        )
        for user in {u.pk: u for u in users if u is not None}.values()
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if dedupe_key:
        # ignore_conflicts leaves no pks; re-read what this call actually owns.
        created = list(
            Notification.objects.filter(
                dedupe_key=dedupe_key,
                recipient__in=[r.recipient for r in rows],
                emailed_at__isnull=True,
            )
        )
    ids = [n.pk for n in created if n.pk]
    if ids:
        enqueue_on_commit(
            "send_notification_emails",
            ids,
            recovery="the inbox rows exist; the daily digest emails them",
        )
    return created


def watchers_of(artifact: Artifact) -> list:
    """Users watching the artifact (explicitly, or automatically as owners or reusers)."""
    return [w.user for w in Watch.objects.filter(artifact=artifact).select_related("user")]


def watch(*, user, artifact: Artifact, automatic: bool = False) -> Watch:
    obj, _ = Watch.objects.get_or_create(
        user=user, artifact=artifact, defaults={"automatic": automatic}
    )
    return obj
