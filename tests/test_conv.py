"""Convolution and pooling (coursekit.conv): shapes, errors, dtypes and gradients.

Gradients are checked twice: against central differences in float64 and against
autograd applied to a naive loop-based reference written with autograd.numpy.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from coursekit import Dense, Sequential, backend, conv
from coursekit.gradcheck import check_layer, numerical_gradient, rel_error


def _rand(xp, rng, shape, dtype=np.float64):
    return xp.asarray(rng.standard_normal(shape), dtype=dtype)


# ---------------------------------------------------------------- naive references (autograd)

def conv_reference(x, w, b, stride, pad):
    """Loops over output pixels; each is a sum over one window: the definition itself."""
    if pad:
        x = anp.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    k = w.shape[2]
    oh, ow = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    rows = []
    for i in range(oh):
        cols = [anp.einsum("ncpq,fcpq->nf", x[:, :, i * stride:i * stride + k,
                                               j * stride:j * stride + k], w) for j in range(ow)]
        rows.append(anp.stack(cols, axis=-1))
    return anp.stack(rows, axis=-2) + b[None, :, None, None]


def pool_reference(x, k, stride, reduce):
    oh, ow = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    return anp.stack([anp.stack([reduce(x[:, :, i * stride:i * stride + k, j * stride:j * stride + k],
                                        axis=(2, 3)) for j in range(ow)], axis=-1)
                      for i in range(oh)], axis=-2)


# ---------------------------------------------------------------- output sizes and errors

@pytest.mark.parametrize("n,k,s,p,expected", [(28, 5, 1, 0, 24), (24, 2, 2, 0, 12), (7, 3, 2, 1, 4),
                                              (5, 3, 1, 1, 5), (4, 4, 1, 0, 1)])
def test_output_size(n, k, s, p, expected):
    assert conv.output_size(n, k, s, p) == expected


@pytest.mark.parametrize("n,k,s,p,msg", [(7, 2, 2, 0, "whole number"), (3, 5, 1, 0, "does not fit"),
                                         (28, 5, 2, 0, "whole number")])
def test_output_size_errors(n, k, s, p, msg):
    with pytest.raises(ValueError, match=msg):
        conv.output_size(n, k, s, p)


def test_shape_errors(xp, rng):
    x = _rand(xp, rng, (2, 3, 8, 8))
    with pytest.raises(ValueError, match="3 channels"):
        conv.conv2d_forward(x, _rand(xp, rng, (4, 2, 3, 3)), xp.zeros(4))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv.conv2d_forward(x[0], _rand(xp, rng, (4, 3, 3, 3)), xp.zeros(4))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv.max_pool_forward(x[0])
    with pytest.raises(ValueError, match="whole number"):
        conv.max_pool_forward(x, 3)                  # 8 - 3 is not a multiple of 3
    with pytest.raises(ValueError, match="col2im"):
        conv.col2im(xp.zeros((27, 10)), (2, 3, 8, 8), 3, 3)


def test_sequential_shape_checks():
    with pytest.raises(ValueError, match="channels do not chain"):
        Sequential([conv.Conv2D(1, 8, 3), conv.Conv2D(4, 8, 3)])
    with pytest.raises(ValueError, match="Flatten"):
        Sequential([conv.Conv2D(1, 8, 3), conv.MaxPool2D(2), Dense(8, 10)])
    net = Sequential([conv.Conv2D(1, 8, 3), conv.MaxPool2D(2), conv.Flatten(), Dense(100, 10)])
    with pytest.raises(ValueError, match=r"expects inputs of shape \(100,\), got \(200,\)"):
        net.summary((1, 12, 12))                     # conv 10 x 10, pool 5 x 5: 8 * 25 = 200
    with pytest.raises(ValueError, match="whole number"):
        net.summary((1, 11, 11))                     # 9 x 9 feature maps do not tile into 2 x 2
    with pytest.raises(ValueError, match=r"\(1, H, W\)"):
        net.summary((3, 12, 12))


def test_seed_network_summary():
    """Seed 003's CNN: the Keras summary counts 289,630 parameters."""
    net = Sequential([conv.Conv2D(1, 20, 5, activation="relu"), conv.MaxPool2D(2), conv.Flatten(),
                      Dense(2880, 100, "tanh"), Dense(100, 10)], loss="categorical_cross_entropy")
    table = net.summary((1, 28, 28))
    assert net.num_params() == 289_630 and "Total params: 289,630" in table
    for shape, params in [("(None, 20, 24, 24)", "520"), ("(None, 20, 12, 12)", "0"),
                          ("(None, 2880)", "0"), ("(None, 100)", "288,100"), ("(None, 10)", "1,010")]:
        assert any(shape in row and row.rstrip().endswith(params) for row in table.splitlines())


