"""The artifact page is a one-page summary assembled from panels, one per sub-domain.

Each panel is (template, context function, order). The context function takes
(request, artifact) and returns a dict (or None to hide the panel); it may run a bounded
number of queries, never one per row. Sub-domains register their panels here.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable
    order: int = 100


ARTIFACT_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    ARTIFACT_PANELS[:] = sorted([p for p in ARTIFACT_PANELS if p.key != panel.key] + [panel], key=lambda p: p.order)


def render_panels(request, artifact) -> list[dict]:
    """[{key, template, context}] for the panels that apply to this artifact and user."""
    rendered = []
    for panel in ARTIFACT_PANELS:
        ctx = panel.context(request, artifact)
        if ctx is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": ctx})
    return rendered
