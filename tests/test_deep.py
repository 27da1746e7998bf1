"""Lecture 13: residual blocks, 2-D batch norm, random shifts, warm-up and the range test.

Every backward pass is checked against central differences in float64 and, when PyTorch
is installed, against torch.autograd on the same numbers.
"""
import math

import numpy as np
import pytest

from coursekit import Dense, Sequential, backend, optim
from coursekit import augment, normalization as norm, recipe
from coursekit.backend import to_numpy
from coursekit.conv import Conv2D, Flatten, MaxPool2D
from coursekit.gradcheck import check_layer, check_network, numerical_gradient, rel_error
from coursekit.residual import Residual
from coursekit.train import fit

TOL = 1e-7


def _randn(xp, rng, *shape):
    return xp.asarray(rng.standard_normal(shape))


class numpy_backend:
    """The torch comparisons build NumPy arrays: run them on the NumPy backend."""

    def __enter__(self):
        self.prev = backend.name()
        backend.use("numpy")

    def __exit__(self, *exc):
        backend.use(self.prev)


# ------------------------------------------------------------------------- residual

def _dense_block(activation="relu", d=5):
    return Residual([Dense(d, d, "relu", rng=1, dtype=np.float64),
                     Dense(d, d, rng=2, dtype=np.float64)], activation=activation)


@pytest.mark.parametrize("activation", ["relu", "linear", "tanh"])
def test_residual_dense_gradients(xp, rng, activation):
    errors = check_layer(_dense_block(activation), _randn(xp, rng, 4, 5))
    assert set(errors) == {"x", "0.w", "0.b", "1.w", "1.b"}
    assert max(errors.values()) < TOL, errors


def test_residual_conv_block_with_batch_norm_gradients(xp, rng):
    block = Residual([Conv2D(3, 3, 3, padding=1, activation="tanh", rng=1, dtype=np.float64),
                      norm.BatchNorm2D(3, activation="relu", dtype=np.float64),
                      Conv2D(3, 3, 3, padding=1, rng=2, dtype=np.float64)], activation="relu")
    block.params["1.gamma"][...] = xp.asarray(rng.standard_normal(3))  # in place: the layer's array
    errors = check_layer(block, _randn(xp, rng, 2, 3, 5, 5))
    assert max(errors.values()) < TOL, errors


def test_residual_is_x_plus_branch_and_shares_the_layers_arrays(xp, rng):
    block = _dense_block("linear")
    x = _randn(xp, rng, 3, 5)
    f = block.layers[1].forward(block.layers[0].forward(x))
    np.testing.assert_allclose(to_numpy(block.forward(x)), to_numpy(x + f), rtol=1e-12)
    assert block.params["0.w"] is block.layers[0].params["w"]
    assert block.num_params() == sum(l.num_params() for l in block.layers) == 2 * (25 + 5)
    zero = _dense_block("relu")
    zero.layers[1].params["w"][...] = 0.0                  # a zero branch: relu(x + 0) = x for x >= 0
    np.testing.assert_array_equal(to_numpy(zero.forward(xp.abs(x))), to_numpy(xp.abs(x)))


def test_residual_in_a_network_trains_and_checks(rng):
    x = rng.standard_normal((6, 4))
    y = np.array([0, 1, 2, 0, 1, 2])
    net = Sequential([Dense(4, 5, "relu", rng=0, dtype=np.float64), _dense_block("relu"),
                      Dense(5, 3, rng=3, dtype=np.float64)], loss="categorical_cross_entropy")
    assert max(check_network(net, x, y).values()) < TOL
    inner = net.layers[1].layers[0].params["w"]
    before = inner.copy()
    hist = fit(net, x, y, epochs=30, batch_size=6, lr=0.1, progress=False)
    assert not np.array_equal(before, inner), "the optimiser must update the inner layers in place"
    assert hist["loss"][-1] < hist["loss"][0]
    assert "Residual([Dense(5, 5" in repr(net)


