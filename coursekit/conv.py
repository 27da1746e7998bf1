"""Convolution and pooling: im2col function pairs and their modules (lectures 11, 12).

Images are NCHW: x has shape (N, C, H, W) = (batch, channels, height, width).
A convolution becomes one matrix product: ``im2col`` copies every receptive
field into a column, so that

    out[n, f, i, j] = sum_{c,p,q} w[f, c, p, q] x[n, c, S i + p, S j + q] + b[f]

is ``w.reshape(F, -1) @ cols``. ``col2im`` is its adjoint: it adds each column
back onto the pixels it came from (pixels shared by overlapping windows collect
several contributions). Pooling takes the max or mean over the same windows.

``*_forward`` returns (out, cache), ``*_backward`` takes dout and the cache.
"""
import math

from . import activations, checks, init
from .backend import DEFAULT_DTYPE, array_module, xp
from .base import Activated, Module


def output_size(n, k, stride=1, pad=0):
    """Output length of a window of size k sliding over n (+ 2 pad) inputs.

    n_out = (n + 2 pad - k) / stride + 1;  raises ValueError unless it is a whole number >= 1.
    """
    _check_window(n, k, stride, pad)
    span = n + 2 * pad - k
    if span < 0:
        raise ValueError(f"window of size {k} does not fit in an input of size {n} "
                         f"with padding {pad}")
    if span % stride:
        raise ValueError(f"(n + 2P - K) / S = ({n} + 2*{pad} - {k}) / {stride} is not a "
                         f"whole number: choose stride and padding so the windows tile the input")
    return span // stride + 1


def _check_window(n, k, stride, pad):
    """Whole numbers: n, k, stride >= 1 and pad >= 0 (stride 0 would divide by zero)."""
    checks.positive_int(n, "the input size n")
    checks.positive_int(k, "the window size k")
    checks.positive_int(stride, "stride")
    checks.integer(pad, "pad")


def _windows(x, kh, kw, stride):
    """A read-only view (N, C, OH, OW, KH, KW) of every kh x kw window of x (no copy)."""
    swv = array_module(x).lib.stride_tricks.sliding_window_view
    return swv(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _check_image(x, what):
    if checks.array(x, f"{what}: x").ndim != 4:
        raise ValueError(f"{what} expects images of shape (N, C, H, W), got {x.shape}")


def _pad(x, pad):
    if pad == 0:
        return x
    return array_module(x).pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def im2col(x, kh, kw, stride=1, pad=0):
    """Receptive fields as columns.   x: (N, C, H, W) -> cols: (C*KH*KW, N*OH*OW).

    Column n*OH*OW + i*OW + j holds the window under output pixel (i, j) of image n,
    ordered (c, p, q) like a row of the flattened weights w.reshape(F, C*KH*KW).
    """
    _check_image(x, "im2col")
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, stride, pad), output_size(w, kw, stride, pad)
    win = _windows(_pad(x, pad), kh, kw, stride)          # (N, C, OH, OW, KH, KW), a view
    # one copy into the order the matrix product wants
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * oh * ow)


def _add_windows(dx, dwin, stride):
    """dx[n, c, S i + p, S j + q] += dwin[n, c, i, j, p, q], in place.

    For one kernel offset (p, q) the windows hit distinct pixels, so a strided
    slice += is exact; the loop over the KH*KW offsets accumulates the overlaps.
    (Fancy indexing a[idx] += v would drop repeated indices: it needs xp.add.at.)
    """
    oh, ow, kh, kw = dwin.shape[2:]
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride] += dwin[:, :, :, :, p, q]
    return dx


def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    """Adjoint of im2col: add each column back onto its window.

    cols: (C*KH*KW, N*OH*OW) -> dx: (N, C, H, W).
    """
    n, c, h, w = x_shape
    oh, ow = output_size(h, kh, stride, pad), output_size(w, kw, stride, pad)
    if cols.shape != (c * kh * kw, n * oh * ow):
        raise ValueError(f"col2im: expected cols of shape {(c * kh * kw, n * oh * ow)} "
                         f"for images {tuple(x_shape)}, got {cols.shape}")
    dwin = cols.reshape(c, kh, kw, n, oh, ow).transpose(3, 0, 4, 5, 1, 2)
    dx = array_module(cols).zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    _add_windows(dx, dwin, stride)
    return dx[:, :, pad:pad + h, pad:pad + w] if pad else dx


def conv2d_forward(x, w, b, stride=1, pad=0):
    """2-D convolution (cross-correlation, as in every framework) via im2col.

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,) -> out: (N, F, OH, OW),
    OH = (H + 2P - KH) / S + 1.   out = w_mat @ cols + b, w_mat = w.reshape(F, C*KH*KW).
    """
    _check_conv(x, w, b)
    f, c, kh, kw = w.shape
    n = x.shape[0]
    oh, ow = output_size(x.shape[2], kh, stride, pad), output_size(x.shape[3], kw, stride, pad)
    cols = im2col(x, kh, kw, stride, pad)                     # (C*KH*KW, N*OH*OW)
    out = w.reshape(f, -1) @ cols                             # one matrix product: (F, N*OH*OW)
    out += b[:, None]                                         # in place: no second large array
    # (F, N, OH, OW) in memory, read as NCHW: a view; elementwise ops keep this layout
    out = out.reshape(f, n, oh, ow).transpose(1, 0, 2, 3)
    return out, (x.shape, cols, w, stride, pad)


