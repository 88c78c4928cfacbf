"""Reads of the audit trail: the business timeline (filters, keyset pages) and an artifact's history.

An artifact's history merges its business events with the row changes recorded by pghistory
on every table that references it; each source is read with one bounded query per page.
"""

import base64
import binascii
import heapq
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from ..models import Artifact, AuditEvent
from ..querysets import visible_artifacts
from . import common

# (event model, column naming the artifact) for every table whose rows belong to an artifact.
ARTIFACT_ROW_SOURCES = [
    ("ArtifactEvent", "pgh_obj_id"),
    ("VersionEvent", "artifact_id"),
    ("AuthorshipEvent", "artifact_id"),
    ("LineageEvent", "child_id"),
    ("ReusePolicyEvent", "artifact_id"),
    ("ConsentCoverageEvent", "artifact_id"),
    ("IPAssignmentEvent", "artifact_id"),
    ("ReviewEvent", "artifact_id"),
    ("ReuseEvent", "artifact_id"),
]
# Noise in a diff: derived or bookkeeping columns.
DIFF_IGNORED = {"search_vector", "updated_at"}
# Row columns naming another artifact: one the reader may not see is named nowhere (Rule 8).
ARTIFACT_REF_COLUMNS = ("parent_id", "child_id", "superseded_by_id")


def parse_when(value: str | None, name: str) -> datetime | None:
    """ISO 8601 -> aware datetime; ValidationError naming the parameter when malformed."""
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            {name: ["Use an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z."]}
        )
    try:
        # In UTC: PostgreSQL refuses offsets past 15:59 that Python accepts (up to 23:59).
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValidationError(
            {name: ["The date-time is outside the years 1 to 9999 in UTC."]}
        ) from None


def audit_event_list(
    *,
    user,
    object: str | None = None,
    actor: str | None = None,
    action: str | None = None,  # noqa: A002
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The business timeline for legal and admins, newest first; `object` is `type:id`."""
    if not user.has_perm("catalogue.view_audit"):
        raise PermissionDenied("The audit trail is for legal and admins.")
    qs = AuditEvent.objects.all()
    if object:
        kind, _, ident = object.partition(":")
        if not ident:
            raise ValidationError({"object": ["Use type:id, e.g. artifact:42 or artifact:<slug>."]})
        if kind == "artifact" and not ident.isdigit():
            ident = str(
                Artifact.objects.filter(slug=ident).values_list("pk", flat=True).first() or ""
            )
        qs = qs.filter(object_type=kind, object_id=ident)
    if actor:
        user_id = (
            get_user_model().objects.filter(username=actor).values_list("pk", flat=True).first()
        )
        qs = qs.filter(actor_id=user_id) if user_id else qs.filter(actor_label=actor)
    if action:
        qs = (
            qs.filter(action=action)
            if "." in action
            else qs.filter(action__startswith=f"{action}.")
        )
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs.select_related("actor", "artifact").order_by("-occurred_at", "-id")


# --- keyset cursors -------------------------------------------------------------------------


def encode_cursor(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise ValidationError({"cursor": ["Invalid cursor."]}) from exc


def keyset_page(
    qs: QuerySet[AuditEvent], cursor: str | None, size: int
) -> tuple[list[AuditEvent], str | None]:
    """One page of audit events, newest first, after `cursor`; a damaged cursor is a ValidationError."""
    page = common.keyset_page(qs, [("occurred_at", True), ("id", True)], cursor, size, strict=True)
    return page.items, page.next_cursor


# --- artifact history -----------------------------------------------------------------------


@dataclass
class HistoryItem:
    """One line of an artifact's history: a business event or a row change."""

    kind: str  # "event" or "change"
    at: datetime
    key: str
    action: str
    actor: str
    reason: str
    origin: dict
    object_type: str
    object_id: str
    changes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "action": self.action,
            "actor": self.actor,
            "reason": self.reason,
            "origin": self.origin,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changes": self.changes,
        }


def _event_items(artifact: Artifact, before: tuple | None, size: int) -> list[HistoryItem]:
    qs = AuditEvent.objects.filter(artifact=artifact).order_by("-occurred_at", "-id")
    if before:
        qs = qs.filter(Q(occurred_at__lt=before[0]) | Q(occurred_at=before[0], id__lt=before[2]))
    return [
        HistoryItem(
            "event",
            e.occurred_at,
            f"event:{e.pk}",
            e.action,
            e.actor_label,
            e.reason,
            e.origin,
            e.object_type,
            e.object_id,
            e.changes,
        )
        for e in qs[:size]
    ]


def row_diff(current: dict, previous: dict | None) -> dict:
    """{column: [old, new]} between two event snapshots (all columns for an insert)."""
    changes = {}
    for key, value in current.items():
        if key.startswith("pgh_") or key in DIFF_IGNORED:
            continue
        old = None if previous is None else previous.get(key)
        if previous is None or old != value:
            changes[key] = [old, value]
    return changes


