"""Plots the lectures share: decision boundaries, training curves, images (all lectures)."""
import matplotlib.pyplot as plt
import numpy as np

from .backend import asarray, to_numpy


def decision_boundary(predict, x, y, ax=None, resolution=200, margin=0.5, title=None,
                      levels=(0.5,)):
    """Shade predict(grid) over the plane of 2-D inputs x: (N, 2) and scatter the labels y.

    predict maps (M, 2) -> (M,) or (M, 1) scores or classes. The contour at 0.5
    is the decision boundary of a classifier that outputs probabilities.
    """
    x, y = to_numpy(x), to_numpy(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_boundary needs 2-D inputs (N, 2), got {x.shape}")
    ax = ax or plt.gca()
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[g0.ravel(), g1.ravel()]
    z = to_numpy(predict(asarray(grid))).astype(float).reshape(g0.shape)
    ax.contourf(g0, g1, z, levels=20, cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1)
    if z.min() < levels[0] < z.max():
        ax.contour(g0, g1, z, levels=list(levels), colors="k", linewidths=1.5)
    ax.scatter(x[:, 0], x[:, 1], c=y.ravel(), cmap="RdBu_r", edgecolors="k", s=60, vmin=0, vmax=1)
    if title:
        ax.set_title(title)
    return ax


def training_curves(history, keys=None, ax=None, logy=False):
    """Plot history lists (from ``fit``) against the epoch number."""
    ax = ax or plt.gca()
    for k in keys or history:
        ax.plot(np.arange(1, len(history[k]) + 1), history[k], label=k)
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def images(imgs, labels=None, ncols=10, cmap="gray_r", size=1.2):
    """A grid of images (N, H, W) with optional titles; returns the figure."""
    imgs = to_numpy(imgs)
    n = len(imgs)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(imgs[i], cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    return fig
