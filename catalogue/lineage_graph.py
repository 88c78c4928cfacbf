"""The artifact page's lineage graph as inline SVG: ancestors above, descendants below.

Graphviz `dot` draws it when installed; otherwise a small layered layout in pure Python does.
Only artifacts the viewer may see are drawn (Rule 8). All text is escaped.
"""

import html
import re
import shutil
import subprocess  # noqa: S404 - fixed argv, no shell, input is our own DOT text
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .models import Artifact, Lineage
from .querysets import visible_artifacts
from .selectors.lineage import relatives_of

MAX_DEPTH = 5  # hops drawn each way; the text list says when more exist
MAX_NODES_PER_SIDE = 40

STATUS_STROKE = {
    "draft": "#6c757d",
    "in_review": "#b58100",
    "published": "#198754",
    "deprecated": "#b45309",
    "archived": "#b02a37",
}


@dataclass
class Node:
    id: int
    slug: str
    title: str
    kind: str
    status: str
    url: str
    level: int = 0  # negative: ancestors (above), positive: descendants (below)
    hops: int = 0


@dataclass
class Edge:
    child_id: int
    parent_id: int
    relation: str


@dataclass
class LineageView:
    center: Node
    nodes: dict[int, Node]
    edges: list[Edge]
    parents: list[tuple[Node, str]] = field(default_factory=list)
    children: list[tuple[Node, str]] = field(default_factory=list)
    more_ancestors: bool = False  # visible relatives beyond the drawing limits
    more_descendants: bool = False

    @property
    def ancestors(self) -> list[Node]:
        return sorted(
            (n for n in self.nodes.values() if n.level < 0), key=lambda n: (n.hops, n.title)
        )

    @property
    def descendants(self) -> list[Node]:
        return sorted(
            (n for n in self.nodes.values() if n.level > 0), key=lambda n: (n.hops, n.title)
        )

    @property
    def is_empty(self) -> bool:
        return len(self.nodes) == 1

    def svg(self) -> SafeString:
        return render_svg(self)


def _node(artifact: Artifact) -> Node:
    return Node(
        id=artifact.pk,
        slug=artifact.slug,
        title=artifact.title,
        kind=artifact.get_kind_display(),
        status=artifact.status,
        url=reverse("catalogue:artifact_detail", args=[artifact.slug]),
    )


def _limit(depths: dict[int, int]) -> tuple[dict[int, int], list[int]]:
    near = sorted((d, i) for i, d in depths.items() if d <= MAX_DEPTH)[:MAX_NODES_PER_SIDE]
    kept = {i: d for d, i in near}
    return kept, [i for i in depths if i not in kept]


def _any_visible(user, ids: list[int]) -> bool:
    # Only relatives the user may see count, or the hint would reveal restricted ones.
    return bool(ids) and visible_artifacts(user, Artifact.objects.filter(pk__in=ids)).exists()


def lineage_view(*, user, artifact: Artifact) -> LineageView:
    """Ancestors and descendants the user may see, with the links between them (2 queries: the
    walk, then the visible relatives, each with its links to parents in the walk)."""
    relatives = relatives_of(artifact)
    all_up, all_down = relatives.up, relatives.down
    up, hidden_up = _limit(all_up)
    down, hidden_down = _limit(all_down)
    ids = set(up) | set(down)
    center = _node(artifact)
    nodes = {artifact.pk: center}
    parent_links: dict[int, list] = {}
    if ids:
        walked = ids | {artifact.pk}
        links = Lineage.objects.filter(child_id=OuterRef("pk"), parent_id__in=walked).order_by(
            "parent_id"
        )
        rows = (
            visible_artifacts(user, Artifact.objects.filter(pk__in=walked))
            .only("id", "slug", "title", "kind", "status", "owner_team_id", "sensitivity")
            .annotate(
                walk_parent_links=ArraySubquery(
                    links.values(link=JSONObject(parent=F("parent_id"), relation=F("relation")))
                )
            )
        )
        for row in rows:
            parent_links[row.pk] = row.walk_parent_links
            if row.pk != artifact.pk:
                node = _node(row)
                node.hops = up.get(row.pk) or down.get(row.pk) or 0
                nodes[row.pk] = node
    # Only links between nodes the user sees (a restricted relative's links stay hidden).
    edges = [
        Edge(child, link["parent"], link["relation"])
        for child in sorted(parent_links)
        if child in nodes
        for link in parent_links[child]
        if link["parent"] in nodes
    ]
    _assign_levels(artifact.pk, nodes, edges, up, down)
    view = LineageView(center=center, nodes=nodes, edges=edges)
    view.parents = sorted(
        (
            (nodes[e.parent_id], e.relation.replace("_", " "))
            for e in edges
            if e.child_id == artifact.pk
        ),
        key=lambda t: t[0].title,
    )
    view.children = sorted(
        (
            (nodes[e.child_id], e.relation.replace("_", " "))
            for e in edges
            if e.parent_id == artifact.pk
        ),
        key=lambda t: t[0].title,
    )
    view.more_ancestors = _any_visible(user, hidden_up)
    view.more_descendants = _any_visible(user, hidden_down)
    return view


