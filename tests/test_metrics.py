"""coursekit.metrics: the Wilson interval against SciPy's, and its coverage by simulation."""
import numpy as np
import pytest
from scipy import stats

from coursekit.metrics import confidence_interval


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (972, 1000), (500, 1000), (1, 7)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_matches_scipy(k, n, level):
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    assert np.allclose(confidence_interval(k, n, level), (ref.low, ref.high), rtol=1e-12, atol=1e-15)


def test_1000_digits_give_about_one_point():
    low, high = confidence_interval(972, 1000)
    assert low < 0.972 < high and 0.015 < high - low < 0.025


def test_covers_the_true_accuracy_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    p, n = 0.9, 200
    hits = [low <= p <= high for low, high in
            (confidence_interval(int(k), n) for k in rng.binomial(n, p, size=4000))]
    assert 0.93 < np.mean(hits) < 0.97


@pytest.mark.parametrize("args, error, match", [
    ((5, 0), ValueError, "n must be an integer >= 1"),
    ((11, 10), ValueError, "at most n = 10"),
    ((-1, 10), ValueError, "correct must be an integer >= 0"),
    ((2.5, 10), TypeError, "correct must be an integer"),
    ((5, 10, 1.0), ValueError, "level must be between 0 and 1"),
    ((5, 10, 0), ValueError, "level must be a finite number > 0"),
])
def test_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        confidence_interval(*args)
