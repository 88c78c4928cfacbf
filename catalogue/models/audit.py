import pgtrigger
from django.conf import settings
from django.db import models


class AppendOnly:
    """PostgreSQL refuses UPDATE, DELETE and TRUNCATE on audit tables, for every role.

    A superuser can still disable triggers; the hash chain (AuditSeal) makes that detectable.
    """

    triggers = [
        pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        pgtrigger.Trigger(
            name="no_truncate",
            when=pgtrigger.Before,
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
            func="RAISE EXCEPTION 'audit table % is append-only: TRUNCATE refused', TG_TABLE_NAME;",
        ),
    ]


class AuditEvent(models.Model):
    """A business event (`artifact.published`, `consent.withdrawn`, ...) with who, why, from where.

    Row-level field changes live in the pghistory event tables; this is the readable timeline.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint: audit rows must outlive users and objects, and never be updated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, blank=True)
    artifact = models.ForeignKey(
        "catalogue.Artifact",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    reason = models.TextField(blank=True)
    origin = models.JSONField(
        default=dict, help_text="web/api/task/command, request or task id, path"
    )
    changes = models.JSONField(default=dict, help_text="field -> [old, new]")
    context_id = models.UUIDField(
        null=True, blank=True, help_text="pghistory context of the same change"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["artifact", "-occurred_at"], name="audit_artifact_time"),
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="audit_object"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action"),
        ]
        triggers = AppendOnly.triggers

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class AuditSeal(models.Model):
    """One link of the tamper-evidence hash chain over audit rows (events and row history)."""

    seq = models.BigAutoField(primary_key=True)
    source = models.CharField(max_length=64, help_text="table the sealed row lives in")
    row_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "row_id"], name="seal_unique_row")]
        triggers = AppendOnly.triggers
