import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from .choices import ArtifactKind, ArtifactStatus, AuthorRole, LineageRelation, Sensitivity
from .contributors import Contributor
from .history import tracked
from .teams import Team

# Weighted document for full-text search: title A, tags B, summary and intent C, constraints D,
# why it was retired and what was learned C (Rule 6: archived items are the firm's memory; a
# restored artifact keeps its past retirements in `lessons_history`).
# Kept by a trigger so COPY, bulk updates and raw SQL keep it right too.
SEARCH_VECTOR_SQL = """
NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(array_to_string(NEW.tags, ' '), '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '') || ' ' || coalesce(NEW.intent, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(NEW.constraints, '') || ' ' ||
              coalesce(array_to_string(NEW.constraint_tags, ' '), '')), 'D') ||
    setweight(to_tsvector('english', coalesce(NEW.retirement_rationale, '') || ' ' ||
              coalesce(NEW.lessons_learned, '') || ' ' || coalesce(NEW.lessons_history, '')), 'C');
RETURN NEW;
"""


@tracked()
class Artifact(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ArtifactKind.choices)
    summary = models.TextField(blank=True)
    intent = models.TextField(blank=True, help_text="The purpose or hypothesis behind it.")
    constraints = models.TextField(blank=True, help_text="Regulatory, data and usage limits.")
    constraint_tags = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="artifacts")
    sensitivity = models.CharField(
        max_length=16, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    customer_derived = models.BooleanField(default=False)
    tags = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    channels = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ArtifactStatus.choices, default=ArtifactStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "catalogue.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_policy = models.ForeignKey(
        "catalogue.ReusePolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Retirement (deprecation / archive): the firm's memory of why it stopped.
    retirement_rationale = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    # The rationale and lessons of retirements a restore undid (full text in `retirements`), kept
    # on the row so catalogue search and the lessons library find them through their indexes.
    lessons_history = models.TextField(blank=True, editable=False, db_default="")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    sunset_on = models.DateField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="artifact_search"),
            GinIndex(name="artifact_title_trgm", fields=["title"], opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["tags"], name="artifact_tags"),
            GinIndex(fields=["constraint_tags"], name="artifact_constraint_tags"),
            models.Index(fields=["-created_at", "-id"], name="artifact_recent"),
            models.Index(fields=["-updated_at", "-id"], name="artifact_updated"),
            models.Index(fields=["title", "id"], name="artifact_title"),
            models.Index(fields=["owner_team", "-created_at", "-id"], name="artifact_team_recent"),
            models.Index(fields=["kind", "-created_at", "-id"], name="artifact_kind_recent"),
            models.Index(fields=["status", "-created_at", "-id"], name="artifact_status_recent"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="artifact_search_vector",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=SEARCH_VECTOR_SQL,
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def iri(self) -> str:
        return f"urn:catalogue:artifact:{self.slug}"

    @property
    def is_archived(self) -> bool:
        return self.status == ArtifactStatus.ARCHIVED


@tracked()
class Authorship(models.Model):
    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="authorships")
    contributor = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="authorships"
    )
    role = models.CharField(max_length=16, choices=AuthorRole.choices)
    credit_share = models.DecimalField(max_digits=4, decimal_places=3, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact", "contributor", "role"], name="authorship_unique"
            ),
            models.CheckConstraint(
                condition=Q(credit_share__gte=0) & Q(credit_share__lte=1),
                name="authorship_credit_share_range",
            ),
        ]


@tracked()
class Version(models.Model):
    """A version of an artifact; immutable once published (enforced by a trigger)."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=40)
    changelog = models.TextField(blank=True)
    uri = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["artifact", "version"], name="version_unique")
        ]
        triggers = [
            pgtrigger.Protect(
                name="published_version_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__published_at__isnull=False)
                & (
                    pgtrigger.Q(old__version__df=pgtrigger.F("new__version"))
                    | pgtrigger.Q(old__changelog__df=pgtrigger.F("new__changelog"))
                    | pgtrigger.Q(old__uri__df=pgtrigger.F("new__uri"))
                    | pgtrigger.Q(old__published_at__df=pgtrigger.F("new__published_at"))
                ),
            )
        ]

    def __str__(self) -> str:
        return self.version


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Server-generated names: the uploader's filename is kept only as metadata.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


@tracked()
class Attachment(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=16, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_evidence = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)


@tracked()
class Lineage(models.Model):
    """`child` <relation> `parent`, e.g. child adapted_from parent. Always acyclic."""

    child = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Artifact, on_delete=models.PROTECT, related_name="child_links")
    parent_version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relation = models.CharField(max_length=16, choices=LineageRelation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(child=F("parent")), name="lineage_no_self_link"),
            models.UniqueConstraint(fields=["child", "parent"], name="lineage_unique_pair"),
        ]
        indexes = [models.Index(fields=["parent", "child"], name="lineage_parent_child")]
