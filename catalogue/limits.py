"""Size limits on what a request may carry: one place, named in every refusal."""

from __future__ import annotations

from .odrl.rdfload import MAX_DEPTH, MAX_POLICY_OBJECTS, MAX_POLICY_RULES

# JSON nesting accepted by the API parser and the ODRL loader; real documents stay under 10.
MAX_JSON_DEPTH = MAX_DEPTH
# Characters in one free-text field (summary, intent, constraints, changelog, rationale, ...).
MAX_TEXT_CHARS = 20_000

__all__ = ["MAX_JSON_DEPTH", "MAX_POLICY_OBJECTS", "MAX_POLICY_RULES", "MAX_TEXT_CHARS", "too_long"]


def too_long(value: object) -> str | None:
    """The refusal for a free-text value over MAX_TEXT_CHARS, or None."""
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        return f"At most {MAX_TEXT_CHARS:,} characters (this has {len(value):,})."
    return None
