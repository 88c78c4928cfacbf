"""Set forms of the rules: the same decisions as permissions.py, for whole lists."""

from dataclasses import replace
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .checks import BOTH, SetRequest, home_jurisdiction, set_forms
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
    return qs.filter(
        ~Q(sensitivity=Sensitivity.RESTRICTED) | Q(owner_team_id__in=list(team_roles(user)))
    )


def reusable_by(
    queryset: QuerySet[Artifact] | None,
    team,
    *,
    action: str = "use",
    purpose: str | None = None,
    channel: str | None = None,
    at=None,
    jurisdiction: str | None = None,
    skip: tuple[str, ...] = (),
) -> QuerySet[Artifact]:
    """Set form of the rights check (Rule 3): artifacts `team` may do `action` on at `at`.

    Applies the set form of every registered check (lifecycle, policy, and the legal checks
    once registered), so it agrees with `services.rights.rights_check`. `purpose`/`channel`
    None means "for at least one purpose/channel" (each check on its own: exact when only one
    check depends on the open dimension; `reusable_for_some` is exact in every case).
    `skip` leaves out the named checks (eligibility's "pending legal clearance").
    """
    qs = Artifact.objects.all() if queryset is None else queryset
    request = SetRequest(
        team=team,
        action=action,
        purpose=purpose,
        channel=channel,
        at=at or timezone.now(),
        jurisdiction=(jurisdiction or home_jurisdiction()).upper(),
    )
    for narrow in set_forms(skip=skip):
        qs = narrow(qs, request)
    return qs


def reusable_for_some_exists(
    team,
    *,
    action: str,
    questions: list[tuple[str, str]],
    at=None,
    jurisdiction: str | None = None,
    skip: tuple[str, ...] = (),
) -> Exists:
    """For an Artifact queryset's filter: the rights check permits one of the (purpose, channel) pairs.

    Exactly the union of `reusable_by` per question ("some question is permitted", which
    `reusable_by` with purpose/channel None is not when two checks read the open dimension),
    correlated on the outer artifact; each check's set form is asked only the questions it can
    tell apart (its `reads`), so the SQL stays a few dozen EXISTS, not one copy per question.
    """

    def one():
        return Artifact.objects.filter(pk=OuterRef("pk"))

    def narrow(qs, reads, request):
        for form in set_forms(skip=skip, reads=reads):
            qs = form(qs, request)
        return qs

    if not questions:
        return Exists(one().none())
    base = SetRequest(
        team=team,
        action=action,
        purpose=None,
        channel=None,
        at=at or timezone.now(),
        jurisdiction=(jurisdiction or home_jurisdiction()).upper(),
    )
    channels: dict[str, list[str]] = {}
    for purpose, channel in questions:
        channels.setdefault(purpose, []).append(channel)
    # (checks reading neither) AND OR_p[(checks reading the purpose)(p) AND OR_c[(the rest)(p, c)]]:
    # the same union as one reusable_by per question, with each check asked only what it reads.
    per_purpose = []
    for purpose, chans in channels.items():
        asked = replace(base, purpose=purpose)
        by_channel = [narrow(one(), BOTH, replace(asked, channel=ch)) for ch in chans]
        per_purpose.append(
            narrow(one(), frozenset({"purpose"}), asked).filter(Exists(reduce(or_, by_channel)))
        )
    return Exists(narrow(one(), frozenset(), base).filter(Exists(reduce(or_, per_purpose))))


def reusable_for_some(
    queryset: QuerySet[Artifact] | None,
    team,
    *,
    action: str,
    questions: list[tuple[str, str]],
    at=None,
    jurisdiction: str | None = None,
    skip: tuple[str, ...] = (),
) -> QuerySet[Artifact]:
    """Artifacts the rights check permits for at least one of the (purpose, channel) `questions`."""
    qs = Artifact.objects.all() if queryset is None else queryset
    return qs.filter(
        reusable_for_some_exists(
            team, action=action, questions=questions, at=at, jurisdiction=jurisdiction, skip=skip
        )
    )
