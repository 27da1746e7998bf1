"""Training loop: minibatches, fit, evaluate, history (lectures 2, 5-12).

``fit`` and ``evaluate`` take any net with ``parameters()``, ``forward``,
``loss_and_grads``, ``loss_fn``, ``loss_name`` and ``labels`` (``modules.Sequential``);
this module does not import ``modules``: ``Sequential.fit`` imports it.
They check their arguments and the values of the data once per call, before the
first batch; a step then checks shapes only, and whether the loss is finite
(``TrainingDiverged``; the parameters are checked once per epoch).
"""
import contextlib
import math

import numpy as np

from . import checks, optim
from . import regularization as reg
from .backend import array_module, asarray

CLASSIFIERS = ("binary_cross_entropy", "categorical_cross_entropy")


class TrainingDiverged(RuntimeError):
    """fit stopped because the loss or a gradient became NaN or infinite.

    history: the metrics of the epochs completed before; epoch, step: where it
    happened (1-based); quantity: which number was not finite.
    """

    def __init__(self, message, history, epoch, step, quantity):
        super().__init__(message)
        self.history, self.epoch, self.step, self.quantity = history, epoch, step, quantity


# ------------------------------------------------------------------ data, checked once

def _as_numbers(v, name):
    try:
        v = asarray(v)
    except (TypeError, ValueError) as e:  # a ragged list, a list of strings and numbers, ...
        raise type(e)(f"{name} must be an array of numbers, got {checks.describe(v)}: "
                      f"{e}") from None
    return checks.array(v, name)  # strings, objects and complex numbers are refused


def _check_xy(x, y, names=("x", "y")):
    if x.ndim < 2:
        raise ValueError(f"inputs must have a batch axis, shape (N, ...); got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{names[0]} has no rows: shape {x.shape}")
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(f"{x.shape[0]} input rows but {y.shape[0] if y.ndim else 'no'} targets")


def net_dtype(net):
    """The dtype of the network's parameters (float32 unless built otherwise)."""
    params = net.parameters()
    return params[0][2].dtype if params else np.float32


def as_data(net, x, y=None, names=("x", "y")):
    """x (and y) as arrays of the active backend, floats cast to the net's dtype.

    Integer class labels stay integers; float32 nets never see float64 data.
    Refuses non-numbers, NaN and infinity (one pass over the data per call).
    """
    dtype = net_dtype(net)
    x = _as_numbers(x, names[0])
    with np.errstate(over="ignore"):  # beyond float32's range: inf, refused just below
        x = x.astype(dtype, copy=False) if x.dtype != dtype else x
    checks.finite(x, names[0])
    if y is None:
        return x
    y = _as_numbers(y, names[1])
    _check_xy(x, y, names)
    if np.issubdtype(np.dtype(y.dtype), np.floating) and y.dtype != dtype:
        with np.errstate(over="ignore"):
            y = y.astype(dtype)
    return x, checks.finite(y, names[1])


def _check_net(net):
    if not all(callable(getattr(net, a, None))
               for a in ("parameters", "forward", "loss_and_grads")):
        raise TypeError("net must be a network such as coursekit.Sequential, got "
                        + checks.describe(net))
    return net


def _check_targets(net, x, y, name="y"):
    """y suits the loss: its shape (the output's, from one row), then every label's value."""
    out = net.forward(x[:1], train=False)
    if net.loss_name == "categorical_cross_entropy" and y.ndim == 1:
        checks.labels(y, out.shape[1], name)
        return
    if net._targets(y, out).shape[1:] != out.shape[1:]:
        want = "(N, " + ", ".join(map(str, out.shape[1:])) + ")"
        raise ValueError(f"{name} has shape {tuple(y.shape)} but the loss {net.loss_name!r} needs "
                         f"targets shaped like the net's output, {want}")
    if net.loss_name == "categorical_cross_entropy":
        checks.probability_rows(y, name)
    elif net.loss_name == "binary_cross_entropy":
        checks.labels(y, 2, name)  # accuracy compares whole class labels 0 and 1


def _data(net, x, y, names=("x", "y")):
    x, y = as_data(net, x, y, names)
    _check_targets(net, x, y, names[1])
    return x, y


def minibatches(n, batch_size, rng=None, shuffle=True):
    """Index arrays covering range(n) in batches; shuffled by a seeded host RNG."""
    n = checks.integer(n, "n")
    if batch_size is not None:
        batch_size = checks.positive_int(batch_size, "batch_size")
    if batch_size is None or batch_size >= n:
        batch_size = max(n, 1)
    order = np.random.default_rng(rng).permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


# ------------------------------------------------------------------ evaluation

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
    batch_size = checks.positive_int(batch_size, "batch_size")
    x, y = _data(_check_net(net), x, y)
    with checks.values_checked():
        return _evaluate(net, x, y, batch_size)


