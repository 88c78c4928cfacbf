import pgtrigger
from django.conf import settings
from django.db import models

from .history import tracked


class RetirementAction(models.TextChoices):
    DEPRECATED = "deprecated", "Deprecated"
    ARCHIVED = "archived", "Archived"


@tracked()
class Retirement(models.Model):
    """One deprecation or archive decision, kept for good (Rule 6): a restore closes it, never erases it.

    Only the restore columns may change once written; the decision itself and deletes are refused.
    """

    artifact = models.ForeignKey(
        "catalogue.Artifact", on_delete=models.PROTECT, related_name="retirements"
    )
    action = models.CharField(max_length=16, choices=RetirementAction.choices)
    rationale = models.TextField()
    lessons_learned = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "catalogue.Artifact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sunset_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restore_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [
            models.Index(fields=["artifact", "decided_at", "id"], name="retirement_artifact")
        ]
        triggers = [
            pgtrigger.Protect(name="retirement_kept", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="retirement_decision_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__artifact_id__df=pgtrigger.F("new__artifact_id"))
                | pgtrigger.Q(old__action__df=pgtrigger.F("new__action"))
                | pgtrigger.Q(old__rationale__df=pgtrigger.F("new__rationale"))
                | pgtrigger.Q(old__lessons_learned__df=pgtrigger.F("new__lessons_learned"))
                | pgtrigger.Q(old__decided_at__df=pgtrigger.F("new__decided_at"))
                | (
                    pgtrigger.Q(old__restored_at__isnull=False)
                    & pgtrigger.Q(old__restored_at__df=pgtrigger.F("new__restored_at"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.rationale[:60]}"

    @property
    def is_restored(self) -> bool:
        return self.restored_at is not None
