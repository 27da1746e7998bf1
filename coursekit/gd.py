"""Gradient descent on functions, and the one-sigmoid-neuron classifier (lecture 2).

Gradient descent moves every parameter downhill, against its derivative:

    x_{k+1} = x_k - eta dC/dx(x_k)

The one-neuron classifier of seed 003 is f_i = sigma(w . x_i + b) with the quadratic cost

    C = 1/2 sum_i (f_i - v_i)^2,

whose derivatives, written out for two inputs (x_1, x_2), are

    dC/dw1 = sum_i (f_i - v_i) f_i (1 - f_i) x_1i
    dC/dw2 = sum_i (f_i - v_i) f_i (1 - f_i) x_2i
    dC/db  = sum_i (f_i - v_i) f_i (1 - f_i).
"""
import numpy as np

from .activations import sigmoid
from .backend import array_module, to_numpy


def gradient_descent(grad, x0, eta, steps=100, tol=None):
    """Run x <- x - eta grad(x) and return the path, shape (k + 1, *x0.shape).

    grad maps an array like x0 to an array of the same shape. The path starts at x0.
    It stops after `steps` updates, once a step is shorter than `tol` (if given), or
    as soon as x is no longer finite (a divergent learning rate).
    """
    if not eta > 0:
        raise ValueError(f"learning rate eta must be positive, got {eta}")
    xp = array_module(x0)
    x = xp.asarray(x0, dtype=float)
    path = [x]
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is a result, not an error
        for _ in range(steps):
            step = eta * xp.asarray(grad(x))
            if step.shape != x.shape:
                raise ValueError(f"grad returned shape {step.shape} for x of shape {x.shape}")
            x = x - step
            path.append(x)
            if not bool(xp.all(xp.isfinite(x))):
                break
            if tol is not None and float(xp.sqrt((step * step).sum())) < tol:
                break
    return xp.stack(path)


def steps_to_converge(path, x_min=0.0, tol=1e-6):
    """Index of the first point of path within tol of x_min (Euclidean), or None if none is."""
    path = to_numpy(path).astype(float)
    with np.errstate(over="ignore", invalid="ignore"):  # a divergent path may hold inf
        dist = np.sqrt(((path - x_min) ** 2).reshape(len(path), -1).sum(axis=1))
    close = np.flatnonzero(dist < tol)
    return int(close[0]) if close.size else None


def neuron(x, w, b):
    """Sigmoid-neuron output f = sigma(x @ w + b).   x: (N, D), w: (D,), b: float -> (N,)."""
    if x.ndim != 2 or w.shape != (x.shape[1],):
        raise ValueError(f"expected x: (N, D) and w: (D,), got {x.shape} and {w.shape}")
    return sigmoid(x @ w + b)


def quadratic_cost(x, v, w, b):
    """C = 1/2 sum_i (f_i - v_i)^2 with f = neuron(x, w, b).   v: (N,) targets in {0, 1}."""
    diff = neuron(x, w, b) - v
    return 0.5 * (diff * diff).sum()


def neuron_gradients(x, v, w, b):
    """(C, dC/dw, dC/db) of the quadratic cost of one sigmoid neuron.

    x: (N, D), v: (N,), w: (D,), b: float. dC/dw: (D,), dC/db: 0-d.
        delta_i = (f_i - v_i) f_i (1 - f_i)       (dC_i/dz_i, sigma' = f (1 - f))
        dC/dw_j = sum_i delta_i x_ji,    dC/db = sum_i delta_i
    """
    if v.shape != (x.shape[0],):
        raise ValueError(f"expected targets v: ({x.shape[0]},), got {v.shape}")
    f = neuron(x, w, b)
    delta = (f - v) * f * (1 - f)
    return 0.5 * ((f - v) ** 2).sum(), x.T @ delta, delta.sum()


def accuracy(x, v, w, b):
    """Fraction of points whose rounded neuron output equals the label v."""
    pred = to_numpy(neuron(x, w, b)) >= 0.5
    return float((pred == (to_numpy(v) == 1)).mean())


def train_neuron(x, v, eta, steps=1000, w=None, b=0.0, seed=0):
    """Full-batch gradient descent on the quadratic cost of one sigmoid neuron.

    x: (N, D), v: (N,). Starts from w (default: uniform [0, 1) from a seeded host RNG,
    as seed 003 does) and b. Returns (w, b, history) with history["cost"] and
    history["accuracy"] (training set) before each step and after the last.
    """
    xp = array_module(x)
    if w is None:
        w = xp.asarray(np.random.default_rng(seed).random(x.shape[1]), dtype=x.dtype)
    w, b = xp.array(w, dtype=x.dtype), float(b)
    history = {"cost": [], "accuracy": []}
    for _ in range(steps):
        cost, dw, db = neuron_gradients(x, v, w, b)
        history["cost"].append(float(cost))
        history["accuracy"].append(accuracy(x, v, w, b))
        w = w - eta * dw
        b = b - eta * float(db)
    history["cost"].append(float(quadratic_cost(x, v, w, b)))
    history["accuracy"].append(accuracy(x, v, w, b))
    return w, b, history


def least_squares_classifier(x, v):
    """Linear least squares fit v ~ x @ w + b, as (w: (D,), b: float); threshold it at 0.5.

    Solves min ||[x, 1] beta - v||^2 exactly (no iterations, no learning rate).
    """
    xp = array_module(x)
    design = xp.concatenate([x, xp.ones((x.shape[0], 1), dtype=x.dtype)], axis=1)
    beta = xp.linalg.lstsq(design, v.astype(design.dtype), rcond=None)[0]
    return beta[:-1], float(beta[-1])
