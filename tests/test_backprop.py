"""coursekit.backprop against central differences and against autograd (lectures 5, 6)."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from coursekit import backprop as bp
from coursekit import Dense, Sequential
from coursekit.backend import to_numpy
from coursekit.gradcheck import numerical_gradient, rel_error

TOL = 1e-7

# the same functions written once more with autograd.numpy, so grad() can trace them
A_ACT = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "linear": lambda z: z,
    "softplus": lambda z: anp.log1p(anp.exp(z)),
}


def _scalar_numeric(f, value, h=1e-6):
    return (f(value + h) - f(value - h)) / (2 * h)


# ------------------------------------------------------------------ scalars


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softplus"])
def test_perceptron_grads_match_differences_and_autograd(activation):
    x, y, w, b = 0.7, 0.2, -1.3, 0.4
    f = A_ACT[activation]
    cost = lambda w, b: 0.5 * (f(w * x + b) - y) ** 2
    c, dw, db = bp.perceptron_grads(x, y, w, b, activation)
    assert abs(c - cost(w, b)) < 1e-15
    assert rel_error(np.array(dw), np.array(grad(cost, 0)(w, b))) < 1e-12
    assert rel_error(np.array(db), np.array(grad(cost, 1)(w, b))) < 1e-12
    assert rel_error(np.array(dw), np.array(_scalar_numeric(lambda v: cost(v, b), w))) < TOL
    assert rel_error(np.array(db), np.array(_scalar_numeric(lambda v: cost(w, v), b))) < TOL


def test_perceptron_grads_are_the_formulas_of_the_text():
    # x = 0, w = 0: z = b = 0, a = 1/2, sigma'(0) = 1/4, so delta = (1/2 - y) / 4
    c, dw, db = bp.perceptron_grads(0.0, 1.0, 0.0, 0.0)
    assert (c, dw, db) == (0.125, -0.0, -0.125)


def test_perceptron_grads_work_sample_by_sample(xp, rng):
    x = xp.asarray(rng.standard_normal(6))
    y = xp.asarray(rng.uniform(size=6))
    _, dw, db = bp.perceptron_grads(x, y, 0.8, -0.1)
    for i in range(6):
        _, dwi, dbi = bp.perceptron_grads(float(x[i]), float(y[i]), 0.8, -0.1)
        assert abs(float(dw[i]) - dwi) < 1e-14 and abs(float(db[i]) - dbi) < 1e-14


@pytest.mark.parametrize("hidden,output", [("sigmoid", "sigmoid"), ("sigmoid", "linear"),
                                           ("tanh", "softplus")])
def test_hidden_grads_match_differences_and_autograd(hidden, output):
    x, y = -0.6, 0.9
    theta = {"w1": 1.7, "b1": -0.3, "w2": -2.1, "b2": 0.5}
    f1, f2 = A_ACT[hidden], A_ACT[output]

    def cost(w1, b1, w2, b2):
        return 0.5 * (f2(w2 * f1(w1 * x + b1) + b2) - y) ** 2

    got = bp.hidden_grads(x, y, theta, hidden, output)
    args = [theta[k] for k in ("w1", "b1", "w2", "b2")]
    for i, k in enumerate(("w1", "b1", "w2", "b2")):
        auto = grad(cost, i)(*args)
        assert rel_error(np.array(got[k]), np.array(auto)) < 1e-12, k

        def along_k(v, i=i):
            shifted = list(args)
            shifted[i] = v
            return cost(*shifted)
        assert rel_error(np.array(got[k]), np.array(_scalar_numeric(along_k, args[i]))) < TOL, k


def test_hidden_grads_equal_a_chain_of_two():
    theta = {"w1": 0.3, "b1": 0.1, "w2": -1.2, "b2": 0.7}
    got = bp.hidden_grads(1.5, 0.0, theta)
    dws, dbs = bp.chain_grads(1.5, 0.0, [0.3, -1.2], [0.1, 0.7])
    assert [got["w1"], got["w2"]] == dws and [got["b1"], got["b2"]] == dbs


def test_chain_grads_match_autograd_for_a_deep_chain(rng):
    ws, bs = list(rng.standard_normal(8) * 2), list(rng.standard_normal(8))
    x, y = 0.4, -0.2

    def cost(ws, bs):
        a = x
        for w, b in zip(ws, bs):
            a = anp.tanh(w * a + b)
        return 0.5 * (a - y) ** 2

    dws, dbs = bp.chain_grads(x, y, ws, bs, "tanh")
    assert rel_error(np.array(dws), np.array(grad(cost, 0)(ws, bs))) < 1e-12
    assert rel_error(np.array(dbs), np.array(grad(cost, 1)(ws, bs))) < 1e-12


def test_chain_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="2 weights, 3 biases"):
        bp.chain_forward(0.0, [1.0, 1.0], [0.0, 0.0, 0.0])


# ----------------------------------------------------------------- matrices

CASES = [
    ([3, 5, 4, 2], ["tanh", "sigmoid", "linear"], "mse"),
    ([2, 2, 1], "sigmoid", "mse"),
    ([4, 6, 1], ["relu", "linear"], "binary_cross_entropy"),
    ([3, 5, 4, 3], ["softplus", "elu", "linear"], "categorical_cross_entropy"),
]


def _targets(cost, n, n_out, rng):
    if cost == "binary_cross_entropy":
        return rng.integers(0, 2, n).astype(np.float64)
    if cost == "categorical_cross_entropy":
        return rng.integers(0, n_out, n)
    return rng.standard_normal((n, n_out))


@pytest.mark.parametrize("sizes,activation,cost", CASES)
def test_backprop_matches_central_differences(xp, rng, sizes, activation, cost):
    weights, biases = bp.init_network(sizes, rng, dtype=np.float64)
    x = xp.asarray(rng.standard_normal((7, sizes[0])) + 0.1)  # relu: no z exactly at 0
    y = xp.asarray(_targets(cost, 7, sizes[-1], rng))
    errors = bp.gradient_errors(x, y, weights, biases, activation, cost)
    assert set(errors) == {f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"}
    assert max(errors.values()) < TOL, errors


def test_backprop_matches_autograd(rng):
    sizes, names = [3, 5, 4, 2], ["tanh", "sigmoid", "linear"]
    weights, biases = bp.init_network(sizes, rng, dtype=np.float64)
    x, y = rng.standard_normal((9, 3)), rng.standard_normal((9, 2))

    def cost(params):
        a = x
        for (w, b), name in zip(params, names):
            a = A_ACT[name](anp.dot(a, w) + b)
        return anp.mean((a - y) ** 2)

    auto = grad(cost)(list(zip(weights, biases)))
    nabla_w, nabla_b = bp.backprop(x, y, weights, biases, names, "mse")
    for l, (gw, gb) in enumerate(auto):
        assert rel_error(nabla_w[l], gw) < 1e-12 and rel_error(nabla_b[l], gb) < 1e-12


def test_backprop_agrees_with_sequential(xp, rng):
    net = Sequential([Dense(2, 4, "tanh", rng=1, dtype=np.float64),
                      Dense(4, 1, "linear", rng=2, dtype=np.float64)], loss="binary_cross_entropy")
    x = xp.asarray(rng.standard_normal((10, 2)))
    y = xp.asarray(rng.integers(0, 2, 10).astype(np.float64))
    net.loss_and_grads(x, y)
    weights = [l.params["w"] for l in net.layers]
    biases = [l.params["b"] for l in net.layers]
    nabla_w, nabla_b = bp.backprop(x, y, weights, biases, ["tanh", "linear"], "binary_cross_entropy")
    for l, layer in enumerate(net.layers):
        assert rel_error(nabla_w[l], layer.grads["w"]) < 1e-12
        assert rel_error(nabla_b[l], layer.grads["b"]) < 1e-12


def test_feedforward_returns_zs_and_activations(xp, rng):
    weights, biases = bp.init_network([2, 3, 1], rng, dtype=np.float64)
    x = xp.asarray(rng.standard_normal((4, 2)))
    zs, acts = bp.feedforward(x, weights, biases, ["tanh", "linear"])
    assert [z.shape for z in zs] == [(4, 3), (4, 1)]
    assert acts[0] is x and [a.shape for a in acts[1:]] == [(4, 3), (4, 1)]
    np.testing.assert_allclose(to_numpy(acts[1]), np.tanh(to_numpy(x) @ to_numpy(weights[0])))


def test_float32_stays_float32(xp, rng):
    weights, biases = bp.init_network([2, 3, 1], rng, dtype=np.float32)
    x = xp.asarray(rng.standard_normal((4, 2)), dtype=np.float32)
    y = xp.asarray(rng.standard_normal((4, 1)), dtype=np.float32)
    nabla_w, nabla_b = bp.backprop(x, y, weights, biases)
    assert all(g.dtype == np.float32 for g in nabla_w + nabla_b)


def test_gradient_errors_flag_a_wrong_backward(rng):
    weights, biases = bp.init_network([2, 3, 1], rng, dtype=np.float64)
    x, y = rng.standard_normal((5, 2)), rng.standard_normal((5, 1))

    def bias_not_summed(*args):
        nabla_w, nabla_b = bp.backprop(*args)
        return nabla_w, [nabla_b[0], nabla_b[1] / 5]  # a mean instead of a sum over rows

    errors = bp.gradient_errors(x, y, weights, biases, backward=bias_not_summed)
    assert errors["b2"] > 0.5 and max(errors[k] for k in ("W1", "b1", "W2")) < TOL


@pytest.mark.parametrize("x_shape,w_shapes,b_shapes,message", [
    ((5, 3), [(2, 4)], [(4,)], r"W\^1 has shape \(2, 4\).*\(5, 3\)"),
    ((5, 2), [(2, 4), (3, 1)], [(4,), (1,)], r"W\^2 has shape \(3, 1\) but layer 1 gives 4"),
    ((5, 2), [(2, 4)], [(3,)], r"b\^1 has shape \(3,\), expected \(4,\)"),
    ((5,), [(2, 4)], [(4,)], r"\(N, n_0\), got shape \(5,\)"),
    ((5, 2), [(2, 4)], [], "1 weight matrices but 0 bias vectors"),
])
def test_shape_errors_name_the_shapes(x_shape, w_shapes, b_shapes, message):
    x = np.zeros(x_shape)
    with pytest.raises(ValueError, match=message):
        bp.feedforward(x, [np.zeros(s) for s in w_shapes], [np.zeros(s) for s in b_shapes])


def test_target_shape_error_names_the_shapes(rng):
    weights, biases = bp.init_network([2, 3, 2], rng, dtype=np.float64)
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(4, 3\)"):
        bp.backprop(np.zeros((4, 2)), np.zeros((4, 3)), weights, biases)


def test_bad_activation_and_cost_combinations_are_refused(rng):
    weights, biases = bp.init_network([2, 3, 1], rng, dtype=np.float64)
    x, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="2 layers but 1 activations"):
        bp.backprop(x, y, weights, biases, ["tanh"])
    with pytest.raises(ValueError, match="takes logits"):
        bp.backprop(x, y, weights, biases, "sigmoid", "binary_cross_entropy")
    with pytest.raises(ValueError, match="softmax is not elementwise"):
        bp.backprop(x, y, weights, biases, ["tanh", "softmax"])
    with pytest.raises(ValueError, match="unknown activation"):
        bp.backprop(x, y, weights, biases, "sigmod")
