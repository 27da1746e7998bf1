"""coursekit core: activations, losses, the dense layer and Sequential.

Every derivative is checked twice: against central differences in float64 and
against autograd, which differentiates the same formula written independently.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad

import coursekit as ck
from coursekit import activations, gradcheck, layers, losses

TOL = 1e-7

# the same functions written with autograd.numpy, straight from their definitions
AUTOGRAD_ACTIVATIONS = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0),
    "leaky_relu": lambda z: anp.where(z >= 0, z, 0.01 * z),
    "elu": lambda z: anp.where(z > 0, z, anp.exp(z) - 1),
    "softplus": lambda z: anp.log(1 + anp.exp(z)),
}


def _points(rng):
    z = rng.uniform(-4, 4, size=50)
    return z[np.abs(z) > 1e-3]  # keep away from the kinks of relu-like functions


@pytest.mark.parametrize("name", sorted(AUTOGRAD_ACTIVATIONS))
def test_activation_derivative_matches_finite_differences_and_autograd(name, rng, xp):
    f, f_prime = activations.get(name)
    z = _points(rng)
    zx = xp.asarray(z)
    analytic = ck.to_numpy(f_prime(zx))
    numeric = np.array([gradcheck.numerical_gradient(lambda: f(zi).sum(), zi)[0]
                        for zi in (xp.asarray([v]) for v in z)])
    assert gradcheck.rel_error(analytic, numeric) < TOL
    auto = elementwise_grad(AUTOGRAD_ACTIVATIONS[name])(z)
    assert gradcheck.rel_error(analytic, auto) < TOL
    np.testing.assert_allclose(ck.to_numpy(f(zx)), AUTOGRAD_ACTIVATIONS[name](z), rtol=1e-12)


def test_softmax_backward_matches_autograd(rng, xp):
    z, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    a = activations.softmax(xp.asarray(z))
    dz = activations.softmax_backward(xp.asarray(dout), a)

    def f(z):
        e = anp.exp(z - anp.max(z, axis=1, keepdims=True))
        return anp.sum(e / anp.sum(e, axis=1, keepdims=True) * dout)

    assert gradcheck.rel_error(dz, grad(f)(z)) < TOL
    np.testing.assert_allclose(ck.to_numpy(a).sum(axis=1), 1.0)


def test_sigmoid_and_softplus_do_not_overflow(xp):
    z = xp.asarray([-1e4, -50.0, 0.0, 50.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = ck.to_numpy(activations.sigmoid(z))
        sp = ck.to_numpy(activations.softplus(z))
    np.testing.assert_allclose(s, [0, 1.9287498479639178e-22, 0.5, 1, 1], rtol=1e-12)
    np.testing.assert_allclose(sp[[2, 4]], [np.log(2), 1e4])


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'.*sigmoid"):
        activations.get("sigmod")
    with pytest.raises(ValueError, match="valid names"):
        ck.Dense(2, 3, activation="swish")


# ---- losses -----------------------------------------------------------------

def _autograd_losses(y):
    return {
        "mse": lambda p: anp.mean((p - y) ** 2),
        "mae": lambda p: anp.mean(anp.abs(p - y)),
        "binary_cross_entropy": lambda z: -anp.mean(
            y * anp.log(1 / (1 + anp.exp(-z))) + (1 - y) * anp.log(1 - 1 / (1 + anp.exp(-z)))),
    }


@pytest.mark.parametrize("name", ["mse", "mae", "binary_cross_entropy"])
def test_elementwise_loss_gradients(name, rng, xp):
    pred = rng.normal(size=(6, 1))
    y = (rng.uniform(size=(6, 1)) > 0.5).astype(float) if name != "mse" else rng.normal(size=(6, 1))
    p, yx = xp.asarray(pred), xp.asarray(y)
    loss, dloss = losses.get(name)(p, yx)
    numeric = gradcheck.numerical_gradient(lambda: losses.get(name)(p, yx)[0], p)
    assert gradcheck.rel_error(dloss, numeric) < TOL
    ref = _autograd_losses(y)[name]
    assert gradcheck.rel_error(dloss, grad(ref)(pred)) < TOL
    assert abs(float(loss) - ref(pred)) < 1e-12


@pytest.mark.parametrize("one_hot", [False, True])
def test_categorical_cross_entropy_gradient(one_hot, rng, xp):
    z = rng.normal(size=(5, 4)) * 3
    labels = rng.integers(0, 4, size=5)
    y = np.eye(4)[labels] if one_hot else labels
    zx, yx = xp.asarray(z), xp.asarray(y)
    loss, dz = losses.categorical_cross_entropy(zx, yx)
    numeric = gradcheck.numerical_gradient(lambda: losses.categorical_cross_entropy(zx, yx)[0], zx)
    assert gradcheck.rel_error(dz, numeric) < TOL

    def ref(z):
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(anp.sum(np.eye(4)[labels] * logp, axis=1))

    assert gradcheck.rel_error(dz, grad(ref)(z)) < TOL
    assert abs(float(loss) - ref(z)) < 1e-12


def test_cross_entropies_stay_finite_for_huge_logits(xp):
    z = xp.asarray([[1e4], [-1e4], [1e4], [-1e4]])
    y = xp.asarray([[1.0], [0.0], [0.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dz = losses.binary_cross_entropy(z, y)
    assert abs(float(loss) - 1e4 / 2) < 1e-6  # two right (loss 0), two wrong (loss 1e4)
    np.testing.assert_allclose(ck.to_numpy(dz).ravel(), [0, 0, 0.25, -0.25])
    zc = xp.asarray([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dz = losses.categorical_cross_entropy(zc, xp.asarray([0, 0]))
    assert abs(float(loss) - 1e4) < 1e-6 and np.isfinite(ck.to_numpy(dz)).all()


def test_loss_shape_errors_name_both_shapes(xp):
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\)"):
        losses.mse(xp.zeros((3, 1)), xp.zeros(3))
    with pytest.raises(ValueError, match="2 rows of logits but 3 labels"):
        losses.categorical_cross_entropy(xp.zeros((2, 4)), xp.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'.*categorical_cross_entropy"):
        losses.get("cross_entropy")


# ---- dense layer and network ---------------------------------------------------

def test_dense_backward_matches_finite_differences_and_autograd(rng, xp):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dz = rng.normal(size=(4, 2))
    dx, dw, db = layers.dense_backward(xp.asarray(dz), layers.dense_forward(
        xp.asarray(x), xp.asarray(w), xp.asarray(b))[1])
    f = lambda x, w, b: anp.sum((anp.dot(x, w) + b) * dz)
    for i, g in enumerate((dx, dw, db)):
        assert gradcheck.rel_error(g, grad(f, i)(x, w, b)) < TOL
    layer = ck.Dense(3, 2, activation="tanh", rng=0, dtype=np.float64)
    errors = gradcheck.check_layer(layer, xp.asarray(x))
    assert set(errors) == {"x", "w", "b"} and max(errors.values()) < TOL, errors


def _mlp(loss, n_out, act="tanh"):
    return ck.Sequential([ck.Dense(3, 5, act, rng=1, dtype=np.float64),
                          ck.Dense(5, 4, "sigmoid", rng=2, dtype=np.float64),
                          ck.Dense(4, n_out, rng=3, dtype=np.float64)], loss=loss)


@pytest.mark.parametrize("loss,n_out", [("mse", 2), ("binary_cross_entropy", 1),
                                        ("categorical_cross_entropy", 3)])
def test_network_gradients_match_finite_differences_and_autograd(loss, n_out, rng, xp):
    x = rng.normal(size=(7, 3))
    y = {"mse": rng.normal(size=(7, 2)), "binary_cross_entropy": rng.integers(0, 2, 7) * 1.0,
         "categorical_cross_entropy": rng.integers(0, 3, 7)}[loss]
    net = _mlp(loss, n_out)
    errors = gradcheck.check_network(net, xp.asarray(x), xp.asarray(y))
    assert max(errors.values()) < TOL, errors

    # the same network, written once more with autograd
    ws = [ck.to_numpy(p) for _, _, p in net.parameters()]

    def cost(ws):
        a = anp.tanh(anp.dot(x, ws[0]) + ws[1])
        a = 1 / (1 + anp.exp(-(anp.dot(a, ws[2]) + ws[3])))
        z = anp.dot(a, ws[4]) + ws[5]
        if loss == "mse":
            return anp.mean((z - y) ** 2)
        if loss == "binary_cross_entropy":
            return anp.mean(anp.log(1 + anp.exp(z[:, 0])) - y * z[:, 0])
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(logp[np.arange(7), y])

    auto = grad(cost)(ws)
    net.loss_and_grads(xp.asarray(x), xp.asarray(y))
    for (layer, k, _), g in zip(net.parameters(), auto):
        assert gradcheck.rel_error(layer.grads[k], g) < TOL


def test_network_shape_errors_name_expected_and_actual(xp):
    net = ck.Sequential([ck.Dense(2, 3, "relu"), ck.Dense(3, 1)], loss="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 2\), got \(4, 3\)"):
        net.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="4 input rows but 3 targets"):
        net.fit(np.zeros((4, 2)), np.zeros(3), epochs=1, progress=False)
    with pytest.raises(ValueError, match="do not chain.*outputs 3 values.*expects 4"):
        ck.Sequential([ck.Dense(2, 3), ck.Dense(4, 1)])


def test_fit_is_seeded_keeps_float32_and_learns_xor(xp):
    x, y = ck.data.logic_gate("XOR")

    def run():
        net = ck.Sequential([ck.Dense(2, 4, "tanh", rng=1), ck.Dense(4, 1, rng=2)],
                            loss="binary_cross_entropy")
        hist = net.fit(x, y, epochs=300, batch_size=2, lr=0.5, seed=7, progress=False)
        return net, hist

    (net, h1), (_, h2) = run(), run()
    assert h1["loss"] == h2["loss"]  # same seed, same shuffles, same numbers
    assert h1["loss"][-1] < h1["loss"][0] / 10 and h1["accuracy"][-1] == 1.0
    assert all(p.dtype == np.float32 for _, _, p in net.parameters())
    assert net.predict_proba(x).dtype == np.float32
    np.testing.assert_array_equal(ck.to_numpy(net.predict(x)), [0, 1, 1, 0])
    assert net.evaluate(x, y)["accuracy"] == 1.0


def test_fit_progress_bar_and_validation_history(capsys):
    x, y = ck.data.logic_gate("AND")
    net = ck.Sequential([ck.Dense(2, 1)], loss="binary_cross_entropy")
    h = net.fit(x, y, epochs=3, batch_size=4, validation_data=(x, y), progress=True)
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in h.values())
    assert "epochs" in capsys.readouterr().err  # tqdm writes to stderr


def test_summary_counts_parameters():
    net = ck.Sequential([ck.Dense(784, 100, "tanh"), ck.Dense(100, 10)],
                        loss="categorical_cross_entropy")
    assert net.num_params() == 784 * 100 + 100 + 100 * 10 + 10
    assert "Total params: 79,510" in net.summary()


def test_gradcheck_catches_a_wrong_gradient(monkeypatch, rng):
    """A planted bug: sigma'(z) replaced by sigma(z). The checker must see it."""
    net = _mlp("mse", 2, act="sigmoid")
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    assert max(gradcheck.check_network(net, x, y).values()) < TOL
    monkeypatch.setitem(activations.ACTIVATIONS, "sigmoid",
                        (activations.sigmoid, activations.sigmoid))
    assert max(gradcheck.check_network(net, x, y).values()) > 1e-2


