"""Withdrawal impacts a user may see: legal and admins all, others their teams' artifacts only."""

from django.db.models import QuerySet

from ..models import WithdrawalImpact
from ..permissions import team_roles
from ..querysets import visible_artifacts


def impacts_visible_to(user) -> QuerySet[WithdrawalImpact]:
    """Impact rows (one query for a page, related rows joined) the user may read and act on."""
    qs = WithdrawalImpact.objects.select_related(
        "consent", "artifact", "artifact__owner_team", "via", "resolved_by"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.has_perm("catalogue.manage_consent"):
        return qs
    # Owner-team members only; visible_artifacts keeps Rule 8 even if team rules change later.
    return qs.filter(
        artifact__owner_team_id__in=list(team_roles(user)),
        artifact__in=visible_artifacts(user),
    )