def _check_conv(x, w, b):
    """x: (N, C, H, W) images, w: (F, C, KH, KW) filters, b: (F,) biases."""
    f, c = checks.array(w, "conv2d: w", kind="f", shape=("F", "C", "KH", "KW")).shape[:2]
    checks.array(b, "conv2d: b", kind="f", shape=(f,))  # one bias per filter: (F,)
    _check_image(x, "conv2d")
    if x.shape[1] != c:
        raise ValueError(f"conv2d: input has {x.shape[1]} channels but the filters "
                         f"{tuple(w.shape)} expect {c}")


def conv2d_backward(dout, cache, input_grad=True):
    """Gradients of conv2d.   dout: (N, F, OH, OW) -> dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).

    dw = dout_mat cols^T,  db = row sums of dout_mat,  dx = col2im(w_mat^T dout_mat),
    with dout_mat: (F, N*OH*OW), columns ordered like those of cols.
    With input_grad=False dx is None: a first layer's input is data and needs no gradient.
    """
    x_shape, cols, w, stride, pad = cache
    f, c, kh, kw = w.shape
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(f, -1)      # a view when dout is (F, N, ..) in memory
    dw = (dout_mat @ cols.T).reshape(w.shape)
    db = dout_mat.sum(axis=1)
    if not input_grad:
        return None, dw, db
    dx = col2im(w.reshape(f, -1).T @ dout_mat, x_shape, kh, kw, stride, pad)
    return dx, dw, db


def _pool_offsets(x, k, stride):
    """The k*k strided views x[:, :, p::S, q::S] (each (N, C, OH, OW)), one per window offset."""
    _check_image(x, "pooling")
    oh, ow = output_size(x.shape[2], k, stride), output_size(x.shape[3], k, stride)
    return [x[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]
            for p in range(k) for q in range(k)]


def max_pool_forward(x, k=2, stride=None):
    """out[n, c, i, j] = max of the k x k window at (S i, S j).   x: (N, C, H, W) -> (N, C, OH, OW).

    stride defaults to k (windows tile the image). The cache keeps, per window, the
    offset p*k + q of its FIRST maximum: on ties exactly one entry wins.
    """
    stride = k if stride is None else stride
    xp_ = array_module(x)
    views = _pool_offsets(x, k, stride)
    out = xp_.copy(views[0])  # order "K": x's layout, e.g. conv's (C, N, ..): loops follow it
    arg = xp_.zeros_like(out, dtype=xp_.int8 if k * k < 128 else xp_.int32)
    for i, v in enumerate(views[1:], start=1):  # k*k whole-array steps, no loop over pixels
        # strictly greater: an earlier tie keeps its place. Offsets only grow, so the
        # max records i where v wins (cheaper than a masked write into a strided array)
        xp_.maximum(arg, (v > out) * arg.dtype.type(i), out=arg)
        xp_.maximum(out, v, out=out)
    return out, (x, arg, k, stride)


def max_pool_backward(dout, cache):
    """dx: each window's dout goes to its one maximum (the first on ties), 0 elsewhere.

    A mask x == max would send the gradient to every tied entry (e.g. the zeros of an
    all-black window) and multiply it: the derivative of max is one-hot.
    """
    x, arg, k, stride = cache
    checks.same_shape(checks.array(dout, "dout"), arg.shape, "dout", " (the pooled output's)")
    xp_ = array_module(dout)
    dx = xp_.zeros_like(x, dtype=dout.dtype)  # x's memory layout, so conv2d_backward can view it
    d = xp_.empty_like(arg, dtype=dout.dtype)
    d[...] = dout                             # in arg's memory layout: the loop runs along both
    for i, view in enumerate(_pool_offsets(dx, k, stride)):
        if stride >= k:                       # windows do not overlap: write, without a read-add
            xp_.multiply(arg == i, d, out=view)
        else:
            view += (arg == i) * d            # overlapping windows add up
    return dx


def avg_pool_forward(x, k=2, stride=None):
    """out[n, c, i, j] = mean of the k x k window at (S i, S j).   x: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = k if stride is None else stride
    views = _pool_offsets(x, k, stride)
    out = views[0].copy()
    for v in views[1:]:
        out += v
    out /= k * k
    return out, (x, k, stride)


def avg_pool_backward(dout, cache):
    """dx: each window's dout shared equally, dout / k^2, by its k^2 inputs."""
    x, k, stride = cache
    out_shape = x.shape[:2] + tuple(output_size(n, k, stride) for n in x.shape[2:])
    checks.same_shape(checks.array(dout, "dout"), out_shape, "dout", " (the pooled output's)")
    dx = array_module(dout).zeros_like(x, dtype=dout.dtype)
    share = dout / (k * k)
    for view in _pool_offsets(dx, k, stride):
        view += share
    return dx