def _change_items(
    model_name: str, column: str, artifact: Artifact, before: tuple | None, size: int
) -> list[HistoryItem]:
    model = apps.get_model("catalogue", model_name)
    table = model._meta.db_table
    ctx = pghistory.models.Context._meta.db_table
    where, params = f"e.{column} = %s", [artifact.pk]
    if before:
        where += " AND (e.pgh_created_at, e.pgh_id) < (%s, %s)"
        params += [before[0], before[2]]
    sql = (
        f"SELECT e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_obj_id, to_jsonb(e), "  # noqa: S608 - names from models
        f"(SELECT to_jsonb(p) FROM {table} p WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id "
        f"ORDER BY p.pgh_id DESC LIMIT 1), c.metadata "
        f"FROM {table} e LEFT JOIN {ctx} c ON c.id = e.pgh_context_id WHERE {where} "
        f"ORDER BY e.pgh_created_at DESC, e.pgh_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size])
        rows = cursor.fetchall()
    object_type = model.pgh_tracked_model._meta.model_name
    items = []
    for pgh_id, at, label, obj_id, data, previous, meta in rows:
        meta = meta if isinstance(meta, dict) else json.loads(meta or "{}")
        data = data if isinstance(data, dict) else json.loads(data)
        if isinstance(previous, str):
            previous = json.loads(previous)
        changes = row_diff(data, None if label == "insert" else previous)
        items.append(
            HistoryItem(
                "change",
                at,
                f"{model_name}:{pgh_id}",
                f"{object_type}.{label}",
                meta.get("actor", ""),
                meta.get("reason", ""),
                meta.get("origin") or {},
                object_type,
                str(obj_id),
                changes,
            )
        )
    return items


def artifact_history(
    *, user, artifact: Artifact, cursor: str | None = None, size: int = 50
) -> tuple[list[HistoryItem], str | None]:
    """Newest first: business events and row changes of `artifact` (caller checked visibility)."""
    if not user.has_perm("catalogue.view_artifact", artifact):
        raise PermissionDenied
    position = decode_cursor(cursor)
    before = None
    if position:
        at = parse_datetime(position.get("t", ""))
        if at is None:
            raise ValidationError({"cursor": ["Invalid cursor."]})
        before = (at, position.get("s", ""), position.get("i", 0))
    streams = [_event_items(artifact, _for_source(before, "event"), size + 1)]
    streams += [
        _change_items(name, column, artifact, _for_source(before, name), size + 1)
        for name, column in ARTIFACT_ROW_SOURCES
    ]
    merged = heapq.merge(*streams, key=_sort_key, reverse=True)
    items = [item for _, item in zip(range(size + 1), merged, strict=False)]
    more = len(items) > size
    items = items[:size]
    following = None
    if more:
        last = items[-1]
        source, _, ident = last.key.partition(":")
        following = encode_cursor({"t": last.at.isoformat(), "s": source, "i": int(ident)})
    return _without_hidden_links(user, items), following


def hidden_artifact_ids(user, values) -> set[int]:
    """Those of `values` (artifact ids) naming an artifact `user` may not see."""
    ids = {v for v in values if isinstance(v, int)}
    if not ids:
        return set()
    return ids - set(visible_artifacts(user).filter(pk__in=ids).values_list("pk", flat=True))


def _without_hidden_links(user, items: list[HistoryItem]) -> list[HistoryItem]:
    refs = [
        v for item in items for col in ARTIFACT_REF_COLUMNS for v in item.changes.get(col) or []
    ]
    hidden = hidden_artifact_ids(user, refs)
    if not hidden:
        return items
    kept = []
    for item in items:
        if item.object_type == "lineage" and any(
            v in hidden for col in ("parent_id", "child_id") for v in item.changes.get(col) or []
        ):
            continue  # the link itself would reveal the hidden artifact
        for col in ARTIFACT_REF_COLUMNS:
            if col in item.changes:
                item.changes[col] = [None if v in hidden else v for v in item.changes[col]]
        kept.append(item)
    return kept


def _source_of(item: HistoryItem) -> str:
    return item.key.partition(":")[0]


def _sort_key(item: HistoryItem) -> tuple:
    return (item.at, _source_of(item), int(item.key.partition(":")[2]))


def _for_source(before: tuple | None, source: str) -> tuple | None:
    """The cursor as seen by one source: same timestamp, id bound depending on source order."""
    if before is None:
        return None
    at, cursor_source, ident = before
    if source == cursor_source:
        return (at, source, ident)
    # Items at the same instant from a source sorting before the cursor's come after it.
    return (at, cursor_source, 2**62 if source < cursor_source else 0)
