"""Batch normalization for convolutional layers, per channel (lecture 13b).

A feature map uses the same filter at every pixel, so batch normalization after a
convolution normalizes each channel with ONE mean and variance, taken over the
batch and all pixels (Ioffe & Szegedy 2015, section 3.2):

    mu_c = mean over n, i, j of x[n, c, i, j],   var_c likewise,
    out[n, c, i, j] = gamma_c (x[n, c, i, j] - mu_c) / sqrt(var_c + eps) + beta_c.

That is lecture 9's batch norm applied to the N*H*W rows of x with channels as
columns, so the functions here reshape and call ``regularization.batchnorm_*``.
"""
from . import activations, checks
from . import regularization as reg
from .backend import DEFAULT_DTYPE, array_module
from .base import Module


def _rows(x, c):
    """(N, C, H, W) -> (N*H*W, C): one row per pixel of every image, one column per channel.

    A view when x is stored channel-first, as conv2d_forward leaves it; a copy otherwise.
    """
    if checks.array(x, "x").ndim != 4 or x.shape[1] != c:
        raise ValueError(f"2-D batch norm expects images of shape (N, {c}, H, W), got {x.shape}")
    return array_module(x).moveaxis(x, 1, 0).reshape(c, -1).T


def _images(rows, shape):
    """The inverse of _rows: (N*H*W, C) -> (N, C, H, W)."""
    n, c, h, w = shape
    return array_module(rows).moveaxis(rows.T.reshape(c, n, h, w), 0, 1)


def batchnorm2d_forward(x, gamma, beta, eps=1e-5):
    """Batch norm per channel with the batch statistics.   x: (N, C, H, W), gamma, beta: (C,).

    Returns (out, cache), out: (N, C, H, W); the cache ends with mu and var, (C,) each.
    """
    out, cache = reg.batchnorm_forward(_rows(x, gamma.shape[0]), gamma, beta, eps)
    return _images(out, x.shape), cache


def batchnorm2d_backward(dout, cache):
    """Gradients of batchnorm2d_forward: lecture 9's formulas over the N*H*W rows.

    dout: (N, C, H, W) -> dx: (N, C, H, W), dgamma, dbeta: (C,).
    """
    dx, dgamma, dbeta = reg.batchnorm_backward(_rows(dout, dout.shape[1]), cache)
    return _images(dx, dout.shape), dgamma, dbeta


def batchnorm2d_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """Evaluation mode: the running statistics, each image on its own.   x: (N, C, H, W)."""
    rows = _rows(x, gamma.shape[0])
    return _images(reg.batchnorm_eval(rows, gamma, beta, running_mean, running_var, eps), x.shape)


class BatchNorm2D(reg.BatchNorm):
    """Batch normalization of (N, C, H, W) feature maps per channel, then an activation.

    Conv2D(..., activation="linear") followed by BatchNorm2D(F, activation="relu") is
    the usual order. The running averages follow ``regularization.BatchNorm``, with
    N*H*W values per channel. gamma, beta: (C,).
    """

    image_output = True

    def __init__(self, channels, momentum=0.9, eps=1e-5, activation="linear", dtype=DEFAULT_DTYPE):
        super().__init__(channels, momentum, eps, activation, dtype)
        self.in_channels = self.out_channels = self.n_out

    def forward(self, x, train=False):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:
            z, bn_cache = batchnorm2d_forward(x, gamma, beta, self.eps)
            mu, var, n = bn_cache[3], bn_cache[4], x.size // x.shape[1]
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var * (n / (n - 1))
        else:
            z = batchnorm2d_eval(x, gamma, beta, self.running_mean, self.running_var, self.eps)
            bn_cache = None
        a = activations.forward(self.activation, z)
        self._cache = (bn_cache, z, a)
        return a

    def backward(self, dout):
        if self._cache is None or self._cache[0] is None:
            raise RuntimeError("BatchNorm2D.backward needs a forward pass with train=True first")
        bn_cache, z, a = self._cache
        checks.same_shape(checks.array(dout, "dout"), a.shape, "dout", " (BatchNorm2D's output)")
        dz = activations.backward(self.activation, dout, z, a)
        dx, self.grads["gamma"], self.grads["beta"] = batchnorm2d_backward(dz, bn_cache)
        return dx

    def output_shape(self, input_shape):
        """(C, H, W) -> (C, H, W)."""
        if len(input_shape) != 3 or input_shape[0] != self.n_out:
            raise ValueError(f"{self!r} expects inputs of shape ({self.n_out}, H, W), "
                             f"got {tuple(input_shape)}")
        return tuple(input_shape)

    def __repr__(self):
        act = "" if self.activation == "linear" else f", activation={self.activation!r}"
        return f"BatchNorm2D({self.n_out}, momentum={self.momentum}{act})"
