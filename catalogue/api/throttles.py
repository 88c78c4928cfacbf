"""Rate limits on the API: writes, searches and exports, each per user and per client IP.

Counters live in the shared cache (Redis in production, see CACHES), so every web process
counts the same requests. Rates come from `settings.API_THROTTLE_RATES` at request time (env
`API_THROTTLE_<SCOPE>_<USER|IP>`); a refusal is DRF's 429 with `Retry-After`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

THROTTLE_CACHE = "default"

# Views whose GET hands out a whole file or a large document.
EXPORT_VIEWS = frozenset(
    {
        "ArtifactExportView",
        "OutcomeExportView",
        "ArtifactAuditPackView",
        "ArtifactProvView",
        "JobDownloadView",
    }
)
SEARCH_VIEWS = frozenset({"ResemblanceView"})


def scope_of(request, view) -> str | None:
    """Which limited kind of request this is: "writes", "exports", "search", or None."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return "writes"
    name = type(view).__name__
    if name in EXPORT_VIEWS:
        return "exports"
    if name in SEARCH_VIEWS or request.query_params.get("q", "").strip():
        return "search"
    return None


class _ScopedThrottle(SimpleRateThrottle):
    """One counter per (scope, user) or (scope, IP); only requests of its scope are counted."""

    scope: str  # type: ignore[assignment]
    per: str  # "user" or "ip"

    def __init__(self) -> None:
        # SimpleRateThrottle reads the rate in __init__; here it is read per request instead.
        self.cache = caches[THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(f"{self.scope}_{self.per}")

    def get_cache_key(self, request, view) -> str | None:
        if self.per == "user":
            if not request.user or not request.user.is_authenticated:
                return None  # anonymous requests are refused by authentication, counted per IP
            ident = str(request.user.pk)
        else:
            ident = self.get_ident(request)
        return f"throttle:{self.scope}:{self.per}:{ident}"

    def allow_request(self, request, view) -> bool:
        if scope_of(request, view) != self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class WritesUserThrottle(_ScopedThrottle):
    scope, per = "writes", "user"


class WritesIPThrottle(_ScopedThrottle):
    scope, per = "writes", "ip"


class SearchUserThrottle(_ScopedThrottle):
    scope, per = "search", "user"


class SearchIPThrottle(_ScopedThrottle):
    scope, per = "search", "ip"


class ExportsUserThrottle(_ScopedThrottle):
    scope, per = "exports", "user"


class ExportsIPThrottle(_ScopedThrottle):
    scope, per = "exports", "ip"
