from django.conf import settings
from django.db import models

from .artifacts import Artifact
from .history import tracked


@tracked()
class ReusePolicy(models.Model):
    """One revision of an artifact's reuse policy, stored as ODRL 2.2 JSON-LD. Never edited:
    a change is a new revision, and `Artifact.current_policy` points at the latest."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="policies")
    revision = models.PositiveIntegerField()
    odrl = models.JSONField()
    summary = models.TextField(blank=True, help_text="Plain-language reading of the policy.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(fields=["artifact", "revision"], name="policy_revision_unique")
        ]