def _evaluate(net, x, y, batch_size=256):
    n, total, correct = x.shape[0], 0.0, 0
    classifier = net.loss_name in CLASSIFIERS
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


# ------------------------------------------------------------------ training

def _check_options(epochs, batch_size, penalty, lam, clip_norm, clip_value, callback,
                   on_divergence):
    """Every hyperparameter of fit, before any data is touched."""
    checks.positive_int(epochs, "epochs")
    if batch_size is not None:
        checks.positive_int(batch_size, "batch_size")
    if penalty is not None:
        reg.get_penalty(penalty)  # an unknown name fails before training, not after
    if checks.real(lam, "lam", low=0) and penalty is None:
        raise ValueError(f"lam={lam} has no effect without a penalty: pass penalty='l2' or 'l1'")
    for v, name in ((clip_norm, "clip_norm"), (clip_value, "clip_value")):
        if v is not None:
            checks.positive(v, name)
    if callback is not None:
        checks.function(callback, "callback")
    if on_divergence not in ("raise", "ignore"):
        raise ValueError(f"on_divergence must be 'raise' or 'ignore', got {on_divergence!r}")


def fit(net, x, y, epochs=10, batch_size=32, optimizer="sgd", lr=0.1, seed=0,
        validation_data=None, progress=True, callback=None, penalty=None, lam=0.0,
        clip_norm=None, clip_value=None, on_divergence="raise", evaluate_train=False):
    """Train ``net`` with minibatch gradient descent.

    x: (N, ...), y: (N, ...). Each epoch shuffles with a generator seeded by
    ``seed``, so runs are reproducible. Returns the history: a dict of lists with
    'loss' (and 'accuracy', 'val_loss', 'val_accuracy' when they apply), one
    entry per epoch. ``progress`` shows a tqdm bar; ``callback(epoch, history)``
    returning True stops training early (e.g. ``regularization.EarlyStopping``).

    'loss' and 'accuracy' are the means over the epoch's minibatches, each measured
    just before its step (as Keras reports them): free, since every step computes
    them. ``evaluate_train=True`` instead measures them on the whole training set
    after the epoch (one more forward pass over x, about a third of an epoch), on
    the same weights as 'val_loss': use it for curves that compare the two.
    Validation data is always evaluated after each epoch.

    Lecture 9: ``penalty`` ("l1" or "l2") with strength ``lam`` adds the penalty's
    gradient to every weight's (the history's 'loss' stays the data loss);
    ``clip_norm`` / ``clip_value`` clip the gradients before each step.

    Divergence raises ``TrainingDiverged`` with the history so far; no overflow
    warnings are printed. A NaN or infinite loss stops training before the step
    that would use it (the loss is read every step anyway, for the mean). The
    gradients are not scanned every step (that cost about 8% of a small MLP's
    step): a non-finite gradient spoils the weights it updates, which shows in the
    next step's loss or, at the latest, in a check of the parameters after the
    epoch (one pass over them). Either way the net gets back the parameters it had
    at the start of that epoch, the last ones known to be finite (one copy of them
    per epoch); the optimizer's state is not restored. ``on_divergence="ignore"``
    trains on regardless, to watch the numbers blow up.
    """
    _check_options(epochs, batch_size, penalty, lam, clip_norm, clip_value, callback,
                   on_divergence)
    opt = optim.get(optimizer, lr=lr)  # a name, or an optimizer instance passed through
    x, y = _data(_check_net(net), x, y)  # to the device and the net's dtype, once
    if validation_data is not None:
        validation_data = _data(net, *_pair(validation_data), ("validation x", "validation y"))
    watch = on_divergence == "raise"
    regularize = lambda grads: _regularize(net, grads, penalty, lam, clip_norm, clip_value)
    rng = np.random.default_rng(seed)
    saved = [v.copy() for _, _, v in net.parameters()] if watch else None
    history = {}
    epochs_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc="epochs", leave=False)
    for epoch in epochs_iter:
        batches = minibatches(x.shape[0], batch_size, rng)
        where = (epoch + 1, epochs, None, len(batches))
        if watch and epoch:
            _copy_parameters(net, saved, into_net=False)  # the last parameters known finite
        metrics, bad_step = _train_epoch(net, x, y, batches, opt, regularize, watch)
        if bad_step is not None:
            raise _diverged(net, "the loss", history, opt, where[:2] + (bad_step, where[3]), saved)
        with _guarded(watch):
            if watch and not _all_finite([v for _, _, v in net.parameters()]):
                raise _diverged(net, None, history, opt, where, saved)
            metrics = {"": _evaluate(net, x, y) if evaluate_train else metrics}
            if validation_data is not None:
                metrics["val_"] = _evaluate(net, *validation_data)
        for prefix, m in metrics.items():
            if watch and not math.isfinite(m["loss"]):
                what = "the validation loss" if prefix else "the loss on the training data"
                raise _diverged(net, what, history, opt, where, saved)
        for prefix, m in metrics.items():
            _record(history, m, prefix)
        if progress:
            epochs_iter.set_postfix(loss=f"{history['loss'][-1]:.4f}")
        if callback is not None and callback(epoch, history):
            break
    return history


