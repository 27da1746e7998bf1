"""Training well: dropout, batch normalization, penalties, clipping, early stopping (lecture 9).

Function pairs hold the maths (``*_forward -> (out, cache)``, ``*_backward``);
the modules ``Dropout`` and ``BatchNorm`` hold state and sit inside ``Sequential``.
Random masks are drawn on the host with a seeded NumPy generator and moved to
the array's backend, so NumPy and CuPy drop the same units.
"""
import numpy as np

from . import activations, checks
from .backend import DEFAULT_DTYPE, array_module, xp
from .base import Module

# ----------------------------------------------------------------------------- dropout


def dropout_forward(x, p, rng=None):
    """Inverted dropout at training time: each unit is dropped with probability p.

    out = x * m / (1 - p),  m_i ~ Bernoulli(1 - p).   x: any shape -> out: same shape.
    Dividing by the keep probability 1 - p keeps E[out] = x, so nothing changes
    at evaluation time. rng: a seed or np.random.Generator (drawn on the host).
    """
    if not 0 <= p < 1:
        raise ValueError(f"dropout rate p must be in [0, 1), got {p}")
    keep = 1.0 - p
    m = np.random.default_rng(rng).random(x.shape) < keep
    mask = array_module(x).asarray(m).astype(x.dtype) / keep  # the scaled mask m / (1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    """dx = dout * m / (1 - p): gradients flow only through the kept units."""
    return dout * cache


