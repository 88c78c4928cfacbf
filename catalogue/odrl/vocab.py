"""ODRL 2.2 vocabulary terms the engine knows: actions, operators, left operands."""

from __future__ import annotations

ODRL = "http://www.w3.org/ns/odrl/2/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"

TRAIN = "urn:catalogue:action:train"
ARTIFACT_PREFIX = "urn:catalogue:artifact:"
TEAM_PREFIX = "urn:catalogue:team:"

POLICY_TYPES = frozenset(
    ODRL + t for t in ("Policy", "Set", "Offer", "Agreement", "Request", "Ticket", "Privacy")
)

# action -> the action it is odrl:includedIn (ODRL 2.2 Common Vocabulary, plus the
# deprecated 2.1 actions mapped to their 2.2 parent, plus the product's ``train``).
_INCLUDED_IN: dict[str, str] = {
    "acceptTracking": "use",
    "aggregate": "use",
    "annotate": "use",
    "anonymize": "use",
    "archive": "use",
    "attribute": "use",
    "compensate": "use",
    "concurrentUse": "use",
    "delete": "use",
    "derive": "use",
    "digitize": "use",
    "display": "play",
    "distribute": "use",
    "ensureExclusivity": "use",
    "execute": "use",
    "extract": "reproduce",
    "give": "transfer",
    "grantUse": "use",
    "include": "use",
    "index": "use",
    "inform": "use",
    "install": "use",
    "modify": "use",
    "move": "use",
    "nextPolicy": "use",
    "obtainConsent": "use",
    "play": "use",
    "present": "use",
    "print": "use",
    "read": "use",
    "reproduce": "use",
    "reviewPolicy": "use",
    "sell": "transfer",
    "stream": "use",
    "synchronize": "use",
    "textToSpeech": "use",
    "transform": "use",
    "translate": "use",
    "uninstall": "use",
    "watermark": "use",
    # ODRL 2.1 actions deprecated in 2.2
    "write": "modify",
    "append": "modify",
    "appendTo": "modify",
    "copy": "reproduce",
    "duplicate": "reproduce",
    "export": "transform",
    "extractChar": "extract",
    "extractPage": "extract",
    "extractWord": "extract",
    "pay": "compensate",
    "preview": "use",
    "secondaryUse": "use",
    "share": "distribute",
    "shareAlike": "use",
    "lease": "transfer",
    "lend": "transfer",
    "license": "transfer",
    "adHocShare": "distribute",
}
INCLUDED_IN: dict[str, str] = {ODRL + k: ODRL + v for k, v in _INCLUDED_IN.items()}
INCLUDED_IN[TRAIN] = ODRL + "use"
KNOWN_ACTIONS = frozenset(INCLUDED_IN) | {ODRL + "use", ODRL + "transfer"}

OPERATORS = frozenset(
    ODRL + o
    for o in (
        "eq",
        "neq",
        "lt",
        "lteq",
        "gt",
        "gteq",
        "isA",
        "hasPart",
        "isPartOf",
        "isAnyOf",
        "isAllOf",
        "isNoneOf",
    )
)
LOGICAL_OPERATORS = tuple(ODRL + o for o in ("and", "or", "xone", "andSequence"))

LEFT_OPERANDS = frozenset(
    ODRL + t
    for t in (
        "absolutePosition",
        "absoluteSpatialPosition",
        "absoluteTemporalPosition",
        "absoluteSize",
        "count",
        "dateTime",
        "delayPeriod",
        "deliveryChannel",
        "device",
        "elapsedTime",
        "event",
        "fileFormat",
        "industry",
        "language",
        "media",
        "meteredTime",
        "payAmount",
        "percentage",
        "product",
        "purpose",
        "recipient",
        "relativePosition",
        "relativeSpatialPosition",
        "relativeTemporalPosition",
        "relativeSize",
        "resolution",
        "spatial",
        "spatialCoordinates",
        "systemDevice",
        "timeInterval",
        "unitOfCount",
        "version",
        "virtualLocation",
    )
)

# Function properties that name parties involved in a duty.
FUNCTION_PARTIES = (
    "attributedParty",
    "attributingParty",
    "compensatedParty",
    "compensatingParty",
    "consentingParty",
    "consentedParty",
    "informedParty",
    "informingParty",
    "trackingParty",
    "trackedParty",
    "contractingParty",
    "contractedParty",
)


def short(iri: str) -> str:
    """Local name of an ODRL or catalogue IRI (``use``, ``train``); other IRIs unchanged."""
    if iri.startswith(ODRL):
        return iri[len(ODRL) :]
    if iri == TRAIN:
        return "train"
    return iri


def action_iri(name: str) -> str:
    """IRI for an action given as a short name (``use``, ``train``) or an IRI."""
    if name in ("train", ODRL + "train"):
        return TRAIN
    if ":" in name:
        return name
    return ODRL + name


def ancestors(action: str) -> list[str]:
    """The action followed by every action it is (transitively) included in."""
    chain = [action]
    while chain[-1] in INCLUDED_IN and INCLUDED_IN[chain[-1]] not in chain:
        chain.append(INCLUDED_IN[chain[-1]])
    return chain


def action_included(requested: str, granted: str) -> bool:
    """Whether a rule on ``granted`` covers the ``requested`` action (equal or includedIn)."""
    return granted in ancestors(requested)
