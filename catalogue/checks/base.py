"""The rights check's building blocks: the request, the shared context, the registry.

Check modules (lifecycle, policy, legal) import from here and register themselves; import
the package, `catalogue.checks`, to get every check registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..rules import Reason

TEAM_PREFIX = "urn:catalogue:team:"
ARTIFACT_PREFIX = "urn:catalogue:artifact:"


@dataclass(frozen=True)
class RightsRequest:
    """May `team` do `action` on `artifact` for `purpose` in `channel` at `at`?"""

    artifact: Any  # catalogue.models.Artifact
    team: Any  # catalogue.models.Team
    action: str
    purpose: str
    channel: str
    at: datetime
    # Where the use happens (ISO 3166 code): the request's, else settings.CATALOGUE_JURISDICTION.
    jurisdiction: str = ""

    @property
    def local_date(self):
        return timezone.localdate(self.at)


def home_jurisdiction() -> str:
    """Where a use happens when the request does not say: the bank's home jurisdiction."""
    from django.conf import settings

    return str(getattr(settings, "CATALOGUE_JURISDICTION", "GB")).upper()


@dataclass(frozen=True)
class SetRequest:
    """The set form's question: which artifacts may `team` do `action` on at `at`?

    `purpose`/`channel` None means "for at least one purpose/channel".
    """

    team: Any
    action: str
    purpose: str | None
    channel: str | None
    at: datetime
    jurisdiction: str = ""

    @property
    def local_date(self):
        return timezone.localdate(self.at)


@dataclass
class CheckOutcome:
    deny: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    duties: list[dict] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    # Extra JSON-safe facts for the decision snapshot (e.g. {"policy_revision": 3}).
    facts: dict = field(default_factory=dict)


class RightsContext:
    """Data shared by the checks of one rights check, loaded lazily and at most once.

    Every loader runs a fixed number of queries (one recursive query for the ancestors, one
    for their rows, ...), never one per lineage node.
    """

    def __init__(self, request: RightsRequest):
        self.request = request
        self._cache: dict[str, Any] = {}

    def cached(self, key: str, loader: Callable[[], Any]) -> Any:
        """Generic memo for checks' own data: `ctx.cached("consents", lambda: ...)`."""
        if key not in self._cache:
            self._cache[key] = loader()
        return self._cache[key]

    @property
    def artifact(self):
        return self.request.artifact

    @property
    def ancestor_depths(self) -> dict[int, int]:
        """{ancestor artifact id: hops}, one recursive query."""
        from ..selectors.lineage import ancestor_depths

        return self.cached("ancestor_depths", lambda: ancestor_depths([self.artifact.pk]))

    @property
    def lineage_ids(self) -> list[int]:
        """The artifact and all its ancestors (what consent and IP checks must look at)."""
        return [self.artifact.pk, *self.ancestor_depths]

    @property
    def ancestors(self) -> list:
        """Ancestor Artifact rows, nearest first (one query)."""

        def load():
            from ..models import Artifact

            depths = self.ancestor_depths
            rows = list(Artifact.objects.filter(pk__in=list(depths)))
            return sorted(rows, key=lambda a: (depths[a.pk], a.pk))

        return self.cached("ancestors", load)

    @property
    def policy(self):
        """The artifact's current ReusePolicy row or None (one query at most)."""

        def load():
            from ..models import ReusePolicy

            artifact = self.artifact
            if artifact.current_policy_id is None:
                return None
            if type(artifact).current_policy.is_cached(artifact):
                return artifact.current_policy
            return ReusePolicy.objects.filter(pk=artifact.current_policy_id).first()

        return self.cached("policy", load)

    @property
    def originators(self) -> list:
        """Originator contributors of the artifact (one query)."""

        def load():
            from ..models import Authorship
            from ..models.choices import AuthorRole

            return [
                a.contributor
                for a in Authorship.objects.filter(
                    artifact=self.artifact, role=AuthorRole.ORIGINATOR
                )
                .select_related("contributor")
                .order_by("id")
            ]

        return self.cached("originators", load)


Check = Callable[[RightsRequest, RightsContext], CheckOutcome]
SetForm = Callable[[QuerySet, SetRequest], QuerySet]


BOTH = frozenset({"purpose", "channel"})


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    check: Check
    order: int
    set_form: SetForm | None = None
    # Which of the request's purpose / channel the check reads (default: both, always safe).
    # `querysets.reusable_for_some` uses it to ask each check only the questions it can tell apart.
    reads: frozenset = BOTH


CHECKS: list[RegisteredCheck] = []


def register(
    *,
    name: str,
    order: int,
    set_form: SetForm | None = None,
    reads: frozenset = BOTH,
) -> Callable[[Check], Check]:
    """Decorator: add a check (replacing one of the same name) in `order`."""

    def add(check: Check) -> Check:
        # Only three groups exist: neither, the purpose alone, or both (a channel-only check is "both").
        read = (
            frozenset(reads) if frozenset(reads) in (frozenset(), frozenset({"purpose"})) else BOTH
        )
        entry = RegisteredCheck(name=name, check=check, order=order, set_form=set_form, reads=read)
        CHECKS[:] = sorted([c for c in CHECKS if c.name != name] + [entry], key=lambda c: c.order)
        return check

    return add


def set_forms(*, skip: tuple[str, ...] = (), reads: frozenset | None = None) -> list[SetForm]:
    """The registered set forms, less the checks named in `skip` (eligibility's "constrained");
    with `reads`, only the checks that read exactly those request fields."""
    return [
        c.set_form
        for c in CHECKS
        if c.set_form is not None and c.name not in skip and (reads is None or c.reads == reads)
    ]
