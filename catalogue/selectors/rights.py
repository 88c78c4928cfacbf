"""Reads of the rights sub-domain shared by the web pages and the API: reuses and policies."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from ..models import Reuse, Team
from ..models.choices import Purpose
from ..querysets import visible_artifacts


class ReuseFilterSet(django_filters.FilterSet):
    artifact = django_filters.CharFilter(field_name="artifact__slug", label="Artifact (slug)")
    team = django_filters.CharFilter(field_name="team__slug", label="Team (slug)")
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices)

    class Meta:
        model = Reuse
        fields = ["artifact", "team", "purpose"]


def reuse_list(*, user, params=None, strict: bool = False) -> QuerySet[Reuse]:
    """Reuses of artifacts the user may see (Rule 8), filtered, newest first, rows ready to show."""
    base = Reuse.objects.filter(artifact__in=visible_artifacts(user))
    filterset = ReuseFilterSet(params if params is not None else {}, queryset=base)
    if strict and not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return filterset.qs.select_related("artifact", "team", "version", "recorded_by").order_by(
        "-created_at", "-id"
    )


def user_teams(user) -> list[Team]:
    """The user's teams, by name (the rights panel defaults to the first)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Team.objects.filter(memberships__user=user).order_by("name"))