# ---------------------------------------------------------------- forward values

def test_im2col_layout_and_adjoint(xp, rng):
    x = _rand(xp, rng, (2, 3, 6, 5))
    cols = conv.im2col(x, 3, 2, stride=1, pad=1)
    oh, ow = conv.output_size(6, 3, 1, 1), conv.output_size(5, 2, 1, 1)
    assert cols.shape == (3 * 3 * 2, 2 * oh * ow)
    xpad = np.pad(backend.to_numpy(x), ((0, 0), (0, 0), (1, 1), (1, 1)))
    n, i, j = 1, 2, 3                                  # one column is one receptive field
    np.testing.assert_array_equal(backend.to_numpy(cols[:, n * oh * ow + i * ow + j]),
                                  xpad[n, :, i:i + 3, j:j + 2].ravel())
    # col2im is the adjoint (transpose) of im2col: <im2col(x), c> = <x, col2im(c)>
    c = _rand(xp, rng, cols.shape)
    lhs, rhs = float((cols * c).sum()), float((x * conv.col2im(c, x.shape, 3, 2, 1, 1)).sum())
    assert abs(lhs - rhs) < 1e-10 * abs(lhs)


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (1, 2), (3, 1)])
def test_conv_forward_matches_reference(xp, rng, stride, pad):
    x, w, b = _rand(xp, rng, (2, 3, 7, 7)), _rand(xp, rng, (4, 3, 3, 3)), _rand(xp, rng, (4,))
    out, _ = conv.conv2d_forward(x, w, b, stride, pad)
    ref = conv_reference(*(backend.to_numpy(a) for a in (x, w, b)), stride, pad)
    np.testing.assert_allclose(backend.to_numpy(out), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 1), (3, 2)])
def test_pool_forward_matches_reference(xp, rng, k, stride):
    x = _rand(xp, rng, (2, 3, 7, 7)) if k != 2 else _rand(xp, rng, (2, 3, 8, 6))
    ref_in = backend.to_numpy(x)
    np.testing.assert_array_equal(backend.to_numpy(conv.max_pool_forward(x, k, stride)[0]),
                                  pool_reference(ref_in, k, stride, np.max))
    np.testing.assert_allclose(backend.to_numpy(conv.avg_pool_forward(x, k, stride)[0]),
                               pool_reference(ref_in, k, stride, np.mean), rtol=1e-12)


# ---------------------------------------------------------------- max-pool ties

def test_max_pool_ties_route_to_one_entry(xp):
    """An all-zero window (digit background) has 4 tied maxima: the gradient goes to one."""
    x = xp.zeros((1, 1, 4, 4), dtype=xp.float32)
    x[0, 0, 3, 3] = 1.0                                 # one window with a unique maximum
    out, cache = conv.max_pool_forward(x, 2)
    dx = backend.to_numpy(conv.max_pool_backward(xp.ones_like(out), cache))
    expected = np.zeros((4, 4), np.float32)
    expected[[0, 0, 2], [0, 2, 0]] = 1.0                # first entry of each tied window
    expected[3, 3] = 1.0
    np.testing.assert_array_equal(dx[0, 0], expected)
    assert dx.sum() == out.size                         # no gradient duplicated or lost