def _pair_to_int(k, what):
    if isinstance(k, (tuple, list)):
        if len(k) != 2 or k[0] != k[1]:
            raise ValueError(f"{what} must be square, e.g. 5 or (5, 5); got {k}")
        k = k[0]
    return checks.positive_int(k, what)


class Conv2D(Activated):
    """Convolution with shared weights and an activation:  a = f(conv(x, w) + b).

    x: (N, C, H, W) -> a: (N, F, OH, OW).  w: (F, C, K, K), b: (F,).
    """

    image_output = True  # Sequential asks for a Flatten() before a Dense layer

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 activation="linear", init_scheme="glorot", rng=None, dtype=DEFAULT_DTYPE):
        super().__init__()
        activations.get(activation)  # fail now, naming the valid activations
        k = _pair_to_int(kernel_size, "kernel_size")
        in_channels = checks.positive_int(in_channels, "in_channels")
        out_channels = checks.positive_int(out_channels, "out_channels")
        stride, padding = checks.positive_int(stride, "stride"), checks.integer(padding, "padding")
        dtype = checks.float_dtype(dtype)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, k
        self.stride, self.padding, self.activation = stride, padding, activation
        shape = (out_channels, in_channels, k, k)
        self.params["w"] = init.weights(shape, in_channels * k * k, out_channels * k * k,
                                        init_scheme, rng, dtype)
        self.params["b"] = xp().zeros(out_channels, dtype=dtype)
        self._cache = None

    def output_shape(self, input_shape):
        """(C, H, W) -> (F, OH, OW), without the batch axis."""
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(f"{self!r} expects inputs of shape ({self.in_channels}, H, W), "
                             f"got {tuple(input_shape)}")
        k, s, p = self.kernel_size, self.stride, self.padding
        return (self.out_channels, output_size(input_shape[1], k, s, p),
                output_size(input_shape[2], k, s, p))

    def _linear_forward(self, x):
        return conv2d_forward(x, self.params["w"], self.params["b"], self.stride, self.padding)

    _linear_backward = staticmethod(conv2d_backward)

    def __repr__(self):
        extra = f", stride={self.stride}" if self.stride != 1 else ""
        extra += f", padding={self.padding}" if self.padding else ""
        return (f"Conv2D({self.in_channels}, {self.out_channels}, {self.kernel_size}{extra}, "
                f"activation={self.activation!r})")


class _Pool2D(Module):
    """Shared shape logic of the pooling modules (no parameters)."""

    name = "Pool2D"
    image_output = True

    def __init__(self, pool_size=2, stride=None):
        super().__init__()
        self.pool_size = _pair_to_int(pool_size, "pool_size")
        self.stride = self.pool_size if stride is None else checks.positive_int(stride, "stride")
        self._cache = None

    def output_shape(self, input_shape):
        """(C, H, W) -> (C, OH, OW)."""
        if len(input_shape) != 3:
            raise ValueError(f"{self!r} expects inputs of shape (C, H, W), got {tuple(input_shape)}")
        c, h, w = input_shape
        k, s = self.pool_size, self.stride
        return (c, output_size(h, k, s), output_size(w, k, s))

    def forward(self, x, train=False):
        out, self._cache = self._forward(x, self.pool_size, self.stride)
        return out

    def backward(self, dout):
        if self._cache is None:
            raise RuntimeError(f"{self.name}.backward called before forward")
        return self._backward(dout, self._cache)

    def __repr__(self):
        extra = f", stride={self.stride}" if self.stride != self.pool_size else ""
        return f"{self.name}({self.pool_size}{extra})"


class MaxPool2D(_Pool2D):
    """Max over k x k windows:  (N, C, H, W) -> (N, C, H/k, W/k) for stride k."""

    name = "MaxPool2D"
    _forward = staticmethod(max_pool_forward)
    _backward = staticmethod(max_pool_backward)


class AvgPool2D(_Pool2D):
    """Mean over k x k windows:  (N, C, H, W) -> (N, C, H/k, W/k) for stride k."""

    name = "AvgPool2D"
    _forward = staticmethod(avg_pool_forward)
    _backward = staticmethod(avg_pool_backward)


class Flatten(Module):
    """(N, C, H, W) -> (N, C*H*W), so that Dense layers can follow (order c, h, w)."""

    def __init__(self):
        super().__init__()
        self._shape = None

    def output_shape(self, input_shape):
        size = 1
        for d in input_shape:
            size *= d
        return (size,)

    def forward(self, x, train=False):
        self._shape = checks.array(x, "Flatten: x").shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        if self._shape is None:
            raise RuntimeError("Flatten.backward called before forward")
        n, size = self._shape[0], math.prod(self._shape[1:])
        checks.same_shape(checks.array(dout, "dout"), (n, size), "dout", " (Flatten's output)")
        return dout.reshape(self._shape)

    def __repr__(self):
        return "Flatten()"
