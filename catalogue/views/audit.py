"""Audit web pages: the timeline for legal and admins, an artifact's history, as-of view, audit pack."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef
from django.shortcuts import render
from django.utils import timezone

from ..audit_pack import build_pack, may_fetch_pack
from ..models import Artifact, AuditEvent
from ..selectors.as_of import artifact_as_of
from ..selectors.audit import artifact_history, audit_event_list, keyset_page, parse_when
from ..selectors.common import visible_artifact
from ..selectors.preload import json_rows, preloaded
from .panels import Panel, register

PAGE_SIZE = 50
PANEL_SIZE = 8


def _visible_artifact(request, slug: str) -> Artifact:
    return visible_artifact(request.user, slug, "owner_team")


def _web_when(value: str | None, name: str) -> datetime | None:
    """ISO 8601, or the picker's local `YYYY-MM-DDTHH:MM` read in the site's time zone."""
    if not value:
        return None
    try:
        return parse_when(value, name)
    except ValidationError:
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                {name: ["Enter a date and time, e.g. 2026-01-31T12:00."]}
            ) from None
        return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def audit_events_view(request):
    """The business timeline, filtered by object, actor, action and time range (legal, admins)."""
    if not request.user.has_perm("catalogue.view_audit"):
        raise PermissionDenied
    params = {
        k: request.GET.get(k, "").strip() for k in ("object", "actor", "action", "since", "until")
    }
    errors: dict = {}
    events: list[AuditEvent] = []
    following: str | None = None
    try:
        since = _web_when(params["since"], "since")
        until = _web_when(params["until"], "until")
        qs = audit_event_list(
            user=request.user,
            object=params["object"] or None,
            actor=params["actor"] or None,
            action=params["action"] or None,
            since=since,
            until=until,
        )
        events, following = keyset_page(qs, request.GET.get("cursor"), PAGE_SIZE)
    except ValidationError as exc:
        errors = exc.message_dict
    query = request.GET.copy()
    next_query = None
    if following:
        query["cursor"] = following
        next_query = query.urlencode()
    return render(
        request,
        "catalogue/audit/events.html",
        {
            "events": events,
            "params": params,
            "errors": errors,
            "next_query": next_query,
            "first_page": not request.GET.get("cursor"),
        },
        status=400 if errors else 200,
    )


def artifact_history_view(request, slug):
    """Every business event and row change of one artifact, newest first."""
    artifact = _visible_artifact(request, slug)
    try:
        items, following = artifact_history(
            user=request.user, artifact=artifact, cursor=request.GET.get("cursor"), size=PAGE_SIZE
        )
    except ValidationError:
        items, following = artifact_history(user=request.user, artifact=artifact, size=PAGE_SIZE)
    return render(
        request,
        "catalogue/audit/history.html",
        {
            "artifact": artifact,
            "items": items,
            "following": following,
            "may_pack": may_fetch_pack(request.user, artifact),
        },
    )


def artifact_as_of_view(request, slug):
    """The artifact as it was at `at` (a datetime picker; defaults to now)."""
    artifact = _visible_artifact(request, slug)
    errors: dict = {}
    raw = request.GET.get("at", "").strip()
    try:
        at = _web_when(raw, "at") or timezone.now()
    except ValidationError as exc:
        errors, at = exc.message_dict, timezone.now()
    state = artifact_as_of(user=request.user, artifact=artifact, at=at)
    return render(
        request,
        "catalogue/audit/as_of.html",
        {
            "artifact": artifact,
            "state": state,
            "at": at,
            "raw_at": raw,
            "errors": errors,
            "picker_value": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M:%S"),
        },
        status=400 if errors else 200,
    )


def artifact_audit_pack_view(request, slug):
    """Printable audit pack (legal, admins and the owner team)."""
    artifact = _visible_artifact(request, slug)
    pack = build_pack(user=request.user, artifact=artifact)
    rows = [(label.replace("_", " "), _display(value)) for label, value in pack["artifact"].items()]
    return render(
        request,
        "catalogue/audit/pack.html",
        {
            "artifact": artifact,
            "pack": pack,
            "artifact_rows": rows,
            "generated_at": timezone.now(),
        },
    )


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def history_panel(request, artifact: Artifact) -> dict | None:
    """The latest events of the artifact for its page; one query."""
    if not request.user.has_perm("catalogue.view_artifact", artifact):
        return None
    events = preloaded(
        artifact,
        "history_events",
        AuditEvent,
        lambda: artifact.audit_events.order_by("-occurred_at", "-id")[:PANEL_SIZE],
    )
    return {
        "artifact": artifact,
        "events": events,
        "may_pack": may_fetch_pack(request.user, artifact),
    }


def history_loads(user) -> dict:
    return {
        "history_events": json_rows(
            AuditEvent.objects.filter(artifact=OuterRef("pk")).order_by("-occurred_at", "-id")[
                :PANEL_SIZE
            ]
        )
    }


register(
    Panel(
        key="history",
        template="catalogue/audit/panel_history.html",
        context=history_panel,
        order=90,
        loads=history_loads,
    )
)
