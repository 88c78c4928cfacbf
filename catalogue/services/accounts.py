"""Teams, memberships and role groups."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..models import Membership, Team
from ..models.choices import MembershipRole, Role
from .audit import audit_context, audit_event

User = get_user_model()


def ensure_role_groups() -> dict[str, Group]:
    return {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}


def team_create(*, slug: str, name: str, acting_user) -> Team:
    """Create a team (admin only; checked by the caller's permission)."""
    with transaction.atomic(), audit_context(actor=acting_user, reason="team created"):
        team = Team.objects.create(slug=slug, name=name)
        audit_event(actor=acting_user, action="team.created", obj=team)
    return team


def membership_set(*, team: Team, user, role: str, acting_user) -> Membership:
    """Add the user to the team or change their role; no-op when unchanged."""
    with transaction.atomic(), audit_context(actor=acting_user, reason="membership changed"):
        membership, created = Membership.objects.select_for_update().get_or_create(
            team=team, user=user, defaults={"role": role}
        )
        if not created and membership.role == role:
            return membership
        old = None if created else membership.role
        if not created:
            membership.role = role
            membership.save(update_fields=["role"])
        audit_event(
            actor=acting_user,
            action="team.membership_set",
            obj=membership,
            changes={"role": [old, role], "user": [None, user.username]},
        )
    return membership


def user_ensure(
    *, username: str, password: str | None, roles: list[str], email: str = "", acting_user=None
):
    """Create or update a user with exactly these role groups (used by seed_demo and admin tooling)."""
    groups = ensure_role_groups()
    with transaction.atomic(), audit_context(actor=acting_user, reason=f"user {username} ensured"):
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if password:
            user.set_password(password)
        user.is_staff = Role.ADMIN in roles
        user.is_superuser = Role.ADMIN in roles
        user.save()
        user.groups.set([groups[r] for r in roles])
        if created:
            audit_event(
                actor=acting_user, action="user.created", obj=user, changes={"roles": [None, roles]}
            )
    return user


__all__ = ["MembershipRole", "ensure_role_groups", "membership_set", "team_create", "user_ensure"]
