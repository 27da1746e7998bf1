"""Input checks for the public functions (every lecture): each error names the argument,
what was expected and what was given.

    array(x, name, kind, shape)      an array of an allowed dtype kind and shape
    same_shape(x, shape, name)       e.g. dout shaped like the layer's output
    integer, positive_int, real, positive, float_dtype, function    hyperparameters
    labels, in_range, probability_rows, finite                       values

Types and shapes are checked on every call: a few attribute reads. Values are read
element by element, and on the GPU reading them waits for the device; so ``fit``,
``evaluate`` and ``predict`` check the values of the whole data set once per call, and
inside them (``values_checked()``) or on GPU arrays the losses skip their per-batch
value checks (``values_due``). Wrong types raise TypeError, wrong values ValueError.
"""
import contextlib
import contextvars
import numbers

import numpy as np

from .backend import array_module

KINDS = {"b": "booleans", "i": "integers", "u": "integers", "f": "floats"}
_checked = contextvars.ContextVar("values_checked", default=False)


def describe(v):
    """A short 'type value' for messages: "str 'abc'", "float 2.5"."""
    text = repr(v)
    return f"{type(v).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _spec(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def array(x, name, kind="biuf", shape=None):
    """x if it is a NumPy or CuPy array of an allowed dtype kind and shape, else an error.

    kind: allowed dtype kinds, 'f' floats, 'iu' integers, 'b' booleans.
    shape: ints must match, names match any size: ("N", 3) reads "(N, 3)".
    """
    try:  # runs at every step: attribute reads only
        dtype_kind, ndim = x.dtype.kind, x.ndim
    except AttributeError:
        raise TypeError(f"{name} must be an array (NumPy or CuPy), got {describe(x)}") from None
    if dtype_kind not in kind:
        wanted = " or ".join(dict.fromkeys(KINDS[k] for k in kind))
        raise TypeError(f"{name} must be an array of {wanted}, got dtype {x.dtype}")
    if shape is not None and (ndim != len(shape) or not _matches(x.shape, shape)):
        raise ValueError(f"{name} must have shape {_spec(shape)}, got {tuple(x.shape)}")
    return x


def _matches(actual, spec):
    for s, d in zip(actual, spec):
        if s != d and d.__class__ is int:
            return False
    return True


def same_shape(x, shape, name, what=""):
    """x if x.shape == shape; else ValueError naming both (what: whose shape it should be)."""
    if tuple(x.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}{what}, got {tuple(x.shape)}")
    return x


def integer(v, name, low=0):
    """v as an int >= low; TypeError for non-integers (bool, float, str), else ValueError."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {low}, got {describe(v)}")
    if v < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {v}")
    return int(v)


def positive_int(v, name):
    """v as an int >= 1 (sizes, epochs, strides)."""
    return integer(v, name, low=1)


def real(v, name, low=None, strict=False):
    """v as a finite float; above low (strict) or at least low when low is given."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(v)}")
    v = float(v)
    too_low = low is not None and (v <= low if strict else v < low)
    if not np.isfinite(v) or too_low:
        bound = "" if low is None else f" {'>' if strict else '>='} {low:g}"
        raise ValueError(f"{name} must be a finite number{bound}, got {v}")
    return v


def positive(v, name):
    """v as a float > 0 (learning rates, step sizes, clipping thresholds)."""
    return real(v, name, low=0, strict=True)


def float_dtype(dtype, name="dtype"):
    """dtype as a NumPy float dtype (parameters: float32 to train, float64 to check gradients)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise TypeError(f"{name} must be a float type such as np.float32, got {dtype!r}")
    return dt


def function(f, name):
    """f if it can be called; else TypeError."""
    if not callable(f):
        raise TypeError(f"{name} must be a function, got {describe(f)}")
    return f


# --------------------------------------------------------------- values: once per call

@contextlib.contextmanager
def values_checked():
    """Inside this block the losses skip their value checks: the caller checked all values."""
    token = _checked.set(True)
    try:
        yield
    finally:
        _checked.reset(token)


def values_due(x):
    """Should a per-batch function check x's values? Not if they were checked once
    already, nor on the GPU, where reading values every step would wait for the device."""
    return not _checked.get() and array_module(x) is np


def _first(bad, x, name, expected):
    """ValueError naming the first offending entry of x, if the mask bad has one."""
    if bool(bad.any()):  # one transfer on the GPU
        where = np.unravel_index(int(bad.argmax()), bad.shape)
        index = where[0] if len(where) == 1 else tuple(int(i) for i in where)
        raise ValueError(f"{name} must hold {expected}; got {x[where].item()!r} at index "
                         f"{index} ({int(bad.sum())} of {bad.size} entries are bad)")


def labels(y, num_classes, name="y"):
    """y if it holds class labels 0..num_classes-1: integers, or floats that are whole numbers.

    A label -1 would silently pick the last class and 2.5 would be truncated to 2.
    """
    array(y, name)
    expected = f"class labels 0..{num_classes - 1}"
    if y.dtype.kind == "f":
        _first(y != array_module(y).floor(y), y, name, "whole-number " + expected)
    _first((y < 0) | (y >= num_classes), y, name, expected)
    return y


def in_range(x, low, high, name, what):
    """x if low <= x <= high everywhere (what: how to describe such values)."""
    _first(~((x >= low) & (x <= high)), x, name, what)  # ~(...) catches NaN too
    return x


def probability_rows(y, name="y"):
    """y: (N, C) if every row is a distribution: entries >= 0 that sum to 1 (one-hot rows)."""
    in_range(y, 0, 1, name, "one-hot rows (entries in [0, 1])")
    sums = y.sum(axis=1)
    _first(abs(sums - 1) > 1e-3, sums, f"the rows of {name}", "sums of 1 (one-hot rows)")
    return y


def finite(x, name):
    """x if it has no NaN or infinity (integer and boolean arrays always pass)."""
    if x.dtype.kind in "fc":
        _first(~array_module(x).isfinite(x), x, name, "finite numbers (no NaN or inf)")
    return x