def _assign_levels(center_id, nodes, edges, up, down) -> None:
    """Longest-path layering, so every drawn edge points from a lower row to a higher one."""
    level = {center_id: 0}
    for pk in nodes:
        if pk in up:
            level[pk] = -up[pk]
        elif pk in down:
            level[pk] = down[pk]
    for _ in range(len(nodes)):
        changed = False
        for e in edges:
            if e.child_id not in level or e.parent_id not in level:
                continue
            if e.parent_id in up and level[e.parent_id] > level[e.child_id] - 1:
                level[e.parent_id] = level[e.child_id] - 1
                changed = True
            if e.child_id in down and level[e.child_id] < level[e.parent_id] + 1:
                level[e.child_id] = level[e.parent_id] + 1
                changed = True
        if not changed:
            break
    for pk, node in nodes.items():
        node.level = level.get(pk, 0)


# --- Rendering -----------------------------------------------------------------------------


def render_svg(view: LineageView) -> SafeString:
    dot = shutil.which("dot")
    if dot:
        svg = _graphviz_svg(dot, view)
        if svg:
            return mark_safe(svg)  # noqa: S308 - dot escapes labels we escaped for DOT
    return mark_safe(_python_svg(view))  # noqa: S308 - every text goes through _esc


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _dot_str(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _graphviz_svg(dot: str, view: LineageView) -> str | None:
    lines = [
        "digraph lineage {",
        'rankdir=BT; bgcolor="transparent";',
        'node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="sans-serif", fontsize=11];',
        'edge [fontname="sans-serif", fontsize=9, color="#6c757d"];',
    ]
    for node in view.nodes.values():
        fill = "#e7f1ff" if node is view.center else "#ffffff"
        label = f"{_truncate(node.title, 40)}\n{node.kind} · {node.status.replace('_', ' ')}"
        lines.append(
            f"n{node.id} [label={_dot_str(label)}, URL={_dot_str(node.url)}, "
            f"tooltip={_dot_str(node.title)}, color={_dot_str(STATUS_STROKE.get(node.status, '#6c757d'))}, "
            f"fillcolor={_dot_str(fill)}, penwidth={2 if node is view.center else 1}];"
        )
    for e in view.edges:
        lines.append(
            f"n{e.child_id} -> n{e.parent_id} [label={_dot_str(e.relation.replace('_', ' '))}];"
        )
    lines.append("}")
    try:
        out = subprocess.run(  # noqa: S603
            [dot, "-Tsvg"],
            input="\n".join(lines).encode(),
            capture_output=True,
            timeout=5,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return None
    start = out.find("<svg")
    if start < 0:
        return None
    svg = out[start:]
    # CSP forbids style attributes; dot's output needs none of them.
    svg = re.sub(r'\sstyle="[^"]*"', "", svg)
    return svg.replace("<svg", '<svg role="img" aria-label="Lineage graph"', 1)


NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 210, 46, 24, 64, 16
CHAR_W = 6.6  # average glyph width at 12px sans-serif


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bezier(t: float, p0: float, p1: float, p2: float, p3: float) -> float:
    u = 1 - t
    return u**3 * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t**3 * p3


def _python_svg(view: LineageView) -> str:
    rows: dict[int, list[Node]] = {}
    for node in view.nodes.values():
        rows.setdefault(node.level, []).append(node)
    # Order each row by the average position of the row nearer the centre (fewer crossings).
    position: dict[int, float] = {view.center.id: 0.0}
    neighbours: dict[int, list[int]] = {}
    for e in view.edges:
        neighbours.setdefault(e.child_id, []).append(e.parent_id)
        neighbours.setdefault(e.parent_id, []).append(e.child_id)
    for level in sorted(rows, key=abs):
        row = rows[level]

        def bary(n: Node) -> float | None:
            known = [position[m] for m in neighbours.get(n.id, []) if m in position]
            return sum(known) / len(known) if known else None

        wanted = {n.id: bary(n) for n in row}
        row.sort(key=lambda n: (wanted[n.id] if wanted[n.id] is not None else 0.0, n.title))
        # Sit each node over its neighbours, one slot apart at least, the row centred on them.
        want: list[float] = []
        for i, n in enumerate(row):
            target = wanted[n.id]
            want.append(target if target is not None else i - (len(row) - 1) / 2)
        placed: list[float] = []
        for w in want:
            placed.append(w if not placed else max(w, placed[-1] + 1))
        shift = sum(w - p for w, p in zip(want, placed, strict=True)) / len(row)
        for node, p in zip(row, placed, strict=True):
            position[node.id] = p + shift
    left, right = min(position.values()), max(position.values())
    unit = NODE_W + GAP_X
    width = (right - left) * unit + NODE_W + 2 * PAD
    top, bottom = min(rows), max(rows)
    height = (bottom - top + 1) * NODE_H + (bottom - top) * GAP_Y + 2 * PAD
    xy: dict[int, tuple[float, float]] = {}
    for level, row in rows.items():
        y: float = PAD + (level - top) * (NODE_H + GAP_Y)
        for node in row:
            xy[node.id] = (PAD + (position[node.id] - left) * unit, y)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-labelledby="lineage-title" '
        'font-family="system-ui, sans-serif">',
        f'<title id="lineage-title">Lineage of {_esc(view.center.title)}: '
        f"{_count(len(view.ancestors), 'ancestor')} above, "
        f"{_count(len(view.descendants), 'descendant')} below</title>",
        '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6c757d"/>'
        "</marker></defs>",
    ]
    for e in view.edges:
        if e.child_id not in xy or e.parent_id not in xy:
            continue
        (cx0, cy0), (px0, py0) = xy[e.child_id], xy[e.parent_id]
        x1, y1 = cx0 + NODE_W / 2, cy0  # top of the child
        x2, y2 = px0 + NODE_W / 2, py0 + NODE_H  # bottom of the parent
        mid = (y1 + y2) / 2
        out.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2 + 2:.1f}" '
            'fill="none" stroke="#6c757d" stroke-width="1.4" marker-end="url(#lineage-arrow)"/>'
        )
        # Label near the outer end, where sibling edges have spread apart and labels don't collide.
        t = 0.3 if view.nodes[e.child_id].level > 0 else 0.7
        lx = _bezier(t, x1, x1, x2, x2)
        ly = _bezier(t, y1, mid, mid, y2)
        out.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" font-size="10" '
            'fill="#495057" stroke="#f6f7f9" stroke-width="3" paint-order="stroke">'
            f"{_esc(e.relation.replace('_', ' '))}</text>"
        )
    max_chars = int((NODE_W - 16) / CHAR_W)
    for node in view.nodes.values():
        x, y = xy[node.id]
        is_center = node is view.center
        stroke = STATUS_STROKE.get(node.status, "#6c757d")
        dash = ' stroke-dasharray="5 3"' if node.status == "archived" else ""
        out.append(f'<a href="{_esc(node.url)}"><g>')
        out.append(
            f"<title>{_esc(node.title)} ({_esc(node.kind)}, {_esc(node.status.replace('_', ' '))})</title>"
        )
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6" '
            f'fill="{"#e7f1ff" if is_center else "#ffffff"}" stroke="{stroke}" '
            f'stroke-width="{2.5 if is_center else 1.3}"{dash}/>'
        )
        out.append(
            f'<text x="{x + 8:.1f}" y="{y + 19:.1f}" font-size="12" font-weight="{600 if is_center else 500}" '
            f'fill="#212529">{_esc(_truncate(node.title, max_chars))}</text>'
        )
        out.append(
            f'<text x="{x + 8:.1f}" y="{y + 36:.1f}" font-size="10" fill="#6c757d">'
            f"{_esc(_truncate(node.kind + ' · ' + node.status.replace('_', ' '), max_chars + 6))}</text>"
        )
        out.append("</g></a>")
    out.append("</svg>")
    return "".join(out)
