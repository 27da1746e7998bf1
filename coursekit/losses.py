"""Cost functions, each returning (loss, dloss/dprediction) (lectures 2, 6, 7).

The cross-entropies take *logits* z (the last layer's pre-activation), not
probabilities: written with log-sum-exp they stay finite for |z| = 1e4, where
log(sigmoid(z)) would give log(0). Their output link (sigmoid, softmax) is in
``LINKS`` so a network can turn logits into probabilities.

Every call checks the shapes and dtypes of its arguments. The values of the targets
(labels in 0..C-1, whole numbers, one-hot rows summing to 1, binary targets in [0, 1])
are checked per call on host arrays; ``fit`` and ``evaluate`` check all of them once
and skip the per-batch checks, and on the GPU they are skipped, as reading values
would wait for the device at every step (see ``checks``).
"""
from . import checks
from .activations import sigmoid, softmax
from .backend import array_module


def _check_same_shape(y_hat, y, what):
    """Both arrays, of one shape. Target values are checked by the loss that needs them."""
    checks.array(y_hat, f"{what}: the predictions", kind="iuf")
    checks.array(y, f"{what}: the targets")
    if y_hat.shape != y.shape:
        raise ValueError(f"{what}: predictions have shape {y_hat.shape} but targets "
                         f"have shape {y.shape}; they must match")


def mse(y_hat, y):
    """Mean squared error over all elements.   L = mean((y_hat - y)^2)

    y_hat, y: same shape. Returns (L, dL/dy_hat).
    """
    _check_same_shape(y_hat, y, "mse")
    diff = y_hat - y
    return (diff * diff).mean(), 2 * diff / diff.size


def mae(y_hat, y):
    """Mean absolute error.   L = mean(|y_hat - y|), dL/dy_hat = sign(y_hat - y) / size."""
    _check_same_shape(y_hat, y, "mae")
    diff = y_hat - y
    xp = array_module(diff)
    return xp.abs(diff).mean(), xp.sign(diff) / diff.size


def binary_cross_entropy(z, y):
    """Binary cross-entropy of logits z for targets y in {0, 1}; p = sigmoid(z).

    L = -mean(y log p + (1 - y) log(1 - p)) = mean(softplus(z) - y z)
    dL/dz = (sigmoid(z) - y) / N.   z, y: same shape, (N,) or (N, 1).
    """
    _check_same_shape(z, y, "binary_cross_entropy")
    if checks.values_due(y):  # every call on host arrays; fit checks all labels once
        checks.in_range(y, 0, 1, "binary_cross_entropy: the targets y", "values in [0, 1]")
    xp = array_module(z)
    softplus = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))  # log(1 + e^z), no overflow
    return (softplus - y * z).mean(), (sigmoid(z) - y) / z.size


def one_hot(y, num_classes, dtype=None):
    """Integer labels (N,) -> one-hot rows (N, num_classes)."""
    xp = array_module(checks.array(y, "one_hot: the labels y"))
    if y.ndim != 1:
        raise ValueError(f"one_hot expects labels of shape (N,), got {y.shape}")
    checks.positive_int(num_classes, "num_classes")
    if checks.values_due(y):  # -1 would silently become the last class
        checks.labels(y, num_classes, "one_hot: the labels y")
    out = xp.zeros((y.shape[0], num_classes), dtype=dtype or "float64")
    out[xp.arange(y.shape[0]), y.astype("int64")] = 1
    return out


def _class_targets(z, y):
    """Target rows Y: (N, C) for logits z: (N, C); labels (N,) are one-hot encoded."""
    what = "categorical_cross_entropy"
    checks.array(z, f"{what}: the logits z", kind="iuf", shape=("N", "C"))
    n, c = z.shape
    if checks.array(y, f"{what}: the targets y").ndim == 1:
        if y.shape[0] != n:
            raise ValueError(f"{what}: {n} rows of logits but {y.shape[0]} labels")
        return one_hot(y, c, dtype=z.dtype)
    _check_same_shape(z, y, what)
    if checks.values_due(y):  # a row that does not sum to 1 gives a wrong gradient
        checks.probability_rows(y, f"{what}: the targets y")
    return y


def categorical_cross_entropy(z, y):
    """Softmax cross-entropy of logits z: (N, C) for labels y: (N,) ints or (N, C) one-hot.

    L = mean_n (log sum_k exp(z_nk) - z_n,y_n),   dL/dz = (softmax(z) - Y) / N
    """
    y = _class_targets(z, y)  # Y: (N, C), integer labels one-hot encoded
    n = z.shape[0]
    xp = array_module(z)
    m = z.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + xp.log(xp.exp(z - m).sum(axis=1))  # shift by the max: no overflow
    loss = (log_sum_exp - (z * y).sum(axis=1)).mean()
    return loss, (softmax(z) - y) / n


LOSSES = {
    "mse": mse,
    "mae": mae,
    "binary_cross_entropy": binary_cross_entropy,
    "categorical_cross_entropy": categorical_cross_entropy,
}

# how each loss turns the network's raw output into a prediction
LINKS = {
    "mse": lambda z: z,
    "mae": lambda z: z,
    "binary_cross_entropy": sigmoid,
    "categorical_cross_entropy": softmax,
}


def get(name):
    """The loss function for a name; ValueError lists valid names."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid names: {sorted(LOSSES)}") from None