def _train_epoch(net, x, y, batches, opt, regularize, watch):
    """One step per minibatch: ({'loss', 'accuracy'} averaged over the minibatches, None),
    or (None, step) when watching and a step's loss is NaN or infinite (before its update)."""
    classifier = net.loss_name in CLASSIFIERS
    params = [v for _, _, v in net.parameters()]
    total, correct = 0.0, 0
    with _guarded(watch):
        for step, idx in enumerate(batches, start=1):
            idx = asarray(idx)  # host indices to the device: a few KB per step
            yb = y[idx]
            loss = float(net.loss_and_grads(x[idx], yb, train=True))  # one GPU sync per step
            if watch and not math.isfinite(loss):
                return None, step
            total += loss * len(idx)
            if classifier:  # counted on the device: no second sync
                correct = correct + (net.labels(net.out) == _class_labels(yb).astype("int64")).sum()
            opt.step(params, regularize([layer.grads[k] for layer, k, _ in net.parameters()]))
    metrics = {"loss": total / x.shape[0]}
    if classifier:
        metrics["accuracy"] = int(correct) / x.shape[0]
    return metrics, None


def _pair(validation_data):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError("validation_data must be a pair (x_val, y_val), got "
                        + checks.describe(validation_data))
    return validation_data


@contextlib.contextmanager
def _guarded(watch):
    """Skip per-batch value checks (fit checked all data once); while watching for
    divergence, keep overflow warnings quiet: fit raises its own error instead."""
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    with checks.values_checked(), (quiet if watch else contextlib.nullcontext()):
        yield


def _all_finite(arrays):
    """True if every entry of every array is finite, from one number.

    sum_i 0 * sum(a_i) is NaN as soon as any entry is NaN or inf (0 * inf = NaN);
    only if it is not finite is each array looked at (a sum can overflow while
    every entry is finite).
    """
    total = 0.0
    for a in arrays:
        total = total + 0 * a.sum()
    return math.isfinite(float(total)) or all(_finite(a) for a in arrays)


def _finite(a):
    return math.isfinite(float(a)) if np.ndim(a) == 0 else bool(array_module(a).isfinite(a).all())


def _copy_parameters(net, saved, into_net):
    """saved <- the net's parameters, or (into_net) the net's parameters <- saved, in place."""
    for s, (_, _, v) in zip(saved, net.parameters()):
        if into_net:
            array_module(v).copyto(v, s)
        else:
            array_module(v).copyto(s, v)


def _diverged(net, what, history, opt, where, saved):
    """The TrainingDiverged error: where (epoch, epochs, step, steps), what, what to try.

    Parameters that are no longer finite are replaced by those of the epoch's start.
    """
    epoch, epochs, step, steps = where
    place = f"in epoch {epoch} of {epochs}, " + (f"step {step} of {steps}" if step
                                                 else "after its last step")
    names = _parameter_names(net)
    bad = [n for n, (_, _, v) in zip(names, net.parameters()) if not _finite(v)]
    if what is None:  # found by the check of the parameters after the epoch
        what = "the parameters " + ", ".join(bad)
        msg = f"training diverged {place}: {what} are NaN or infinite (a gradient or an update was)"
    else:
        msg = f"training diverged {place}: {what} is NaN or infinite"
        if bad:
            msg += f"; so are the parameters {', '.join(bad)} (a gradient or an update was)"
    if bad:
        _copy_parameters(net, saved, into_net=True)
        msg += f"; the net is back at its parameters from the start of epoch {epoch}"
    else:
        msg += "; the net keeps the last finite parameters"
    lr = opt.current_lr() if hasattr(opt, "current_lr") else getattr(opt, "lr", "?")
    msg += (f". Try a smaller learning rate (lr={lr} now), gradient "
            "clipping (e.g. clip_norm=1.0), inputs scaled to about unit size, or a smaller "
            "initialisation (init_scheme='glorot' or 'he'). The metrics of the "
            f"{len(history.get('loss', []))} completed epochs are in the exception's .history.")
    return TrainingDiverged(msg, history, epoch, step, what)


def _parameter_names(net):
    """'layer 0 (Dense(2, 4, ...)) 'w'' for each parameter, in the order of net.parameters()."""
    index = {id(layer): i for i, layer in enumerate(getattr(net, "layers", []))}
    return [f"layer {index.get(id(layer), '?')} ({layer!r}) {k!r}"
            for layer, k, _ in net.parameters()]


def _regularize(net, grads, penalty, lam, clip_norm, clip_value):
    """Add the penalty's gradient, then clip (lecture 9); a no-op with the defaults."""
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
