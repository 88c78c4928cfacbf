"""The product's vocabularies (PRODUCT.md): one place, used by models, forms, API and ODRL."""

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer"
    CONTRIBUTOR = "contributor"
    LEGAL = "legal"
    ADMIN = "admin"


class MembershipRole(models.TextChoices):
    MEMBER = "member"
    MAINTAINER = "maintainer"


class ContributorKind(models.TextChoices):
    EMPLOYEE = "employee"
    CUSTOMER = "customer"
    PARTNER = "partner"
    AGENCY = "agency"
    ACADEMIC = "academic"


class ArtifactKind(models.TextChoices):
    AI_MODEL = "ai_model", "AI model"
    PROMPT_TEMPLATE = "prompt_template"
    CUSTOMER_JOURNEY = "customer_journey"
    PRODUCT_CONCEPT = "product_concept"
    PRICING_DESIGN = "pricing_design"
    CONTENT = "content"
    DESIGN_COMPONENT = "design_component"
    EXPERIMENT_TEMPLATE = "experiment_template"
    DATASET = "dataset"
    CODE_COMPONENT = "code_component"
    OTHER = "other"


class Sensitivity(models.TextChoices):
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class ArtifactStatus(models.TextChoices):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    DEPRECATED = "deprecated"
    ARCHIVED = "archived"


class AuthorRole(models.TextChoices):
    ORIGINATOR = "originator"
    CO_AUTHOR = "co_author"
    ADAPTER = "adapter"
    REVIEWER = "reviewer"


class LineageRelation(models.TextChoices):
    ADAPTED_FROM = "adapted_from"
    DERIVED_FROM = "derived_from"
    COMPOSED_OF = "composed_of"
    INSPIRED_BY = "inspired_by"


class Purpose(models.TextChoices):
    PRODUCT_DESIGN = "product_design"
    MARKETING = "marketing"
    PERSONALISATION = "personalisation"
    MODEL_TRAINING = "model_training"
    RESEARCH = "research"
    INTERNAL_ANALYSIS = "internal_analysis"
    CUSTOMER_SERVICE = "customer_service"


class Channel(models.TextChoices):
    WEB = "web"
    MOBILE = "mobile"
    BRANCH = "branch"
    CONTACT_CENTRE = "contact_centre"
    EMAIL = "email"
    PARTNER = "partner"
    INTERNAL = "internal"


class Action(models.TextChoices):
    USE = "use"
    MODIFY = "modify"
    DERIVE = "derive"
    DISTRIBUTE = "distribute"
    TRAIN = "train"


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form"
    WRITTEN = "written"
    RECORDED_VERBAL = "recorded_verbal"
    EMAIL = "email"


class ConsentStatus(models.TextChoices):
    """W3C DPV consent states."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"


class IPKind(models.TextChoices):
    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"
    EMPLOYEE_WORK = "employee_work"


class IPStatus(models.TextChoices):
    DRAFT = "draft"
    SIGNED = "signed"
    REVOKED = "revoked"


class ReviewKind(models.TextChoices):
    CONSENT_IP = "consent_ip", "Consent and IP"
    ETHICS = "ethics"
    REGULATORY = "regulatory"


class ReviewStatus(models.TextChoices):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


class ReviewDecisionKind(models.TextChoices):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


class ReuseMode(models.TextChoices):
    AS_IS = "as_is"
    ADAPTED = "adapted"


class MetricDirection(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Remediation(models.TextChoices):
    OPEN = "open"
    NO_ACTION = "no_action"
    RETRAIN = "retrain"
    REMOVE = "remove"
    REPLACE = "replace"
