"""Layer maths as forward/backward function pairs (lectures 5, 6).

``*_forward`` returns (out, cache); ``*_backward`` takes dout = dC/dout and the
cache and returns the gradients. No state lives here: see ``modules`` for that.
"""
from . import activations, checks


def dense_forward(x, w, b):
    """z = x @ w + b.   x: (N, D), w: (D, M), b: (M,) -> z: (N, M)."""
    d, m = checks.array(w, "w", kind="f", shape=("D", "M")).shape
    checks.array(b, "b", kind="f", shape=(m,))  # a bias of length 1 would broadcast silently
    if checks.array(x, "x").ndim != 2 or x.shape[1] != d:
        raise ValueError(f"dense layer expects input of shape (N, {d}), got {x.shape}")
    return x @ w + b, (x, w)


def dense_backward(dz, cache, input_grad=True):
    """Gradients of z = x @ w + b.   dz: (N, M) -> dx: (N, D), dw: (D, M), db: (M,).

    dx = dz w^T,  dw = x^T dz,  db = sum_n dz_n.   dx is None with input_grad=False.
    """
    x, w = cache
    checks.same_shape(checks.array(dz, "dz"), (x.shape[0], w.shape[1]), "dz", " (the output z's)")
    return (dz @ w.T if input_grad else None), x.T @ dz, dz.sum(axis=0)


def activation_forward(name, z):
    """a = f(z) for the named activation; cache for the backward pass."""
    a = activations.forward(name, z)
    return a, (name, z, a)


def activation_backward(da, cache):
    """dz = da * f'(z) (the softmax Jacobian for 'softmax')."""
    name, z, a = cache
    checks.same_shape(checks.array(da, "dout"), a.shape, "dout", " (the layer's output)")
    return activations.backward(name, da, z, a)
