"""Activation functions and their derivatives (lectures 1, 2, 5-7).

Each activation is a pair: ``f(z)`` and ``f_prime(z)``, written with the array
module of ``z`` so the same code runs on NumPy and CuPy. Layers use
``get(name)`` to look a pair up by name.
"""
from .backend import array_module


def step(z):
    """Heaviside step: 1 where z >= 0, else 0 (the perceptron's activation)."""
    return (z >= 0).astype(z.dtype)


def step_prime(z):
    """0 everywhere (undefined at 0): why a step perceptron cannot learn by gradients."""
    return array_module(z).zeros_like(z)


def linear(z):
    """Identity: f(z) = z."""
    return z


def linear_prime(z):
    return array_module(z).ones_like(z)


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow for any z."""
    xp = array_module(z)
    e = xp.exp(-xp.abs(z))  # in (0, 1]: exp never overflows
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return array_module(z).tanh(z)


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    t = array_module(z).tanh(z)
    return 1 - t * t


def relu(z):
    """max(0, z)."""
    return array_module(z).maximum(z, 0)


def relu_prime(z):
    """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    """z for z >= 0, alpha z otherwise."""
    return array_module(z).where(z >= 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    return array_module(z).where(z >= 0, 1.0, alpha).astype(z.dtype)


def elu(z, alpha=1.0):
    """z for z > 0, alpha (exp(z) - 1) otherwise."""
    xp = array_module(z)
    return xp.where(z > 0, z, alpha * xp.expm1(xp.minimum(z, 0)))


def elu_prime(z, alpha=1.0):
    xp = array_module(z)
    return xp.where(z > 0, 1.0, alpha * xp.exp(xp.minimum(z, 0))).astype(z.dtype)


def softplus(z):
    """log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), stable for large |z|."""
    xp = array_module(z)
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


def softplus_prime(z):
    """softplus'(z) = sigma(z)."""
    return sigmoid(z)


def softmax(z, axis=-1):
    """softmax(z)_k = exp(z_k) / sum_j exp(z_j) along axis.   z: (N, C)."""
    xp = array_module(z)
    e = xp.exp(z - z.max(axis=axis, keepdims=True))  # shift: exp() cannot overflow
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(dout, a):
    """dz for a = softmax(z) given dout = dC/da, rows independent.

    dz_k = a_k (dout_k - sum_j dout_j a_j)   (the Jacobian diag(a) - a a^T, applied)
    """
    return a * (dout - (dout * a).sum(axis=-1, keepdims=True))


def log_softmax(z, axis=-1):
    """log softmax(z)_k = z_k - logsumexp(z) along axis, finite even for |z| = 1e4.   z: (N, C)."""
    xp = array_module(z)
    shifted = z - z.max(axis=axis, keepdims=True)  # largest entry 0: exp() cannot overflow
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(dout, a):
    """dz for a = log_softmax(z) given dout = dC/da:  dz = dout - softmax(z) sum_k dout_k.

    softmax(z) = exp(a), so the backward pass needs only the output a.
    """
    return dout - array_module(a).exp(a) * dout.sum(axis=-1, keepdims=True)


def dead_fraction(z, axis=0):
    """Fraction of units whose pre-activation z is <= 0 for every example: dead ReLUs.

    z: (N, units). A dead unit outputs 0 and has relu'(z) = 0 on the whole data
    set, so no gradient reaches its weights and it cannot recover.
    """
    return float((z <= 0).all(axis=axis).mean())


# name -> (f, f_prime); softmax is not elementwise and is handled by the layers
ACTIVATIONS = {
    "step": (step, step_prime),
    "linear": (linear, linear_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "elu": (elu, elu_prime),
    "softplus": (softplus, softplus_prime),
    "softmax": (softmax, None),
}


def get(name):
    """The pair (f, f_prime) for an activation name; ValueError lists valid names."""
    if callable(name):
        raise TypeError("pass an activation by name, e.g. 'sigmoid'")
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; valid names: {sorted(ACTIVATIONS)}") from None


def forward(name, z):
    """a = f(z) for the named activation."""
    return get(name)[0](z)


def backward(name, dout, z, a):
    """dC/dz given dout = dC/da, the pre-activation z and the activation a = f(z)."""
    if name == "softmax":
        return softmax_backward(dout, a)
    return dout * get(name)[1](z)
