from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from .artifacts import Artifact
from .choices import ConsentMethod, ConsentStatus, IPKind, IPStatus, Remediation
from .contributors import Contributor
from .history import tracked


@tracked()
class ConsentRecord(models.Model):
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="consents")
    purposes = ArrayField(models.CharField(max_length=32))
    jurisdiction = models.CharField(max_length=16, help_text="ISO 3166 code, e.g. GB")
    notice_version = models.CharField(max_length=40)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    obtained_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    compensation = models.CharField(max_length=200, blank=True)
    evidence = models.FileField(
        upload_to="consent-evidence/", null=True, blank=True, max_length=300
    )
    evidence_content_type = models.CharField(max_length=100, blank=True)
    external_ref = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.GIVEN
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    artifacts = models.ManyToManyField(
        Artifact, through="ConsentCoverage", related_name="consents", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="consent_status_expiry"),
        ]


@tracked()
class ConsentCoverage(models.Model):
    consent = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="coverage")
    artifact = models.ForeignKey(
        Artifact, on_delete=models.CASCADE, related_name="consent_coverage"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "artifact"], name="consent_coverage_unique")
        ]
        indexes = [models.Index(fields=["artifact", "consent"], name="coverage_artifact")]


@tracked()
class WithdrawalImpact(models.Model):
    """One artifact affected by a consent withdrawal or expiry, and what its owners did."""

    consent = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="impacts")
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="consent_impacts")
    via = models.ForeignKey(
        Artifact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The covered ancestor, when the artifact is affected through lineage.",
    )
    live_reuses = models.PositiveIntegerField(default=0)
    remediation = models.CharField(
        max_length=16, choices=Remediation.choices, default=Remediation.OPEN
    )
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not a column: the reuses `impact_resolve` just ended (set on the row it returns).
    ended_reuse_ids: list[int]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "artifact"], name="impact_unique")
        ]


@tracked()
class IPAssignment(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="ip_assignments")
    assignor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="ip_assignments"
    )
    assignee = models.CharField(max_length=200, default="The Bank")
    kind = models.CharField(max_length=24, choices=IPKind.choices)
    signed_on = models.DateField(null=True, blank=True)
    scope = models.TextField(blank=True, help_text="The licence's terms in words (for people).")
    # The scope the rights check evaluates: the purposes and channels the licence covers
    # (empty list = every purpose / every channel) and the jurisdictions it covers (blank =
    # everywhere). Rows from before these fields existed keep meaning "unrestricted".
    scope_purposes = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    scope_channels = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    jurisdiction = models.CharField(
        max_length=16,
        blank=True,
        help_text="ISO 3166 codes the licence covers, comma-separated (GB or GB,IE); blank or WW: worldwide.",
    )
    document = models.FileField(upload_to="ip-documents/", null=True, blank=True, max_length=300)
    status = models.CharField(max_length=16, choices=IPStatus.choices, default=IPStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["artifact", "status"], name="ip_artifact_status")]
