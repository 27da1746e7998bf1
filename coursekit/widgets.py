"""ipywidgets demos for exploring in the lectures (lecture 2).

Each demo is a plain plotting function plus a widget that calls it: a lecture calls
the function once for a fixed, reproducible figure and shows the widget for play.
"""
import matplotlib.pyplot as plt
import numpy as np

from .gd import gradient_descent


def _square(x):
    return x * x


def _square_grad(x):
    return 2 * x


def plot_descent_1d(eta, steps=20, x0=1.5, f=_square, grad=_square_grad, ax=None,
                    xlim=(-2.0, 2.0)):
    """Plot f on xlim and the gradient-descent path from x0 with learning rate eta.

    Defaults to C = x^2 (dC/dx = 2x). Returns the path (k + 1,) so callers can print it.
    """
    path = gradient_descent(grad, np.array(x0, dtype=float), eta, steps)
    ax = ax or plt.gca()
    grid = np.linspace(*xlim, 400)
    ax.plot(grid, f(grid), color="0.3", label="C(x)")
    shown = path[np.abs(path) <= 10 * max(abs(xlim[0]), abs(xlim[1]))]  # divergent tails off-plot
    ax.plot(shown, f(shown), "o-", color="crimson", ms=4, lw=1, label=f"eta = {eta:g}")
    ax.plot(shown[:1], f(shown[:1]), "ks", ms=7, label="start")
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.1 * f(np.array(xlim)).max(), 1.1 * f(np.array(xlim)).max())
    ax.set_xlabel("x")
    ax.set_ylabel("C")
    ax.set_title(f"eta = {eta:g}: x after {len(path) - 1} steps = {path[-1]:.3g}")
    ax.legend(loc="upper center")
    return path


def learning_rate_slider(eta=0.1, steps=20, x0=1.5, f=_square, grad=_square_grad):
    """An interactive plot of plot_descent_1d with sliders for eta (0.01-1.1) and steps."""
    import ipywidgets as widgets

    def update(eta, steps):
        plot_descent_1d(eta, steps, x0, f, grad)
        plt.show()

    return widgets.interactive(
        update,
        eta=widgets.FloatSlider(value=eta, min=0.01, max=1.1, step=0.01, description="eta",
                                continuous_update=False),
        steps=widgets.IntSlider(value=steps, min=1, max=50, description="steps",
                                continuous_update=False))
