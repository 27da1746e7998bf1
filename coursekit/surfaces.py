"""Two-dimensional test surfaces for watching optimisers move (lecture 8).

Each surface is a function f(x, y) and its gradient (df/dx, df/dy), written
with arithmetic only, so x and y may be floats, NumPy/CuPy arrays (a plotting
grid) or autograd boxes. ``SURFACES`` adds a plotting window, a start and the
minima; ``path`` runs any ``coursekit.optim`` optimiser on a surface.
"""
from dataclasses import dataclass

import numpy as np


def rosenbrock(x, y, a=1.0, b=100.0):
    """f = (a - x)^2 + b (y - x^2)^2: a curved, flat-bottomed valley; minimum f(a, a^2) = 0."""
    return (a - x) ** 2 + b * (y - x * x) ** 2


def rosenbrock_grad(x, y, a=1.0, b=100.0):
    """(-2 (a - x) - 4 b x (y - x^2),  2 b (y - x^2))."""
    r = y - x * x
    return -2 * (a - x) - 4 * b * x * r, 2 * b * r


def beale(x, y):
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum f(3, 0.5) = 0."""
    u1, u2, u3 = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    return u1 ** 2 + u2 ** 2 + u3 ** 2


def beale_grad(x, y):
    """Sum over k of 2 u_k du_k: du_k/dx = y^k - 1, du_k/dy = k x y^(k-1)."""
    u1, u2, u3 = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    dx = 2 * (u1 * (y - 1) + u2 * (y ** 2 - 1) + u3 * (y ** 3 - 1))
    dy = 2 * x * (u1 + 2 * u2 * y + 3 * u3 * y ** 2)
    return dx, dy


def saddle(x, y):
    """f = x^2 - y^2 + y^4 / 4: a saddle at (0, 0), minima f(0, +-sqrt 2) = -1."""
    return x * x - y * y + 0.25 * y ** 4


def saddle_grad(x, y):
    """(2x, -2y + y^3)."""
    return 2 * x, -2 * y + y ** 3


def quadratic(x, y, kappa=25.0):
    """f = (x^2 + kappa y^2) / 2: condition number kappa; minimum f(0, 0) = 0."""
    return 0.5 * (x * x + kappa * y * y)


def quadratic_grad(x, y, kappa=25.0):
    """(x, kappa y)."""
    return x, kappa * y


def rotated_quadratic(x, y, kappa=25.0, angle=np.pi / 6):
    """The ill-conditioned quadratic turned by `angle`: its axes no longer match x and y."""
    c, s = np.cos(angle), np.sin(angle)
    return quadratic(c * x + s * y, -s * x + c * y, kappa)


def rotated_quadratic_grad(x, y, kappa=25.0, angle=np.pi / 6):
    """R^T grad q(R p): rotate, take the quadratic's gradient, rotate back."""
    c, s = np.cos(angle), np.sin(angle)
    gu, gv = quadratic_grad(c * x + s * y, -s * x + c * y, kappa)
    return c * gu - s * gv, s * gu + c * gv


@dataclass(frozen=True)
class Surface:
    """A surface with what a plot needs: window (xmin, xmax, ymin, ymax), start, minima."""
    name: str
    f: callable
    grad: callable
    window: tuple
    start: tuple
    minima: tuple
    log_levels: bool = False  # contour on a log scale (Rosenbrock, Beale span decades)

    def __call__(self, x, y):
        return self.f(x, y)


SURFACES = {
    "quadratic": Surface("quadratic", quadratic, quadratic_grad, (-4.5, 4.5, -2.5, 2.5),
                         (-4.0, 2.0), ((0.0, 0.0),)),
    "rotated quadratic": Surface("rotated quadratic", rotated_quadratic, rotated_quadratic_grad,
                                 (-4.5, 4.5, -3.0, 3.0), (-4.0, 0.5), ((0.0, 0.0),)),
    "rosenbrock": Surface("rosenbrock", rosenbrock, rosenbrock_grad, (-2.0, 2.0, -1.0, 3.0),
                          (-1.5, 2.5), ((1.0, 1.0),), log_levels=True),
    "beale": Surface("beale", beale, beale_grad, (-4.5, 4.5, -4.5, 4.5), (1.0, 1.5),
                     ((3.0, 0.5),), log_levels=True),
    "saddle": Surface("saddle", saddle, saddle_grad, (-2.0, 2.0, -2.0, 2.0), (-1.8, 1e-3),
                      ((0.0, 2 ** 0.5), (0.0, -(2 ** 0.5)))),
}


def get(name):
    """A Surface by name; ValueError lists valid names."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; valid names: {sorted(SURFACES)}") from None


def path(surface, optimizer, start=None, steps=200, noise=0.0, seed=0):
    """Run an optimiser from `start` and return the visited points, shape (steps + 1, 2).

    surface: a Surface or its name. optimizer: any object with step(params, grads).
    noise > 0 adds N(0, noise^2) to each gradient: a stand-in for minibatch noise.
    Stops early, returning the points so far, if the iterate leaves the floats (diverges).
    """
    s = get(surface) if isinstance(surface, str) else surface
    p = np.array(s.start if start is None else start, dtype=np.float64)
    if p.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {p.shape}")
    rng = np.random.default_rng(seed)
    points = [p.copy()]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run ends the loop below
        for _ in range(steps):
            g = np.array(s.grad(p[0], p[1]), dtype=np.float64)
            if noise:
                g = g + noise * rng.standard_normal(2)
            optimizer.step([p], [g])
            if not np.all(np.isfinite(p)) or np.abs(p).max() > 1e6:
                break
            points.append(p.copy())
    return np.array(points)


def grid(surface, resolution=200):
    """(X, Y, Z) over the surface's window, for contour plots."""
    s = get(surface) if isinstance(surface, str) else surface
    x0, x1, y0, y1 = s.window
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return X, Y, s.f(X, Y)
