"""ipywidgets demos for exploring in the lectures (lectures 1, 2, 6, 7, 9).

Each demo is a plain plotting function plus a widget that calls it: a lecture calls
the function once for a fixed, reproducible figure and shows the widget for play.
``playground()`` is a network playground in the spirit of TensorFlow Playground,
drawn around ``playground.Playground``.
"""
import asyncio
import io
import math

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .gd import gradient_descent
from .playground import DATASETS, EXTENT, Playground


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


# ------------------------------------------------------------------ the playground
# Figures are plain matplotlib Figures on an Agg canvas, sent as PNG bytes to Image
# widgets: that renders in any JupyterLab without the ipympl extension, and the
# artists are updated in place (set_data), so a redraw is one render per figure.

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
L2_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
PLAYGROUND_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "softplus")
CMAP = "RdBu_r"  # class 0 blue, class 1 red; P = 0.5 white
MAX_LAYERS, MAX_UNITS = 6, 8


def _png(fig):
    buf = io.BytesIO()
    fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})  # fast: it crosses no network
    return buf.getvalue()


def _finite(v):
    return [x if math.isfinite(x) else np.nan for x in v]  # inf would break the autoscale


def _options(values, value):
    """Dropdown options with the current value among them, in order."""
    return sorted(set(values) | {value})


def _setting_controls(m):
    """A widget for each setting of the Playground m, showing its value now."""
    kw = {"style": {"description_width": "90px"}, "layout": ipw.Layout(width="250px")}
    slider = dict(kw, continuous_update=False)  # one rebuild when the mouse is let go
    return {
        "dataset": ipw.Dropdown(options=list(DATASETS), value=m.dataset, description="data",
                                **kw),
        "noise": ipw.FloatSlider(value=m.noise, min=0.0, max=0.5, step=0.05,
                                 description="noise", **slider),
        "test_fraction": ipw.FloatSlider(value=m.test_fraction, min=0.1, max=0.9, step=0.1,
                                         description="test fraction", **slider),
        "activation": ipw.Dropdown(options=_options(PLAYGROUND_ACTIVATIONS, m.activation),
                                   value=m.activation, description="activation", **kw),
        "lr": ipw.Dropdown(options=_options(LEARNING_RATES, m.lr), value=m.lr,
                           description="learning rate", **kw),
        "batch_size": ipw.IntSlider(value=m.batch_size, min=1, max=max(50, m.batch_size),
                                    description="batch size", **slider),
        "lam": ipw.Dropdown(options=_options(L2_RATES, m.lam), value=m.lam,
                            description="L2 lambda", **kw),
        "optimizer": ipw.Dropdown(options=_options(("sgd", "momentum", "adam"), m.optimizer),
                                  value=m.optimizer, description="optimizer", **kw),
    }


