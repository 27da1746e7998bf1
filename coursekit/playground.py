"""A network playground: toy 2-D data and a small net trained step by step (lectures 1-2, 6-9).

``Playground`` holds the data, the net, the optimiser and the history, and trains with
the loop the lectures write out. ``widgets.playground()`` draws it and wires the
controls to it; this module needs no ipywidgets and draws nothing, so it runs headless.

    >>> pg = Playground("xor", hidden=(4,), activation="tanh", lr=1.0)
    >>> pg.step(500).history["test_accuracy"][-1]   # 500 minibatch steps, one history entry
    0.965
"""
import math

import numpy as np

from . import activations, checks, optim
from . import regularization as reg
from .backend import DEFAULT_DTYPE, asarray, to_numpy
from .datasets import stratified_split
from .modules import Dense, Sequential
from .train import minibatches

EXTENT = 1.5  # the plane drawn is [-EXTENT, EXTENT]^2; every data set lies in about [-1, 1]^2


# ------------------------------------------------------------------ toy data sets
# Each takes (n, noise, rng) and returns x: (n, 2) float64 and y: (n,) int64 in {0, 1},
# n // 2 rows of class 0. noise is the standard deviation of the Gaussian jitter added
# to every point after it is labelled, so a large noise mixes the classes.

def _labels(n):
    return np.arange(n) % 2  # alternating: the classes differ in size by at most one


def _polar(r, t):
    return np.c_[r * np.cos(t), r * np.sin(t)]


def blobs(n=200, noise=0.1, rng=None):
    """Two Gaussian clouds, std 0.2 + noise, around (-0.5, -0.5) (class 0) and (0.5, 0.5)."""
    rng = np.random.default_rng(rng)
    y = _labels(n)
    centres = np.where(y[:, None] == 1, 0.5, -0.5)
    return centres + (0.2 + noise) * rng.standard_normal((n, 2)), y


def circles(n=200, noise=0.1, rng=None):
    """A disc r < 0.5 (class 1) inside a ring 0.7 < r < 1 (class 0)."""
    rng = np.random.default_rng(rng)
    y = _labels(n)
    r = np.where(y == 1, 0.5 * rng.random(n), 0.7 + 0.3 * rng.random(n))
    x = _polar(r, 2 * np.pi * rng.random(n))
    return x + noise * rng.standard_normal((n, 2)), y


def xor(n=200, noise=0.1, rng=None):
    """Points in the square [-1, 1]^2, class 1 where x1 x2 > 0 (quadrants 1 and 3).

    Points keep 0.05 away from the axes, so without noise every label is unambiguous.
    """
    rng = np.random.default_rng(rng)
    y = _labels(n)
    s1 = rng.choice([-1.0, 1.0], n)
    s2 = np.where(y == 1, s1, -s1)  # same signs: x1 x2 > 0
    x = rng.uniform(0.05, 1.0, (n, 2)) * np.c_[s1, s2]
    return x + noise * rng.standard_normal((n, 2)), y


def moons(n=200, noise=0.1, rng=None):
    """Two interleaved half circles (as scikit-learn's make_moons), scaled into [-1, 1]^2."""
    rng = np.random.default_rng(rng)
    y = _labels(n)
    t = np.pi * rng.random(n)
    upper = np.c_[np.cos(t), np.sin(t)]             # class 0
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]   # class 1, shifted into the gap
    x = 0.65 * (np.where(y[:, None] == 1, lower, upper) - [0.5, 0.25])  # centred
    return x + noise * rng.standard_normal((n, 2)), y


def spirals(n=200, noise=0.1, rng=None):
    """Two spirals r = s, angle = 3.5 pi s + pi y, s in (0.05, 1): 1.75 turns each."""
    rng = np.random.default_rng(rng)
    y = _labels(n)
    s = rng.uniform(0.05, 1.0, n)
    x = _polar(s, 3.5 * np.pi * s + np.pi * y)
    return x + noise * rng.standard_normal((n, 2)), y


DATASETS = {"blobs": blobs, "circles": circles, "xor": xor, "moons": moons, "spirals": spirals}