def test_max_pool_ties_overlapping_windows(xp):
    """Stride 1: windows overlap; each still sends its gradient to exactly one pixel."""
    x = xp.zeros((1, 1, 3, 3), dtype=xp.float64)
    out, cache = conv.max_pool_forward(x, 2, stride=1)
    dout = xp.asarray([[[[1.0, 2.0], [4.0, 8.0]]]])
    dx = backend.to_numpy(conv.max_pool_backward(dout, cache))
    # window (i, j) picks its top-left pixel (i, j)
    np.testing.assert_array_equal(dx[0, 0], [[1, 2, 0], [4, 8, 0], [0, 0, 0]])


def test_max_pool_backward_on_relu_zeros_is_a_valid_subgradient(xp, rng):
    """After ReLU many windows are all zero: dx sums to dout's sum, window by window."""
    x = xp.maximum(_rand(xp, rng, (3, 2, 6, 6), xp.float32) - 1.0, 0)
    out, cache = conv.max_pool_forward(x, 2)
    dout = _rand(xp, rng, out.shape, xp.float32)
    dx = conv.max_pool_backward(dout, cache)
    window_sums = dx.reshape(3, 2, 3, 2, 3, 2).sum(axis=(3, 5))
    np.testing.assert_allclose(backend.to_numpy(window_sums), backend.to_numpy(dout), rtol=1e-6)
    assert int((dx != 0).sum()) == int((dout != 0).sum())


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (1, 1)])
def test_conv_gradients_central_differences(xp, rng, stride, pad):
    layer = conv.Conv2D(2, 3, 3, stride=stride, padding=pad, activation="tanh", rng=0,
                        dtype=np.float64)
    errors = check_layer(layer, _rand(xp, rng, (2, 2, 5, 5)))
    assert set(errors) == {"x", "w", "b"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("cls,k,stride", [(conv.MaxPool2D, 2, 2), (conv.MaxPool2D, 3, 1),
                                          (conv.AvgPool2D, 2, 2), (conv.AvgPool2D, 3, 2)])
def test_pool_gradients_central_differences(xp, rng, cls, k, stride):
    x = _rand(xp, rng, (2, 2, 7, 7) if k == 3 else (2, 2, 6, 6))
    errors = check_layer(cls(k, stride), x)
    assert errors["x"] < 1e-7, errors


def test_flatten_gradient(xp, rng):
    assert check_layer(conv.Flatten(), _rand(xp, rng, (2, 3, 2, 2)))["x"] < 1e-7


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1)])
def test_conv_gradients_match_autograd(xp, rng, stride, pad):
    x, w, b = _rand(xp, rng, (2, 2, 7, 7)), _rand(xp, rng, (3, 2, 3, 3)), _rand(xp, rng, (3,))
    out, cache = conv.conv2d_forward(x, w, b, stride, pad)
    dout = _rand(xp, rng, out.shape)
    dx, dw, db = conv.conv2d_backward(dout, cache)
    host = [backend.to_numpy(a) for a in (x, w, b, dout)]
    loss = lambda x_, w_, b_: anp.sum(conv_reference(x_, w_, b_, stride, pad) * host[3])
    for i, ours in enumerate((dx, dw, db)):
        assert rel_error(ours, grad(loss, i)(*host[:3])) < 1e-12


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 1)])
def test_pool_gradients_match_autograd(xp, rng, k, stride):
    x = _rand(xp, rng, (2, 3, 6, 6) if k == 2 else (2, 3, 5, 5))  # continuous: no ties
    for fwd, bwd, reduce in [(conv.max_pool_forward, conv.max_pool_backward, anp.max),
                             (conv.avg_pool_forward, conv.avg_pool_backward, anp.mean)]:
        out, cache = fwd(x, k, stride)
        dout = _rand(xp, rng, out.shape)
        host_dout = backend.to_numpy(dout)
        loss = lambda x_: anp.sum(pool_reference(x_, k, stride, reduce) * host_dout)
        assert rel_error(bwd(dout, cache), grad(loss)(backend.to_numpy(x))) < 1e-12


