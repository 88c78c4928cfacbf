"""Server-side SVG charts (matplotlib, Agg): every chart has a <title>, a <desc> and a table elsewhere.

The SVG is served as an image (`<img src>`): matplotlib writes `style` attributes, which the
page's CSP would block inline, and an image can never run scripts.
"""

import datetime as dt
import io
import re
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: smaller, selectable, read by screen readers
        "svg.hashsalt": "catalogue",  # stable element ids: the same data gives the same bytes
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

BAND = "#0d6efd"
POINT = "#495057"
BOUND = "#198754"
NO_DATA = "No outcomes recorded yet."


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.3g}"


def _svg(fig: Figure, *, title: str, description: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: we add our own labels
    accessible = f'<title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
    svg = re.sub(r"<svg\b", '<svg role="img" aria-labelledby="t d"', svg, count=1)
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + accessible, svg, count=1)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + svg


def _empty(title: str) -> str:
    fig = Figure(figsize=(5.5, 1.2))
    fig.text(0.5, 0.5, NO_DATA, ha="center", va="center", color=POINT)
    return _svg(fig, title=title, description=NO_DATA)


def outcome_chart(
    *,
    title: str,
    unit: str,
    direction: str,
    points: list[dict],
    n: int,
    mean: float | None,
    low: float | None,
    high: float | None,
    method: str,
) -> str:
    """Outcome values over time with the mean and its 95% interval as a shaded band."""
    if not points:
        return _empty(title)
    fig = Figure(figsize=(6.0, 2.6))
    ax = fig.add_subplot()
    dates = [p["period_end"] for p in points]
    ax.scatter(
        dates,
        [p["value"] for p in points],
        s=14,
        color=POINT,
        alpha=0.75,
        label="outcomes",
        zorder=3,
    )
    start, end = min(dates), max(dates)
    if start == end:
        start, end = start - dt.timedelta(days=15), end + dt.timedelta(days=15)
    if low is not None and high is not None:
        ax.fill_between(
            [start, end], low, high, color=BAND, alpha=0.18, label="95% interval", linewidth=0
        )
    if mean is not None:
        ax.plot([start, end], [mean, mean], color=BAND, linewidth=1.6, label="mean")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    better = "higher is better" if direction != "lower_is_better" else "lower is better"
    ax.set_ylabel(f"{unit} ({better})")
    ax.legend(loc="best", frameon=False, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    description = (
        f"{len(points)} outcomes shown of n = {n}. Mean {_fmt(mean)} {unit}, 95% interval "
        f"{_fmt(low)} to {_fmt(high)} ({method or 'no interval'}); {better}."
    )
    return _svg(fig, title=title, description=description)


def adoption_chart(*, title: str, months: list[dict]) -> str:
    """Reuses per month as bars."""
    if not months:
        return _empty(title)
    months = _every_month(months)
    fig = Figure(figsize=(6.0, 2.2))
    ax = fig.add_subplot()
    labels = [m["month"].strftime("%b %Y") for m in months]
    ax.bar(range(len(months)), [m["reuses"] for m in months], color=BAND, alpha=0.8)
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=0)
    ax.set_ylabel("reuses")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    total = sum(m["reuses"] for m in months)
    description = f"{total} reuses over {len(months)} months, from {labels[0]} to {labels[-1]}."
    return _svg(fig, title=title, description=description)


def _every_month(months: list[dict]) -> list[dict]:
    """The months from first to last, with zero reuses where none happened (an honest time axis)."""
    by_month = {m["month"]: m for m in months}
    first, last = months[0]["month"], months[-1]["month"]
    filled, current = [], first
    while current <= last:
        filled.append(by_month.get(current, {"month": current, "reuses": 0, "teams": 0}))
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return filled


def ranking_chart(*, title: str, unit: str, direction: str, entries: list) -> str:
    """Best-first artifacts for one metric: mean with 95% interval bars, the ranking bound marked."""
    entries = [e for e in entries if e.mean is not None][:12]
    if not entries:
        return _empty(title)
    fig = Figure(figsize=(6.0, 0.45 * len(entries) + 0.9))
    ax = fig.add_subplot()
    ys = list(range(len(entries)))[::-1]
    for y, e in zip(ys, entries, strict=True):
        if e.ci_low is not None and e.ci_high is not None:
            ax.plot(
                [e.ci_low, e.ci_high],
                [y, y],
                color=BAND,
                linewidth=3,
                alpha=0.35,
                solid_capstyle="butt",
            )
        ax.plot([e.mean], [y], "o", color=BAND, markersize=5)
        if e.conservative is not None:
            ax.plot([e.conservative], [y], "|", color=BOUND, markersize=12, markeredgewidth=2)
    ax.set_yticks(ys, [f"{e.artifact_title[:38]} (n={e.n})" for e in entries])
    better = "higher is better" if direction != "lower_is_better" else "lower is better"
    ax.set_xlabel(f"{unit} ({better}); bar: 95% interval, tick: ranking bound")
    ax.grid(axis="x", alpha=0.3)
    description = "; ".join(
        f"{i}. {e.artifact_title}: mean {_fmt(e.mean)}, interval {_fmt(e.ci_low)} to {_fmt(e.ci_high)}, n {e.n}"
        for i, e in enumerate(entries, start=1)
    )
    return _svg(fig, title=title, description=description)
