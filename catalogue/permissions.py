"""Roles and team rules, shared by web, API and admin (django-rules predicates).

Roles are groups (`viewer`, `contributor`, `legal`, `admin`); superusers count as admin.
Team membership is cached on the user object for the request.
"""

import rules

from .models.choices import MembershipRole, Role, Sensitivity


def _groups(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_catalogue_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._catalogue_groups = cached
    return cached


def team_roles(user) -> dict[int, str]:
    """{team_id: membership role} for the user, fetched once per user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_catalogue_team_roles", None)
    if cached is None:
        cached = dict(user.memberships.values_list("team_id", "role"))
        user._catalogue_team_roles = cached
    return cached


def adopt_roles(user, *, groups, team_roles) -> None:
    """Fill the per-request role caches from values loaded with the user (see auth_backends)."""
    user._catalogue_groups = frozenset(groups or ())
    user._catalogue_team_roles = {int(pair["team"]): pair["role"] for pair in team_roles or ()}


def forget_cached_roles(user) -> None:
    for attr in ("_catalogue_groups", "_catalogue_team_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


@rules.predicate
def is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.ADMIN in _groups(user)


@rules.predicate
def is_legal(user) -> bool:
    return Role.LEGAL in _groups(user)


@rules.predicate
def is_contributor(user) -> bool:
    return Role.CONTRIBUTOR in _groups(user)


@rules.predicate
def is_staff_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def in_owner_team(user, artifact) -> bool:
    return artifact is not None and artifact.owner_team_id in team_roles(user)


@rules.predicate
def maintains_owner_team(user, artifact) -> bool:
    return (
        artifact is not None
        and team_roles(user).get(artifact.owner_team_id) == MembershipRole.MAINTAINER
    )


@rules.predicate
def is_restricted(user, artifact) -> bool:
    return artifact is not None and artifact.sensitivity == Sensitivity.RESTRICTED


@rules.predicate
def is_public_internal(user, artifact) -> bool:
    return artifact is not None and artifact.sensitivity == Sensitivity.INTERNAL


def member_of(user, team) -> bool:
    return team is not None and team.pk in team_roles(user)


def maintainer_of(user, team) -> bool:
    return team is not None and team_roles(user).get(team.pk) == MembershipRole.MAINTAINER


sees_everything = is_admin | is_legal

rules.add_perm(
    "catalogue.view_artifact", is_staff_user & (~is_restricted | in_owner_team | sees_everything)
)
rules.add_perm(
    "catalogue.view_artifact_files", is_public_internal | in_owner_team | sees_everything
)
rules.add_perm("catalogue.change_artifact", is_admin | (is_contributor & in_owner_team))
rules.add_perm("catalogue.maintain_artifact", is_admin | (is_contributor & maintains_owner_team))
rules.add_perm("catalogue.view_personal_data", sees_everything)
rules.add_perm("catalogue.manage_consent", sees_everything)
rules.add_perm("catalogue.decide_review", is_legal | is_admin)
rules.add_perm("catalogue.view_audit", sees_everything)
rules.add_perm("catalogue.restore_artifact", is_admin)


def can_register_for_team(user, team) -> bool:
    """Contributors register artifacts for their own teams; admins for any team."""
    return is_admin(user) or (is_contributor(user) and member_of(user, team))


def can_act_for_team(user, team) -> bool:
    """Recording reuses and outcomes for a team: its contributors, or an admin."""
    return is_admin(user) or (is_contributor(user) and member_of(user, team))
