"""Timing helpers: run candidates interleaved, repeated, and summarise as median and p95."""

import statistics
import time
from collections.abc import Callable


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(samples: list[float]) -> dict:
    """Milliseconds: median, p95, min, n."""
    ms = [s * 1000 for s in samples]
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "min_ms": round(min(ms), 3),
        "n": len(ms),
    }


def interleaved(
    candidates: dict[str, Callable[[], object]], *, repeat: int, warmup: int = 1
) -> dict[str, dict]:
    """Time each candidate `repeat` times, alternating between them so drift hits all alike."""
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: summary(values) for name, values in samples.items()}


def ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else float("inf")