def make_dataset(name, n=200, noise=0.1, seed=0):
    """(x: (n, 2), y: (n,)) of a named toy set; the same seed gives the same points."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid names: {sorted(DATASETS)}")
    n = checks.integer(n, "n", low=4)
    return DATASETS[name](n, checks.real(noise, "noise", low=0), np.random.default_rng(seed))


# ------------------------------------------------------------------ the net

def build_net(hidden=(4, 2), activation="tanh", seed=0, dtype=DEFAULT_DTYPE):
    """Dense(2, h1, f), ..., Dense(h_last, 1): one logit, binary cross-entropy on it.

    Layer i draws its weights with seed + i, so a net is a function of its settings.
    """
    sizes = [2, *hidden]
    layers = [Dense(a, b, activation, rng=seed + i, dtype=dtype)
              for i, (a, b) in enumerate(zip(sizes, sizes[1:]))]
    layers.append(Dense(sizes[-1], 1, rng=seed + len(hidden), dtype=dtype))  # linear: a logit
    return Sequential(layers, loss="binary_cross_entropy")


# ------------------------------------------------------------------ the playground

class Playground:
    """A two-class problem in the plane, a net and its training state, stepped by hand.

    Each step is the loop of the lectures on one minibatch of a seeded shuffle:
        loss = net.loss_and_grads(xb, yb)
        dC/dw = dC0/dw + lam * w           (L2, lecture 9; weights only, not biases)
        opt.step(params, grads)
    Change settings with ``set``: those in REBUILD (data and net) reset everything,
    so a setting always means the same starting point; lr, batch_size, lam and
    optimizer apply from the next step, as on the knobs of a running experiment.
    """

    REBUILD = ("dataset", "n", "noise", "test_fraction", "hidden", "activation", "seed")
    LIVE = ("lr", "batch_size", "lam", "optimizer")

    def __init__(self, dataset="circles", hidden=(4, 2), activation="tanh", lr=0.3,
                 batch_size=10, lam=0.0, noise=0.1, test_fraction=0.5, n=400,
                 optimizer="sgd", seed=0, resolution=60):
        self.resolution = checks.integer(resolution, "resolution", low=2)
        g = np.linspace(-EXTENT, EXTENT, self.resolution)
        g1, g2 = np.meshgrid(g, g)  # row i: x2 = g[i]; column j: x1 = g[j]
        self.grid_axis, self._grid_host = g, np.c_[g1.ravel(), g2.ravel()]
        self.net = None
        self.set(dataset=dataset, hidden=hidden, activation=activation, lr=lr,
                 batch_size=batch_size, lam=lam, noise=noise, test_fraction=test_fraction,
                 n=n, optimizer=optimizer, seed=seed)

    # -------------------------------------------------------------- settings
    def settings(self):
        """The current settings as a dict: Playground(**pg.settings()) starts the same run."""
        return {k: getattr(self, k) for k in self.REBUILD + self.LIVE}

    def set(self, **changes):
        """Change settings (checked first); resets when data or net change. Returns self."""
        unknown = set(changes) - set(self.REBUILD + self.LIVE)
        if unknown:
            raise TypeError(f"unknown settings {sorted(unknown)}; valid: "
                            f"{sorted(self.REBUILD + self.LIVE)}")
        changes = {k: _CHECK[k](v) for k, v in changes.items()}
        rebuild = self.net is None or any(
            k in self.REBUILD and v != getattr(self, k) for k, v in changes.items())
        new_optimizer = "optimizer" in changes and changes["optimizer"] != getattr(
            self, "optimizer", None)
        for k, v in changes.items():
            setattr(self, k, v)
        if rebuild:
            self.reset()
            return self
        if new_optimizer:  # fresh state (velocities, moments); the weights stay
            self.opt = optim.get(self.optimizer, lr=self.lr)
        self.opt.lr = self.lr
        if "batch_size" in changes:
            self._batches = []  # the next step starts an epoch of the new size
        return self

    # -------------------------------------------------------------- state
    def reset(self):
        """Data, net, optimiser and shuffle rebuilt from the settings and seed: step 0 again."""
        x, y = make_dataset(self.dataset, self.n, self.noise, self.seed)
        n_test = min(max(1, round(self.test_fraction * self.n)), self.n - 1)
        x_tr, y_tr, x_te, y_te = stratified_split(x, y, n_test, seed=self.seed)
        self.data = {"train": (x_tr, y_tr), "test": (x_te, y_te)}  # NumPy, for plots
        # on the device once, in the net's dtype; targets (N, 1) like the logit
        self._x = asarray(x_tr, dtype=DEFAULT_DTYPE)
        self._y = asarray(y_tr[:, None], dtype=DEFAULT_DTYPE)
        self._grid = asarray(self._grid_host, dtype=DEFAULT_DTYPE)
        self.net = build_net(self.hidden, self.activation, self.seed)
        self.opt = optim.get(self.optimizer, lr=self.lr)
        self._rng, self._batches = np.random.default_rng(self.seed), []
        self.steps, self.seen, self.diverged = 0, 0, False
        self.history = {k: [] for k in ("step", "epoch", "loss", "test_loss",
                                        "accuracy", "test_accuracy")}
        self._record()
        return self

    @property
    def epoch(self):
        """Training rows seen / training rows: epochs done, fractional."""
        return self.seen / len(self.data["train"][1])

    def _next_batch(self):
        if not self._batches:  # a new epoch: a new order from the seeded generator
            self._batches = minibatches(len(self._x), self.batch_size, self._rng)[::-1]
        return self._batches.pop()

    # -------------------------------------------------------------- training
    def step(self, n=1):
        """Train n minibatch steps, then append the losses and accuracies to the history.

        Stops early once the loss is NaN or infinite (``diverged``: lower lr, reset).
        Returns self.
        """
        n = checks.integer(n, "n")
        params = [w for _, _, w in self.net.parameters()]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence: NaN
            for _ in range(0 if self.diverged else n):
                idx = self._next_batch()
                xb, yb = self._x[asarray(idx)], self._y[asarray(idx)]
                self.net.loss_and_grads(xb, yb)
                grads = [layer.grads[k] for layer, k, _ in self.net.parameters()]
                if self.lam:
                    grads = [g + self.lam * w if k in reg.PENALIZED else g
                             for (_, k, w), g in zip(self.net.parameters(), grads)]
                self.opt.step(params, grads)
                self.steps, self.seen = self.steps + 1, self.seen + len(idx)
        if n:
            self._record()
        return self

    def _record(self):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            train = self.net.evaluate(*self.data["train"])
            test = self.net.evaluate(*self.data["test"])
        h = self.history
        h["step"].append(self.steps)
        h["epoch"].append(self.epoch)
        for prefix, m in (("", train), ("test_", test)):
            h[prefix + "loss"].append(m["loss"])
            h[prefix + "accuracy"].append(m["accuracy"])
        self.diverged = not math.isfinite(train["loss"])

    # -------------------------------------------------------------- what to draw
    def grid_probabilities(self):
        """P(class 1 | x) over the plane: (G, G), row i at x2 = grid_axis[i], column j at x1."""
        with np.errstate(over="ignore", invalid="ignore"):
            p = self.net.predict_proba(self._grid)
        return to_numpy(p).reshape(self.resolution, self.resolution)

    def unit_maps(self, layer=0):
        """Each unit's output a = f(z) of hidden layer `layer` over the plane: (units, G, G).

        With no hidden layers there is nothing to show: (0, G, G).
        """
        g = self.resolution
        if not self.hidden:
            return np.zeros((0, g, g))
        if not 0 <= layer < len(self.hidden):
            raise ValueError(f"layer must be a hidden layer, 0 to {len(self.hidden) - 1}; "
                             f"got {layer}")
        a = self._grid
        with np.errstate(over="ignore", invalid="ignore"):
            for dense in self.net.layers[:layer + 1]:
                a = dense.forward(a)
        return to_numpy(a).T.reshape(-1, g, g)  # unit k's column as a (G, G) map


# ------------------------------------------------------------------ checks of settings

def _dataset(v):
    if v not in DATASETS:
        raise ValueError(f"unknown data set {v!r}; valid names: {sorted(DATASETS)}")
    return v


def _hidden(v):
    if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
        raise TypeError(f"hidden must be a list of layer widths such as (4, 2), got "
                        f"{checks.describe(v)}")
    return tuple(checks.positive_int(h, "a hidden layer's width") for h in v)


def _activation(v):
    activations.get(v)  # ValueError names the valid activations
    if v == "softmax":
        raise ValueError("softmax is not elementwise; choose tanh, relu, sigmoid, ...")
    return v


def _optimizer(v):
    optim.get(v)  # ValueError names the valid optimisers
    return v


def _fraction(v):
    v = checks.real(v, "test_fraction", low=0, strict=True)
    if v >= 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {v}")
    return v


_CHECK = {
    "dataset": _dataset,
    "n": lambda v: checks.integer(v, "n", low=4),
    "noise": lambda v: checks.real(v, "noise", low=0),
    "test_fraction": _fraction,
    "hidden": _hidden,
    "activation": _activation,
    "seed": lambda v: checks.integer(v, "seed"),
    "lr": lambda v: checks.positive(v, "lr"),
    "batch_size": lambda v: checks.positive_int(v, "batch_size"),
    "lam": lambda v: checks.real(v, "lam", low=0),
    "optimizer": _optimizer,
}
