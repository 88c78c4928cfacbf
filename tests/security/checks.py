"""What a response to an outsider must not contain."""

import json
from urllib.parse import unquote_plus

from .conftest import LEAK_MARKERS

PERSONAL_KEYS = {"legal_name", "email"}
ARTIFACT_ID_KEYS = {
    "artifact",
    "artifact_id",
    "parent",
    "parent_id",
    "child",
    "child_id",
    "superseded_by",
    "superseded_by_id",
    "successor",
    "via",
    "via_id",
}


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            # An audit event's object_id names an artifact only when its object_type says so.
            if key == "object_id" and value.get("object_type") == "artifact":
                key = "artifact"
            yield f"{path}.{key}", key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def leaks(response, *, url: str, hidden_ids: set, personal_keys_allowed: bool = False) -> list[str]:
    """Every way this response reveals the restricted world or personal data, as messages.

    A marker the request itself carries (a search for "Zanzibar") may be echoed back; the
    longer markers (the full title, the summary...) still catch a real leak.
    """
    asked = unquote_plus(url).lower()
    markers = [marker for marker in LEAK_MARKERS if marker.lower() not in asked]
    found = []
    body = body_of(response)
    lowered = body.lower()
    found += [f"body contains {marker!r}" for marker in markers if marker.lower() in lowered]
    location = unquote_plus(response.get("Location", "")).lower()
    found += [f"redirect reveals {marker!r}" for marker in markers if marker.lower() in location]
    if "json" in response.get("Content-Type", ""):
        try:
            data = json.loads(body)
        except ValueError:
            return found + ["JSON content type with a body that is not JSON"]
        for path, key, item in _walk(data):
            if key in PERSONAL_KEYS and not personal_keys_allowed:
                found.append(f"personal data field {path}")
            # A change record holds [old, new]: either side may name the hidden artifact.
            values = item if isinstance(item, list) else [item]
            hidden = {str(i) for i in hidden_ids}
            if key in ARTIFACT_ID_KEYS and any(
                isinstance(v, str | int) and str(v) in hidden for v in values
            ):
                found.append(f"restricted artifact id in {path}")
    return found