class Dropout(Module):
    """Inverted dropout: drops units with probability p when train=True, identity otherwise.

    seed: an int or np.random.Generator; every forward pass in training draws a new mask.
    """

    def __init__(self, p=0.5, seed=None):
        super().__init__()
        if not 0 <= checks.real(p, "dropout rate p") < 1:
            raise ValueError(f"dropout rate p must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = np.random.default_rng(seed)
        self._mask = None

    def forward(self, x, train=False):
        if not train or self.p == 0:
            self._mask = None  # identity: backward passes dout through
            return x
        out, self._mask = dropout_forward(x, self.p, self.rng)
        return out

    def backward(self, dout):
        if self._mask is None:
            return dout
        checks.same_shape(checks.array(dout, "dout"), self._mask.shape, "dout",
                          " (Dropout's output)")
        return dropout_backward(dout, self._mask)

    def __repr__(self):
        return f"Dropout(p={self.p})"


# ----------------------------------------------------------------------- batch norm


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalization with the statistics of the batch (training mode).

    mu = mean_n x_n,  var = mean_n (x_n - mu)^2,  x_hat = (x - mu) / sqrt(var + eps),
    out = gamma * x_hat + beta.      x: (N, D), gamma, beta: (D,) -> out: (N, D).
    Returns (out, cache); the cache also holds mu and var for the running averages.
    """
    if x.ndim != 2 or x.shape[1] != gamma.shape[0]:
        raise ValueError(f"batch norm expects input of shape (N, {gamma.shape[0]}), got {x.shape}")
    if x.shape[0] < 2:
        raise ValueError(f"batch norm in training mode needs at least 2 rows, got {x.shape[0]} "
                         "(a last minibatch of 1 row? choose batch_size so N % batch_size != 1)")
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv_std = 1.0 / array_module(x).sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mu, var)


def batchnorm_backward(dout, cache):
    """Gradients of batch normalization, through x_hat, mu and var.   dout: (N, D).

    dbeta = sum_n dout_n,  dgamma = sum_n dout_n x_hat_n,  and, with g = gamma dout
    (the gradient with respect to x_hat), the chain rule through mu(x) and var(x) gives
        dx = inv_std / N * (N g - sum_n g_n - x_hat * sum_n g_n x_hat_n).
    Returns (dx, dgamma, dbeta).
    """
    x_hat, gamma, inv_std, _, _ = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = inv_std / n * (n * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Batch normalization at evaluation time: fixed statistics, each row on its own.

    out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta.
    """
    if x.ndim != 2 or x.shape[1] != gamma.shape[0]:
        raise ValueError(f"batch norm expects input of shape (N, {gamma.shape[0]}), got {x.shape}")
    return gamma * (x - running_mean) / array_module(x).sqrt(running_var + eps) + beta


class BatchNorm(Module):
    """Batch normalization of (N, D) inputs, optionally followed by an activation.

    Train: normalizes with the batch statistics, then updates the running averages
        running_mean <- momentum * running_mean + (1 - momentum) * mu
        running_var  <- momentum * running_var  + (1 - momentum) * var * N / (N - 1)
    (the unbiased batch variance, as PyTorch does; PyTorch's momentum is 1 - ours).
    Eval: normalizes with the running averages, so a row's output does not depend
    on the other rows. Parameters gamma (scale) and beta (shift): (D,).
    """

    def __init__(self, n, momentum=0.9, eps=1e-5, activation="linear", dtype=DEFAULT_DTYPE):
        super().__init__()
        if not 0 <= checks.real(momentum, "momentum") < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        activations.get(activation)  # fail now, naming the valid activations
        n, eps = checks.positive_int(n, "n"), checks.positive(eps, "eps")
        dtype = checks.float_dtype(dtype)
        self.n_in = self.n_out = n
        self.momentum, self.eps, self.activation = float(momentum), float(eps), activation
        self.params["gamma"] = xp().ones(n, dtype=dtype)
        self.params["beta"] = xp().zeros(n, dtype=dtype)
        self.running_mean = xp().zeros(n, dtype=dtype)
        self.running_var = xp().ones(n, dtype=dtype)
        self._cache = None

    def forward(self, x, train=False):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:
            z, bn_cache = batchnorm_forward(x, gamma, beta, self.eps)
            mu, var, n = bn_cache[3], bn_cache[4], x.shape[0]
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var * (n / (n - 1))
        else:
            z = batchnorm_eval(x, gamma, beta, self.running_mean, self.running_var, self.eps)
            bn_cache = None  # eval mode: backward is not defined through running stats
        a = activations.forward(self.activation, z)
        self._cache = (bn_cache, z, a)
        return a

    def backward(self, dout):
        if self._cache is None or self._cache[0] is None:
            raise RuntimeError("BatchNorm.backward needs a forward pass with train=True first")
        bn_cache, z, a = self._cache
        checks.same_shape(checks.array(dout, "dout"), a.shape, "dout", " (BatchNorm's output)")
        dz = activations.backward(self.activation, dout, z, a)
        dx, self.grads["gamma"], self.grads["beta"] = batchnorm_backward(dz, bn_cache)
        return dx

    def __repr__(self):
        act = "" if self.activation == "linear" else f", activation={self.activation!r}"
        return f"BatchNorm({self.n_out}, momentum={self.momentum}{act})"


# ------------------------------------------------------------------------ penalties


def l2_penalty(w, lam):
    """(lam / 2) sum w^2 and its gradient lam * w."""
    return 0.5 * lam * float((w * w).sum()), lam * w


def l1_penalty(w, lam):
    """lam sum |w| and its (sub)gradient lam * sign(w) (0 at w = 0)."""
    xp_ = array_module(w)
    return lam * float(xp_.abs(w).sum()), lam * xp_.sign(w)


PENALTIES = {"l1": l1_penalty, "l2": l2_penalty}
PENALIZED = ("w",)  # weights only: biases, gamma and beta are not penalized


def get_penalty(name):
    """The penalty function for 'l1' or 'l2'; ValueError lists valid names."""
    try:
        return PENALTIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown penalty {name!r}; valid names: {sorted(PENALTIES)}") from None


def penalty(net, name, lam):
    """The penalty summed over every weight of net (a Python float)."""
    fn = get_penalty(name)
    return sum(fn(v, lam)[0] for _, k, v in net.parameters() if _penalized(k))


def penalize(parameters, grads, name, lam):
    """grads with the penalty's gradient added to each weight's: dC/dw = dC0/dw + dP/dw.

    parameters: [(layer, key, array), ...] as from ``Sequential.parameters()``.
    """
    fn = get_penalty(name)
    return [g + fn(v, lam)[1] if _penalized(k) else g
            for (_, k, v), g in zip(parameters, grads)]


def _penalized(key):
    """Is the parameter under key a weight? Blocks that hold layers (Residual) name their
    layers' parameters "0.w", "1.b": the last part decides."""
    return key.rpartition(".")[2] in PENALIZED


def weight_decay_step(w, dw, lr, lam):
    """One gradient step on C0 + (lam/2)|w|^2, written as weight decay, in place.

    w <- w - lr (dw + lam w) = (1 - lr lam) w - lr dw     (dw = dC0/dw)
    """
    w *= 1.0 - lr * lam
    w -= lr * dw
    return w


# ------------------------------------------------------------------------- clipping


def global_norm(grads):
    """sqrt(sum over all arrays of sum g^2): the length of the whole gradient vector."""
    return float(sum(float((g * g).sum()) for g in grads)) ** 0.5


def clip_by_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most max_norm.

    g <- g * min(1, max_norm / ||g||): the direction of the step is unchanged.
    Returns (clipped grads, norm before clipping).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm


def clip_by_value(grads, clip_value):
    """Clip every component to [-clip_value, clip_value]: cheap, but it bends the direction."""
    checks.positive(clip_value, "clip_value")
    return [array_module(g).clip(g, -clip_value, clip_value) for g in grads]


# ------------------------------------------------------------------- early stopping


class EarlyStopping:
    """A ``fit`` callback: stop when the monitored metric has not improved for `patience` epochs.

    An improvement is a decrease by more than min_delta (mode="min", for losses)
    or an increase (mode="max", for accuracies). Given net, it keeps a copy of the
    best parameters and writes them back when it stops (or when ``restore()`` is called).
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="min", net=None):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        checks.integer(patience, "patience")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.sign = 1.0 if mode == "min" else -1.0  # compare sign * value: lower is better
        self.net = net
        self.best, self.best_epoch, self.stopped_epoch = float("inf"), None, None
        self._best_params, self._wait = None, 0

    def __call__(self, epoch, history):
        if self.monitor not in history:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, but the history has "
                           f"{sorted(history)} (pass validation_data to fit for 'val_*')")
        value = self.sign * history[self.monitor][-1]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self._wait = value, epoch, 0
            if self.net is not None:
                self._best_params = [v.copy() for _, _, v in self.net.parameters()]
            return False
        self._wait += 1
        if self._wait >= self.patience:
            self.stopped_epoch = epoch
            self.restore()
            return True
        return False

    @property
    def best_value(self):
        """The best value of the monitored metric seen so far."""
        return self.sign * self.best

    def restore(self):
        """Write the best parameters back into the net (if a net was given)."""
        if self.net is None or self._best_params is None:
            return
        for (_, _, v), best in zip(self.net.parameters(), self._best_params):
            v[...] = best

    def __repr__(self):
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience})"


__all__ = ["dropout_forward", "dropout_backward", "Dropout", "batchnorm_forward",
           "batchnorm_backward", "batchnorm_eval", "BatchNorm", "l1_penalty", "l2_penalty",
           "penalty", "penalize", "weight_decay_step", "global_norm", "clip_by_norm",
           "clip_by_value", "EarlyStopping"]
