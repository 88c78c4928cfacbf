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


def _panel_context(user, artifact) -> dict:
    # Both flags in one query (is_watching + wants_digest would be two on every artifact page).
    flags = get_user_model().objects.filter(pk=user.pk).values_list(
        Exists(Watch.objects.filter(user=OuterRef("pk"), artifact=artifact)),
        Exists(NotificationPreference.objects.filter(user=OuterRef("pk"), daily_digest=True)),
    ).first() if getattr(user, "is_authenticated", False) else None
    watching, digest = flags or (False, False)
    return {"artifact": artifact, "watching": watching, "daily_digest": digest}


def watch_panel(request, artifact):
    """Watch button and digest toggle on the artifact page."""
    return _panel_context(request.user, artifact)


@require_POST
def artifact_watch_view(request, slug):
    """Toggle watching: `watch=1` to watch, `watch=0` to stop."""
    artifact = visible_artifact(request.user, slug)
    artifact_watch_set(acting_user=request.user, artifact=artifact, watching=request.POST.get("watch") == "1")
    if request.htmx:
        return render(request, PANEL_TEMPLATE, {"ctx": _panel_context(request.user, artifact)})
    return redirect("catalogue:artifact_detail", slug=artifact.slug)


@require_POST
def digest_preference_view(request):
    """Switch between one email per notification and one daily digest."""
    digest_preference_set(acting_user=request.user, daily_digest=request.POST.get("daily_digest") == "1")
    slug = request.POST.get("artifact", "")
    artifact = visible_artifacts(request.user).filter(slug=slug).first() if slug else None
    if request.htmx and artifact is not None:
        return render(request, PANEL_TEMPLATE, {"ctx": _panel_context(request.user, artifact)})
    if artifact is not None:
        return redirect("catalogue:artifact_detail", slug=artifact.slug)
    return redirect("catalogue:home")


register(Panel(key="watch", template=PANEL_TEMPLATE, context=watch_panel, order=5))
