"""Intervals against SciPy on known samples, the method choice, and rankings."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from catalogue import stats

SYMMETRIC_40 = [float(x) for x in np.linspace(-3, 5, 40)]
NORMALISH_15 = [2.1, 1.8, 2.5, 2.2, 1.9, 2.0, 2.4, 2.3, 1.7, 2.6, 2.0, 2.2, 1.9, 2.1, 2.3]
SKEWED_15 = [1, 1, 1, 2, 1, 2, 1, 1, 3, 1, 2, 1, 40, 1, 2]
SMALL_5 = [3.0, 7.0, 4.0, 12.0, 5.0]


def scipy_t(values):
    arr = np.asarray(values, dtype=float)
    return sps.t.interval(0.95, len(arr) - 1, loc=arr.mean(), scale=sps.sem(arr))


def scipy_bootstrap(values):
    res = sps.bootstrap(
        (np.sort(np.asarray(values, dtype=float)),),
        np.mean,
        confidence_level=0.95,
        n_resamples=9_999,
        method="BCa",
        rng=np.random.default_rng(stats.BOOTSTRAP_SEED),
    )
    return res.confidence_interval.low, res.confidence_interval.high


def test_t_interval_from_sums_matches_scipy():
    vals = SYMMETRIC_40
    got = stats.t_interval(len(vals), math.fsum(vals), math.fsum(v * v for v in vals))
    low, high = scipy_t(vals)
    assert got.method == "t"
    assert got.mean == pytest.approx(np.mean(vals))
    assert (got.low, got.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


def test_bootstrap_matches_scipy_with_fixed_seed_and_ignores_order():
    got = stats.bootstrap_interval(SKEWED_15)
    low, high = scipy_bootstrap(SKEWED_15)
    assert got.method == "bootstrap"
    assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    assert stats.bootstrap_interval(list(reversed(SKEWED_15))) == got


@pytest.mark.parametrize(
    ("values", "method"),
    [
        (SYMMETRIC_40, "t"),  # n >= 30: t, whatever the shape
        (NORMALISH_15, "t"),  # 10 <= n < 30, not skewed
        (SKEWED_15, "bootstrap"),  # 10 <= n < 30, |skew| > 1
        (SMALL_5, "bootstrap"),  # n < 10
        ([4.0], "none"),  # one observation: no interval
    ],
)
def test_method_choice(values, method):
    got = stats.summarise_values(values)
    assert got.method == method
    if method == "t":
        low, high = scipy_t(values)
        assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    elif method == "bootstrap":
        low, high = scipy_bootstrap(values)
        assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    else:
        assert got.low is got.high is None and got.mean == 4.0


def test_skewed_40_still_uses_t_and_skewness_matches_scipy():
    values = [1.0] * 35 + [50.0] * 5
    assert stats.sample_skewness(values) == pytest.approx(sps.skew(values, bias=False))
    assert abs(stats.sample_skewness(values)) > 1
    assert stats.summarise_values(values).method == "t"


def test_constant_sample_has_zero_width_interval():
    assert stats.summarise_values([5.0] * 4) == stats.Interval(4, 5.0, 5.0, 5.0, "bootstrap")
    assert stats.summarise_values([5.0] * 40) == stats.Interval(40, 5.0, 5.0, 5.0, "t")


def test_summarise_refuses_to_guess_without_values():
    with pytest.raises(ValueError, match="raw values"):
        stats.summarise(15, 30.0, 70.0, None)


def test_ranking_by_conservative_bound_respects_direction():
    rows = [
        {"id": "wide", "mean": 10.0, "ci_low": 1.0, "ci_high": 19.0},
        {"id": "tight", "mean": 6.0, "ci_low": 5.0, "ci_high": 7.0},
        {"id": "single", "mean": 50.0, "ci_low": None, "ci_high": None},
        {"id": "mid", "mean": 8.0, "ci_low": 3.0, "ci_high": 13.0},
    ]
    higher = [r["id"] for r in stats.rank(rows, stats.HIGHER_IS_BETTER)]
    # The highest mean (wide) loses to the tight interval; the single point comes last.
    assert higher == ["tight", "mid", "wide", "single"]
    lower = [r["id"] for r in stats.rank(rows, stats.LOWER_IS_BETTER)]
    assert lower == ["tight", "mid", "wide", "single"]
    rows.append({"id": "low-and-tight", "mean": 2.0, "ci_low": 1.5, "ci_high": 2.5})
    assert [r["id"] for r in stats.rank(rows, stats.LOWER_IS_BETTER)][0] == "low-and-tight"
    assert [r["id"] for r in stats.rank(rows, stats.HIGHER_IS_BETTER)] == [
        "tight",
        "mid",
        "low-and-tight",
        "wide",
        "single",
    ]


def test_scale_keeps_interval_order_for_negative_factors():
    got = stats.scale(stats.Interval(3, 2.0, 1.0, 3.0, "t"), -2)
    assert (got.mean, got.low, got.high) == (-4.0, -6.0, -2.0)


def test_rank_score_is_the_conservative_bound_with_higher_better():
    assert stats.rank_score(stats.HIGHER_IS_BETTER, 1.0, 9.0) == 1.0
    assert stats.rank_score(stats.LOWER_IS_BETTER, 1.0, 9.0) == -9.0
    assert stats.rank_score(stats.LOWER_IS_BETTER, None, None) is None
    assert (
        stats.oriented(stats.LOWER_IS_BETTER, 4.0) == -4.0
        and stats.oriented(stats.HIGHER_IS_BETTER, 4.0) == 4.0
    )
    # Sorting by the score, highest first, is the ranking rank_key gives.
    rows = [(0.5, 2.0), (1.0, 9.0), (-3.0, 1.5), (2.0, 2.5)]
    for direction in (stats.HIGHER_IS_BETTER, stats.LOWER_IS_BETTER):
        by_score = sorted(rows, key=lambda r: -stats.rank_score(direction, *r))
        assert by_score == sorted(rows, key=lambda r: stats.rank_key(direction, *r, mean=0.0))
