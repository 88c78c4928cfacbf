"""Which versions of an artifact are published, and which one a reuse gets by default (Rule 1)."""

from django.db.models import QuerySet

from ..models import Version


def published_versions(artifact) -> QuerySet[Version]:
    """The artifact's published versions, newest first: the only ones anyone may reuse."""
    return Version.objects.filter(artifact_id=artifact.pk, published_at__isnull=False).order_by(
        "-created_at", "-id"
    )


def latest_published_version(artifact) -> Version | None:
    """The newest published version (what `current_version` points at once one is published)."""
    return published_versions(artifact).first()
