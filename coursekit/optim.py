"""Optimisers: one signature, ``step(params, grads)``, updating in place (lectures 2, 8).

params and grads are lists of arrays in the same order (``Sequential.parameters``).
Each optimiser keeps its state (velocities, squared-gradient averages) per
position in that list and counts its steps in ``t``: Adam's bias correction
and the learning-rate schedules use this step counter, not the epoch.
Hyperparameters stay Python floats, so float32 arrays stay float32.

    opt = Adam(lr=1e-3, schedule=CosineDecay(total_steps=1000))
    net.fit(x, y, optimizer=opt)

The updates follow Goodfellow, Bengio & Courville, *Deep Learning*, ch. 8, in
the conventions of PyTorch's ``torch.optim`` (tested against it).
"""
import math
import numbers

from . import checks
from .backend import array_module


def _check_real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _positive(name, value):
    value = _check_real(name, value)
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _unit(name, value):
    """A decay rate in [0, 1): 1 would never forget, above 1 would blow up."""
    value = _check_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


# ---------------------------------------------------------------- schedules
class StepDecay:
    """eta_t = eta_0 * drop ** (t // every): divide the rate by 1/drop every `every` steps."""

    def __init__(self, every, drop=0.5):
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"every must be a positive number of steps, got {every!r}")
        self.every, self.drop = int(every), _positive("drop", drop)

    def __call__(self, t):
        return self.drop ** (t // self.every)

    def __repr__(self):
        return f"StepDecay(every={self.every}, drop={self.drop})"


class ExponentialDecay:
    """eta_t = eta_0 * gamma ** t: a smooth version of the step decay."""

    def __init__(self, gamma):
        self.gamma = _check_real("gamma", gamma)
        if not 0 < self.gamma <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma}")

    def __call__(self, t):
        return self.gamma ** t

    def __repr__(self):
        return f"ExponentialDecay(gamma={self.gamma})"


class CosineDecay:
    """eta_t = eta_0 [m + (1 - m)(1 + cos(pi t / T)) / 2] for t < T, then eta_0 m.

    Loshchilov & Hutter (2017) without restarts; m = min_factor, T = total_steps.
    After T steps the rate stays at its minimum eta_0 m, as in Keras's CosineDecay
    and optax's cosine_decay_schedule. PyTorch's CosineAnnealingLR instead keeps
    following the cosine: past T_max it rises again, back to eta_0 at t = 2 T_max.
    """

    def __init__(self, total_steps, min_factor=0.0):
        if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) \
                or total_steps < 1:
            raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
        self.total_steps = int(total_steps)
        self.min_factor = _check_real("min_factor", min_factor)
        if not 0 <= self.min_factor <= 1:
            raise ValueError(f"min_factor must be in [0, 1], got {self.min_factor}")

    def __call__(self, t):
        progress = min(t, self.total_steps) / self.total_steps
        return self.min_factor + (1 - self.min_factor) * 0.5 * (1 + math.cos(math.pi * progress))

    def __repr__(self):
        return f"CosineDecay(total_steps={self.total_steps}, min_factor={self.min_factor})"


SCHEDULES = {"step": StepDecay, "exponential": ExponentialDecay, "cosine": CosineDecay}


def schedule(name, **kwargs):
    """A schedule by name: schedule("cosine", total_steps=1000); ValueError lists the names."""
    try:
        return SCHEDULES[name](**kwargs)
    except (KeyError, TypeError) as e:
        if name in SCHEDULES:
            raise
        raise ValueError(f"unknown schedule {name!r}; valid names: {sorted(SCHEDULES)}") from e


# ---------------------------------------------------------------- optimisers
class Optimizer:
    """Base class: validates the lists, counts steps, applies the schedule.

    Subclasses implement ``_update(i, w, dw, eta)`` for the i-th parameter, with
    eta the learning rate of this step and ``self.t`` the 1-based step number.
    """

    def __init__(self, lr=0.1, schedule=None):
        self.lr = _positive("learning rate", lr)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be a callable t -> factor, got {schedule!r}")
        self.schedule = schedule
        self.t = 0          # steps taken so far
        self.state = {}     # i -> dict of arrays shaped like params[i]

    def current_lr(self):
        """The learning rate the next step will use: lr * schedule(t)."""
        return self.lr if self.schedule is None else self.lr * float(self.schedule(self.t))

    def step(self, params, grads):
        """Update every array in params in place from the matching array in grads."""
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameter arrays but {len(grads)} gradients")
        for i, (w, dw) in enumerate(zip(params, grads)):
            checks.array(w, f"parameter {i}", kind="f")  # updated in place: floats only
            checks.array(dw, f"gradient {i}", kind="biuf")
            if w.shape != dw.shape:
                raise ValueError(f"parameter {i} has shape {w.shape} but its gradient {dw.shape}")
        eta = self.current_lr()
        self.t += 1
        for i, (w, dw) in enumerate(zip(params, grads)):
            self._update(i, w, dw, eta)

    def _buffers(self, i, w, *names):
        """The state arrays of parameter i, zeros on first use."""
        if i not in self.state:
            xp = array_module(w)
            self.state[i] = {n: xp.zeros_like(w) for n in names}
        s = self.state[i]
        if s[names[0]].shape != w.shape:
            raise ValueError(f"parameter {i} changed shape from {s[names[0]].shape} to {w.shape}; "
                             "call reset() before optimising different parameters")
        return [s[n] for n in names]

    def reset(self):
        """Forget the state and the step counter (e.g. before a new run)."""
        self.t, self.state = 0, {}

    def _update(self, i, w, dw, eta):
        raise NotImplementedError

    def _hyper(self):
        return ""

    def __repr__(self):
        extra = self._hyper()
        sched = f", schedule={self.schedule!r}" if self.schedule is not None else ""
        return f"{type(self).__name__}(lr={self.lr}{', ' + extra if extra else ''}{sched})"


