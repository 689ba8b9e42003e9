"""The variant comparison's interval: Newcombe's hybrid score interval, checked against his paper's example."""

from __future__ import annotations

import pytest

from smsbot.reports.buckets import bounds_of, quantile
from smsbot.reports.stats import rate_difference, wilson


def test_a_wilson_interval_holds_its_rate_and_stays_inside_zero_and_one() -> None:
    for successes, trials in [(0, 10), (56, 70), (9, 10)]:
        low, high = wilson(successes, trials)
        assert 0 <= low <= successes / trials <= high <= 1
    assert wilson(0, 10)[1] > 0  # unlike Wald's, not a point at 0%


def test_the_difference_interval_matches_newcombes_example() -> None:
    d = rate_difference(48, 80, 56, 70)  # 56/70 - 48/80 = 0.2; method 10 gives 0.0524 to 0.3339
    assert d is not None
    assert round(d.estimate, 4) == 0.2
    assert (round(d.low, 4), round(d.high, 4)) == (0.0524, 0.3339)
    assert d.clear


def test_equal_rates_are_not_yet_clear_and_a_large_gap_is() -> None:
    equal = rate_difference(300, 1000, 310, 1000)
    ahead = rate_difference(300, 1000, 400, 1000)
    assert equal is not None and not equal.clear
    assert ahead is not None and ahead.clear and ahead.low > 0
    assert rate_difference(0, 0, 1, 2) is None


@pytest.mark.parametrize("seconds", [30, 200, 3000, 90000])
def test_a_quantile_read_from_buckets_falls_in_the_bucket_of_the_truth(seconds: int) -> None:
    from smsbot.reports.buckets import bucket_of

    counts = {bucket_of(seconds): 10}
    low, high = bounds_of(seconds)
    estimate = quantile(counts, 0.5)
    assert estimate is not None and low <= estimate <= high
