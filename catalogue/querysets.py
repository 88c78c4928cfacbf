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


def reusable_by(
    queryset: QuerySet[Artifact] | None, team, *, action: str = "use", purpose: str | None = None,
    channel: str | None = None, at=None,
) -> QuerySet[Artifact]:
    """Set form of the rights check (Rule 3): artifacts `team` may do `action` on at `at`.

    Applies the set form of every registered check (lifecycle, policy, and the legal checks
    once registered), so it agrees with `services.rights.rights_check`. `purpose`/`channel`
    None means "for at least one purpose/channel".
    """
    from django.utils import timezone

    from .checks import SetRequest, set_forms

    qs = Artifact.objects.all() if queryset is None else queryset
    request = SetRequest(team=team, action=action, purpose=purpose, channel=channel, at=at or timezone.now())
    for narrow in set_forms():
        qs = narrow(qs, request)
    return qs
