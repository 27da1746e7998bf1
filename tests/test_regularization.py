"""Lecture 9: dropout, batch norm, penalties, clipping, early stopping, and fit's new options."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from coursekit import Dense, Sequential, backend, regularization as reg
from coursekit.backend import to_numpy
from coursekit.gradcheck import check_layer, numerical_gradient, rel_error
from coursekit.train import fit

TOL = 1e-7


def _randn(xp, rng, *shape):
    return xp.asarray(rng.standard_normal(shape))


# ------------------------------------------------------------------------- dropout

def test_dropout_backward_matches_numerical_and_autograd(xp, rng):
    x, dout = _randn(xp, rng, 6, 5), _randn(xp, rng, 6, 5)
    p, seed = 0.3, 7
    out, cache = reg.dropout_forward(x, p, rng=seed)
    dx = reg.dropout_backward(dout, cache)
    # the same seed gives the same mask, so the loss is a fixed function of x
    num = numerical_gradient(lambda: (reg.dropout_forward(x, p, rng=seed)[0] * dout).sum(), x)
    assert rel_error(dx, num) < TOL
    mask = to_numpy(cache)
    auto = grad(lambda x_: anp.sum(x_ * mask * to_numpy(dout)))(to_numpy(x))
    assert rel_error(dx, auto) < TOL
    assert rel_error(out, to_numpy(x) * mask) < TOL


def test_dropout_mask_values_and_same_mask_on_every_backend(xp):
    x = xp.ones((200, 50))
    out, mask = reg.dropout_forward(x, 0.25, rng=3)
    vals = np.unique(to_numpy(out))
    np.testing.assert_allclose(vals, [0.0, 1 / 0.75])
    ref = (np.random.default_rng(3).random((200, 50)) < 0.75) / 0.75  # host draw: backend-free
    np.testing.assert_array_equal(to_numpy(mask), ref)


def test_dropout_preserves_expectation(xp):
    x = xp.asarray(np.linspace(-2, 3, 40))
    g = np.random.default_rng(0)
    mean = sum(to_numpy(reg.dropout_forward(x, 0.5, g)[0]) for _ in range(4000)) / 4000
    # each unit: mean of 4000 draws of x/0.5 * Bernoulli(0.5): std |x| / sqrt(4000)
    assert np.all(np.abs(mean - to_numpy(x)) < 5 * np.abs(to_numpy(x)) / np.sqrt(4000) + 1e-12)


def test_dropout_module_train_and_eval(xp, rng):
    x = _randn(xp, rng, 8, 6)
    layer = reg.Dropout(0.5, seed=1)
    assert layer.forward(x, train=False) is x
    np.testing.assert_array_equal(to_numpy(layer.backward(2 * x)), to_numpy(2 * x))  # eval: identity
    out = layer.forward(x, train=True)
    dout = _randn(xp, rng, 8, 6)
    dx = layer.backward(dout)
    kept = to_numpy(out) != 0
    np.testing.assert_allclose(to_numpy(dx)[kept], 2 * to_numpy(dout)[kept])
    assert np.all(to_numpy(dx)[~kept] == 0)
    out2 = layer.forward(x, train=True)
    assert not np.array_equal(to_numpy(out), to_numpy(out2)), "each step draws a new mask"
    again = reg.Dropout(0.5, seed=1).forward(x, train=True)
    np.testing.assert_array_equal(to_numpy(out), to_numpy(again))


def test_dropout_rejects_bad_rates(xp):
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="dropout rate"):
            reg.Dropout(p)
        with pytest.raises(ValueError, match="dropout rate"):
            reg.dropout_forward(xp.ones((2, 2)), p)


# ---------------------------------------------------------------------- batch norm

def _bn_autograd(x, gamma, beta, eps=1e-5):
    mu = anp.mean(x, axis=0)
    var = anp.mean((x - mu) ** 2, axis=0)
    return gamma * (x - mu) / anp.sqrt(var + eps) + beta


@pytest.mark.parametrize("shape", [(4, 3), (10, 7), (3, 1)])
def test_batchnorm_backward_matches_numerical_and_autograd(xp, rng, shape):
    x = _randn(xp, rng, *shape) * 3 + 1
    gamma, beta = _randn(xp, rng, shape[1]), _randn(xp, rng, shape[1])
    dout = _randn(xp, rng, *shape)
    out, cache = reg.batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = reg.batchnorm_backward(dout, cache)
    loss = lambda: (reg.batchnorm_forward(x, gamma, beta)[0] * dout).sum()
    for analytic, arr in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        assert rel_error(analytic, numerical_gradient(loss, arr)) < TOL
    d = to_numpy(dout)
    f = lambda x_, g_, b_: anp.sum(_bn_autograd(x_, g_, b_) * d)
    args = [to_numpy(a) for a in (x, gamma, beta)]
    for i, analytic in enumerate((dx, dgamma, dbeta)):
        assert rel_error(analytic, grad(f, i)(*args)) < TOL
    assert rel_error(out, _bn_autograd(*args)) < TOL


def test_batchnorm_output_is_normalized(xp, rng):
    x = _randn(xp, rng, 50, 4) * 5 - 2
    out, _ = reg.batchnorm_forward(x, xp.ones(4), xp.zeros(4), eps=0.0)
    np.testing.assert_allclose(to_numpy(out).mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(to_numpy(out).std(axis=0), 1, atol=1e-12)


@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid"])
def test_batchnorm_module_gradients(xp, rng, activation):
    layer = reg.BatchNorm(5, activation=activation, dtype=np.float64)
    layer.params["gamma"] = _randn(xp, rng, 5)
    layer.params["beta"] = _randn(xp, rng, 5)
    errors = check_layer(layer, _randn(xp, rng, 8, 5))
    assert max(errors.values()) < TOL, errors


def test_batchnorm_running_statistics_update_as_documented(xp, rng):
    layer = reg.BatchNorm(3, momentum=0.8, dtype=np.float64)
    x1, x2 = _randn(xp, rng, 6, 3) + 2, _randn(xp, rng, 4, 3) * 2
    layer.forward(x1, train=True)
    h1 = to_numpy(x1)
    mean = 0.8 * 0 + 0.2 * h1.mean(0)
    var = 0.8 * 1 + 0.2 * h1.var(0, ddof=1)
    np.testing.assert_allclose(to_numpy(layer.running_mean), mean, rtol=1e-12)
    np.testing.assert_allclose(to_numpy(layer.running_var), var, rtol=1e-12)
    layer.forward(x2, train=True)
    h2 = to_numpy(x2)
    np.testing.assert_allclose(to_numpy(layer.running_mean), 0.8 * mean + 0.2 * h2.mean(0), rtol=1e-12)
    np.testing.assert_allclose(to_numpy(layer.running_var), 0.8 * var + 0.2 * h2.var(0, ddof=1),
                               rtol=1e-12)
    before = to_numpy(layer.running_mean).copy()
    layer.forward(x1, train=False)
    np.testing.assert_array_equal(to_numpy(layer.running_mean), before)  # eval does not update


def test_batchnorm_eval_is_deterministic_and_row_independent(xp, rng):
    layer = reg.BatchNorm(4, dtype=np.float64)
    for _ in range(5):
        layer.forward(_randn(xp, rng, 16, 4) * 2 + 1, train=True)
    x = _randn(xp, rng, 10, 4)
    a, b = layer.forward(x, train=False), layer.forward(x, train=False)
    np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    np.testing.assert_allclose(to_numpy(layer.forward(x[:3], train=False)), to_numpy(a)[:3])
    expected = (to_numpy(x) - to_numpy(layer.running_mean)) / np.sqrt(to_numpy(layer.running_var) + 1e-5)
    np.testing.assert_allclose(to_numpy(a), expected, rtol=1e-12)
    # in training mode a row's output depends on the rest of the batch
    t = to_numpy(layer.forward(x, train=True))[:3]
    assert not np.allclose(t, to_numpy(layer.forward(x[:3], train=True)))


def test_batchnorm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    layer = reg.BatchNorm(3, momentum=0.9, dtype=np.float64)
    ref = torch.nn.BatchNorm1d(3, momentum=0.1, eps=1e-5).double()
    for _ in range(3):
        x = rng.standard_normal((8, 3)) * 3 + 1
        with backend_numpy():
            out = layer.forward(np.asarray(x), train=True)
        np.testing.assert_allclose(out, ref(torch.tensor(x)).detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), rtol=1e-12)
    ref.eval()
    x = rng.standard_normal((5, 3))
    np.testing.assert_allclose(layer.forward(x), ref(torch.tensor(x)).detach().numpy(), atol=1e-10)


class backend_numpy:
    def __enter__(self):
        self.prev = backend.name()
        backend.use("numpy")

    def __exit__(self, *exc):
        backend.use(self.prev)


def test_batchnorm_errors(xp):
    layer = reg.BatchNorm(3, dtype=np.float64)
    with pytest.raises(RuntimeError, match="train=True"):
        layer.backward(xp.ones((4, 3)))
    layer.forward(xp.ones((4, 3)), train=False)
    with pytest.raises(RuntimeError, match="train=True"):
        layer.backward(xp.ones((4, 3)))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        layer.forward(xp.ones((4, 2)), train=True)
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        layer.forward(xp.ones((4, 2)), train=False)
    with pytest.raises(ValueError, match="at least 2 rows"):
        layer.forward(xp.ones((1, 3)), train=True)
    with pytest.raises(ValueError, match="momentum"):
        reg.BatchNorm(3, momentum=1.0)
    with pytest.raises(ValueError, match="unknown activation"):
        reg.BatchNorm(3, activation="sigmoidd")


def test_batchnorm_trains_inside_sequential(xp):
    from sklearn.datasets import make_moons
    x, y = make_moons(200, noise=0.1, random_state=0)
    net = Sequential([Dense(2, 16, rng=0), reg.BatchNorm(16, activation="tanh"),
                      Dense(16, 1, rng=1)], loss="binary_cross_entropy")
    hist = fit(net, x, y, epochs=30, batch_size=20, lr=0.5, progress=False)
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert net.evaluate(x, y)["accuracy"] > 0.95  # in inference mode: running statistics


# ----------------------------------------------------------------------- penalties

@pytest.mark.parametrize("name", ["l1", "l2"])
def test_penalty_gradients_match_numerical_and_autograd(xp, rng, name):
    w = _randn(xp, rng, 4, 3)
    lam = 0.37
    value, dw = reg.get_penalty(name)(w, lam)
    assert rel_error(dw, numerical_gradient(lambda: reg.get_penalty(name)(w, lam)[0], w)) < TOL
    ref = (lambda v: lam * anp.sum(anp.abs(v))) if name == "l1" else (lambda v: 0.5 * lam * anp.sum(v * v))
    assert rel_error(dw, grad(ref)(to_numpy(w))) < TOL
    assert value == pytest.approx(float(ref(to_numpy(w))), rel=1e-12)


def test_weight_decay_step_equals_penalty_gradient_step(xp, rng):
    w, dw = _randn(xp, rng, 5, 2), _randn(xp, rng, 5, 2)
    lr, lam = 0.1, 0.03
    expected = to_numpy(w) - lr * (to_numpy(dw) + reg.l2_penalty(to_numpy(w), lam)[1])
    out = reg.weight_decay_step(w, dw, lr, lam)
    assert out is w  # in place, like the optimisers
    np.testing.assert_allclose(to_numpy(w), expected, rtol=1e-13)


def test_penalize_touches_weights_only(xp):
    net = Sequential([Dense(3, 4, rng=0, dtype=np.float64), reg.BatchNorm(4, dtype=np.float64),
                      Dense(4, 2, rng=1, dtype=np.float64)])
    params = net.parameters()
    zeros = [xp.zeros_like(v) for _, _, v in params]
    out = reg.penalize(params, zeros, "l2", 0.5)
    for (_, k, v), g in zip(params, out):
        np.testing.assert_allclose(to_numpy(g), 0.5 * to_numpy(v) if k == "w" else 0)
    total = sum(0.25 * float((to_numpy(v) ** 2).sum()) for _, k, v in params if k == "w")
    assert reg.penalty(net, "l2", 0.5) == pytest.approx(total)
    with pytest.raises(ValueError, match="unknown penalty"):
        reg.penalize(params, zeros, "l3", 0.5)


def test_fit_with_l2_is_weight_decay(xp):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
    net = Sequential([Dense(3, 2, rng=0, dtype=np.float64)])
    w0, b0 = [to_numpy(v).copy() for _, _, v in net.parameters()]
    net.loss_and_grads(xp.asarray(x), xp.asarray(y))
    dw, db = to_numpy(net.layers[0].grads["w"]), to_numpy(net.layers[0].grads["b"])
    fit(net, x, y, epochs=1, batch_size=10, lr=0.1, penalty="l2", lam=0.2, progress=False)
    np.testing.assert_allclose(to_numpy(net.layers[0].params["w"]), (1 - 0.1 * 0.2) * w0 - 0.1 * dw)
    np.testing.assert_allclose(to_numpy(net.layers[0].params["b"]), b0 - 0.1 * db)  # bias: no decay
    with pytest.raises(ValueError, match="unknown penalty"):
        fit(net, x, y, epochs=1, penalty="ridge", progress=False)


def test_fit_defaults_unchanged(xp):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((30, 3)), rng.standard_normal((30, 1))
    h = []
    for kwargs in ({}, {"penalty": "l2", "lam": 0.0, "clip_norm": None}):
        net = Sequential([Dense(3, 4, "tanh", rng=0), Dense(4, 1, rng=1)])
        h.append(fit(net, x, y, epochs=3, progress=False, **kwargs)["loss"])
    assert h[0] == h[1]


# ------------------------------------------------------------------------ clipping

def test_clip_by_norm_preserves_direction(xp, rng):
    grads = [_randn(xp, rng, 3, 4) * 10, _randn(xp, rng, 4)]
    norm = np.sqrt(sum((to_numpy(g) ** 2).sum() for g in grads))
    clipped, before = reg.clip_by_norm(grads, 1.0)
    assert before == pytest.approx(norm)
    assert reg.global_norm(clipped) == pytest.approx(1.0)
    flat = np.concatenate([to_numpy(g).ravel() for g in grads])
    cflat = np.concatenate([to_numpy(g).ravel() for g in clipped])
    cos = flat @ cflat / np.linalg.norm(flat) / np.linalg.norm(cflat)
    assert cos == pytest.approx(1.0, abs=1e-12)
    small, _ = reg.clip_by_norm(grads, 10 * norm)  # below the threshold: unchanged
    for g, s in zip(grads, small):
        np.testing.assert_array_equal(to_numpy(g), to_numpy(s))


def test_clip_by_value_bounds_components_but_bends_direction(xp):
    g = [xp.asarray(np.array([10.0, 0.5, -3.0]))]
    (c,) = reg.clip_by_value(g, 1.0)
    np.testing.assert_array_equal(to_numpy(c), [1.0, 0.5, -1.0])
    a, b = to_numpy(g[0]), to_numpy(c)
    assert a @ b / np.linalg.norm(a) / np.linalg.norm(b) < 0.99


def test_clipping_errors(xp):
    with pytest.raises(ValueError, match="max_norm"):
        reg.clip_by_norm([xp.ones(2)], 0)
    with pytest.raises(ValueError, match="clip_value"):
        reg.clip_by_value([xp.ones(2)], -1)


def test_fit_with_clip_norm_caps_every_step(xp):
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((8, 3)) * 100, rng.standard_normal((8, 1)) * 100
    net = Sequential([Dense(3, 1, rng=0, dtype=np.float64)])
    before = [to_numpy(v).copy() for _, _, v in net.parameters()]
    fit(net, x, y, epochs=1, batch_size=8, lr=0.1, clip_norm=1.0, progress=False)
    step = np.sqrt(sum(((to_numpy(v) - b) ** 2).sum() for (_, _, v), b in zip(net.parameters(), before)))
    assert step == pytest.approx(0.1)  # lr * max_norm: the huge gradient was clipped


# ------------------------------------------------------------------ early stopping

def test_early_stopping_stops_after_patience():
    es = reg.EarlyStopping(monitor="val_loss", patience=2)
    values = [5, 4, 3, 3.5, 2.9, 3.0, 3.1, 1.0]  # 3.5 waits once, 2.9 resets
    history, stopped = {"val_loss": []}, None
    for epoch, v in enumerate(values):
        history["val_loss"].append(v)
        if es(epoch, history):
            stopped = epoch
            break
    assert (stopped, es.best_epoch, es.best_value) == (6, 4, 2.9)  # two epochs without improvement after epoch 4


def test_early_stopping_max_mode_and_min_delta():
    es = reg.EarlyStopping(monitor="val_accuracy", patience=0, mode="max", min_delta=0.05)
    h = {"val_accuracy": []}
    out = []
    for e, v in enumerate([0.5, 0.6, 0.62]):
        h["val_accuracy"].append(v)
        out.append(es(e, h))
    assert out == [False, False, True]  # 0.62 is not 0.05 better than 0.6
    assert es.best_value == 0.6


def test_early_stopping_restores_best_weights_in_fit(xp):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (30, 1))
    y = np.sin(3 * x) + 0.3 * rng.standard_normal((30, 1))
    xv = rng.uniform(-1, 1, (30, 1))
    yv = np.sin(3 * xv) + 0.3 * rng.standard_normal((30, 1))
    net = Sequential([Dense(1, 64, "tanh", rng=0), Dense(64, 64, "tanh", rng=1), Dense(64, 1, rng=2)])
    es = reg.EarlyStopping(patience=20, net=net)
    hist = fit(net, x, y, epochs=3000, batch_size=30, lr=0.2, validation_data=(xv, yv),
               callback=es, progress=False)
    assert es.stopped_epoch is not None and len(hist["val_loss"]) == es.stopped_epoch + 1
    assert net.evaluate(xv, yv)["loss"] == pytest.approx(min(hist["val_loss"]), rel=1e-5)


def test_early_stopping_errors():
    with pytest.raises(KeyError, match="validation_data"):
        reg.EarlyStopping()(0, {"loss": [1.0]})
    with pytest.raises(ValueError, match="mode"):
        reg.EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="patience"):
        reg.EarlyStopping(patience=-1)
