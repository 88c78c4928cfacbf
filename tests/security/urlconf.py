"""The URL conf as data: every route, as a pattern string, and how to fill its parameters."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
_FORMAT = r"\.(?P<format>)/?$"
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def key_of(pattern: str) -> str:
    """A route as the matrix names it: a regex group by its name only, so `(?P<pk>[0-9]+)` and
    `(?P<pk>[^/.]+)` are the same route (a lookup pattern may tighten without renaming it)."""
    return _GROUP.sub(lambda m: f"(?P<{m.group(1)}>)", pattern)


def all_routes() -> list[str]:
    """Every route of the project except Django's admin (its own auth and templates)."""

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return [key_of(r) for r in walk(get_resolver().url_patterns, "") if not r.startswith("admin/")]


def is_format_variant(route: str) -> bool:
    return route.endswith(_FORMAT) or route.endswith("<drf_format_suffix:format>")


def base_of(route: str) -> str:
    """The route a DRF format-suffix variant (`artifacts.json`) is a variant of."""
    if route.endswith("<drf_format_suffix:format>"):
        return route.removesuffix("<drf_format_suffix:format>")
    return route.removesuffix(_FORMAT) + "/$"


def params_of(route: str) -> list[str]:
    return [a or b for a, b in _PARAM.findall(route) if (a or b) != "format"]


def render(route: str, values: dict) -> str:
    """The path of `route` with its parameters filled from `values`."""

    def fill(match):
        name = match.group(1) or match.group(2)
        return str(values[name])

    path = _PARAM.sub(fill, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")
