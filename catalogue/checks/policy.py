"""Policy part of the rights check: the artifact's current ODRL policy, and its set form.

The set form cannot evaluate ODRL per artifact over a whole list, so `policy_grants` turns a
policy into `RightsGrant` rows once, when the policy is set. It evaluates the engine itself
over every finite dimension (the teams the policy names plus one stand-in for all other
teams, the five actions, the purpose and channel codes) and over the time segments cut by
the policy's own dateTime constants: the decision is constant inside each segment, so the
rows are exact for any policy the engine accepts, not only for policies built by the form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Exists, OuterRef, Q, QuerySet

from .. import odrl
from ..models.choices import Action, Channel, Purpose
from ..odrl.vocab import short
from ..rules import Reason
from .base import (
    ARTIFACT_PREFIX,
    TEAM_PREFIX,
    CheckOutcome,
    RightsContext,
    RightsRequest,
    SetRequest,
    register,
)

# Stands for "a team the policy does not name": slugs cannot contain '*'.
OTHER_TEAMS = TEAM_PREFIX + "*"
_TEAM_IRI = re.compile(re.escape(TEAM_PREFIX) + r"([-\w]+)")


@lru_cache(maxsize=512)
def _parsed(policy_pk: int, odrl_json: str) -> odrl.Policy:
    # Revisions are immutable, so the pk (plus the text, for safety) keys the parse.
    return odrl.parse_policy(json.loads(odrl_json))


def parsed_policy(policy_row) -> odrl.Policy:
    return _parsed(policy_row.pk, json.dumps(policy_row.odrl, sort_keys=True))


def _decide(
    policy: odrl.Policy, *, team_iri: str, action: str, purpose, channel, at, artifact_slug
):
    return odrl.decide(
        policy,
        assignee_team_iri=team_iri,
        action=action,
        purpose=purpose,
        channel=channel,
        at=at,
        artifact_iri=ARTIFACT_PREFIX + artifact_slug,
    )


def _duty_text(duty: dict, ctx: RightsContext) -> dict:
    artifact = ctx.artifact
    action = duty.get("action")
    if action == "attribute":
        names = ", ".join(c.pseudonym for c in ctx.originators) or "none recorded"
        text = f"Attribute the originators: {names}"
    elif action == "inform":
        text = f"Inform the owner team {artifact.owner_team.name}"
    elif action == "obtainConsent":
        text = f"Ask the owner team {artifact.owner_team.name} for approval before each reuse"
    else:
        text = str(duty.get("description") or action)
    return {"code": f"duty.{action}", "action": action, "description": text, "uid": duty.get("uid")}


@register(name="policy", order=20)  # set form attached below, once defined
def policy_check(request: RightsRequest, ctx: RightsContext) -> CheckOutcome:
    out = CheckOutcome()
    row = ctx.policy
    if row is None:
        out.deny.append(Reason("policy.missing", f"'{request.artifact.slug}' has no reuse policy."))
        return out
    out.facts = {"policy_id": row.pk, "policy_revision": row.revision}
    try:
        policy = parsed_policy(row)
    except odrl.PolicyError as exc:
        out.deny.append(
            Reason("policy.invalid", f"Policy revision {row.revision} is malformed: {exc}")
        )
        return out
    decision = _decide(
        policy,
        team_iri=TEAM_PREFIX + request.team.slug,
        action=request.action,
        purpose=request.purpose,
        channel=request.channel,
        at=request.at,
        artifact_slug=request.artifact.slug,
    )
    prefix = f"Policy revision {row.revision}: "
    reasons = [Reason(r["code"], prefix + r["message"]) for r in decision.reasons]
    if decision.permitted:
        out.notes.extend(reasons)
        out.duties.extend(_duty_text(d, ctx) for d in decision.duties)
    else:
        out.deny.extend(reasons)
    out.warnings.extend(Reason(w["code"], prefix + w["message"]) for w in decision.warnings)
    return out


# -- set form -------------------------------------------------------------------------


def _constraints(policy: odrl.Policy) -> Iterator:
    """Every atomic constraint of every rule, duty and consequence."""

    def walk(constraint) -> Iterator:
        if isinstance(constraint, odrl.LogicalConstraint):
            for sub in constraint.operands:
                yield from walk(sub)
        else:
            yield constraint

    def rules(rs):
        for r in rs:
            yield r
            yield from rules(r.duties)
            yield from rules(r.consequences)

    for rule in rules(policy.rules):
        for top in rule.constraints:
            yield from walk(top)


def _instants(policy: odrl.Policy) -> list[datetime]:
    """Every instant where a dateTime constraint of the policy can change its answer."""
    found: set[datetime] = set()
    for c in _constraints(policy):
        for operand in c.right_operand:
            value = operand.value
            if isinstance(value, datetime):
                found.add(value if value.tzinfo else value.replace(tzinfo=UTC))
            elif isinstance(value, date):
                # dateTime against a date compares UTC calendar days.
                start = datetime.combine(value, time(0), UTC)
                found.update((start, start + timedelta(days=1)))
    return sorted(found)


Piece = tuple[datetime | None, datetime | None, str, datetime]


def _segments(instants: list[datetime]) -> list[Piece]:
    """(lower, upper, bounds, sample) pieces covering all time, constant for the policy."""
    if not instants:
        return [(None, None, "()", datetime.now(UTC))]
    pieces: list[Piece] = [(None, instants[0], "()", instants[0] - timedelta(days=1))]
    for i, point in enumerate(instants):
        pieces.append((point, point, "[]", point))
        nxt = instants[i + 1] if i + 1 < len(instants) else None
        sample = point + (nxt - point) / 2 if nxt else point + timedelta(days=1)
        pieces.append((point, nxt, "()", sample))
    return pieces


def _named_teams(policy: odrl.Policy, document) -> list[str]:
    """Every team slug the policy mentions (parties or operands); all others get one answer."""
    slugs = set(_TEAM_IRI.findall(json.dumps(document)))
    iris = {p.uid for r in policy.rules for p in (r.assignee, r.assigner) if p is not None}
    iris |= {str(o.value) for c in _constraints(policy) for o in c.right_operand}
    slugs |= {i[len(TEAM_PREFIX) :] for i in iris if i.startswith(TEAM_PREFIX)}
    return sorted(slugs)


def policy_grants(policy_row, artifact) -> list:
    """The RightsGrant rows (unsaved) that represent this policy revision exactly."""
    from ..models import RightsGrant

    policy = parsed_policy(policy_row)
    named = _named_teams(policy, policy_row.odrl)
    teams = [(slug, TEAM_PREFIX + slug) for slug in named] + [("", OTHER_TEAMS)]
    pieces = _segments(_instants(policy))
    # A dimension no constraint mentions cannot change the answer: evaluate it once.
    used = {short(c.left_operand) for c in _constraints(policy)}
    purposes = Purpose.values if "purpose" in used else Purpose.values[:1]
    channels = Channel.values if "deliveryChannel" in used else Channel.values[:1]
    rows = []
    for slug, iri in teams:
        for action in Action.values:
            merged: list[list] = []  # [lower, upper, lower_inc, upper_inc, pairs]
            for lower, upper, bounds, sample in pieces:
                permitted = {
                    (p, c)
                    for p in purposes
                    for c in channels
                    if _decide(
                        policy,
                        team_iri=iri,
                        action=action,
                        purpose=p,
                        channel=c,
                        at=sample,
                        artifact_slug=artifact.slug,
                    ).permitted
                }
                pairs = tuple(
                    f"{p}:{c}"
                    for p in Purpose.values
                    for c in Channel.values
                    if (p if p in purposes else purposes[0], c if c in channels else channels[0])
                    in permitted
                )
                if merged and merged[-1][4] == pairs:
                    merged[-1][1], merged[-1][3] = upper, bounds[1] == "]"
                else:
                    merged.append([lower, upper, bounds[0] == "[", bounds[1] == "]", pairs])
            for lower, upper, lower_inc, upper_inc, pairs in merged:
                if not pairs:
                    continue
                rows.append(
                    RightsGrant(
                        artifact=artifact,
                        policy=policy_row,
                        team_slug=slug,
                        named_teams=named if not slug else [],
                        action=action,
                        window=DateTimeTZRange(
                            lower, upper, ("[" if lower_inc else "(") + ("]" if upper_inc else ")")
                        ),
                        purposes=sorted({p.split(":")[0] for p in pairs}),
                        channels=sorted({p.split(":")[1] for p in pairs}),
                        pairs=list(pairs),
                    )
                )
    return rows


def refresh_grants(artifact, policy_row) -> None:
    """Replace the artifact's grant rows with those of `policy_row` (inside the caller's transaction)."""
    from ..models import RightsGrant

    RightsGrant.objects.filter(artifact=artifact).delete()
    if policy_row is not None:
        RightsGrant.objects.bulk_create(policy_grants(policy_row, artifact))


def policy_set_form(queryset: QuerySet, request: SetRequest) -> QuerySet:
    from ..models import RightsGrant

    slug = request.team.slug
    grants = RightsGrant.objects.filter(
        artifact=OuterRef("pk"),
        policy=OuterRef("current_policy"),
        action=request.action,
        window__contains=request.at,
    ).filter(Q(team_slug=slug) | Q(team_slug="") & ~Q(named_teams__contains=[slug]))
    if request.purpose and request.channel:
        grants = grants.filter(pairs__contains=[f"{request.purpose}:{request.channel}"])
    elif request.purpose:
        grants = grants.filter(purposes__contains=[request.purpose])
    elif request.channel:
        grants = grants.filter(channels__contains=[request.channel])
    return queryset.filter(current_policy__isnull=False).filter(Exists(grants))


register(name="policy", order=20, set_form=policy_set_form)(policy_check)
