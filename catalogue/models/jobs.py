from django.conf import settings
from django.db import models


class BackgroundJob(models.Model):
    """A long import or export run by a worker; the web page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    input_file = models.FileField(upload_to="jobs/in/", null=True, blank=True, max_length=300)
    output_file = models.FileField(upload_to="jobs/out/", null=True, blank=True, max_length=300)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