def test_network_gradients(xp, rng):
    """A small CNN end to end: every parameter gradient against central differences."""
    from coursekit.gradcheck import check_network
    net = Sequential([conv.Conv2D(1, 2, 3, padding=1, activation="tanh", rng=0, dtype=np.float64),
                      conv.MaxPool2D(2), conv.Flatten(),
                      Dense(2 * 3 * 3, 3, rng=1, dtype=np.float64)], loss="categorical_cross_entropy")
    x, y = _rand(xp, rng, (4, 1, 6, 6)), xp.asarray([0, 1, 2, 1])
    assert max(check_network(net, x, y).values()) < 1e-7


# ---------------------------------------------------------------- dtypes

def test_float32_end_to_end(xp, rng):
    """Training dtype in, training dtype out: no hidden float64 anywhere."""
    net = Sequential([conv.Conv2D(1, 4, 3, activation="relu", rng=0), conv.MaxPool2D(2),
                      conv.Conv2D(4, 2, 3, padding=1, rng=1), conv.AvgPool2D(2), conv.Flatten(),
                      Dense(2 * 3 * 3, 5, rng=2)], loss="categorical_cross_entropy")
    x = _rand(xp, rng, (3, 1, 14, 14), xp.float32)
    activations = [x]
    for layer in net.layers:
        activations.append(layer.forward(activations[-1], train=True))
    assert all(a.dtype == xp.float32 for a in activations)
    dout = xp.ones_like(activations[-1])
    for layer in reversed(net.layers):
        dout = layer.backward(dout)
        assert dout.dtype == xp.float32, layer
    assert all(layer.grads[k].dtype == xp.float32 for layer, k, _ in net.parameters())
    assert all(v.dtype == xp.float32 for _, _, v in net.parameters())


def test_modules_reject_backward_before_forward():
    for layer in (conv.Conv2D(1, 1, 3), conv.MaxPool2D(), conv.AvgPool2D(), conv.Flatten()):
        with pytest.raises(RuntimeError, match="before forward"):
            layer.backward(np.zeros((1, 1, 2, 2), np.float32))


def test_numerical_gradient_helper_sees_pooling_kink(xp):
    """Sanity: on ties the one-hot subgradient differs from a symmetric difference."""
    x = xp.zeros((1, 1, 2, 2))
    f = lambda: conv.max_pool_forward(x, 2)[0].sum()
    num = numerical_gradient(f, x)
    assert num.sum() == pytest.approx(2.0, abs=1e-6)   # (h - 0)/2h at each tied entry: 4 * 0.5


@pytest.mark.parametrize("k, stride", [(2, 2), (3, 2)])
def test_max_pool_on_conv_layout_matches_a_contiguous_copy(xp, rng, k, stride):
    """conv2d_forward returns (N, F, ..) read from (F, N, ..) memory; pooling keeps that
    layout for speed, and must give the same values and gradients as on a C-ordered copy."""
    n = 8 if k == 2 else 7  # windows must tile the image
    mem = xp.asarray(rng.standard_normal((3, 2, n, n)).round(1))  # rounding makes ties
    x = mem.transpose(1, 0, 2, 3)
    out, cache = conv.max_pool_forward(x, k, stride)
    ref, ref_cache = conv.max_pool_forward(xp.ascontiguousarray(x), k, stride)
    dout = xp.asarray(rng.standard_normal(ref.shape))
    np.testing.assert_array_equal(backend.to_numpy(out), backend.to_numpy(ref))
    np.testing.assert_array_equal(backend.to_numpy(conv.max_pool_backward(dout, cache)),
                                  backend.to_numpy(conv.max_pool_backward(dout, ref_cache)))