def test_residual_errors(xp, rng):
    with pytest.raises(ValueError, match="same shape"):
        Residual([Dense(5, 4, rng=0)]).forward(xp.ones((2, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="same shape"):
        Residual([Conv2D(1, 2, 3, padding=1)]).output_shape((1, 8, 8))
    with pytest.raises(TypeError, match="list of layers"):
        Residual(Dense(5, 5))
    with pytest.raises(ValueError, match="at least one layer"):
        Residual([])
    with pytest.raises(RuntimeError, match="before forward"):
        _dense_block().backward(xp.ones((2, 5)))
    with pytest.raises(ValueError, match="unknown activation"):
        Residual([Dense(5, 5)], activation="relu6")


def test_residual_shapes_in_summary_and_channel_checks():
    block = Residual([Conv2D(4, 4, 3, padding=1, activation="relu"), Conv2D(4, 4, 3, padding=1)],
                     activation="relu")
    assert block.output_shape((4, 6, 6)) == (4, 6, 6)
    net = Sequential([Conv2D(1, 4, 3, padding=1), block, MaxPool2D(2), Flatten(), Dense(36, 2)])
    assert "(None, 4, 6, 6)" in net.summary(input_shape=(1, 6, 6))
    with pytest.raises(ValueError, match="channels do not chain"):
        Sequential([Conv2D(1, 3, 3, padding=1), block])


def test_residual_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    with numpy_backend():
        block = _dense_block("relu", d=4)
        x, dout = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
        out = block.forward(x, train=True)
        dx = block.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tw = {k: torch.tensor(v, requires_grad=True) for k, v in block.params.items()}
    h = torch.relu(tx @ tw["0.w"] + tw["0.b"])
    tout = torch.relu(tx + h @ tw["1.w"] + tw["1.b"])
    (tout * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for k, t in tw.items():
        np.testing.assert_allclose(block.grads[k], t.grad.numpy(), rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------- 2-D batch norm

@pytest.mark.parametrize("channel_first", [False, True])
def test_batchnorm2d_gradients_match_numerical(xp, rng, channel_first):
    x = _randn(xp, rng, 2, 3, 4, 5) * 2 + 1
    if channel_first:  # the layout conv2d_forward leaves: (C, N, H, W) in memory
        x = xp.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    gamma, beta, dout = _randn(xp, rng, 3), _randn(xp, rng, 3), _randn(xp, rng, 2, 3, 4, 5)
    out, cache = norm.batchnorm2d_forward(x, gamma, beta)
    dx, dgamma, dbeta = norm.batchnorm2d_backward(dout, cache)
    assert dx.shape == x.shape and dgamma.shape == dbeta.shape == (3,)
    x = xp.ascontiguousarray(x)  # numerical_gradient perturbs a C-contiguous array in place
    loss = lambda: (norm.batchnorm2d_forward(x, gamma, beta)[0] * dout).sum()
    for analytic, arr in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        assert rel_error(analytic, numerical_gradient(loss, arr)) < TOL


def test_batchnorm2d_normalizes_each_channel_over_batch_and_pixels(xp, rng):
    x = _randn(xp, rng, 6, 4, 5, 5) * xp.asarray([1.0, 2.0, 5.0, 0.5])[None, :, None, None] + 3
    out, _ = norm.batchnorm2d_forward(x, xp.ones(4), xp.zeros(4), eps=0.0)
    out = to_numpy(out)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-12)
    assert not np.allclose(out.std(axis=(0, 1)), 1)  # not per pixel


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh"])
def test_batchnorm2d_module_gradients(xp, rng, activation):
    layer = norm.BatchNorm2D(3, activation=activation, dtype=np.float64)
    layer.params["gamma"][...] = xp.asarray(rng.standard_normal(3))
    layer.params["beta"][...] = xp.asarray(rng.standard_normal(3))
    errors = check_layer(layer, _randn(xp, rng, 3, 3, 4, 4))
    assert max(errors.values()) < TOL, errors


def test_batchnorm2d_running_statistics_and_eval(xp, rng):
    layer = norm.BatchNorm2D(2, momentum=0.8, dtype=np.float64)
    x = _randn(xp, rng, 4, 2, 3, 3) + 2
    layer.forward(x, train=True)
    h = to_numpy(x)
    np.testing.assert_allclose(to_numpy(layer.running_mean), 0.2 * h.mean(axis=(0, 2, 3)), rtol=1e-12)
    unbiased = h.var(axis=(0, 2, 3)) * 36 / 35                       # n = N*H*W = 36 per channel
    np.testing.assert_allclose(to_numpy(layer.running_var), 0.8 + 0.2 * unbiased, rtol=1e-12)
    y = _randn(xp, rng, 5, 2, 3, 3)
    a = to_numpy(layer.forward(y, train=False))
    np.testing.assert_allclose(to_numpy(layer.forward(y[:2], train=False)), a[:2], rtol=1e-12)
    rm, rv = to_numpy(layer.running_mean), to_numpy(layer.running_var)
    expected = (to_numpy(y) - rm[None, :, None, None]) / np.sqrt(rv[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(a, expected, rtol=1e-12)


def test_batchnorm2d_errors_and_conv_bias_gets_no_gradient(xp, rng):
    layer = norm.BatchNorm2D(3, dtype=np.float64)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        layer.forward(xp.ones((2, 4, 3, 3)), train=True)
    with pytest.raises(RuntimeError, match="train=True"):
        layer.backward(xp.ones((2, 3, 3, 3)))
    assert layer.output_shape((3, 5, 5)) == (3, 5, 5)
    with pytest.raises(ValueError, match="channels do not chain"):
        Sequential([Conv2D(1, 4, 3), norm.BatchNorm2D(3)])
    # a bias before batch norm is subtracted again with the mean: its gradient is 0
    conv = Conv2D(2, 3, 3, padding=1, rng=0, dtype=np.float64)
    x = _randn(xp, rng, 4, 2, 5, 5)
    layer.forward(conv.forward(x, train=True), train=True)
    conv.backward(layer.backward(_randn(xp, rng, 4, 3, 5, 5)))
    assert float(abs(conv.grads["b"]).max()) < 1e-12


def test_batchnorm2d_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    with numpy_backend():
        layer = norm.BatchNorm2D(3, momentum=0.9, dtype=np.float64)
        layer.params["gamma"][...] = rng.standard_normal(3)
        layer.params["beta"][...] = rng.standard_normal(3)
        ref = torch.nn.BatchNorm2d(3, momentum=0.1, eps=1e-5).double()
        with torch.no_grad():
            ref.weight.copy_(torch.tensor(layer.params["gamma"]))
            ref.bias.copy_(torch.tensor(layer.params["beta"]))
        for _ in range(3):
            x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
            dout = rng.standard_normal(x.shape)
            out = layer.forward(x, train=True)
            dx = layer.backward(dout)
            tx = torch.tensor(x, requires_grad=True)
            ref.zero_grad()
            tout = ref(tx)
            (tout * torch.tensor(dout)).sum().backward()
            np.testing.assert_allclose(out, tout.detach().numpy(), atol=1e-10)
            np.testing.assert_allclose(dx, tx.grad.numpy(), atol=1e-10)
            np.testing.assert_allclose(layer.grads["gamma"], ref.weight.grad.numpy(), atol=1e-10)
            np.testing.assert_allclose(layer.grads["beta"], ref.bias.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), rtol=1e-12)
        ref.eval()
        x = rng.standard_normal((2, 3, 5, 5))
        np.testing.assert_allclose(layer.forward(x), ref(torch.tensor(x)).detach().numpy(), atol=1e-10)


# --------------------------------------------------------------------- augmentation

def _shift_by_definition(x, shifts):
    """out[n, c, i, j] = x[n, c, i - dy, j - dx], 0 outside: one pixel at a time."""
    out = np.zeros_like(x)
    n, c, h, w = x.shape
    for k, (dy, dx) in enumerate(shifts):
        for i in range(h):
            for j in range(w):
                if 0 <= i - dy < h and 0 <= j - dx < w:
                    out[k, :, i, j] = x[k, :, i - dy, j - dx]
    return out


def test_shift_forward_matches_the_definition(xp, rng):
    x = rng.standard_normal((5, 2, 6, 7))
    shifts = np.array([[0, 0], [1, -2], [-3, 2], [2, 2], [1, -2]])
    out = augment.shift_forward(xp.asarray(x), shifts)
    np.testing.assert_array_equal(to_numpy(out), _shift_by_definition(x, shifts))
    img = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(augment.shift_forward(img, [[1, 0]])[0, 0],
                                  [[0, 0, 0], [0, 1, 2], [3, 4, 5]])  # down by one row


def test_shift_backward_matches_numerical_and_is_the_transpose(xp, rng):
    x, dout = _randn(xp, rng, 3, 2, 5, 5), _randn(xp, rng, 3, 2, 5, 5)
    shifts = augment.random_shifts(3, 2, rng=4)
    dx = augment.shift_backward(dout, shifts)
    num = numerical_gradient(lambda: (augment.shift_forward(x, shifts) * dout).sum(), x)
    assert rel_error(dx, num) < TOL
    lhs = float((augment.shift_forward(x, shifts) * dout).sum())
    assert math.isclose(lhs, float((x * dx).sum()), rel_tol=1e-12)  # <Sx, y> = <x, S^T y>


def test_shift_backward_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, dout = rng.standard_normal((4, 1, 6, 6)), rng.standard_normal((4, 1, 6, 6))
    shifts = augment.random_shifts(4, 2, rng=2)
    tx = torch.tensor(x, requires_grad=True)
    padded = torch.nn.functional.pad(tx, (2, 2, 2, 2))
    tout = torch.stack([padded[k, :, 2 - dy:8 - dy, 2 - dx:8 - dx] for k, (dy, dx) in enumerate(shifts)])
    (tout * torch.tensor(dout)).sum().backward()
    np.testing.assert_array_equal(augment.shift_forward(x, shifts), tout.detach().numpy())
    np.testing.assert_array_equal(augment.shift_backward(dout, shifts), tx.grad.numpy())


def test_shift_errors(xp):
    with pytest.raises(ValueError, match="out of view"):
        augment.shift_forward(xp.ones((1, 1, 3, 3)), [[3, 0]])
    with pytest.raises(ValueError, match="shifts"):
        augment.shift_forward(xp.ones((2, 1, 3, 3)), [[1, 0]])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        augment.shift_forward(xp.ones((2, 9)), [[0, 0], [0, 0]])


def test_random_shift_module(xp, rng):
    layer = augment.RandomShift(2, seed=0)
    x = xp.zeros((200, 1, 7, 7))
    x[:, 0, 3, 3] = 1.0                                   # one bright pixel in the centre
    assert layer.forward(x, train=False) is x and layer.backward(x) is x
    out = to_numpy(layer.forward(x, train=True))
    where = out[:, 0].reshape(200, 49).argmax(axis=1)
    rows, cols = where // 7, where % 7
    assert out.sum() == 200 and set(rows - 3) == set(cols - 3) == {-2, -1, 0, 1, 2}
    dout = _randn(xp, rng, *x.shape)
    np.testing.assert_array_equal(to_numpy(layer.backward(dout)),
                                  to_numpy(augment.shift_backward(dout, layer._shifts)))
    assert layer.backward(dout, input_grad=False) is None
    again = augment.RandomShift(2, seed=0).forward(x, train=True)
    np.testing.assert_array_equal(to_numpy(again), out)            # seeded
    assert not np.array_equal(to_numpy(layer.forward(x, train=True)), out)  # a new draw per call
    assert repr(layer) == "RandomShift(2)" and layer.output_shape((1, 7, 7)) == (1, 7, 7)


# ---------------------------------------------------------------- warm-up, range test

def test_warmup_is_linear_then_hands_over():
    w = recipe.Warmup(4, start=0.2)
    assert [w(t) for t in range(6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    cosine = optim.CosineDecay(10)
    w = recipe.Warmup(5, after=cosine)
    assert [w(5 + t) for t in range(12)] == pytest.approx([cosine(t) for t in range(12)])
    for bad in ({"steps": 0}, {"steps": 3, "start": 1.5}, {"steps": 3, "start": -0.1}):
        with pytest.raises((ValueError, TypeError)):
            recipe.Warmup(**bad)


def test_warmup_matches_torch_linear_lr():
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([p], lr=0.5)
    tsched = torch.optim.lr_scheduler.LinearLR(topt, start_factor=0.1, total_iters=6)
    opt = optim.SGD(lr=0.5, schedule=recipe.Warmup(6, start=0.1))
    for _ in range(9):
        assert opt.current_lr() == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
        opt.step([np.zeros(1)], [np.zeros(1)])
        p.grad = torch.zeros(1)
        topt.step()
        tsched.step()


def _tiny_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    net = Sequential([Dense(3, 8, "relu", rng=0), Dense(8, 2, rng=1)], loss="categorical_cross_entropy")
    return net, x, y


def test_lr_range_test_grows_geometrically_and_restores_the_net():
    net, x, y = _tiny_problem()
    before = net.get_weights()
    r = recipe.lr_range_test(net, x, y, lr_min=1e-4, lr_max=1e-2, steps=20, batch_size=16)
    assert len(r["lr"]) == len(r["loss"]) == len(r["smooth"]) == 20
    assert r["lr"][0] == pytest.approx(1e-4) and r["lr"][-1] == pytest.approx(1e-2)
    assert np.allclose(np.diff(np.log(r["lr"])), math.log(100) / 19)
    assert r["smooth"][0] == pytest.approx(r["loss"][0])   # bias-corrected: no pull towards 0
    for a, b in zip(before, net.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert recipe.suggest_lr(r) == pytest.approx(r["lr"][int(np.argmin(r["smooth"]))] / 10)
    opt = optim.Adam(lr=0.5, schedule=recipe.Warmup(3))    # an instance: its rate and schedule give way
    r = recipe.lr_range_test(net, x, y, lr_min=1e-4, lr_max=1e-2, steps=5, optimizer=opt)
    assert r["lr"][0] == pytest.approx(1e-4) and r["lr"][-1] == pytest.approx(1e-2)


def test_lr_range_test_stops_when_the_loss_blows_up():
    net, x, y = _tiny_problem()
    r = recipe.lr_range_test(net, x, y, lr_min=1e-3, lr_max=1e4, steps=200, batch_size=16)
    assert 0 < len(r["loss"]) < 200
    assert all(math.isfinite(v) for v in r["loss"])
    losses = r["loss"]
    assert all(losses[i] <= 4.0 * min(losses[:i]) for i in range(1, len(losses)))
    with pytest.raises(ValueError, match="lr_max"):
        recipe.lr_range_test(net, x, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="no step"):
        recipe.suggest_lr({"lr": [], "loss": [], "smooth": []})


def test_fit_with_warmup_schedule_trains():
    net, x, y = _tiny_problem()
    opt = optim.Adam(lr=0.05, schedule=recipe.Warmup(8, after=optim.CosineDecay(32)))
    hist = fit(net, x, y, epochs=10, batch_size=16, optimizer=opt, progress=False)
    assert opt.t == 40 and hist["loss"][-1] < hist["loss"][0]


def test_l2_penalty_reaches_the_weights_inside_a_residual_block():
    from coursekit import Sequential, regularization
    net = Sequential([Dense(3, 3, "relu", rng=0, dtype=np.float64),
                      Residual([Dense(3, 3, "relu", rng=1, dtype=np.float64),
                                Dense(3, 3, rng=2, dtype=np.float64)])], loss="mse")
    params = net.parameters()
    zeros = [np.zeros_like(v) for _, _, v in params]
    grads = regularization.penalize(params, zeros, "l2", 0.5)
    for (_, key, v), g in zip(params, grads):
        expected = 0.5 * v if key.rpartition(".")[2] == "w" else np.zeros_like(v)
        assert np.allclose(g, expected), key
    assert {k for _, k, _ in params} >= {"w", "b", "0.w", "1.w", "0.b"}
    total = sum(0.25 * float((v ** 2).sum()) for _, k, v in params if k.endswith("w"))
    assert np.isclose(regularization.penalty(net, "l2", 0.5), total)
