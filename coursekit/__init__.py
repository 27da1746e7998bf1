"""coursekit: the reference code behind the neural-network course.

Read it next to the lectures; each module's docstring names the lectures that use it.
"""
from . import activations, backend, data, gradcheck, init, layers, losses, optim, perceptron, train
from .backend import to_numpy, use, xp
from .modules import Dense, Module, Sequential

__version__ = "0.1.0"
__all__ = ["activations", "backend", "data", "gradcheck", "init", "layers", "losses", "optim",
           "perceptron", "train", "to_numpy", "use", "xp", "Dense", "Module", "Sequential"]
