"""How a request's user is loaded: one query for the user, their roles and team memberships.

Every permission asks for the user's groups and team roles (`permissions._groups`,
`permissions.team_roles`). Loaded lazily they cost two queries on every request; here they are
aggregated into the query that loads the user (session: `CatalogueModelBackend.get_user`; API
token: `CatalogueTokenAuthentication`) and handed to `permissions.adopt_roles`.
"""

from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet
from django.db.models.functions import JSONObject
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .context_processors import UNREAD_CAP
from .models import Membership, Notification
from .permissions import adopt_roles


def with_roles(queryset: QuerySet, user_ref: str = "pk", *, unread: bool = False) -> QuerySet:
    """`queryset` annotated with the groups and memberships of the user at `user_ref`."""
    annotations: dict[str, Any] = {
        "loaded_groups": ArraySubquery(
            Group.objects.filter(user=OuterRef(user_ref)).values("name")
        ),
        "loaded_team_roles": ArraySubquery(
            Membership.objects.filter(user=OuterRef(user_ref)).values(
                pair=JSONObject(team=F("team_id"), role=F("role"))
            )
        ),
    }
    if unread:
        # The web nav's unread badge, capped: cardinality of the first UNREAD_CAP ids.
        unread_ids = (
            Notification.objects.filter(recipient=OuterRef(user_ref), read_at__isnull=True)
            .order_by()
            .values("id")
        )
        annotations["loaded_unread"] = Func(
            ArraySubquery(unread_ids[:UNREAD_CAP]),
            function="cardinality",
            output_field=IntegerField(),
        )
    return queryset.annotate(**annotations)


def _adopt(user, holder) -> None:
    adopt_roles(user, groups=holder.loaded_groups, team_roles=holder.loaded_team_roles)
    if hasattr(holder, "loaded_unread"):
        user.loaded_unread = holder.loaded_unread


class CatalogueModelBackend(ModelBackend):
    """Model permissions for the admin site; the rule-based ones (catalogue.view_artifact, ...) only from rules.

    Those are never granted as model permissions, and asking ModelBackend after a rule said no
    costs two queries (user and group permissions) on every artifact page.
    """

    def get_user(self, user_id):
        user = (
            with_roles(get_user_model()._default_manager.all(), unread=True)
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        _adopt(user, user)
        return user

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj=obj)


class CatalogueTokenAuthentication(TokenAuthentication):
    """DRF token authentication that loads the user's roles in the token's own query."""

    def authenticate_credentials(self, key):
        token = (
            with_roles(self.get_model()._default_manager.select_related("user"), "user_id")
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        _adopt(token.user, token)
        return (token.user, token)
