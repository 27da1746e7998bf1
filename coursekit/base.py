"""Module, the base class of every layer with state, and Activated (lectures 5-12).

A module keeps its parameters in ``params`` and their gradients in ``grads``
(dicts of arrays with the same keys), calls the pure maths in ``layers`` and
keeps what the backward pass needs from the forward pass. It lives on its own so
that ``modules``, ``conv`` and ``regularization`` build on it without importing
each other.
"""
from . import layers


class Module:
    """Base class: forward(x, train) -> out, backward(dout) -> dx."""

    params: dict
    grads: dict

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x, train=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __call__(self, x, train=False):
        return self.forward(x, train)

    def num_params(self):
        return sum(int(p.size) for p in self.params.values())


class Activated(Module):
    """A linear map with parameters w, b followed by an activation:  a = f(linear(x)).

    Subclasses give the map as ``_linear_forward(x) -> (z, cache)`` and
    ``_linear_backward(dz, cache, input_grad) -> (dx, dw, db)``; this class chains
    the activation's derivative in front of it.
    """

    activation = "linear"
    _cache = None

    def forward(self, x, train=False):
        z, linear_cache = self._linear_forward(x)
        a, act_cache = layers.activation_forward(self.activation, z)
        self._cache = (linear_cache, act_cache)
        return a

    def backward(self, dout, input_grad=True):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        linear_cache, act_cache = self._cache
        dz = layers.activation_backward(dout, act_cache)  # checks dout's shape
        dx, self.grads["w"], self.grads["b"] = self._linear_backward(dz, linear_cache, input_grad)
        return dx
