"""Build reuse policies from form values, read form values back, and describe policies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from .model import Constraint, Policy, Rule
from .parse import parse_policy
from .rdfload import Source
from .vocab import ARTIFACT_PREFIX, ODRL_CONTEXT_URL, TEAM_PREFIX, TRAIN, short

ACTIONS = ("use", "modify", "derive", "distribute", "train")
PURPOSES = (
    "product_design",
    "marketing",
    "personalisation",
    "model_training",
    "research",
    "internal_analysis",
    "customer_service",
)
CHANNELS = ("web", "mobile", "branch", "contact_centre", "email", "partner", "internal")
# Form duty code -> (ODRL action, function-party property naming the owner team or None)
DUTIES = {
    "attribute": ("attribute", None),
    "inform_owner": ("inform", "informedParty"),
    "approval_per_reuse": ("obtainConsent", "consentingParty"),
}
POLICY_PREFIX = "urn:catalogue:policy:"
_END_OF_DAY = time(23, 59, 59)


class FormMappingError(ValueError):
    """The policy uses ODRL features the reuse-policy form cannot show."""


def _check(kind: str, values: Iterable[str], allowed: Sequence[str]) -> list[str]:
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {kind}: {', '.join(unknown)}")
    return values


def _instant(value: date | datetime, end_of_day: bool) -> str:
    """xsd:dateTime lexical form; a bare date means its first (or last) second, UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, _END_OF_DAY if end_of_day else time(0), UTC)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _constraints(
    purposes: Sequence[str] | None,
    channels: Sequence[str] | None,
    valid_from: date | datetime | None = None,
    valid_until: date | datetime | None = None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if purposes:
        out.append(
            {
                "leftOperand": "purpose",
                "operator": "isAnyOf",
                "rightOperand": _check("purpose", purposes, PURPOSES),
            }
        )
    if channels:
        out.append(
            {
                "leftOperand": "deliveryChannel",
                "operator": "isAnyOf",
                "rightOperand": _check("channel", channels, CHANNELS),
            }
        )
    for value, op, end in ((valid_from, "gteq", False), (valid_until, "lteq", True)):
        if value is not None:
            out.append(
                {
                    "leftOperand": "dateTime",
                    "operator": op,
                    "rightOperand": {"@value": _instant(value, end), "@type": "xsd:dateTime"},
                }
            )
    return out


def _action(name: str) -> str:
    return TRAIN if name == "train" else name


def build_policy(
    *,
    artifact_slug: str,
    teams: Sequence[str] | None,
    actions: Sequence[str],
    purposes: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    valid_from: date | datetime | None = None,
    valid_until: date | datetime | None = None,
    duties: Sequence[str] = (),
    prohibitions: Sequence[dict[str, Any]] = (),
    owner_team_slug: str,
    version: int = 1,
) -> dict[str, Any]:
    """ODRL JSON-LD (compact) Set policy for an artifact; one permission per team and action."""
    _check("action", actions, ACTIONS)
    _check("duty", duties, tuple(DUTIES))
    if not actions:
        raise ValueError("at least one action is required")
    if valid_from and valid_until and _instant(valid_from, False) > _instant(valid_until, True):
        raise ValueError("valid_from is after valid_until")
    uid = f"{POLICY_PREFIX}{artifact_slug}:{version}"
    owner = TEAM_PREFIX + owner_team_slug
    constraints = _constraints(purposes, channels, valid_from, valid_until)
    permissions: list[dict] = []
    # ODRL 2.2 rules take exactly one action and at most one assignee, hence the product.
    team_choices: list[str | None] = list(teams) if teams else [None]
    for team in team_choices:
        for action in actions:
            n = len(permissions) + 1
            rule: dict[str, Any] = {"uid": f"{uid}:permission:{n}", "action": _action(action)}
            if team is not None:
                rule["assignee"] = TEAM_PREFIX + team
            if constraints:
                rule["constraint"] = constraints
            if duties:
                rule["duty"] = [_duty(f"{uid}:permission:{n}", d, owner) for d in duties]
            permissions.append(rule)
    policy: dict[str, Any] = {
        "@context": ODRL_CONTEXT_URL,
        "@type": "Set",
        "uid": uid,
        "target": ARTIFACT_PREFIX + artifact_slug,
        "assigner": owner,
        "permission": permissions,
    }
    if prohibitions:
        policy["prohibition"] = [_prohibition(uid, i, p) for i, p in enumerate(prohibitions, 1)]
    return policy


def _duty(rule_uid: str, code: str, owner: str) -> dict[str, Any]:
    action, party_prop = DUTIES[code]
    duty: dict[str, Any] = {"uid": f"{rule_uid}:duty:{code}", "action": action}
    if party_prop:
        duty[party_prop] = owner
    return duty


def _prohibition(uid: str, n: int, spec: dict[str, Any]) -> dict[str, Any]:
    action = _check("action", [spec["action"]], ACTIONS)[0]
    rule: dict[str, Any] = {"uid": f"{uid}:prohibition:{n}", "action": _action(action)}
    constraints = _constraints(spec.get("purposes"), spec.get("channels"))
    if constraints:
        rule["constraint"] = constraints
    return rule


# -- reading form values back -----------------------------------------------------------


def _strip(iri: str | None, prefix: str) -> str | None:
    if iri is None:
        return None
    if not iri.startswith(prefix):
        raise FormMappingError(f"'{iri}' is not a catalogue identifier ({prefix}...)")
    return iri[len(prefix) :]


def _when(c: Constraint, end_of_day: bool) -> date | datetime:
    value = c.right_operand[0].value
    if isinstance(value, datetime):
        utc = value.astimezone(UTC)
        if utc.time() == (_END_OF_DAY if end_of_day else time(0)):
            return utc.date()
        return value
    return value  # type: ignore[return-value]


def _constraint_values(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "purposes": None,
        "channels": None,
        "valid_from": None,
        "valid_until": None,
    }
    for c in rule.constraints:
        if not isinstance(c, Constraint):
            raise FormMappingError("logical constraints cannot be shown in the form")
        left, op = short(c.left_operand), short(c.operator)
        values = [str(v.value) for v in c.right_operand]
        if left == "purpose" and op in ("isAnyOf", "eq"):
            out["purposes"] = values
        elif left == "deliveryChannel" and op in ("isAnyOf", "eq"):
            out["channels"] = values
        elif left == "dateTime" and op in ("gteq", "gt"):
            out["valid_from"] = _when(c, end_of_day=False)
        elif left == "dateTime" and op in ("lteq", "lt"):
            out["valid_until"] = _when(c, end_of_day=True)
        else:
            raise FormMappingError(f"constraint {left} {op} cannot be shown in the form")
    return out


def _duty_codes(rule: Rule) -> list[str]:
    by_action = {action: code for code, (action, _) in DUTIES.items()}
    codes = []
    for duty in rule.duties:
        if duty.action_name not in by_action:
            raise FormMappingError(f"duty '{duty.action_name}' cannot be shown in the form")
        codes.append(by_action[duty.action_name])
    return codes


def form_values(policy: Policy | Source) -> dict[str, Any]:
    """Inverse of :func:`build_policy`; raises FormMappingError for richer policies."""
    if not isinstance(policy, Policy):
        policy = parse_policy(policy)
    perms = policy.permissions
    if not perms:
        raise FormMappingError("the policy has no permission")
    shapes = {(repr(_constraint_values(p)), tuple(_duty_codes(p))) for p in perms}
    if len(shapes) > 1:
        raise FormMappingError("permissions differ in constraints or duties")
    teams = [p.assignee.uid if p.assignee else None for p in perms]
    actions = list(dict.fromkeys(p.action_name for p in perms))
    target = (
        policy.target.uid if policy.target else (perms[0].target.uid if perms[0].target else None)
    )
    version = policy.uid.rsplit(":", 1)[-1]
    values: dict[str, Any] = {
        "artifact_slug": _strip(target, ARTIFACT_PREFIX),
        "teams": None
        if None in teams
        else list(dict.fromkeys(_strip(t, TEAM_PREFIX) for t in teams)),
        "actions": actions,
        **_constraint_values(perms[0]),
        "duties": _duty_codes(perms[0]),
        "prohibitions": [_prohibition_values(p) for p in policy.prohibitions],
        "owner_team_slug": _strip(policy.assigner.uid if policy.assigner else None, TEAM_PREFIX),
        "version": int(version) if version.isdigit() else 1,
    }
    return values


def _prohibition_values(rule: Rule) -> dict[str, Any]:
    cv = _constraint_values(rule)
    out: dict[str, Any] = {"action": rule.action_name}
    if cv["purposes"]:
        out["purposes"] = cv["purposes"]
    if cv["channels"]:
        out["channels"] = cv["channels"]
    return out


# -- plain-language description ----------------------------------------------------------


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _who(assignees: Sequence[str | None]) -> str:
    if None in assignees:
        return "Any team"
    names = [
        a[len(TEAM_PREFIX) :] if a and a.startswith(TEAM_PREFIX) else str(a) for a in assignees
    ]
    return ("Team " if len(names) == 1 else "Teams ") + _join(names)


def _fmt_when(value: Any, end_of_day: bool) -> str:
    if isinstance(value, datetime):
        utc = value.astimezone(UTC)
        if utc.time() == (_END_OF_DAY if end_of_day else time(0)):
            return utc.date().isoformat()
        return utc.isoformat().replace("+00:00", "Z")
    return str(value)


def _phrase(c: Any) -> str:
    if not isinstance(c, Constraint):
        return f" when a {short(c.operator)} combination of conditions holds"
    left, op = short(c.left_operand), short(c.operator)
    vals = [
        str(v.value) if not isinstance(v.value, datetime) else v.lexical for v in c.right_operand
    ]
    if left == "purpose" and op in ("isAnyOf", "eq"):
        return " for " + ", ".join(vals)
    if left == "purpose" and op in ("isNoneOf", "neq"):
        return " for any purpose except " + ", ".join(vals)
    if left == "deliveryChannel" and op in ("isAnyOf", "eq"):
        return f" in the {', '.join(vals)} channel" + ("s" if len(vals) > 1 else "")
    if left == "deliveryChannel" and op in ("isNoneOf", "neq"):
        return " in any channel except " + ", ".join(vals)
    if left == "dateTime" and op in ("gteq", "gt"):
        return " from " + _fmt_when(c.right_operand[0].value, end_of_day=False)
    if left == "dateTime" and op in ("lteq", "lt"):
        return " until " + _fmt_when(c.right_operand[0].value, end_of_day=True)
    return f" where {left} {op} {', '.join(vals)}"


def _duty_phrase(duty: Rule) -> str:
    name = duty.action_name
    if name == "attribute":
        return "attribute the originators"
    owner = [
        p[len(TEAM_PREFIX) :]
        for p in duty.parties.get("informedParty", ()) + duty.parties.get("consentingParty", ())
        if p.startswith(TEAM_PREFIX)
    ]
    suffix = f" ({_join(owner)})" if owner else ""
    if name == "inform":
        return "inform the owner team" + suffix
    if name == "obtainConsent":
        return f"obtain approval from the owner team{suffix} before each reuse"
    return f"perform '{name}'"


def _conditions(rule: Rule) -> str:
    # Time phrases read best last ("for marketing in the web channel until ...").
    phrases = [_phrase(c) for c in rule.constraints]
    return "".join(sorted(phrases, key=lambda p: p.startswith((" from", " until"))))


def describe(policy: Policy | Source) -> list[str]:
    """Plain-language sentences for a policy, as shown on the artifact page."""
    if not isinstance(policy, Policy):
        policy = parse_policy(policy)
    groups: dict[tuple[str, tuple[str, ...]], tuple[list[str | None], list[str]]] = {}
    for p in policy.permissions:
        key = (_conditions(p), tuple(_duty_phrase(d) for d in p.duties))
        who, actions = groups.setdefault(key, ([], []))
        assignee = p.assignee.uid if p.assignee else None
        if assignee not in who:
            who.append(assignee)
        if p.action_name not in actions:
            actions.append(p.action_name)
    sentences = []
    for (conditions, duty_phrases), (who, actions) in groups.items():
        sentences.append(f"{_who(who)} may {', '.join(actions)} this artifact{conditions}.")
        if duty_phrases:
            sentences.append(f"They must {_join(list(duty_phrases))}.")
    if not policy.permissions:
        sentences.append("No team may use this artifact.")
    for p in policy.prohibitions:
        subject = "No team may" if p.assignee is None else f"{_who([p.assignee.uid])} may not"
        sentences.append(f"{subject} {p.action_name} this artifact{_conditions(p)}.")
    return sentences
