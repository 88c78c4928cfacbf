"""Intervals and rankings for reuse outcomes: plain Python and SciPy, no Django imports.

Which interval, and why
-----------------------
Every mean we publish carries a 95% interval; we never show a bare point estimate.

* **t-interval** (``method="t"``) from the running sums n, Σx, Σx² that the rollup tables keep.
  It needs no raw values, so it is what an incremental rollup can afford at 10 million
  outcomes. By the central limit theorem the sampling distribution of the mean is close to
  normal once n ≥ 30 whatever the shape of the data, and for 10 ≤ n < 30 when the data are
  not strongly skewed.
* **bootstrap** (``method="bootstrap"``, BCa, 9,999 resamples) when the t-interval's normality
  assumption is doubtful: n < 10, or n < 30 with |sample skewness| > 1 (Bulmer's rule of
  thumb for "highly skewed"). Those samples are small by definition, so the raw values are
  cheap to load (one bounded query of fewer than 30 rows). Skewness needs the raw values too,
  which is why the choice is made only below n = 30. BCa corrects the percentile interval
  for bias and skew; when BCa cannot be computed (degenerate resamples) we fall back to the
  percentile interval, and to the point itself when every value is equal.
* **none** (``method="none"``) for n = 1: one observation has no spread, so there is no
  interval, and rankings put it after every artifact that has one.

The bootstrap uses a fixed seed and sorts the values first, so the same sample always gives
the same interval whatever order the outcomes arrived in: an incremental rollup and a
from-scratch recomputation agree exactly.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95
T_MIN_N = 30  # at or above: t-interval from sums, always
SMALL_N = 10  # below: bootstrap, always (n >= 2)
SKEW_LIMIT = 1.0  # |skewness| above this counts as skewed
BOOTSTRAP_RESAMPLES = 9_999
BOOTSTRAP_SEED = 20_260_101

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"


@dataclass(frozen=True)
class Interval:
    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: str  # "t", "bootstrap", "none", or "" when n == 0


EMPTY = Interval(0, None, None, None, "")


def needs_values(n: int) -> bool:
    """True when the interval for a sample of size n may need the raw values."""
    return 1 < n < T_MIN_N


def sample_skewness(values: Sequence[float]) -> float:
    """Adjusted Fisher–Pearson skewness (SciPy's ``skew(bias=False)``); 0 when undefined."""
    if len(values) < 3:
        return 0.0
    arr = np.asarray(values, dtype=float)
    if np.ptp(arr) == 0:
        return 0.0
    return float(sps.skew(arr, bias=False))


def choose_method(n: int, values: Sequence[float] | None = None) -> str:
    """The interval method for a sample: see the module docstring for the rule."""
    if n <= 0:
        return ""
    if n == 1:
        return "none"
    if n >= T_MIN_N:
        return "t"
    if n < SMALL_N:
        return "bootstrap"
    if values is None:
        raise ValueError("the raw values are needed to choose an interval below n = 30")
    return "bootstrap" if abs(sample_skewness(values)) > SKEW_LIMIT else "t"


def t_interval(n: int, total: float, total_sq: float, confidence: float = CONFIDENCE) -> Interval:
    """Student-t interval for the mean from n, Σx and Σx² (no raw values needed)."""
    if n <= 0:
        return EMPTY
    mean = total / n
    if n == 1:
        return Interval(1, mean, None, None, "none")
    # Sums of squares lose precision by cancellation; a tiny negative variance is zero.
    variance = max((total_sq - total * total / n) / (n - 1), 0.0)
    se = math.sqrt(variance / n)
    if se == 0:
        return Interval(n, mean, mean, mean, "t")
    low, high = sps.t.interval(confidence, n - 1, loc=mean, scale=se)
    return Interval(n, mean, float(low), float(high), "t")


def bootstrap_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """BCa bootstrap interval for the mean; deterministic for a given multiset of values."""
    arr = np.sort(np.asarray(values, dtype=float))
    n = int(arr.size)
    if n == 0:
        return EMPTY
    mean = float(arr.mean())
    if n == 1:
        return Interval(1, mean, None, None, "none")
    if np.ptp(arr) == 0:
        return Interval(n, mean, mean, mean, "bootstrap")
    low, high = _bootstrap(arr, confidence, "BCa")
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = _bootstrap(arr, confidence, "percentile")
    return Interval(n, mean, low, high, "bootstrap")


def _bootstrap(arr: np.ndarray, confidence: float, method: str) -> tuple[float, float]:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sps.bootstrap(
            (arr,),
            np.mean,
            confidence_level=confidence,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method=method,
            vectorized=True,
            rng=np.random.default_rng(BOOTSTRAP_SEED),
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def summarise(
    n: int, total: float, total_sq: float, values: Sequence[float] | None = None
) -> Interval:
    """The published interval for a sample given its sums (and raw values when n < 30)."""
    method = choose_method(n, values)
    if method == "bootstrap":
        if values is None or len(values) != n:
            raise ValueError("bootstrap needs exactly the n raw values")
        return bootstrap_interval(values)
    return t_interval(n, total, total_sq)


def summarise_values(values: Iterable[float]) -> Interval:
    """Convenience: the published interval straight from raw values."""
    vals = [float(v) for v in values]
    return summarise(len(vals), math.fsum(vals), math.fsum(v * v for v in vals), vals)


# --- Rankings -------------------------------------------------------------------------


def conservative_bound(direction: str, low: float | None, high: float | None) -> float | None:
    """The pessimistic end of the interval: the lower bound when higher is better, else the upper."""
    return high if direction == LOWER_IS_BETTER else low


def oriented(direction: str, value: float | None) -> float | None:
    """`value` signed so that higher is better whatever the metric's direction (None stays None)."""
    if value is None:
        return None
    return -value if direction == LOWER_IS_BETTER else value


def rank_score(direction: str, low: float | None, high: float | None) -> float | None:
    """The conservative bound as one "higher is better" number; None without an interval.

    The one statement of the ranking rule: the rollups store it (with the oriented mean as the
    tie-break) and the library walks an index on it.
    """
    return oriented(direction, conservative_bound(direction, low, high))


def rank_key(direction: str, low: float | None, high: float | None, mean: float | None) -> tuple:
    """Sort key putting the best conservative bound first; rows without an interval last."""
    score = rank_score(direction, low, high)
    if score is None:
        return (1, -(oriented(direction, mean) or 0.0))
    return (0, -score)


def rank(rows: Iterable, direction: str, *, low="ci_low", high="ci_high", mean="mean") -> list:
    """Rows (objects or dicts) ordered best-first by their conservative bound."""

    def get(row, attr):
        return row[attr] if isinstance(row, dict) else getattr(row, attr)

    return sorted(rows, key=lambda r: rank_key(direction, get(r, low), get(r, high), get(r, mean)))


def scale(interval: Interval, factor: float) -> Interval:
    """The interval of factor × mean (e.g. a total over `factor` reuses)."""

    def mul(x):
        return None if x is None else x * factor

    low, high = mul(interval.low), mul(interval.high)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Interval(interval.n, mul(interval.mean), low, high, interval.method)


def close(a: float | None, b: float | None, *, rel: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    """Float equality for rollup comparisons (sums folded in different orders differ slightly)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
