"""Layers with state and the Sequential network (lectures 1, 5-12).

A module keeps its parameters in ``params`` and their gradients in ``grads``
(dicts of arrays with the same keys), calls the pure maths in ``layers`` and
keeps what the backward pass needs from the forward pass (``base.Module``).
``Sequential.fit``, ``evaluate`` and ``predict`` hand over to ``train``.
"""
import inspect

from . import activations, checks, init, layers, losses
from .backend import DEFAULT_DTYPE, to_numpy, xp
from .base import Activated, Module
from .train import as_data, evaluate, fit

__all__ = ["Module", "Activated", "Dense", "Sequential"]


class Dense(Activated):
    """Fully connected layer with an activation:  a = f(x @ w + b).

    x: (N, n_in) -> a: (N, n_out).  w: (n_in, n_out), b: (n_out,).
    """

    def __init__(self, n_in, n_out, activation="linear", init_scheme="glorot", rng=None,
                 dtype=DEFAULT_DTYPE):
        super().__init__()
        activations.get(activation)  # fail now, naming the valid activations
        n_in, n_out = checks.positive_int(n_in, "n_in"), checks.positive_int(n_out, "n_out")
        dtype = checks.float_dtype(dtype)
        self.n_in, self.n_out, self.activation = n_in, n_out, activation
        self.params["w"] = init.weights((n_in, n_out), n_in, n_out, init_scheme, rng, dtype)
        self.params["b"] = xp().zeros(n_out, dtype=dtype)
        self._cache = None

    def _linear_forward(self, x):
        return layers.dense_forward(x, self.params["w"], self.params["b"])

    _linear_backward = staticmethod(layers.dense_backward)

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"


def _check_layers(layers_):
    """The layers as a list of module instances (a class, a function or a string is refused)."""
    if isinstance(layers_, (str, bytes)) or not hasattr(layers_, "__iter__"):
        raise TypeError(f"Sequential takes a list of layers, got {checks.describe(layers_)}")
    layers_ = list(layers_)
    if not layers_:
        raise ValueError("Sequential needs at least one layer, got an empty list")
    for i, layer in enumerate(layers_):
        if isinstance(layer, type) or not all(
                callable(getattr(layer, a, None)) for a in ("forward", "backward")):
            hint = (f" (the class itself: call it, {layer.__name__}(...))"
                    if isinstance(layer, type) else "")
            raise TypeError(f"layer {i} must be a module with forward and backward, such as "
                            f"Dense(2, 3); got {checks.describe(layer)}{hint}")
    return layers_


