from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from .artifacts import Artifact, Version
from .choices import ReviewDecisionKind, ReviewKind, ReviewStatus
from .history import tracked


@tracked()
class Review(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField(max_length=16, choices=ReviewKind.choices)
    purposes = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    required_approvals = models.PositiveSmallIntegerField(default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_until = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="review_queue"),
            models.Index(fields=["artifact", "kind", "status"], name="review_artifact_kind"),
        ]


@tracked()
class ReviewDecision(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=ReviewDecisionKind.choices)
    rationale = models.TextField()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="one_decision_per_reviewer")
        ]
