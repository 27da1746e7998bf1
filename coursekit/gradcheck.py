"""Numerical gradients and relative errors: the test every backward pass must pass.

Central differences:  df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h, error O(h^2).
Use float64: with h = 1e-6 the relative error of a correct gradient is ~1e-8;
in float32 it cannot get below ~1e-3.
"""
import numpy as np

from . import checks
from .backend import array_module, to_numpy


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of the scalar function f() with respect to array x.

    x is perturbed in place and restored; f takes no arguments and reads x.
    Returns an array shaped like x.
    """
    checks.function(f, "f")
    if checks.array(x, "x").dtype.kind != "f":  # x + h would be stored truncated
        raise TypeError(f"numerical_gradient perturbs x in place by h, so x must hold floats; "
                        f"got {x.dtype}. Pass x.astype(np.float64)")
    h = checks.positive(h, "h")
    grad = np.zeros(x.shape, dtype=np.float64)
    if not x.flags.c_contiguous:
        raise ValueError("numerical_gradient perturbs x in place: pass a C-contiguous array")
    flat = x.reshape(-1)  # a view of x: writing to it perturbs x
    gflat = grad.reshape(-1)
    for i in range(x.size):
        old = float(flat[i])
        flat[i] = old + h
        f_plus = _scalar(f())
        flat[i] = old - h
        f_minus = _scalar(f())
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(v):
    """f()'s value as a float; f must return one number."""
    if getattr(v, "size", 1) != 1:
        raise ValueError(f"f must return one number (a scalar loss), got an array of shape "
                         f"{v.shape}")
    return float(v)


def _float64(what, arrays):
    """Refuse float32 (or integer) arrays: their rounding alone gives errors of 1e-3 to 1e-2."""
    for name, a in arrays:
        if checks.array(a, name).dtype != np.float64:
            raise TypeError(f"{what} needs float64 arrays, but {name} is {a.dtype}: rounding alone "
                            "would give relative errors of 1e-3 to 1e-2, as if the gradient were "
                            "wrong. Build the layers with dtype=np.float64 and pass float64 data")


def rel_error(a, b, eps=1e-12):
    """max |a - b| / max(|a| + |b|): scale-free, 0 when equal, ~1 when unrelated."""
    a, b = (checks.array(to_numpy(v), name).astype(np.float64) for v, name in ((a, "a"), (b, "b")))
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), eps))


def check_network(net, x, y, h=1e-6):
    """Relative error of every parameter gradient of net on (x, y).

    Returns {"layer<i>.<name>": error}. Build the net in float64 first.
    """
    _float64("check_network", [(f"layer{i}.{k}", p) for i, layer in enumerate(net.layers)
                               for k, p in layer.params.items()])
    net.loss_and_grads(x, y, train=True)
    analytic = {(id(l), k): l.grads[k].copy() for l, k, _ in net.parameters()}
    errors = {}
    for i, layer in enumerate(net.layers):
        for k, p in layer.params.items():
            num = numerical_gradient(lambda: net.loss(x, y, train=True)[0], p, h)
            errors[f"layer{i}.{k}"] = rel_error(analytic[(id(layer), k)], num)
    return errors


def check_layer(layer, x, seed=0, h=1e-6):
    """Relative errors of a module's backward pass: {"x": err, "<param>": err, ...}.

    Uses the scalar L = sum(layer(x) * dout) for a fixed random dout, so that
    dL/dout = dout and backward(dout) must return dL/dx and fill dL/dparams.
    """
    _float64("check_layer", [("x", x), *layer.params.items()])
    out = layer.forward(x, train=True)
    dout = array_module(x).asarray(np.random.default_rng(seed).standard_normal(out.shape))
    dout = dout.astype(out.dtype)
    dx = layer.backward(dout)
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}
    loss = lambda: (layer.forward(x, train=True) * dout).sum()
    numeric = {"x": numerical_gradient(loss, x, h)}
    numeric.update({k: numerical_gradient(loss, p, h) for k, p in layer.params.items()})
    return {k: rel_error(analytic[k], numeric[k]) for k in numeric}
