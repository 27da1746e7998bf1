"""A recipe for training: the learning-rate range test and warm-up (lectures 13a, 13b).

    lr_range_test   Smith (2017): train briefly while the rate grows; the loss curve
                    shows which rates learn and where training blows up.
    Warmup          Goyal et al. (2017): start with a small rate and raise it linearly,
                    so the first, largest gradients of a fresh network take small steps.

``Warmup`` is a schedule like those in ``optim``: a function of the step t that
multiplies the optimiser's rate, e.g. ``optim.SGD(lr=0.5, schedule=Warmup(100))``.
"""
import math

import numpy as np

from . import checks, optim
from .train import as_data, minibatches


class Warmup:
    """factor(t) = start + (1 - start) t / T for t < T, then after(t - T) (1 without after).

    T = steps. ``after`` is another schedule, e.g. optim.CosineDecay, which then starts
    at the end of the warm-up. Like PyTorch's LinearLR(start_factor=start, total_iters=T).
    """

    def __init__(self, steps, start=0.1, after=None):
        self.steps = checks.positive_int(steps, "steps")
        self.start = checks.real(start, "start", low=0)
        if self.start > 1:
            raise ValueError(f"start must be in [0, 1], got {start}")
        if after is not None:
            checks.function(after, "after")
        self.after = after

    def __call__(self, t):
        if t < self.steps:
            return self.start + (1 - self.start) * t / self.steps
        return 1.0 if self.after is None else float(self.after(t - self.steps))

    def __repr__(self):
        after = f", after={self.after!r}" if self.after is not None else ""
        return f"Warmup(steps={self.steps}, start={self.start}{after})"


class _Geometric:
    """factor(t) = ratio ** (t / (steps - 1)): from 1 at t = 0 to ratio at t = steps - 1."""

    def __init__(self, ratio, steps):
        self.ratio, self.steps = ratio, steps

    def __call__(self, t):
        return self.ratio ** (t / max(self.steps - 1, 1))


def lr_range_test(net, x, y, lr_min=1e-4, lr_max=10.0, steps=100, batch_size=32,
                  optimizer="sgd", seed=0, stop_factor=4.0):
    """Train for up to `steps` minibatches with the rate growing geometrically,

        eta_t = lr_min (lr_max / lr_min)^(t / (steps - 1)),   t = 0 .. steps - 1,

    and record the loss of each minibatch before its step. Stops early once the loss
    is not finite or exceeds stop_factor times the lowest loss so far (it diverged).
    The net gets its parameters back at the end (batch norm's running statistics,
    which are not parameters, keep what the test fed them).
    Returns {"lr": [...], "loss": [...], "smooth": [...]}, Python floats, one per step;
    "smooth" is the loss averaged exponentially (weight 0.9), bias-corrected as in Adam.
    """
    steps = checks.positive_int(steps, "steps")
    lr_min, lr_max = checks.positive(lr_min, "lr_min"), checks.positive(lr_max, "lr_max")
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got {lr_min} and {lr_max}")
    opt = optim.get(optimizer, lr=lr_min)  # a name, or an instance: its rate and schedule are replaced
    opt.reset()
    opt.lr, opt.schedule = lr_min, _Geometric(lr_max / lr_min, steps)
    x, y = as_data(net, x, y)
    params = [v for _, _, v in net.parameters()]
    saved = [v.copy() for v in params]
    batches = _endless(x.shape[0], batch_size, np.random.default_rng(seed))
    result, avg, best = {"lr": [], "loss": [], "smooth": []}, 0.0, math.inf
    try:
        with np.errstate(all="ignore"):  # the end of the range is meant to blow up
            for _, idx in zip(range(steps), batches):
                lr = opt.current_lr()
                loss = float(net.loss_and_grads(x[idx], y[idx], train=True))
                if not math.isfinite(loss) or loss > stop_factor * best:
                    break
                best, avg = min(best, loss), 0.9 * avg + 0.1 * loss
                result["lr"].append(lr)
                result["loss"].append(loss)
                result["smooth"].append(avg / (1 - 0.9 ** len(result["loss"])))
                opt.step(params, [layer.grads[k] for layer, k, _ in net.parameters()])
        return result
    finally:
        for v, s in zip(params, saved):
            v[...] = s


def _endless(n, batch_size, rng):
    """Shuffled minibatch indices, epoch after epoch."""
    while True:
        yield from minibatches(n, batch_size, rng)


def suggest_lr(result, divide=10.0):
    """The rate at the lowest smoothed loss of an lr_range_test, divided by `divide`.

    At the minimum the loss is about to turn up: a rate that far is too large to train
    with, and a rate ten times smaller still learns fast (a rule of thumb, not a theorem).
    """
    if not result["smooth"]:
        raise ValueError("the range test recorded no step: lower lr_min")
    i = int(np.argmin(result["smooth"]))
    return result["lr"][i] / checks.positive(divide, "divide")