class SGD(Optimizer):
    """Plain (minibatch) gradient descent:  w <- w - eta * dC/dw."""

    def _update(self, i, w, dw, eta):
        w -= eta * dw


class Momentum(Optimizer):
    """Heavy-ball momentum (Polyak 1964):  v <- mu v + g,   w <- w - eta v.

    v is a running sum of gradients; along a constant gradient the step grows to
    eta g / (1 - mu). With ``nesterov=True`` the step looks ahead (Sutskever et
    al. 2013):  w <- w - eta (g + mu v).  Same as torch.optim.SGD(momentum=mu).
    """

    def __init__(self, lr=0.01, momentum=0.9, nesterov=False, schedule=None):
        super().__init__(lr, schedule)
        self.momentum = _unit("momentum", momentum)
        if nesterov and self.momentum == 0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.nesterov = bool(nesterov)

    def _update(self, i, w, dw, eta):
        (v,) = self._buffers(i, w, "v")
        v *= self.momentum
        v += dw
        if self.nesterov:
            w -= eta * (dw + self.momentum * v)  # the gradient step, then the momentum step
        else:
            w -= eta * v

    def _hyper(self):
        return f"momentum={self.momentum}" + (", nesterov=True" if self.nesterov else "")


class Nesterov(Momentum):
    """Nesterov accelerated gradient: Momentum(..., nesterov=True)."""

    def __init__(self, lr=0.01, momentum=0.9, schedule=None):
        super().__init__(lr, momentum, nesterov=True, schedule=schedule)

    def _hyper(self):
        return f"momentum={self.momentum}"


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011):  r <- r + g^2,   w <- w - eta g / (sqrt(r) + eps).

    Each weight's rate shrinks with the sum of its squared gradients: steep
    directions slow down, flat ones keep moving; but r only grows, so learning stalls.
    """

    def __init__(self, lr=0.01, eps=1e-10, schedule=None):
        super().__init__(lr, schedule)
        self.eps = _positive("eps", eps)

    def _update(self, i, w, dw, eta):
        (r,) = self._buffers(i, w, "r")
        r += dw * dw
        w -= eta * dw / (array_module(w).sqrt(r) + self.eps)

    def _hyper(self):
        return f"eps={self.eps}"


class RMSprop(Optimizer):
    """RMSprop (Hinton 2012):  r <- rho r + (1 - rho) g^2,   w <- w - eta g / (sqrt(r) + eps).

    Adagrad with a moving average instead of a sum, so the rate does not decay to 0.
    Same as torch.optim.RMSprop(alpha=rho).
    """

    def __init__(self, lr=0.001, rho=0.9, eps=1e-8, schedule=None):
        super().__init__(lr, schedule)
        self.rho, self.eps = _unit("rho", rho), _positive("eps", eps)

    def _update(self, i, w, dw, eta):
        (r,) = self._buffers(i, w, "r")
        r *= self.rho
        r += (1 - self.rho) * dw * dw
        w -= eta * dw / (array_module(w).sqrt(r) + self.eps)

    def _hyper(self):
        return f"rho={self.rho}, eps={self.eps}"


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on g and RMSprop on g^2, bias-corrected.

    m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2
    m_hat = m / (1 - b1^t),   v_hat = v / (1 - b2^t)      (t = steps taken, from 1)
    w <- w - eta m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, schedule=None):
        super().__init__(lr, schedule)
        self.beta1, self.beta2 = _unit("beta1", beta1), _unit("beta2", beta2)
        self.eps = _positive("eps", eps)

    def _update(self, i, w, dw, eta):
        m, v = self._buffers(i, w, "m", "v")
        m *= self.beta1
        m += (1 - self.beta1) * dw
        v *= self.beta2
        v += (1 - self.beta2) * dw * dw
        # m and v start at 0, so early averages are too small by 1 - beta^t: undo it.
        # The corrections are numbers: put them on eta and on sqrt(v), not on new arrays,
        # m_hat / (sqrt(v_hat) + eps) = m / (1 - b1^t) / (sqrt(v) / sqrt(1 - b2^t) + eps)
        denom = array_module(w).sqrt(v)
        denom /= math.sqrt(1 - self.beta2 ** self.t)
        denom += self.eps
        w -= (eta / (1 - self.beta1 ** self.t)) * m / denom

    def _hyper(self):
        return f"beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}"


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": Adagrad,
              "rmsprop": RMSprop, "adam": Adam}


def get(name, **kwargs):
    """An optimiser by name, e.g. get("adam", lr=1e-3), or pass an instance through."""
    if not isinstance(name, str):
        if not callable(getattr(name, "step", None)):
            raise TypeError(f"optimizer must be a name such as 'adam' or an optimizer such as "
                            f"Adam(lr=1e-3), got {checks.describe(name)}")
        return name
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {sorted(OPTIMIZERS)}") from None
    return cls(**kwargs)
