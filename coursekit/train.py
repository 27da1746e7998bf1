"""Training loop: minibatches, fit, evaluate, history (lectures 2, 5-12)."""
import numpy as np

from . import optim
from .backend import asarray


def _check_xy(x, y):
    if x.ndim < 2:
        raise ValueError(f"inputs must have a batch axis, shape (N, ...); got {x.shape}")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{x.shape[0]} input rows but {y.shape[0]} targets")


def net_dtype(net):
    """The dtype of the network's parameters (float32 unless built otherwise)."""
    params = net.parameters()
    return params[0][2].dtype if params else np.float32


def as_data(net, x, y=None):
    """x (and y) as arrays of the active backend, floats cast to the net's dtype.

    Integer class labels stay integers; float32 nets never see float64 data.
    """
    dtype = net_dtype(net)
    x = asarray(x)
    x = x.astype(dtype, copy=False) if x.dtype != dtype else x
    if y is None:
        return x
    y = asarray(y)
    _check_xy(x, y)
    if np.issubdtype(np.dtype(y.dtype), np.floating) and y.dtype != dtype:
        y = y.astype(dtype)
    return x, y


def minibatches(n, batch_size, rng=None, shuffle=True):
    """Index arrays covering range(n) in batches; shuffled by a seeded host RNG."""
    if batch_size is None or batch_size >= n:
        batch_size = n
    order = np.random.default_rng(rng).permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _class_labels(y):
    """Integer labels from labels (N,), binary targets (N, 1) or one-hot rows (N, C)."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1)


def accuracy(net, x, y, batch_size=256):
    """Fraction of rows whose predicted class equals the label (labels or one-hot)."""
    return evaluate(net, x, y, batch_size)["accuracy"]


def evaluate(net, x, y, batch_size=256):
    """{'loss', 'accuracy'} over (x, y); accuracy for classifiers only.

    One forward pass per batch gives both the loss and the predicted classes, so a
    large set never needs all its activations in memory at once.
    """
    x, y = as_data(net, x, y)
    n, total, correct = x.shape[0], 0.0, 0
    classifier = net.loss_name in ("binary_cross_entropy", "categorical_cross_entropy")
    for start in range(0, n, batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        out = net.forward(xb, train=False)
        loss, _ = net.loss_fn(out, net._targets(yb, out))
        total += float(loss) * xb.shape[0]
        if classifier:
            hits = net.labels(out) == _class_labels(yb).astype("int64")
            correct += int(hits.sum())
    metrics = {"loss": total / n}
    if classifier:
        metrics["accuracy"] = correct / n
    return metrics


def fit(net, x, y, epochs=10, batch_size=32, optimizer="sgd", lr=0.1, seed=0,
        validation_data=None, progress=True, callback=None, penalty=None, lam=0.0,
        clip_norm=None, clip_value=None):
    """Train ``net`` with minibatch gradient descent.

    x: (N, ...), y: (N, ...). Each epoch shuffles with a generator seeded by
    ``seed``, so runs are reproducible. Returns the history: a dict of lists with
    'loss' (and 'accuracy', 'val_loss', 'val_accuracy' when they apply), one
    entry per epoch. ``progress`` shows a tqdm bar; ``callback(epoch, history)``
    returning True stops training early (e.g. ``regularization.EarlyStopping``).

    Lecture 9: ``penalty`` ("l1" or "l2") with strength ``lam`` adds the penalty's
    gradient to every weight's (the history's 'loss' stays the data loss);
    ``clip_norm`` / ``clip_value`` clip the gradients before each step.
    """
    x, y = as_data(net, x, y)  # to the device and the net's dtype, once
    opt = optim.get(optimizer, lr=lr)  # a name, or an optimizer instance passed through
    if penalty is not None:
        from .regularization import get_penalty
        get_penalty(penalty)  # an unknown name fails before training, not after
    rng = np.random.default_rng(seed)
    history = {}
    epochs_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc="epochs", leave=False)
    for epoch in epochs_iter:
        for idx in minibatches(x.shape[0], batch_size, rng):
            idx = asarray(idx)  # host indices to the device: a few KB per step
            net.loss_and_grads(x[idx], y[idx], train=True)
            params = [v for _, _, v in net.parameters()]
            grads = [layer.grads[k] for layer, k, _ in net.parameters()]
            grads = _regularize(net, grads, penalty, lam, clip_norm, clip_value)
            opt.step(params, grads)
        _record(history, evaluate(net, x, y))
        if validation_data is not None:
            _record(history, evaluate(net, *validation_data), prefix="val_")
        if progress:
            epochs_iter.set_postfix(loss=f"{history['loss'][-1]:.4f}")
        if callback is not None and callback(epoch, history):
            break
    return history


def _regularize(net, grads, penalty, lam, clip_norm, clip_value):
    """Add the penalty's gradient, then clip (lecture 9); a no-op with the defaults."""
    from . import regularization as reg
    if penalty is not None and lam:
        grads = reg.penalize(net.parameters(), grads, penalty, lam)
    if clip_norm is not None:
        grads, _ = reg.clip_by_norm(grads, clip_norm)
    if clip_value is not None:
        grads = reg.clip_by_value(grads, clip_value)
    return grads


def _record(history, metrics, prefix=""):
    for k, v in metrics.items():
        history.setdefault(prefix + k, []).append(v)
