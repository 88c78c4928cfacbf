"""Teams and the demo users PRODUCT.md names."""

from ..models import Team
from ..models.choices import MembershipRole, Role
from ..services.accounts import membership_set, user_ensure
from .marker import seeder

TEAMS = [("retail", "Retail Banking"), ("cards", "Cards & Payments")]

# username -> (roles, {team: membership role})
USERS = {
    "admin": ([Role.ADMIN], {}),
    "legal1": ([Role.LEGAL, Role.VIEWER], {}),
    "legal2": ([Role.LEGAL, Role.VIEWER], {}),
    "alice": ([Role.CONTRIBUTOR, Role.VIEWER], {"retail": MembershipRole.MAINTAINER}),
    "bob": ([Role.CONTRIBUTOR, Role.VIEWER], {"cards": MembershipRole.MAINTAINER}),
    "victor": ([Role.VIEWER], {}),
}


@seeder
def seed(*, password: str, context: dict) -> dict:
    teams = {}
    for slug, name in TEAMS:
        teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    users = {}
    for username, (roles, memberships) in USERS.items():
        users[username] = user_ensure(
            username=username,
            password=password,
            roles=list(roles),
            email=f"{username}@bank.example",
        )
        for team_slug, role in memberships.items():
            membership_set(team=teams[team_slug], user=users[username], role=role, acting_user=None)
    return {"teams": teams, "users": users}
