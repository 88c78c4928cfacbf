"""Set forms of the rules: the same decisions as permissions.py, for whole lists."""

from django.db.models import Q, QuerySet

from .models import Artifact
from .models.choices import Sensitivity
from .permissions import is_admin, is_legal, team_roles


def visible_artifacts(user, queryset: QuerySet[Artifact] | None = None) -> QuerySet[Artifact]:
    """Rule 8: restricted artifacts only for the owner team, legal and admins."""
    qs = Artifact.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_admin(user) or is_legal(user):
        return qs
    return qs.filter(~Q(sensitivity=Sensitivity.RESTRICTED) | Q(owner_team_id__in=list(team_roles(user))))
