"""Pure business predicates with stable reason codes (one place per rule).

Services call these and raise `RuleViolation`; the web turns it into form errors, the API
into 409 `{"detail", "reasons": [{"code", "message"}]}`.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .models.choices import Action, ArtifactStatus, ReuseMode


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class RuleViolation(Exception):
    """A state conflict: the request is well-formed but the rules refuse it (HTTP 409)."""

    def __init__(self, detail: str, reasons: list[Reason] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.reasons = list(reasons or [])


def ensure_not_archived(artifact) -> None:
    """Rule 6: archived artifacts are read-only everywhere."""
    if artifact.status == ArtifactStatus.ARCHIVED:
        raise RuleViolation(
            "This artifact is archived and read-only.",
            [Reason("artifact.archived", f"'{artifact.slug}' is archived; restore it first.")],
        )


# --- Reuse (Rule 4) ----------------------------------------------------------------------
# What each reuse mode does to the artifact, as rights-check actions. Rule 4 adds `derive` when
# the result is registered as a new artifact; a reuse names no resulting artifact (the API has
# no such field), so `adapted` is checked as `modify` alone.
REUSE_MODE_ACTIONS: dict[str, tuple[str, ...]] = {
    ReuseMode.AS_IS: (Action.USE,),
    ReuseMode.ADAPTED: (Action.MODIFY,),
}


def reuse_actions(mode: str) -> tuple[str, ...]:
    """The actions a reuse in `mode` is checked as: as_is -> use, adapted -> modify."""
    try:
        return tuple(str(a) for a in REUSE_MODE_ACTIONS[mode])
    except KeyError:
        raise ValueError(f"unknown reuse mode {mode!r}") from None


# --- Lifecycle ------------------------------------------------------------------------
# The whole lifecycle in one place: for each action, the (from, to) status pairs it may
# perform. Draft -> published is allowed: the gates decide whether a review must come first.
S = ArtifactStatus
TRANSITIONS: dict[str, frozenset[tuple[str, str]]] = {
    "submit": frozenset({(S.DRAFT, S.IN_REVIEW)}),
    "publish": frozenset({(S.DRAFT, S.PUBLISHED), (S.IN_REVIEW, S.PUBLISHED)}),
    "deprecate": frozenset({(S.PUBLISHED, S.DEPRECATED)}),
    "archive": frozenset({(S.PUBLISHED, S.ARCHIVED), (S.DEPRECATED, S.ARCHIVED)}),
    # Restore brings retired work back: published again, or draft if it never was published.
    "restore": frozenset(
        {(S.DEPRECATED, S.PUBLISHED), (S.ARCHIVED, S.PUBLISHED), (S.ARCHIVED, S.DRAFT)}
    ),
}


def refuse_transition(artifact, to: str):
    raise RuleViolation(
        f"Cannot move '{artifact.slug}' from {artifact.status} to {to}.",
        [
            Reason(
                "lifecycle.transition_not_allowed",
                f"An artifact that is {artifact.status} cannot become {to}.",
            )
        ],
    )


def ensure_transition(artifact, to: str, *, action: str) -> None:
    """Raise `lifecycle.transition_not_allowed` unless `action` may move the artifact to `to`."""
    if (artifact.status, to) not in TRANSITIONS[action]:
        refuse_transition(artifact, to)


# --- Publishing gates (Rule 1) ---------------------------------------------------------
# Each gate returns the reasons it fails (empty when satisfied). Gates receive a
# `PublishContext` with everything prefetched, so evaluating them issues no per-row queries.


@dataclass
class PublishContext:
    artifact: Any
    version: Any
    authorships: list
    extra: dict


Gate = Callable[[PublishContext], list[Reason]]


def gate_intent(ctx: PublishContext) -> list[Reason]:
    if not (ctx.artifact.intent or "").strip():
        return [
            Reason(
                "publish.intent_missing", "State the intent: the purpose or hypothesis behind it."
            )
        ]
    return []


def gate_originator(ctx: PublishContext) -> list[Reason]:
    if not any(a.role == "originator" for a in ctx.authorships):
        return [
            Reason("publish.originator_missing", "Name at least one originator among the authors.")
        ]
    return []


def gate_policy(ctx: PublishContext) -> list[Reason]:
    if ctx.artifact.current_policy_id is None:
        return [Reason("publish.policy_missing", "Set a reuse policy before publishing.")]
    return []


def gate_version(ctx: PublishContext) -> list[Reason]:
    if ctx.version is None:
        return [
            Reason(
                "publish.version_missing",
                "Add a version to publish: a version is what others reuse.",
            )
        ]
    return []


PUBLISH_GATES: list[Gate] = [gate_intent, gate_originator, gate_policy, gate_version]


def failing_publish_gates(ctx: PublishContext) -> list[Reason]:
    """All failing gates at once, in a stable order."""
    reasons: list[Reason] = []
    for gate in PUBLISH_GATES:
        reasons.extend(gate(ctx))
    return reasons
