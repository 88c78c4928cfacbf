"""Which rows are the demo's own: created by `seed_demo` itself, never a user's.

The mark is the creation event in the audit trail (origin command `seed_demo`), so a user's
artifact that happens to share a team, or even a slug, with the demo is never touched.
"""

import functools
import os

from django.db.models import QuerySet

from ..models import Artifact, AuditEvent, Reuse
from ..origin import current_origin, origin
from ..services.audit import audited_as_system

COMMAND = "seed_demo"


def seeded_ids(*, action: str, object_type: str) -> set[int]:
    """Primary keys of the rows whose `action` event was written by seed_demo."""
    ids = AuditEvent.objects.filter(
        action=action, object_type=object_type, origin__kind="command", origin__command=COMMAND
    ).values_list("object_id", flat=True)
    return {int(i) for i in ids if str(i).isdigit()}


def demo_artifacts(slugs=None) -> QuerySet[Artifact]:
    qs = Artifact.objects.filter(
        pk__in=seeded_ids(action="artifact.registered", object_type="artifact")
    )
    return qs.filter(slug__in=list(slugs)) if slugs is not None else qs


def demo_reuses() -> QuerySet[Reuse]:
    return Reuse.objects.filter(pk__in=seeded_ids(action="reuse.recorded", object_type="reuse"))


def seeder(func):
    """A seeder writes as the command, even when called directly (tests): origin `command
    seed_demo`, no actor in the audit trail, so `seeded_ids` recognises what it made."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        if current_origin().get("command") == COMMAND:
            with audited_as_system(COMMAND):
                return func(*args, **kwargs)
        with origin(kind="command", command=COMMAND, pid=os.getpid()), audited_as_system(COMMAND):
            return func(*args, **kwargs)

    return run
