"""The step perceptron and its learning rule (lecture 1).

    y = 1 if w . x + b >= 0 else 0,    b = -threshold

The learning rule (Rosenblatt 1958) needs no derivatives:
    w <- w + eta (y - y_hat) x,   b <- b + eta (y - y_hat)
It converges whenever the two classes can be split by a line (a hyperplane).
"""
import numpy as np

from .backend import array_module


def perceptron(x, w, b):
    """Step-perceptron output.   x: (N, D) or (D,), w: (D,), b: float -> (N,) or ()."""
    x = array_module(x).asarray(x)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(f"perceptron: inputs have {x.shape[-1]} features but w has {w.shape[0]}")
    return (x @ w + b >= 0).astype(int)


def threshold_to_bias(threshold):
    """b = -threshold: 'w . x >= threshold' is 'w . x + b >= 0'."""
    return -threshold


def train_perceptron(x, y, eta=1.0, epochs=20, w=None, b=0.0):
    """Rosenblatt's rule, one sample at a time in a fixed order.

    x: (N, D), y: (N,) in {0, 1}. Returns (w, b, errors) where errors[e] is the
    number of misclassified samples seen in epoch e; it stops after the first
    epoch without a mistake.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"expected x: (N, D) and y: (N,), got {x.shape} and {y.shape}")
    w = np.zeros(x.shape[1]) if w is None else np.array(w, dtype=float)
    errors = []
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(x, y):
            update = eta * (yi - perceptron(xi, w, b))
            w, b = w + update * xi, b + update
            mistakes += int(update != 0)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), errors