class Sequential(Module):
    """Layers applied in order, with a loss on the last layer's output.

    With a cross-entropy loss the last layer should be linear: the loss works on
    logits, and ``predict_proba`` applies the sigmoid or softmax.
    """

    def __init__(self, layers_, loss="mse"):
        super().__init__()
        self.layers = _check_layers(layers_)
        self.loss_name = loss
        self.loss_fn = losses.get(loss)
        self._check_shapes()

    def _check_shapes(self):
        """Fail at construction when two neighbours cannot chain; summary(input_shape)
        checks the whole chain, image sizes included."""
        for a, b in zip(self.layers, self.layers[1:]):
            if isinstance(a, Dense) and isinstance(b, Dense) and a.n_out != b.n_in:
                raise ValueError(f"layer sizes do not chain: {a!r} outputs {a.n_out} "
                                 f"values but {b!r} expects {b.n_in}")
            if hasattr(a, "out_channels") and hasattr(b, "in_channels") \
                    and a.out_channels != b.in_channels:
                raise ValueError(f"channels do not chain: {a!r} outputs {a.out_channels} "
                                 f"channels but {b!r} expects {b.in_channels}")
            if getattr(a, "image_output", False) and isinstance(b, Dense):
                raise ValueError(f"{a!r} outputs images (N, C, H, W) but {b!r} expects rows "
                                 f"(N, {b.n_in}): put Flatten() between them")

    def parameters(self):
        """[(layer, name, array), ...] for every parameter, in layer order."""
        return [(l, k, v) for l in self.layers for k, v in l.params.items()]

    def num_params(self):
        return sum(l.num_params() for l in self.layers)

    def forward(self, x, train=False):
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dout, input_grad=True):
        """Backpropagate dout = dC/d(output) through every layer; returns dC/dx.

        With input_grad=False (what training does: x is data) a first layer that can
        skip its input gradient does, e.g. Conv2D's col2im, and None is returned.
        """
        *rest, first = reversed(self.layers)
        for layer in rest:
            dout = layer.backward(dout)
        if not input_grad and "input_grad" in inspect.signature(first.backward).parameters:
            return first.backward(dout, input_grad=False)
        return first.backward(dout)

    def _targets(self, y, out):
        if self.loss_name == "categorical_cross_entropy":
            return y  # integer labels or one-hot rows: the loss accepts both
        if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
            y = y.reshape(-1, 1)  # binary targets (N,) against outputs (N, 1)
        return y.astype(out.dtype, copy=False)

    def loss(self, x, y, train=False):
        """(loss, dloss/dout) after a forward pass, without the backward pass."""
        out = self.forward(x, train)
        return self.loss_fn(out, self._targets(y, out))

    def loss_and_grads(self, x, y, train=True):
        """Forward and backward pass: returns the loss and fills every layer's grads.

        The output stays in ``self.out``: fit counts a minibatch's correct labels from it.
        """
        self.out = self.forward(x, train)
        loss, dout = self.loss_fn(self.out, self._targets(y, self.out))
        self.backward(dout, input_grad=False)  # x is data: no gradient needed for it
        return loss

    def predict_proba(self, x):
        """The output after the loss's link: probabilities for cross-entropy losses."""
        return losses.LINKS[self.loss_name](self.forward(as_data(self, x), train=False))

    def predict(self, x):
        """Class labels for classification losses, raw outputs for regression."""
        return self.labels(self.forward(as_data(self, x), train=False))

    def labels(self, out):
        """Predictions from raw network outputs: class labels, or out for regression.

        The links are monotone, so labels come from the logits without the link.
        """
        if self.loss_name == "categorical_cross_entropy":
            return out.argmax(axis=1)
        if self.loss_name == "binary_cross_entropy":
            return ((out[:, 0] if out.ndim == 2 else out) >= 0).astype("int64")
        return out

    def fit(self, x, y, **kwargs):
        """Train with minibatch gradient descent; see ``coursekit.train.fit``."""
        return fit(self, x, y, **kwargs)

    def evaluate(self, x, y, batch_size=256):
        """{'loss': ..., 'accuracy': ...} (accuracy for classification only) as floats."""
        return evaluate(self, x, y, batch_size)

    def summary(self, input_shape=None):
        """A Keras-style table of layers, output shapes and parameter counts.

        With ``input_shape``, one example's shape such as (1, 28, 28), every output
        shape is computed (None stands for the batch axis, as in Keras), which also
        checks that the layers chain. Layers with an ``output_shape(shape)`` method
        say what they output; Dense outputs (n_out,); any other layer keeps the shape.
        """
        if input_shape is None:
            rows = [f"{'Layer':<40}{'Output':>12}{'Params':>12}", "=" * 64]
            for layer in self.layers:
                out = getattr(layer, "n_out", "")
                rows.append(f"{layer!r:<40}{str(out):>12}{layer.num_params():>12,}")
            rows += ["=" * 64, f"Total params: {self.num_params():,}"]
            return "\n".join(rows)
        shape = tuple(int(d) for d in input_shape)
        rows = [f"{'Layer':<44}{'Output shape':>20}{'Params':>12}", "=" * 76]
        for layer in self.layers:
            if hasattr(layer, "output_shape"):
                shape = tuple(layer.output_shape(shape))
            elif isinstance(layer, Dense):
                if shape != (layer.n_in,):
                    raise ValueError(f"{layer!r} expects inputs of shape ({layer.n_in},), "
                                     f"got {shape}" + (": put Flatten() before it" * (len(shape) > 1)))
                shape = (layer.n_out,)
            out = "(None, " + ", ".join(str(d) for d in shape) + ")"
            rows.append(f"{layer!r:<44}{out:>20}{layer.num_params():>12,}")
        rows += ["=" * 76, f"Total params: {self.num_params():,}"]
        return "\n".join(rows)

    def get_weights(self):
        """All parameters copied to NumPy, in layer order."""
        return [to_numpy(v).copy() for _, _, v in self.parameters()]

    def __repr__(self):
        inner = ",\n    ".join(repr(l) for l in self.layers)
        return f"Sequential([\n    {inner}\n], loss={self.loss_name!r})"
