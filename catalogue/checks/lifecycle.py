"""Lifecycle part of the rights check: archived, deprecated (until sunset) and unpublished."""

from django.db.models import Q, QuerySet

from ..models.choices import ArtifactStatus
from ..rules import Reason
from .base import CheckOutcome, RightsContext, RightsRequest, SetRequest, register


def lifecycle_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    """Published, or deprecated with no sunset date or a sunset date not yet passed."""
    return queryset.filter(
        Q(status=ArtifactStatus.PUBLISHED)
        | Q(status=ArtifactStatus.DEPRECATED)
        & (Q(sunset_on__isnull=True) | Q(sunset_on__gte=request.local_date))
    )


@register(name="lifecycle", order=10, set_form=lifecycle_set_form)
def lifecycle_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    artifact = request.artifact
    out = CheckOutcome()
    status = artifact.status
    if status == ArtifactStatus.ARCHIVED:
        why = f": {artifact.retirement_rationale}" if artifact.retirement_rationale else ""
        out.deny.append(Reason("lifecycle.archived", f"'{artifact.slug}' is archived{why}."))
    elif status in (ArtifactStatus.DRAFT, ArtifactStatus.IN_REVIEW):
        out.deny.append(
            Reason(
                "lifecycle.not_published",
                f"'{artifact.slug}' is {ArtifactStatus(status).label.lower()}, not published.",
            )
        )
    elif status == ArtifactStatus.DEPRECATED:
        successor = artifact.superseded_by if artifact.superseded_by_id else None
        use_instead = f" Use '{successor.slug}' ({successor.title}) instead." if successor else ""
        sunset = artifact.sunset_on
        if sunset is not None and request.local_date > sunset:
            out.deny.append(
                Reason(
                    "lifecycle.sunset_passed",
                    f"'{artifact.slug}' is deprecated and its sunset date {sunset.isoformat()} "
                    f"has passed.{use_instead}",
                )
            )
        else:
            until = f" until {sunset.isoformat()}" if sunset else ""
            out.warnings.append(
                Reason(
                    "lifecycle.deprecated",
                    f"'{artifact.slug}' is deprecated; it may be reused{until}.{use_instead}",
                )
            )
    return out
