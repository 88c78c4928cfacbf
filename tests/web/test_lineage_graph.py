"""The lineage SVG: escaping, ancestors above and descendants below, visibility, Graphviz fallback."""

import re

import pytest

from catalogue import lineage_graph
from catalogue.lineage_graph import lineage_view
from catalogue.models import choices as c
from tests.factories import ArtifactFactory, LineageFactory


def _node_y(svg: str, title: str) -> float:
    match = re.search(
        r'<rect x="[\d.]+" y="([\d.]+)"[^>]*/><text[^>]*>' + re.escape(title) + "<", svg
    )
    assert match, title
    return float(match.group(1))


@pytest.fixture
def chain(retail):
    """a <- b <- c <- d (each derived from the previous), plus e composed of c."""
    nodes = {k: ArtifactFactory(owner_team=retail, title=f"Node {k.upper()}") for k in "abcde"}
    LineageFactory(child=nodes["b"], parent=nodes["a"], relation=c.LineageRelation.DERIVED_FROM)
    LineageFactory(child=nodes["c"], parent=nodes["b"], relation=c.LineageRelation.ADAPTED_FROM)
    LineageFactory(child=nodes["d"], parent=nodes["c"], relation=c.LineageRelation.INSPIRED_BY)
    LineageFactory(child=nodes["e"], parent=nodes["c"], relation=c.LineageRelation.COMPOSED_OF)
    return nodes


def test_fallback_draws_ancestors_above_and_descendants_below(monkeypatch, victor, chain):
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: None)
    view = lineage_view(user=victor, artifact=chain["c"])
    svg = str(view.svg())
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert (
        _node_y(svg, "Node A")
        < _node_y(svg, "Node B")
        < _node_y(svg, "Node C")
        < _node_y(svg, "Node D")
    )
    assert _node_y(svg, "Node D") == _node_y(svg, "Node E")
    for relation in ("derived from", "adapted from", "inspired by", "composed of"):
        assert relation in svg
    assert [n.title for n in view.ancestors] == ["Node B", "Node A"]
    assert sorted(n.title for n in view.descendants) == ["Node D", "Node E"]
    assert [(n.title, r) for n, r in view.parents] == [("Node B", "adapted from")]
    assert "style=" not in svg  # CSP: no inline styles


def test_longest_path_layering_keeps_every_edge_pointing_up(monkeypatch, victor, retail):
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: None)
    top, mid, me = (ArtifactFactory(owner_team=retail, title=t) for t in ("Top", "Mid", "Me"))
    LineageFactory(child=me, parent=mid)
    LineageFactory(child=me, parent=top)
    LineageFactory(child=mid, parent=top)
    svg = str(lineage_view(user=victor, artifact=me).svg())
    assert _node_y(svg, "Top") < _node_y(svg, "Mid") < _node_y(svg, "Me")


def test_titles_are_escaped_and_long_ones_truncated(monkeypatch, victor, retail):
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: None)
    parent = ArtifactFactory(
        owner_team=retail,
        title='<img src=x onerror="alert(1)"> & a very long title indeed, longer than a box',
    )
    child = ArtifactFactory(owner_team=retail, title="Child")
    LineageFactory(child=child, parent=parent)
    svg = str(lineage_view(user=victor, artifact=child).svg())
    assert "<img" not in svg
    assert (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; a very long title indeed, longer than a box"
        in svg
    )  # tooltip
    assert "…</text>" in svg


def test_restricted_relatives_are_left_out_for_outsiders(
    monkeypatch, victor, legal1, retail, cards
):
    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: None)
    secret = ArtifactFactory(owner_team=cards, restricted=True, title="Secret parent")
    child = ArtifactFactory(owner_team=retail, title="Child")
    LineageFactory(child=child, parent=secret)
    outsider = lineage_view(user=victor, artifact=child)
    assert outsider.is_empty and "Secret parent" not in str(outsider.svg())
    assert "Secret parent" in str(lineage_view(user=legal1, artifact=child).svg())


def test_graphviz_output_is_used_when_dot_is_installed(monkeypatch, victor, chain):
    calls = []

    class Done:
        stdout = b'<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="10" style="x"><g><title>n1</title></g></svg>\n'

    def fake_run(argv, input, **kwargs):  # noqa: A002 - subprocess.run's own name
        calls.append(input.decode())
        return Done()

    monkeypatch.setattr(lineage_graph.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(lineage_graph.subprocess, "run", fake_run)
    svg = str(lineage_view(user=victor, artifact=chain["b"]).svg())
    assert svg.startswith('<svg role="img" aria-label="Lineage graph"') and "style=" not in svg
    dot = calls[0]
    assert "rankdir=BT" in dot and '"Node A' in dot and '"adapted from"' in dot


def test_dot_strings_escape_quotes_and_backslashes():
    assert lineage_graph._dot_str('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c d"'
