"""Write the benchmark report as JSON and Markdown (one table of figures per section)."""

import json
from dataclasses import asdict
from pathlib import Path

from .bench import Report


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _measurements(data, depth: int = 0) -> list[str]:
    lines = []
    for key, value in data.items():
        if isinstance(value, dict) and "median_ms" in value and "n" in value:
            lines.append(
                f"{'  ' * depth}- {key}: median {value['median_ms']} ms, p95 {value['p95_ms']} ms (n={value['n']})"
            )
        elif isinstance(value, dict):
            lines.append(f"{'  ' * depth}- {key}:")
            lines.extend(_measurements(value, depth + 1))
        elif isinstance(value, list):
            lines.append(f"{'  ' * depth}- {key}:")
            lines.extend(
                f"{'  ' * (depth + 1)}- "
                + (f"`{item}`" if isinstance(item, str) else json.dumps(item))
                for item in value
            )
        else:
            lines.append(f"{'  ' * depth}- {key}: {_fmt(value)}")
    return lines


def markdown(report: Report) -> str:
    meta = report.meta
    counts = ", ".join(f"{k} {v:,}" for k, v in meta.get("counts", {}).items())
    out = [
        "# Benchmark report",
        "",
        f"Run {meta.get('started_at')} on {meta.get('cpus')} CPUs, PostgreSQL {meta.get('postgres')}, "
        f"Python {meta.get('python')}; {meta.get('repeat')} interleaved repetitions{' (quick)' if meta.get('quick') else ''}.",
        f"Data: {counts}.",
        "",
        "| # | figure | value | target | verdict | reason for a miss |",
        "|---|---|---|---|---|---|",
    ]
    for section in report.sections:
        for f in section["figures"]:
            target = "—" if f["target"] is None else f"{f['comparison']} {_fmt(f['target'])}"
            out.append(
                f"| {section['number']} | {f['name']} | {_fmt(f['value'])} {f['unit']} | {target} | "
                f"{f['verdict']} | {f['reason']} |"
            )
    for section in report.sections:
        out += ["", f"## {section['number']}. {section['title']}", ""]
        out += _measurements(section["measurements"])
        out += [f"- note: {n}" for n in section["notes"]]
    return "\n".join(out) + "\n"


def write(report: Report, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "report.json", directory / "report.md"
    json_path.write_text(json.dumps(asdict(report), indent=2, default=str))
    md_path.write_text(markdown(report))
    return json_path, md_path
