"""An artifact as it was at a moment, rebuilt from the pghistory event tables.

Each table is read once: the latest event per object with `pgh_created_at <= at`
(DISTINCT ON), objects whose latest event is a delete left out.
"""

import json
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection

from ..models import Artifact
from .audit import hidden_artifact_ids

HIDDEN = {"search_vector"}


def _clean(row: dict | str) -> dict:
    # Django's psycopg setup hands jsonb back as text.
    row = json.loads(row) if isinstance(row, str) else row
    return {k: v for k, v in row.items() if not k.startswith("pgh_") and k not in HIDDEN}


def latest_rows(model_name: str, column: str, values: list, at: datetime) -> list[dict]:
    """Rows of `model_name`'s tracked table as of `at` whose `column` is in `values`."""
    if not values:
        return []
    table = apps.get_model("catalogue", model_name)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ON (e.pgh_obj_id) e.pgh_label, to_jsonb(e) FROM {table} e "  # noqa: S608 - names from models
            f"WHERE e.{column} = ANY(%s) AND e.pgh_created_at <= %s ORDER BY e.pgh_obj_id, e.pgh_id DESC",
            [list(values), at],
        )
        rows = cursor.fetchall()
    return sorted(
        (_clean(data) for label, data in rows if label != "delete"), key=lambda r: r["id"]
    )


def artifact_as_of(*, user, artifact: Artifact, at: datetime) -> dict:
    """Fields, status, policy (ODRL), consents, reviews with decisions, authorship, versions and
    lineage of `artifact` at `at`; `artifact` is None when it did not exist yet."""
    if not user.has_perm("catalogue.view_artifact", artifact):
        raise PermissionDenied
    state = latest_rows("ArtifactEvent", "pgh_obj_id", [artifact.pk], at)
    result: dict = {
        "at": at.isoformat(),
        "slug": artifact.slug,
        "artifact": None,
        "status": None,
        "policy": None,
        "consents": [],
        "reviews": [],
        "authorships": [],
        "versions": [],
        "lineage": [],
    }
    if not state:
        return result
    fields = state[0]
    result["artifact"] = fields
    result["status"] = fields["status"]
    policy_id = fields.get("current_policy_id")
    policies = latest_rows("ReusePolicyEvent", "pgh_obj_id", [policy_id], at) if policy_id else []
    if policies:
        p = policies[0]
        result["policy"] = {k: p[k] for k in ("id", "revision", "odrl", "summary", "created_at")}
    coverage = latest_rows("ConsentCoverageEvent", "artifact_id", [artifact.pk], at)
    consents = latest_rows(
        "ConsentRecordEvent", "pgh_obj_id", [c["consent_id"] for c in coverage], at
    )
    result["consents"] = [
        {
            k: c.get(k)
            for k in (
                "id",
                "contributor_id",
                "purposes",
                "status",
                "status_changed_at",
                "status_reason",
                "obtained_at",
                "expires_at",
                "jurisdiction",
                "notice_version",
                "method",
            )
        }
        for c in consents
    ]
    reviews = latest_rows("ReviewEvent", "artifact_id", [artifact.pk], at)
    decisions = latest_rows("ReviewDecisionEvent", "review_id", [r["id"] for r in reviews], at)
    reviewers = dict(
        get_user_model()
        .objects.filter(pk__in={d["reviewer_id"] for d in decisions})
        .values_list("pk", "username")
    )
    for review in reviews:
        review["decisions"] = [
            {**d, "reviewer": reviewers.get(d["reviewer_id"], "")}
            for d in decisions
            if d["review_id"] == review["id"]
        ]
    result["reviews"] = reviews
    result["authorships"] = latest_rows("AuthorshipEvent", "artifact_id", [artifact.pk], at)
    result["versions"] = latest_rows("VersionEvent", "artifact_id", [artifact.pk], at)
    lineage = latest_rows("LineageEvent", "child_id", [artifact.pk], at)
    hidden = hidden_artifact_ids(
        user, [row["parent_id"] for row in lineage] + [fields.get("superseded_by_id")]
    )
    result["lineage"] = [row for row in lineage if row["parent_id"] not in hidden]
    if fields.get("superseded_by_id") in hidden:
        fields["superseded_by_id"] = None
    return result
