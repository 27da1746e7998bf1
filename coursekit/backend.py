"""The array backend: NumPy on the CPU, CuPy on an NVIDIA GPU (every lecture).

Code in coursekit never binds ``numpy`` at import time for array maths; it asks
``xp()`` at call time, so ``use("cupy")`` switches everything that runs after it.

    >>> from coursekit import backend
    >>> backend.use("numpy")          # or "cupy", or COURSEKIT_BACKEND=cupy
    >>> xp = backend.xp()
"""
import os

import numpy as np

BACKENDS = ("numpy", "cupy")
DEFAULT_DTYPE = np.float32  # training dtype; gradient checks pass float64 explicitly

_state = {"name": None}


class BackendError(RuntimeError):
    """The requested backend cannot run on this machine."""


def _import_cupy():
    """Return the cupy module, or raise BackendError that says why it cannot run."""
    try:
        import cupy
    except ImportError as e:
        raise BackendError(
            "backend 'cupy' needs CuPy, which is not installed "
            f"({e}). Install it with: pip install -e '.[gpu]' "
            "(or the cupy-cudaXXx wheel for your CUDA version)") from e
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDA driver missing or broken
        raise BackendError(f"backend 'cupy': CuPy is installed but CUDA cannot run here ({e})") from e
    if n < 1:
        raise BackendError("backend 'cupy': CuPy is installed but no GPU was found")
    return cupy


def use(name):
    """Select the backend for all later calls: "numpy" or "cupy"."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {BACKENDS}")
    if name == "cupy":
        _import_cupy()
    _state["name"] = name
    return name


def name():
    """The active backend's name (from use(), else $COURSEKIT_BACKEND, else numpy)."""
    if _state["name"] is None:
        use(os.environ.get("COURSEKIT_BACKEND", "numpy").strip().lower() or "numpy")
    return _state["name"]


def xp():
    """The active array module (numpy or cupy), looked up at call time."""
    return _import_cupy() if name() == "cupy" else np


def gpu_available():
    """(True, description) if CuPy can run on a GPU here, else (False, reason)."""
    try:
        cupy = _import_cupy()
    except BackendError as e:
        return False, str(e)
    props = cupy.cuda.runtime.getDeviceProperties(0)
    return True, props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])


def array_module(x):
    """numpy or cupy, whichever owns the array x."""
    if type(x).__module__.startswith("cupy"):
        import cupy
        return cupy
    return np


def asarray(x, dtype=None):
    """x as an array of the active backend (copied to the GPU if needed)."""
    return xp().asarray(x, dtype=dtype)


def to_numpy(x):
    """x as a NumPy array on the host: for plots, printing and assertions."""
    if type(x).__module__.startswith("cupy"):
        return x.get()
    return np.asarray(x)


def is_floating(x):
    """True if the array x holds floating-point numbers."""
    return np.issubdtype(np.dtype(x.dtype), np.floating)
