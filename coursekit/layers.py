"""Layer maths as forward/backward function pairs (lectures 5, 6).

``*_forward`` returns (out, cache); ``*_backward`` takes dout = dC/dout and the
cache and returns the gradients. No state lives here: see ``modules`` for that.
"""
from . import activations


def dense_forward(x, w, b):
    """z = x @ w + b.   x: (N, D), w: (D, M), b: (M,) -> z: (N, M)."""
    if x.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"dense layer expects input of shape (N, {w.shape[0]}), got {x.shape}")
    return x @ w + b, (x, w)


def dense_backward(dz, cache, input_grad=True):
    """Gradients of z = x @ w + b.   dz: (N, M) -> dx: (N, D), dw: (D, M), db: (M,).

    dx = dz w^T,  dw = x^T dz,  db = sum_n dz_n.   dx is None with input_grad=False.
    """
    x, w = cache
    return (dz @ w.T if input_grad else None), x.T @ dz, dz.sum(axis=0)


def activation_forward(name, z):
    """a = f(z) for the named activation; cache for the backward pass."""
    a = activations.forward(name, z)
    return a, (name, z, a)


def activation_backward(da, cache):
    """dz = da * f'(z) (the softmax Jacobian for 'softmax')."""
    name, z, a = cache
    return activations.backward(name, da, z, a)
