"""Backpropagation written out by hand: scalar neurons, then the four equations (lectures 5, 6).

Scalars (lecture 5): one input x, one target y, the cost C = (a - y)^2 / 2.
    perceptron         z = w x + b,  a = sigma(z),  delta = (a - y) sigma'(z),
                       dC/dw = delta x,  dC/db = delta
    one hidden neuron  z1 = w1 x + b1, a1 = sigma(z1), z2 = w2 a1 + b2, a2 = sigma(z2),
                       delta2 = (a2 - y) sigma'(z2),  delta1 = delta2 w2 sigma'(z1),
                       dC/dw2 = delta2 a1, dC/db2 = delta2, dC/dw1 = delta1 x, dC/db1 = delta1
    chain of L neurons the same recursion, once per layer.
The scalar functions also take arrays of samples and then work sample by sample.

Matrices (lecture 6): Nielsen's ``network.py`` as functions, one row per sample,
z^l = a^(l-1) @ W^l + b^l as in ``coursekit.layers``; W^l: (n_(l-1), n_l), b^l: (n_l,).
    (BP1) delta^L = dC/da^L * sigma'(z^L)
    (BP2) delta^l = (delta^(l+1) @ W^(l+1).T) * sigma'(z^l)
    (BP3) dC/dW^l = a^(l-1).T @ delta^l
    (BP4) dC/db^l = sum over the rows of delta^l
Layers are numbered 1..L as in the text; a^0 = x.
"""
import numpy as np

from . import activations, losses
from .backend import DEFAULT_DTYPE, array_module, is_floating
from .gradcheck import numerical_gradient, rel_error
from .init import weights as init_weights

# ---------------------------------------------------------------- scalars (lecture 5)


def _as_float_array(v):
    """v as a floating array of its own backend (Python numbers become 0-d float64)."""
    v = array_module(v).asarray(v)
    return v if is_floating(v) else v.astype("float64")


def _plain(v):
    """A 0-d array as a Python float, so scalar examples print as numbers."""
    return float(v) if v.ndim == 0 else v


def perceptron_forward(x, w, b, activation="sigmoid"):
    """(z, a) of one neuron with one input:  z = w x + b,  a = sigma(z)."""
    f, _ = activations.get(activation)
    z = _as_float_array(w * x + b)
    return _plain(z), _plain(f(z))


def perceptron_grads(x, y, w, b, activation="sigmoid"):
    """(C, dC/dw, dC/db) for C = (a - y)^2 / 2 of one neuron with one input.

    delta = dC/da * da/dz = (a - y) sigma'(z);   dC/dw = delta x,   dC/db = delta
    """
    _, f_prime = activations.get(activation)
    z, a = perceptron_forward(x, w, b, activation)
    delta = (a - y) * _plain(f_prime(_as_float_array(z)))
    return 0.5 * (a - y) ** 2, delta * x, delta


def hidden_forward(x, theta, hidden="sigmoid", output="sigmoid"):
    """(z1, a1, z2, a2) of x -> one hidden neuron -> one output neuron.

    theta = {"w1", "b1", "w2", "b2"}:  z1 = w1 x + b1, a1 = f1(z1), z2 = w2 a1 + b2, a2 = f2(z2)
    """
    z1, a1 = perceptron_forward(x, theta["w1"], theta["b1"], hidden)
    z2, a2 = perceptron_forward(a1, theta["w2"], theta["b2"], output)
    return z1, a1, z2, a2


def hidden_grads(x, y, theta, hidden="sigmoid", output="sigmoid"):
    """The four derivatives of C = (a2 - y)^2 / 2, as a dict with theta's keys.

    delta2 = (a2 - y) f2'(z2)         dC/dw2 = delta2 a1,  dC/db2 = delta2
    delta1 = delta2 w2 f1'(z1)        dC/dw1 = delta1 x,   dC/db1 = delta1
    """
    z1, a1, z2, a2 = hidden_forward(x, theta, hidden, output)
    delta2 = (a2 - y) * _plain(activations.get(output)[1](_as_float_array(z2)))
    delta1 = delta2 * theta["w2"] * _plain(activations.get(hidden)[1](_as_float_array(z1)))
    return {"w1": delta1 * x, "b1": delta1, "w2": delta2 * a1, "b2": delta2}


def chain_forward(x, ws, bs, activation="sigmoid"):
    """(zs, activations) of a chain of L one-neuron layers: a_0 = x, a_l = f(w_l a_(l-1) + b_l)."""
    if len(ws) != len(bs):
        raise ValueError(f"a chain needs one bias per weight: got {len(ws)} weights, {len(bs)} biases")
    zs, acts = [], [x]
    for w, b in zip(ws, bs):
        z, a = perceptron_forward(acts[-1], w, b, activation)
        zs.append(z)
        acts.append(a)
    return zs, acts


def chain_grads(x, y, ws, bs, activation="sigmoid"):
    """(dC/dw_l, dC/db_l for l = 1..L) of C = (a_L - y)^2 / 2 along a chain of neurons.

    delta_L = (a_L - y) f'(z_L),  delta_l = delta_(l+1) w_(l+1) f'(z_l),
    dC/dw_l = delta_l a_(l-1),    dC/db_l = delta_l
    """
    f_prime = activations.get(activation)[1]
    zs, acts = chain_forward(x, ws, bs, activation)
    delta = (acts[-1] - y) * _plain(f_prime(_as_float_array(zs[-1])))
    dws, dbs = [None] * len(ws), [None] * len(ws)
    for l in reversed(range(len(ws))):
        dws[l], dbs[l] = delta * acts[l], delta  # acts[l] is a_(l-1): acts starts at a_0 = x
        if l > 0:
            delta = delta * ws[l] * _plain(f_prime(_as_float_array(zs[l - 1])))
    return dws, dbs


