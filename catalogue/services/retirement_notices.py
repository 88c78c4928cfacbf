"""Who hears about a lifecycle change: watchers, owners and teams with live reuses.

Run from Celery tasks after commit; every notice carries a dedupe key, so redelivery is a no-op.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..models import Artifact, Reuse, Version, Watch
from ..models.choices import ArtifactStatus, Sensitivity
from ..models.teams import Membership
from .notifications import notify
from .watching import ensure_automatic_watches

User = get_user_model()

STALE_AFTER = dt.timedelta(days=365)


def artifact_url(artifact: Artifact) -> str:
    try:
        return reverse("catalogue:artifact_detail", kwargs={"slug": artifact.slug})
    except NoReverseMatch:
        return f"/artifacts/{artifact.slug}/"


def _may_see(users, artifact: Artifact) -> list:
    # Rule 8 for notifications: a restricted artifact's news reaches only those who may see it.
    if artifact.sensitivity != Sensitivity.RESTRICTED:
        return list(users)
    return [u for u in users if u.has_perm("catalogue.view_artifact", artifact)]


def _watchers(artifact: Artifact) -> list:
    ensure_automatic_watches(artifact)
    return list(
        User.objects.filter(
            is_active=True, pk__in=Watch.objects.filter(artifact=artifact).values("user_id")
        )
    )


def _live_reuser_members(artifact: Artifact) -> list:
    teams = Reuse.objects.filter(artifact=artifact, ended_on__isnull=True).values("team_id")
    return list(
        User.objects.filter(
            is_active=True, pk__in=Membership.objects.filter(team_id__in=teams).values("user_id")
        )
    )


def notify_retirement(*, artifact_id: int, action: str, event_id: int) -> int:
    """Tell watchers (owners included) and members of teams with live reuses that it was retired."""
    artifact = Artifact.objects.select_related("superseded_by").filter(pk=artifact_id).first()
    if artifact is None:
        return 0
    verb = "deprecated" if action == "artifact.deprecated" else "archived"
    lines = [f"Why: {artifact.retirement_rationale}"]
    if artifact.superseded_by is not None:
        lines.append(
            f"Replaced by: {artifact.superseded_by.title} ({artifact_url(artifact.superseded_by)})"
        )
    if artifact.sunset_on and verb == "deprecated":
        lines.append(f"Sunset date: {artifact.sunset_on.isoformat()} (reuse is refused after it)")
    if artifact.lessons_learned:
        lines.append(f"Lessons learned: {artifact.lessons_learned}")
    with transaction.atomic():
        users = {u.pk: u for u in _watchers(artifact) + _live_reuser_members(artifact)}.values()
        created = notify(
            users=_may_see(users, artifact),
            kind=action,
            subject=f"'{artifact.title}' was {verb}",
            body="\n".join(lines),
            artifact=artifact,
            url=artifact_url(artifact),
            dedupe_key=f"{action}:{artifact.pk}:{event_id}",
        )
    return len(created)


def notify_new_version(*, version_id: int) -> int:
    """Tell watchers (owners included) that a new version exists; the author is not told."""
    version = Version.objects.select_related("artifact").filter(pk=version_id).first()
    if version is None:
        return 0
    artifact = version.artifact
    with transaction.atomic():
        users = [u for u in _watchers(artifact) if u.pk != version.created_by_id]
        created = notify(
            users=_may_see(users, artifact),
            kind="artifact.version_added",
            subject=f"'{artifact.title}' has a new version {version.version}",
            body=version.changelog,
            artifact=artifact,
            url=artifact_url(artifact),
            dedupe_key=f"version:{version.pk}",
        )
    return len(created)


def stale_artifacts(*, now: dt.datetime | None = None):
    """Published artifacts with no update and no reuse for twelve months."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    recent_reuse = Reuse.objects.filter(artifact=OuterRef("pk")).filter(
        Q(occurred_on__gte=cutoff.date()) | Q(created_at__gte=cutoff)
    )
    return Artifact.objects.filter(status=ArtifactStatus.PUBLISHED, updated_at__lt=cutoff).exclude(
        Exists(recent_reuse)
    )


def stale_artifacts_flag(*, now: dt.datetime | None = None) -> int:
    """Flag each stale artifact to its owner team, once per artifact per month (dedupe key)."""
    now = now or timezone.now()
    month = now.strftime("%Y-%m")
    flagged = 0
    for artifact in (
        stale_artifacts(now=now)
        .only("pk", "slug", "title", "owner_team_id", "sensitivity")
        .iterator(chunk_size=500)
    ):
        owners = User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(team_id=artifact.owner_team_id).values("user_id"),
        )
        with transaction.atomic():
            created = notify(
                users=owners,
                kind="artifact.stale",
                subject=f"'{artifact.title}' has had no reuse and no update for twelve months",
                body="Update it if it is still useful, or deprecate or archive it with a rationale so "
                "others learn from it.",
                artifact=artifact,
                url=artifact_url(artifact),
                dedupe_key=f"stale:{artifact.pk}:{month}",
            )
        flagged += bool(created)
    return flagged
