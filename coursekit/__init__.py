"""coursekit: the reference code behind the neural-network course.

Read it next to the lectures; each module's docstring names the lectures that use it.
``plot``, ``graph``, ``widgets`` and ``symbolic`` pull in matplotlib, ipywidgets and
SymPy, so they are imported on their own: ``from coursekit import plot``.
"""
from . import (activations, augment, backend, backprop, base, checks, data, datasets, engine,
               gd, gradcheck, init, layers, losses, metrics, normalization, optim, perceptron,
               recipe, regularization, residual, search, surfaces, train, universal)
from .backend import to_numpy, use, xp
from .modules import Dense, Module, Sequential

__version__ = "0.1.0"
__all__ = ["activations", "augment", "backend", "backprop", "base", "checks", "data", "datasets",
           "engine", "gd", "gradcheck", "init", "layers", "losses", "metrics", "normalization",
           "optim", "perceptron", "recipe", "regularization", "residual", "search", "surfaces",
           "train", "universal", "to_numpy", "use", "xp", "Dense", "Module", "Sequential"]
