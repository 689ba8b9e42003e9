"""The difference between two confirmation rates with a 95% interval.

Newcombe's hybrid score interval (Newcombe 1998, method 10): a Wilson score interval for each rate, combined
into one for the difference. Chosen over the Wald interval (p ± 1.96·SE), which is too narrow for small
counts and rates near 0 or 1, where a new wording's first days live, and collapses to a point at 0 or 100%."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of successes/trials; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


@dataclass(frozen=True)
class Difference:
    """rate_b - rate_a and its 95% interval; `clear` when the interval excludes zero."""

    estimate: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        return self.low > 0 or self.high < 0


def rate_difference(a_successes: int, a_trials: int, b_successes: int, b_trials: int) -> Difference | None:
    """Newcombe's interval for p_b - p_a; None when either side has no trials."""
    if a_trials <= 0 or b_trials <= 0:
        return None
    pa, pb = a_successes / a_trials, b_successes / b_trials
    la, ua = wilson(a_successes, a_trials)
    lb, ub = wilson(b_successes, b_trials)
    d = pb - pa
    return Difference(d, d - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2), d + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2))