def test_rel_error_and_numerical_gradient():
    assert gradcheck.rel_error(np.ones(3), np.ones(3)) == 0
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        gradcheck.rel_error(np.ones(3), np.ones(2))
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda: (x ** 3).sum(), x),
                               3 * x ** 2, rtol=1e-8)
    with pytest.raises(ValueError, match="C-contiguous"):
        gradcheck.numerical_gradient(lambda: 0.0, np.ones((3, 3))[:, 0])


def test_training_skips_only_the_data_gradient(rng):
    """loss_and_grads skips dC/dx of the data; every parameter gradient is unchanged."""
    net = _mlp("mse", 2)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    _, dout = net.loss(x, y, train=True)
    dx = net.backward(dout)
    assert dx.shape == x.shape
    full = [layer.grads[k].copy() for layer, k, _ in net.parameters()]
    net.loss_and_grads(x, y)
    for (layer, k, _), g in zip(net.parameters(), full):
        np.testing.assert_array_equal(layer.grads[k], g)
    assert net.backward(dout, input_grad=False) is None


def test_fit_reports_the_mean_of_the_minibatch_losses_and_evaluates_only_when_asked():
    """Default: 'loss' and 'accuracy' average the minibatches, each measured just before its
    step (Keras's convention, no extra pass); evaluate_train=True measures the whole set."""
    from coursekit import optim, train
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2)).astype(np.float32)
    y = (x[:, 0] > x[:, 1]).astype(np.int64)

    def net():
        return ck.Sequential([ck.Dense(2, 8, "tanh", rng=1), ck.Dense(8, 2, rng=2)],
                             loss="categorical_cross_entropy")

    hand, total, hits = net(), 0.0, 0
    sgd = optim.SGD(lr=0.1)
    for idx in train.minibatches(50, 16, np.random.default_rng(3)):  # fit's batches for seed 3
        total += float(hand.loss_and_grads(x[idx], y[idx])) * len(idx)
        hits += int((hand.labels(hand.out) == y[idx]).sum())
        sgd.step([v for _, _, v in hand.parameters()],
                 [layer.grads[k] for layer, k, _ in hand.parameters()])
    fitted = net()
    h = fitted.fit(x, y, epochs=1, batch_size=16, seed=3, progress=False)
    assert h["loss"] == [pytest.approx(total / 50)] and h["accuracy"] == [hits / 50]
    for a, b in zip(fitted.get_weights(), hand.get_weights()):
        np.testing.assert_array_equal(a, b)
    evaluated = net()
    h = evaluated.fit(x, y, epochs=2, batch_size=16, seed=3, progress=False,
                      evaluate_train=True, validation_data=(x, y))
    assert h["loss"][-1] == pytest.approx(evaluated.evaluate(x, y)["loss"]) == h["val_loss"][-1]
    assert h["accuracy"] == h["val_accuracy"]
