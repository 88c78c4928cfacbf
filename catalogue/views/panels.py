"""The artifact page is a one-page summary assembled from panels, one per sub-domain.

Each panel is (template, context function, order, loads). The context function takes
(request, artifact) and returns a dict (or None to hide the panel). `loads(user)` returns
annotations (usually `selectors.preload.json_rows` columns) that the page adds to its one
artifact query, so a panel's lists arrive with the artifact instead of costing a query each;
the context function reads them with `preloaded(...)` and falls back to its own query when the
artifact came from elsewhere (an htmx fragment, another page). Sub-domains register here.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable
    order: int = 100
    loads: Callable[..., dict] | None = None


ARTIFACT_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    ARTIFACT_PANELS[:] = sorted(
        [p for p in ARTIFACT_PANELS if p.key != panel.key] + [panel], key=lambda p: p.order
    )


def panel_loads(user) -> dict:
    """Every panel's annotations for the page's artifact query."""
    annotations: dict = {}
    for panel in ARTIFACT_PANELS:
        if panel.loads is not None:
            annotations.update(panel.loads(user))
    return annotations


def render_panels(request, artifact) -> list[dict]:
    """[{key, template, context}] for the panels that apply to this artifact and user."""
    rendered = []
    for panel in ARTIFACT_PANELS:
        ctx = panel.context(request, artifact)
        if ctx is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": ctx})
    return rendered
