"""Data augmentation: random translations of images (lecture 13b).

A digit moved by a pixel or two is the same digit. Training on randomly shifted
copies, a new shift for every image in every epoch, shows the network many
versions of each example for free. ``RandomShift`` does it as the first layer of a
network: it shifts in training mode and is the identity in evaluation mode.
Shifts are drawn on the host with a seeded NumPy generator, so NumPy and CuPy
runs shift alike.
"""
import numpy as np

from . import checks
from .backend import array_module
from .base import Module


def random_shifts(n, max_shift, rng=None):
    """(n, 2) integers (dy, dx), each uniform in [-max_shift, max_shift]."""
    n, max_shift = checks.integer(n, "n"), checks.integer(max_shift, "max_shift")
    return np.random.default_rng(rng).integers(-max_shift, max_shift + 1, size=(n, 2))


def shift_forward(x, shifts):
    """Move image n down by dy_n and right by dx_n pixels, filling with zeros.

    out[n, c, i, j] = x[n, c, i - dy_n, j - dx_n]  (0 where that pixel is outside x).
    x: (N, C, H, W), shifts: (N, 2) integers -> out: (N, C, H, W).
    """
    if checks.array(x, "x").ndim != 4:
        raise ValueError(f"shift expects images of shape (N, C, H, W), got {x.shape}")
    shifts = np.asarray(shifts)
    checks.same_shape(shifts, (x.shape[0], 2), "shifts", " (one (dy, dx) per image)")
    xp_ = array_module(x)
    h, w = x.shape[2:]
    m = int(np.abs(shifts).max(initial=0))
    if m >= min(h, w):
        raise ValueError(f"a shift of {m} pixels moves a {h}x{w} image out of view")
    padded = xp_.pad(x, ((0, 0), (0, 0), (m, m), (m, m)))
    out = xp_.empty_like(x)
    # one slice per distinct shift (at most (2m + 1)^2), not one per image
    for dy, dx in np.unique(shifts, axis=0):
        idx = xp_.asarray(np.flatnonzero((shifts == (dy, dx)).all(axis=1)))
        out[idx] = padded[idx, :, m - dy:m - dy + h, m - dx:m - dx + w]
    return out


def shift_backward(dout, shifts):
    """Gradient of shift_forward: the opposite shift, dx = shift_forward(dout, -shifts).

    Moving by d with zero fill is a linear map whose transpose moves by -d.
    """
    return shift_forward(dout, -np.asarray(shifts))


class RandomShift(Module):
    """Shift each training image by up to max_shift pixels in each direction (no parameters).

    train=True: a new random (dy, dx) per image at every call; train=False: identity.
    seed: an int or np.random.Generator.  x: (N, C, H, W) -> out: (N, C, H, W).
    """

    image_output = True

    def __init__(self, max_shift=2, seed=None):
        super().__init__()
        self.max_shift = checks.integer(max_shift, "max_shift")
        self.rng = np.random.default_rng(seed)
        self._shifts = None

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, x, train=False):
        if not train or self.max_shift == 0:
            self._shifts = None
            return x
        self._shifts = random_shifts(x.shape[0], self.max_shift, self.rng)
        return shift_forward(x, self._shifts)

    def backward(self, dout, input_grad=True):
        if not input_grad:
            return None  # the first layer of a net: its input is data
        if self._shifts is None:
            return dout
        return shift_backward(dout, self._shifts)

    def __repr__(self):
        return f"RandomShift({self.max_shift})"
