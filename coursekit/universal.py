"""The universal approximation theorem, built by hand (lecture 7).

Cybenko's (1989) proof is not constructive, but in one dimension a network that
approximates a continuous f on [lo, hi] can be written down: n steep sigmoid
steps, the j-th rising by f(t_j) - f(t_{j-1}) halfway between two grid points,

    g(x) = f(t_0) + sum_j (f(t_j) - f(t_{j-1})) sigma(k (x - s_j)),   s_j = (t_{j-1} + t_j) / 2,

is one hidden layer of n sigmoid units and a linear output. As n grows the
steps shrink and sup |f - g| -> 0 for every continuous f.
"""
import numpy as np

from .backend import asarray, to_numpy
from .modules import Dense, Sequential


def staircase_weights(f, n, lo=0.0, hi=1.0, sharpness=10.0):
    """(w1: (1, n), b1: (n,), w2: (n, 1), b2: (1,)) of the staircase network for f.

    f maps a NumPy array of points to values. The steps have slope k = sharpness / h
    where h = (hi - lo) / n is the grid spacing: larger sharpness, sharper steps.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"the number of hidden units must be a positive integer, got {n!r}")
    if not hi > lo:
        raise ValueError(f"need lo < hi, got [{lo}, {hi}]")
    t = np.linspace(lo, hi, int(n) + 1)
    ft = np.asarray(f(t), dtype=np.float64)
    h = (hi - lo) / n
    k = sharpness / h
    s = 0.5 * (t[:-1] + t[1:])
    w1 = np.full((1, n), k)
    b1 = -k * s                          # sigma(k (x - s_j)) = sigma(w1 x + b1)
    w2 = np.diff(ft).reshape(n, 1)       # the height of each step
    b2 = ft[:1].copy()
    return w1, b1, w2, b2


def staircase_network(f, n, lo=0.0, hi=1.0, sharpness=10.0, dtype=np.float64):
    """A coursekit Sequential [Dense(1, n, sigmoid), Dense(n, 1)] holding the staircase weights."""
    net = Sequential([Dense(1, n, "sigmoid", dtype=dtype), Dense(n, 1, dtype=dtype)], loss="mse")
    w1, b1, w2, b2 = staircase_weights(f, n, lo, hi, sharpness)
    for layer, (w, b) in zip(net.layers, [(w1, b1), (w2, b2)]):
        layer.params["w"][...] = asarray(w, dtype=dtype)
        layer.params["b"][...] = asarray(b, dtype=dtype)
    return net


def sup_error(predict, f, lo=0.0, hi=1.0, num=2001):
    """max |f(x) - predict(x)| on num equally spaced points of [lo, hi] (the uniform norm).

    predict maps (num, 1) inputs to (num, 1) outputs, e.g. a network's predict.
    """
    x = np.linspace(lo, hi, num)
    y_hat = to_numpy(predict(asarray(x.reshape(-1, 1)))).reshape(-1)
    return float(np.max(np.abs(np.asarray(f(x)) - y_hat)))
