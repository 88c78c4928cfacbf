"""Web: watch/unwatch an artifact and the daily-digest preference (htmx, and plain POST without JS)."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..models import NotificationPreference, Watch
from ..querysets import visible_artifacts
from ..selectors.common import visible_artifact
from ..services.watching import artifact_watch_set, digest_preference_set
from .panels import Panel, register

PANEL_TEMPLATE = "catalogue/retirement/watch.html"


def _flags(user, artifact_ref) -> tuple:
    return (
        Exists(Watch.objects.filter(user_id=user.pk, artifact=artifact_ref)),
        Exists(NotificationPreference.objects.filter(user_id=user.pk, daily_digest=True)),
    )


def watch_loads(user) -> dict:
    """The two flags as columns of the artifact page's query."""
    if not getattr(user, "is_authenticated", False):
        return {}
    watching, digest = _flags(user, OuterRef("pk"))
    return {"watch_watching": watching, "watch_daily_digest": digest}


def _panel_context(user, artifact) -> dict:
    if not getattr(user, "is_authenticated", False):
        watching, digest = False, False
    elif hasattr(artifact, "watch_watching"):
        watching, digest = artifact.watch_watching, artifact.watch_daily_digest
    else:
        # Both flags in one query (is_watching + wants_digest would be two).
        watching, digest = (
            get_user_model().objects.filter(pk=user.pk).values_list(*_flags(user, artifact)).get()
        )
    return {"artifact": artifact, "watching": watching, "daily_digest": digest}


def watch_panel(request, artifact):
    """Watch button and digest toggle on the artifact page."""
    return _panel_context(request.user, artifact)


@require_POST
def artifact_watch_view(request, slug):
    """Toggle watching: `watch=1` to watch, `watch=0` to stop."""
    artifact = visible_artifact(request.user, slug)
    artifact_watch_set(
        acting_user=request.user, artifact=artifact, watching=request.POST.get("watch") == "1"
    )
    if request.htmx:
        return render(request, PANEL_TEMPLATE, {"ctx": _panel_context(request.user, artifact)})
    return redirect("catalogue:artifact_detail", slug=artifact.slug)


@require_POST
def digest_preference_view(request):
    """Switch between one email per notification and one daily digest."""
    digest_preference_set(
        acting_user=request.user, daily_digest=request.POST.get("daily_digest") == "1"
    )
    slug = request.POST.get("artifact", "")
    artifact = visible_artifacts(request.user).filter(slug=slug).first() if slug else None
    if request.htmx and artifact is not None:
        return render(request, PANEL_TEMPLATE, {"ctx": _panel_context(request.user, artifact)})
    if artifact is not None:
        return redirect("catalogue:artifact_detail", slug=artifact.slug)
    return redirect("catalogue:home")


register(
    Panel(key="watch", template=PANEL_TEMPLATE, context=watch_panel, order=5, loads=watch_loads)
)
