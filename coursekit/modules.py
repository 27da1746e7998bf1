"""Layers with state and the Sequential network (lectures 1, 5-12).

A module keeps its parameters in ``params`` and their gradients in ``grads``
(dicts of arrays with the same keys), calls the pure maths in ``layers`` and
keeps what the backward pass needs from the forward pass.
"""
from . import activations, init, layers, losses
from .backend import DEFAULT_DTYPE, to_numpy, xp


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


class Dense(Module):
    """Fully connected layer with an activation:  a = f(x @ w + b).

    x: (N, n_in) -> a: (N, n_out).  w: (n_in, n_out), b: (n_out,).
    """

    def __init__(self, n_in, n_out, activation="linear", init_scheme="glorot", rng=None,
                 dtype=DEFAULT_DTYPE):
        super().__init__()
        activations.get(activation)  # fail now, naming the valid activations
        self.n_in, self.n_out, self.activation = n_in, n_out, activation
        self.params["w"] = init.weights((n_in, n_out), n_in, n_out, init_scheme, rng, dtype)
        self.params["b"] = xp().zeros(n_out, dtype=dtype)
        self._cache = None

    def forward(self, x, train=False):
        z, dense_cache = layers.dense_forward(x, self.params["w"], self.params["b"])
        a, act_cache = layers.activation_forward(self.activation, z)
        self._cache = (dense_cache, act_cache)
        return a

    def backward(self, dout):
        if self._cache is None:
            raise RuntimeError("Dense.backward called before forward")
        dense_cache, act_cache = self._cache
        dz = layers.activation_backward(dout, act_cache)
        dx, self.grads["w"], self.grads["b"] = layers.dense_backward(dz, dense_cache)
        return dx

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"


class Sequential(Module):
    """Layers applied in order, with a loss on the last layer's output.

    With a cross-entropy loss the last layer should be linear: the loss works on
    logits, and ``predict_proba`` applies the sigmoid or softmax.
    """

    def __init__(self, layers_, loss="mse"):
        super().__init__()
        self.layers = list(layers_)
        self.loss_name = loss
        self.loss_fn = losses.get(loss)
        self._check_shapes()

    def _check_shapes(self):
        for a, b in zip(self.layers, self.layers[1:]):
            if isinstance(a, Dense) and isinstance(b, Dense) and a.n_out != b.n_in:
                raise ValueError(f"layer sizes do not chain: {a!r} outputs {a.n_out} "
                                 f"values but {b!r} expects {b.n_in}")

    def parameters(self):
        """[(layer, name, array), ...] for every parameter, in layer order."""
        return [(l, k, v) for l in self.layers for k, v in l.params.items()]

    def num_params(self):
        return sum(l.num_params() for l in self.layers)

    def forward(self, x, train=False):
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

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
        """Forward and backward pass: returns the loss and fills every layer's grads."""
        loss, dout = self.loss(x, y, train)
        self.backward(dout)
        return loss

    def predict_proba(self, x):
        """The output after the loss's link: probabilities for cross-entropy losses."""
        from .train import as_data
        return losses.LINKS[self.loss_name](self.forward(as_data(self, x), train=False))

    def predict(self, x):
        """Class labels for classification losses, raw outputs for regression."""
        p = self.predict_proba(x)
        if self.loss_name == "categorical_cross_entropy":
            return p.argmax(axis=1)
        if self.loss_name == "binary_cross_entropy":
            return ((p[:, 0] if p.ndim == 2 else p) >= 0.5).astype("int64")
        return p

    def fit(self, x, y, **kwargs):
        """Train with minibatch gradient descent; see ``coursekit.train.fit``."""
        from .train import fit
        return fit(self, x, y, **kwargs)

    def evaluate(self, x, y, batch_size=1024):
        """{'loss': ..., 'accuracy': ...} (accuracy for classification only) as floats."""
        from .train import evaluate
        return evaluate(self, x, y, batch_size)

    def summary(self):
        """A Keras-style table of layers, output shapes and parameter counts."""
        rows = [f"{'Layer':<40}{'Output':>12}{'Params':>12}", "=" * 64]
        for layer in self.layers:
            out = getattr(layer, "n_out", "")
            rows.append(f"{layer!r:<40}{str(out):>12}{layer.num_params():>12,}")
        rows += ["=" * 64, f"Total params: {self.num_params():,}"]
        return "\n".join(rows)

    def get_weights(self):
        """All parameters copied to NumPy, in layer order."""
        return [to_numpy(v).copy() for _, _, v in self.parameters()]

    def __repr__(self):
        inner = ",\n    ".join(repr(l) for l in self.layers)
        return f"Sequential([\n    {inner}\n], loss={self.loss_name!r})"