class PlaygroundWidget(ipw.VBox):
    """Controls and live figures around a ``Playground``, which is ``self.model``.

    play starts an asyncio task on the running event loop (the kernel's in Jupyter):
    it trains ``chunk`` steps, redraws, then ``await asyncio.sleep(delay)`` hands the
    loop back, so widget events and other cells run between chunks. pause ends the
    task after its chunk; step trains one chunk; reset rebuilds from the settings.
    """

    def __init__(self, model, chunk=20, delay=0.01):
        super().__init__()
        self.model, self.chunk, self.delay = model, int(chunk), float(delay)
        self.playing, self.task, self.error = False, None, None
        w = ipw
        self.play_button = w.Button(description="play", icon="play", button_style="success")
        self.step_button = w.Button(description=f"step ({self.chunk})", icon="step-forward")
        self.reset_button = w.Button(description="reset", icon="undo")
        self.status = w.HTML()
        m = model
        self.controls = _setting_controls(m)  # setting name -> its widget
        for name, control in self.controls.items():
            control.observe(self._setter(name), names="value")
        self.add_layer = w.Button(description="+ layer", layout=w.Layout(width="80px"))
        self.remove_layer = w.Button(description="- layer", layout=w.Layout(width="80px"))
        self.add_layer.on_click(lambda _: self._change_layers(+1))
        self.remove_layer.on_click(lambda _: self._change_layers(-1))
        self.units = []  # one BoundedIntText per hidden layer
        self.layers_box = w.VBox()
        self._set_unit_boxes(m.hidden)
        self.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())

        self.boundary_image, self.loss_image, self.units_image = (
            w.Image(format="png") for _ in range(3))
        self._boundary_figure()
        self._loss_figure()
        self._units_fig, self._unit_ims = None, []
        c = self.controls
        panel = w.VBox([w.HTML("<b>data</b>"), c["dataset"], c["noise"], c["test_fraction"],
                        w.HTML("<b>network</b>"), c["activation"],
                        w.HBox([self.add_layer, self.remove_layer]), self.layers_box,
                        w.HTML("<b>training</b>"), c["lr"], c["batch_size"], c["lam"],
                        c["optimizer"]])
        self.children = [
            w.HBox([self.play_button, self.step_button, self.reset_button]), self.status,
            w.HBox([panel, w.VBox([w.HTML("<b>first hidden layer: each unit's output</b>"),
                                   self.units_image]),
                    w.VBox([self.boundary_image, self.loss_image])])]
        self.redraw()

    # -------------------------------------------------------------- controls
    def _setter(self, name):
        def on_change(change):
            self.model.set(**{name: change["new"]})
            self.redraw()
        return on_change

    def _set_unit_boxes(self, hidden):
        self.units = [ipw.BoundedIntText(value=h, min=1, max=max(MAX_UNITS, h),
                                             description=f"layer {i + 1} units",
                                             style={"description_width": "90px"},
                                             layout=ipw.Layout(width="160px"))
                      for i, h in enumerate(hidden)]
        for box in self.units:
            box.observe(lambda _: self._hidden_changed(), names="value")
        self.layers_box.children = self.units
        self.add_layer.disabled = len(hidden) >= MAX_LAYERS
        self.remove_layer.disabled = not hidden

    def _change_layers(self, delta):
        hidden = list(self.model.hidden)
        if delta > 0 and len(hidden) < MAX_LAYERS:
            hidden.append(hidden[-1] if hidden else 4)
        elif delta < 0 and hidden:
            hidden.pop()
        self._set_unit_boxes(hidden)
        self._hidden_changed()

    def _hidden_changed(self):
        self.model.set(hidden=tuple(b.value for b in self.units))
        self.redraw()

    # -------------------------------------------------------------- buttons
    def play(self):
        """Train in the background, chunk after chunk, until pause (needs a running loop)."""
        if self.playing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("play needs a running asyncio event loop, as a Jupyter kernel "
                               "has; without one, call step()") from None
        self.playing, self.error = True, None
        self._show_playing()
        self.task = loop.create_task(self._play())  # kept, so it is not garbage-collected

    def pause(self):
        """Stop playing after the chunk in progress."""
        self.playing = False
        self._show_playing()

    async def _play(self):
        try:
            while self.playing and not self.model.diverged:
                self.step()
                await asyncio.sleep(self.delay)  # the loop serves clicks and other cells now
        except Exception as e:  # a background task has no cell to report to: show it here
            self.error = e
            self.status.value = f"<b>stopped</b>: {type(e).__name__}: {e}"
        finally:
            self.playing = False
            self._show_playing()

    def step(self):
        """Train one chunk of steps and redraw."""
        self.model.step(self.chunk)
        self.redraw()

    def reset(self):
        """Pause, rebuild data and net from the settings, redraw."""
        self.pause()
        self.model.reset()
        self.redraw()

    def _show_playing(self):
        self.play_button.description = "pause" if self.playing else "play"
        self.play_button.icon = "pause" if self.playing else "play"
        self.play_button.button_style = "warning" if self.playing else "success"

    # -------------------------------------------------------------- figures
    def _boundary_figure(self):
        fig = Figure(figsize=(3.6, 3.6), dpi=80)
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0.02, 0.02, 0.96, 0.96])
        g = self.model.resolution
        self._heat = ax.imshow(np.full((g, g), 0.5), cmap=CMAP, vmin=0, vmax=1, alpha=0.55,
                               origin="lower", extent=(-EXTENT, EXTENT, -EXTENT, EXTENT),
                               interpolation="bilinear")
        kw = {"cmap": CMAP, "vmin": 0, "vmax": 1, "s": 16, "linewidths": 0.8}
        (x, y), (x_test, y_test) = self.model.data["train"], self.model.data["test"]
        self._train_dots = ax.scatter(x[:, 0], x[:, 1], c=y, marker="o", edgecolors="w",
                                      label="train", **kw)
        self._test_dots = ax.scatter(x_test[:, 0], x_test[:, 1], c=y_test, marker="s",
                                     edgecolors="k", label="test", **kw)
        ax.set(xlim=(-EXTENT, EXTENT), ylim=(-EXTENT, EXTENT), xticks=[], yticks=[])  # text is
        # most of a render's time; the plane is [-1.5, 1.5]^2, as the docstrings say
        ax.legend(loc="upper right", fontsize=7, framealpha=0.6)
        self._boundary_ax, self._boundary_fig, self._contour = ax, fig, None

    def _loss_figure(self):
        fig = Figure(figsize=(3.6, 2.0), dpi=80)
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0.14, 0.22, 0.82, 0.66])
        self._train_line, = ax.plot([], [], label="train")
        self._test_line, = ax.plot([], [], "--", label="test")
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.legend(fontsize=7, loc="upper right")
        self._loss_ax, self._loss_fig = ax, fig

    def _units_figure(self, k):
        """A column of k small maps (two columns past 4 units); rebuilt when k changes."""
        cols = 1 if k <= 4 else 2
        rows = max(1, math.ceil(k / cols))
        fig = Figure(figsize=(0.9 * cols, 0.9 * rows), dpi=80)
        FigureCanvasAgg(fig)
        self._unit_ims = []
        g = self.model.resolution
        for i in range(k):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.set(xticks=[], yticks=[])
            self._unit_ims.append(ax.imshow(np.zeros((g, g)), cmap="PuOr_r", origin="lower",
                                            interpolation="bilinear"))
        if not k:
            fig.text(0.5, 0.5, "no hidden\nlayer", ha="center", va="center", fontsize=8)
        fig.subplots_adjust(0.04, 0.04, 0.96, 0.96, 0.1, 0.1)
        self._units_fig = fig

    def redraw(self):
        """Boundary, loss curves, first-layer units and status from the model's state now."""
        self._draw_boundary()
        self._draw_loss()
        self._draw_units()
        h, m = self.model.history, self.model
        self.status.value = (
            f"step {m.steps} &middot; epoch {m.epoch:.1f} &middot; loss: train "
            f"{h['loss'][-1]:.3f}, test {h['test_loss'][-1]:.3f} &middot; accuracy: train "
            f"{h['accuracy'][-1]:.0%}, test {h['test_accuracy'][-1]:.0%}"
            + (" &middot; <b>diverged</b>: lower the learning rate and reset" * m.diverged))

    def _draw_boundary(self):
        p = self.model.grid_probabilities()
        self._heat.set_data(p)
        for dots, (x, y) in ((self._train_dots, self.model.data["train"]),
                             (self._test_dots, self.model.data["test"])):
            dots.set_offsets(x)
            dots.set_array(y.astype(float))
        if self._contour is not None:
            self._contour.remove()
            self._contour = None
        if np.isfinite(p).all() and p.min() < 0.5 < p.max():  # else no line to draw
            g = self.model.grid_axis
            self._contour = self._boundary_ax.contour(g, g, p, levels=[0.5], colors="k",
                                                      linewidths=1.2)
        self.boundary_image.value = _png(self._boundary_fig)

    def _draw_loss(self):
        h, ax = self.model.history, self._loss_ax
        self._train_line.set_data(h["step"], _finite(h["loss"]))
        self._test_line.set_data(h["step"], _finite(h["test_loss"]))
        top = np.nanmax(_finite(h["loss"] + h["test_loss"]) + [0.1])
        ax.set_xlim(0, max(h["step"][-1], 1))
        ax.set_ylim(0, 1.05 * top)
        ax.set_title(f"loss: train {h['loss'][-1]:.3f}, test {h['test_loss'][-1]:.3f}",
                     fontsize=8)
        self.loss_image.value = _png(self._loss_fig)

    def _draw_units(self):
        maps = self.model.unit_maps()
        if self._units_fig is None or len(maps) != len(self._unit_ims):
            self._units_figure(len(maps))
        for im, a in zip(self._unit_ims, maps):
            top = float(np.abs(a).max()) if np.isfinite(a).all() else 1.0
            im.set_data(a)
            im.set_clim(-max(top, 1e-6), max(top, 1e-6))  # 0 is white: the sign shows
        self.units_image.value = _png(self._units_fig)


def playground(dataset="circles", hidden=(4, 2), activation="tanh", lr=0.3, batch_size=10,
               lam=0.0, noise=0.1, test_fraction=0.5, optimizer="sgd", seed=0, chunk=20,
               delay=0.01):
    """A network playground: choose data and net, press play, watch it learn.

    dataset: blobs, circles, xor, moons or spirals; hidden: the widths of the hidden
    layers; lam: the L2 strength; chunk: steps between redraws; delay: seconds the
    event loop gets between chunks. Returns the widget (an ipywidgets VBox); its
    ``.model`` is the ``Playground`` it trains, to read or step from code.
    """
    model = Playground(dataset, hidden=hidden, activation=activation, lr=lr,
                       batch_size=batch_size, lam=lam, noise=noise,
                       test_fraction=test_fraction, optimizer=optimizer, seed=seed)
    return PlaygroundWidget(model, chunk=chunk, delay=delay)
