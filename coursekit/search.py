"""Hyperparameter search: grid and random search with k-fold cross-validation (lecture 9).

A search space is a dict name -> candidates. For grid search every candidate is a
list; random search also accepts ``Uniform``/``LogUniform`` ranges. An objective
``objective(params, x_train, y_train, x_val, y_val) -> score`` trains on one
split and scores on the other: higher is better (return -loss for a loss).
Folds and random draws come from one seeded NumPy generator: same seed, same result.
"""
import inspect
import itertools
import math

import numpy as np

from .backend import to_numpy
from .train import fit


class Uniform:
    """Uniform on [low, high]."""

    def __init__(self, low, high):
        if not low < high:
            raise ValueError(f"Uniform needs low < high, got {low}, {high}")
        self.low, self.high = float(low), float(high)

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def __repr__(self):
        return f"Uniform({self.low}, {self.high})"


class LogUniform(Uniform):
    """log10(value) uniform on [log10 low, log10 high]: for rates and strengths spanning decades."""

    def __init__(self, low, high):
        if not 0 < low:
            raise ValueError(f"LogUniform needs positive bounds, got {low}, {high}")
        super().__init__(low, high)

    def sample(self, rng):
        return float(10 ** rng.uniform(math.log10(self.low), math.log10(self.high)))

    def __repr__(self):
        return f"LogUniform({self.low}, {self.high})"


def _check_space(space):
    if not isinstance(space, dict) or not space:
        raise ValueError(f"a search space is a non-empty dict name -> candidates, got {space!r}")


def grid(space):
    """Every combination of the candidate lists, as dicts, in order (last name fastest)."""
    _check_space(space)
    for k, v in space.items():
        if not isinstance(v, (list, tuple)) or len(v) == 0:
            raise ValueError(f"grid search needs a non-empty list of candidates for {k!r}, got {v!r}")
    names = list(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*space.values())]


def random_samples(space, n_iter, seed=0):
    """n_iter dicts drawn independently: lists uniformly, Uniform/LogUniform by their rule."""
    _check_space(space)
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}")
    rng = np.random.default_rng(seed)
    for k, v in space.items():
        if not (hasattr(v, "sample") or isinstance(v, (list, tuple)) and len(v) > 0):
            raise ValueError(f"candidates for {k!r} must be a non-empty list or a Uniform/"
                             f"LogUniform range, got {v!r}")
    draw = lambda v: v.sample(rng) if hasattr(v, "sample") else v[int(rng.integers(len(v)))]
    return [{k: draw(v) for k, v in space.items()} for _ in range(n_iter)]


def kfold(n, k=5, seed=0):
    """k (train_idx, val_idx) pairs: a seeded shuffle of range(n) cut into k folds.

    Each index is in exactly one validation fold; fold sizes differ by at most one.
    """
    if not 2 <= k <= n:
        raise ValueError(f"k-fold needs 2 <= k <= n, got k={k} for n={n}")
    order = np.random.default_rng(seed).permutation(n)
    folds = np.array_split(order, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), folds[i]) for i in range(k)]


def cross_validate(objective, params, x, y, k=5, seed=0):
    """The k validation scores of objective(params, ...) over k folds of (x, y)."""
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"{n} input rows but {y.shape[0]} targets")
    return [float(objective(params, x[tr], y[tr], x[va], y[va])) for tr, va in kfold(n, k, seed)]


class SearchResult:
    """The outcome of a search: ``best_params``, ``best_score`` and every trial in ``results``.

    results: a list of dicts {"params", "mean", "std", "scores"} in the order tried.
    """

    def __init__(self, results):
        self.results = results
        best = max(range(len(results)), key=lambda i: results[i]["mean"])  # first of ties
        self.best_index = best
        self.best_params = dict(results[best]["params"])
        self.best_score = results[best]["mean"]

    def table(self, top=None):
        """The trials as text, best first."""
        rows = sorted(self.results, key=lambda r: -r["mean"])[:top]
        return "\n".join(f"{r['mean']:.4f} +- {r['std']:.4f}  {_fmt(r['params'])}" for r in rows)

    def __repr__(self):
        return f"SearchResult(best_score={self.best_score:.4f}, best_params={_fmt(self.best_params)})"


def _fmt(params):
    return "{" + ", ".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v!r}"
                           for k, v in params.items()) + "}"


def _search(objective, candidates, x, y, k, seed):
    x, y = to_numpy(x), to_numpy(y)  # folds are cut on the host; objectives move data
    results = []
    for params in candidates:
        scores = cross_validate(objective, params, x, y, k, seed)  # same folds for every trial
        results.append({"params": params, "mean": float(np.mean(scores)),
                        "std": float(np.std(scores)), "scores": scores})
    return SearchResult(results)


def grid_search(objective, space, x, y, k=5, seed=0):
    """Try every combination of the candidate lists with k-fold cross-validation."""
    return _search(objective, grid(space), x, y, k, seed)


def random_search(objective, space, x, y, n_iter=10, k=5, seed=0):
    """Try n_iter random draws from the space with k-fold cross-validation.

    Bergstra & Bengio (2012): with the same budget, random search tries n_iter
    distinct values of every hyperparameter, where a grid tries only a few;
    this wins when only a few hyperparameters matter.
    """
    return _search(objective, random_samples(space, n_iter, seed), x, y, k, seed)


def net_objective(build, metric="accuracy", **fit_kwargs):
    """An objective that builds a net, fits it and scores it on the validation split.

    build(**model_params) -> a Sequential. Hyperparameters whose names are
    arguments of ``train.fit`` (lr, lam, penalty, epochs, batch_size, ...) go to
    fit; the rest go to build. The score is the validation metric ("accuracy",
    higher is better) or minus the validation "loss".
    """
    fit_names = set(inspect.signature(fit).parameters) - {"net", "x", "y"}
    if metric not in ("accuracy", "loss"):
        raise ValueError(f"metric must be 'accuracy' or 'loss', got {metric!r}")

    def objective(params, x_train, y_train, x_val, y_val):
        to_fit = {k: v for k, v in params.items() if k in fit_names}
        net = build(**{k: v for k, v in params.items() if k not in fit_names})
        fit(net, x_train, y_train, **{"progress": False, **fit_kwargs, **to_fit})
        value = net.evaluate(x_val, y_val)[metric]
        return value if metric == "accuracy" else -value

    return objective
