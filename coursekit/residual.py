"""Residual connections: out = f(x + F(x)) (lecture 13a).

He, Zhang, Ren & Sun (2016) let a block of layers learn a correction F(x) to its
input instead of a whole new map. The identity path costs nothing and carries the
gradient past the block unchanged:

    out = f(x + F(x)),   dC/dx = dz + F'(x)^T dz,   dz = dC/dout * f'(x + F(x)).

The first term is why a deep stack of blocks still trains: dz reaches every block
directly, whatever the layers inside do to it.
"""
from . import activations, checks
from .base import Module


class Residual(Module):
    """A block of layers with an identity shortcut:  a = f(x + F(x)),  F = layers in order.

    x: any shape the layers map onto itself, e.g. (N, D) for Dense(D, D) layers or
    (N, C, H, W) for Conv2D(C, C, 3, padding=1). ``params`` and ``grads`` hold the
    inner layers' arrays themselves under the keys "<i>.<name>" ("0.w", "1.b", ...),
    so optimisers update the inner layers in place, and ``fit``'s L1/L2 penalty finds
    the inner weights by the key's last part ("0.w").
    """

    def __init__(self, layers, activation="linear"):
        super().__init__()
        activations.get(activation)  # fail now, naming the valid activations
        if isinstance(layers, Module) or not hasattr(layers, "__iter__"):
            raise TypeError(f"Residual takes a list of layers, got {checks.describe(layers)}")
        self.layers, self.activation = list(layers), activation
        if not self.layers:
            raise ValueError("Residual needs at least one layer in its branch F")
        for i, layer in enumerate(self.layers):
            for k, v in layer.params.items():
                self.params[f"{i}.{k}"] = v
        if hasattr(self.layers[0], "in_channels"):  # lets Sequential check that channels chain
            self.in_channels = self.out_channels = self.layers[0].in_channels
        self.image_output = any(getattr(l, "image_output", False) for l in self.layers)
        self._cache = None

    def output_shape(self, input_shape):
        """The input shape (without the batch axis), after checking that F keeps it."""
        shape = tuple(input_shape)
        for layer in self.layers:
            if hasattr(layer, "output_shape"):
                shape = tuple(layer.output_shape(shape))
            elif hasattr(layer, "n_out"):
                shape = (layer.n_out,)
        if shape != tuple(input_shape):
            raise ValueError(f"{self!r}: the branch maps {tuple(input_shape)} to {shape}; "
                             "x + F(x) needs the same shape")
        return shape

    def forward(self, x, train=False):
        f = x
        for layer in self.layers:
            f = layer.forward(f, train)
        if f.shape != x.shape:
            raise ValueError(f"the residual branch maps {x.shape} to {f.shape}; "
                             "x + F(x) needs the same shape")
        z = x + f
        a = activations.forward(self.activation, z)
        self._cache = (z, a)
        return a

    def backward(self, dout):
        if self._cache is None:
            raise RuntimeError("Residual.backward called before forward")
        z, a = self._cache
        checks.same_shape(checks.array(dout, "dout"), a.shape, "dout", " (Residual's output)")
        dz = activations.backward(self.activation, dout, z, a)
        d = dz
        for layer in reversed(self.layers):
            d = layer.backward(d)
        for i, layer in enumerate(self.layers):
            for k, g in layer.grads.items():
                self.grads[f"{i}.{k}"] = g
        return dz + d  # the shortcut's gradient plus the branch's

    def __repr__(self):
        inner = ", ".join(repr(l) for l in self.layers)
        return f"Residual([{inner}], activation={self.activation!r})"
