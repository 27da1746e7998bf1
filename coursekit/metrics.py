"""How sure an accuracy is: the Wilson score interval (lectures 10, 11).

A test set of n examples measures accuracy with a binomial error: 1,000 digits give about
plus or minus 1-2 points at 95 %, so two models closer than that are not told apart.
"""
import math
from statistics import NormalDist

from . import checks


def confidence_interval(correct, n, level=0.95):
    """(low, high) for the accuracy correct / n: the Wilson score interval.

    p = k / n, z the normal quantile of (1 + level) / 2:
    centre = (p + z^2 / 2n) / (1 + z^2 / n),
    half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2).
    Unlike p +- z sqrt(p (1 - p) / n) it stays inside [0, 1] and is not empty at p = 0 or 1.
    """
    n = checks.positive_int(n, "n")
    correct = checks.integer(correct, "correct")
    if correct > n:
        raise ValueError(f"correct must be at most n = {n}, got {correct}")
    level = checks.real(level, "level", low=0, strict=True)
    if level >= 1:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95; got {level}")
    z = NormalDist().inv_cdf((1 + level) / 2)
    p, shrink = correct / n, 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
