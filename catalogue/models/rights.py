from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
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


class RightsGrant(models.Model):
    """Derived from the current policy (never edited by hand): where it permits an action.

    One row per (artifact, team, action, time window) with the permitted purpose/channel
    pairs; `team_slug` '' stands for every team the policy does not name (`named_teams`).
    Rebuilt by `services.policy.policy_set`; `querysets.reusable_by` filters on it so the list
    filter needs no per-artifact ODRL evaluation (see catalogue/checks/policy.py).
    """

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="rights_grants")
    policy = models.ForeignKey(ReusePolicy, on_delete=models.CASCADE, related_name="grants")
    team_slug = models.CharField(max_length=64, blank=True)
    named_teams = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    action = models.CharField(max_length=32)
    window = DateTimeRangeField()
    purposes = ArrayField(models.CharField(max_length=32), default=list)
    channels = ArrayField(models.CharField(max_length=32), default=list)
    pairs = ArrayField(models.CharField(max_length=70), default=list)

    class Meta:
        indexes = [
            models.Index(fields=["artifact", "action", "team_slug"], name="grant_artifact_action"),
            models.Index(fields=["team_slug", "action"], name="grant_team_action"),
        ]
