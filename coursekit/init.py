"""Weight initialisation (lectures 6, 7, 9).

Random numbers are drawn on the host with one NumPy generator and then moved to
the active backend, so NumPy and CuPy runs start from identical weights.
"""
import numpy as np

from .backend import DEFAULT_DTYPE, asarray


def _scale(name, fan_in, fan_out):
    if name == "glorot":   # Glorot & Bengio 2010: Var(w) = 2 / (fan_in + fan_out)
        return np.sqrt(2.0 / (fan_in + fan_out))
    if name == "he":       # He et al. 2015, for ReLU: Var(w) = 2 / fan_in
        return np.sqrt(2.0 / fan_in)
    if name == "lecun":    # Var(w) = 1 / fan_in
        return np.sqrt(1.0 / fan_in)
    if name == "normal":   # N(0, 1): the naive choice the lectures compare against
        return 1.0
    raise ValueError(f"unknown initialiser {name!r}; valid names: "
                     "['glorot', 'he', 'lecun', 'normal']")


def weights(shape, fan_in, fan_out, name="glorot", rng=None, dtype=DEFAULT_DTYPE):
    """Normal weights of the given shape with the named scale, on the active backend."""
    rng = np.random.default_rng(rng)
    scale = _scale(name, fan_in, fan_out)
    return asarray(rng.standard_normal(shape) * scale, dtype=dtype)