# -------------------------------------------------------------- matrices (lecture 6)


def init_network(sizes, rng=None, init_scheme="glorot", dtype=DEFAULT_DTYPE):
    """(weights, biases) for layer sizes [n_0, n_1, ..., n_L]: W^l: (n_(l-1), n_l), b^l = 0."""
    rng = np.random.default_rng(rng)
    weights = [init_weights((m, n), m, n, init_scheme, rng, dtype) for m, n in zip(sizes, sizes[1:])]
    biases = [array_module(w).zeros(w.shape[1], dtype=dtype) for w in weights]
    return weights, biases


def check_shapes(x, weights, biases):
    """Raise ValueError naming the shapes if x: (N, n_0), W^l, b^l do not chain."""
    if len(weights) != len(biases):
        raise ValueError(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
    if x.ndim != 2:
        raise ValueError(f"inputs must be a batch of rows (N, n_0), got shape {x.shape}")
    n_prev = x.shape[1]
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        if w.ndim != 2 or w.shape[0] != n_prev:
            raise ValueError(f"W^{l} has shape {w.shape} but layer {l - 1} gives {n_prev} values: "
                             f"expected ({n_prev}, n_{l}) (inputs {x.shape})")
        if b.shape != (w.shape[1],):
            raise ValueError(f"b^{l} has shape {b.shape}, expected ({w.shape[1]},) to match "
                             f"W^{l} of shape {w.shape}")
        n_prev = w.shape[1]


def _activation_pairs(activation, n_layers):
    """[(f, f_prime)] per layer from one name or a list of names, one per layer."""
    names = [activation] * n_layers if isinstance(activation, str) else list(activation)
    if len(names) != n_layers:
        raise ValueError(f"{n_layers} layers but {len(names)} activations: {names}")
    if "softmax" in names:
        raise ValueError("softmax is not elementwise: use a 'linear' last layer with "
                         "cost='categorical_cross_entropy', which applies it")
    return names, [activations.get(n) for n in names]


def feedforward(x, weights, biases, activation="sigmoid"):
    """(zs, activations): zs = [z^1, ..., z^L], activations = [a^0 = x, a^1, ..., a^L].

    z^l = a^(l-1) @ W^l + b^l,  a^l = f_l(z^l).   x: (N, n_0) -> a^L: (N, n_L).
    ``activation`` is one name for every layer or a list of names, one per layer.
    """
    check_shapes(x, weights, biases)
    _, pairs = _activation_pairs(activation, len(weights))
    zs, acts = [], [x]
    for w, b, (f, _) in zip(weights, biases, pairs):
        zs.append(acts[-1] @ w + b)
        acts.append(f(zs[-1]))
    return zs, acts


def _cost(names, a_out, y, cost):
    """(C, dC/da^L) of the named cost; y (N,) is read as a column when n_L = 1."""
    loss_fn = losses.get(cost)
    if cost.endswith("cross_entropy") and names[-1] != "linear":
        raise ValueError(f"{cost} takes logits: make the last activation 'linear', not {names[-1]!r}")
    if cost != "categorical_cross_entropy" and y.ndim == 1 and a_out.shape[1] == 1:
        y = y.reshape(-1, 1)
    return loss_fn(a_out, y)


def network_cost(x, y, weights, biases, activation="sigmoid", cost="mse"):
    """The cost C of the network's output on (x, y), a 0-d array."""
    names, _ = _activation_pairs(activation, len(weights))
    _, acts = feedforward(x, weights, biases, activation)
    return _cost(names, acts[-1], y, cost)[0]


def backprop(x, y, weights, biases, activation="sigmoid", cost="mse"):
    """(nabla_w, nabla_b): dC/dW^l and dC/db^l for l = 1..L, by the four equations.

    x: (N, n_0), y: (N, n_L) (or (N,) labels / targets); nabla_w[l-1] has W^l's shape.
    The cost is a mean over the batch, so BP3 and BP4 sum over rows of a delta
    that already carries the 1/N.
    """
    names, pairs = _activation_pairs(activation, len(weights))
    zs, acts = feedforward(x, weights, biases, activation)
    _, dC_da = _cost(names, acts[-1], y, cost)
    delta = dC_da * pairs[-1][1](zs[-1])                       # BP1
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    for l in reversed(range(len(weights))):                    # index l holds layer l + 1
        nabla_w[l] = acts[l].T @ delta                         # BP3: acts[l], layer l+1's input
        nabla_b[l] = delta.sum(axis=0)                         # BP4
        if l > 0:
            delta = (delta @ weights[l].T) * pairs[l - 1][1](zs[l - 1])  # BP2
    return nabla_w, nabla_b


def gradient_errors(x, y, weights, biases, activation="sigmoid", cost="mse", backward=None,
                    h=1e-6):
    """{"W1": err, "b1": err, ...}: relative error of backward's gradients vs central differences.

    backward has backprop's signature (the default); pass your own to test it.
    Use float64 arrays: a correct gradient then gives errors around 1e-8.
    """
    backward = backward or backprop
    nabla_w, nabla_b = backward(x, y, weights, biases, activation, cost)
    f = lambda: network_cost(x, y, weights, biases, activation, cost)
    errors = {}
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        errors[f"W{l}"] = rel_error(nabla_w[l - 1], numerical_gradient(f, w, h))
        errors[f"b{l}"] = rel_error(nabla_b[l - 1], numerical_gradient(f, b, h))
    return errors
