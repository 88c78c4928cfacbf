"""Errors raised for malformed ODRL documents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a policy: where (``permission[0].constraint[1].operator``) and what."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """JSON-friendly form for API error bodies."""
        return {"path": self.path, "message": self.message}


class PolicyError(ValueError):
    """A policy (or request) could not be parsed; ``errors`` lists every problem found."""

    def __init__(self, errors: list[PolicyIssue]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.path or '<policy>'}: {e.message}" for e in self.errors))
