"""Gradient descent and the one-sigmoid-neuron classifier (coursekit.gd, coursekit.widgets)."""
import autograd.numpy as anp
import matplotlib
import numpy as np
import pytest
from autograd import grad

from coursekit import gd
from coursekit.backend import to_numpy
from coursekit.gradcheck import numerical_gradient, rel_error


def _problem(xp, rng, n=30, d=2):
    x = xp.asarray(rng.standard_normal((n, d)))
    v = xp.asarray((rng.random(n) > 0.5).astype(float))
    w = xp.asarray(rng.standard_normal(d))
    return x, v, w, 0.3


def test_neuron_gradients_match_central_differences(xp, rng):
    x, v, w, b = _problem(xp, rng, d=3)
    cost, dw, db = gd.neuron_gradients(x, v, w, b)
    b_arr = xp.asarray([b])
    loss = lambda: gd.quadratic_cost(x, v, w, float(b_arr[0]))
    assert rel_error(dw, numerical_gradient(loss, w)) < 1e-7
    assert rel_error(xp.asarray([db]), numerical_gradient(loss, b_arr)) < 1e-7
    assert abs(float(cost) - float(loss())) < 1e-12


def test_neuron_gradients_match_autograd(rng):
    x, v, w, b = _problem(np, rng)

    def cost(w, b):
        f = 1 / (1 + anp.exp(-(anp.dot(x, w) + b)))
        return 0.5 * anp.sum((f - v) ** 2)

    _, dw, db = gd.neuron_gradients(x, v, w, b)
    assert rel_error(dw, grad(cost, 0)(w, b)) < 1e-12
    assert rel_error(np.array([db]), np.array([grad(cost, 1)(w, b)])) < 1e-12


def test_neuron_gradients_are_the_seeds_written_out_sums(rng):
    x, v, w, b = _problem(np, rng)
    f = 1 / (1 + np.exp(-(w[0] * x[:, 0] + w[1] * x[:, 1] + b)))
    _, dw, db = gd.neuron_gradients(x, v, w, b)
    assert np.isclose(dw[0], sum((f - v) * f * (1 - f) * x[:, 0]))
    assert np.isclose(dw[1], sum((f - v) * f * (1 - f) * x[:, 1]))
    assert np.isclose(db, sum((f - v) * f * (1 - f)))


def test_neuron_rejects_mismatched_shapes(xp, rng):
    x, v, w, b = _problem(xp, rng)
    with pytest.raises(ValueError, match="w: \\(D,\\)"):
        gd.neuron(x, xp.ones(3), b)
    with pytest.raises(ValueError, match="targets"):
        gd.neuron_gradients(x, v[:-1], w, b)


@pytest.mark.parametrize("eta, factor", [(0.1, 0.8), (0.25, 0.5), (0.75, -0.5), (1.5, -2.0)])
def test_gradient_descent_on_square_is_geometric(xp, eta, factor):
    # C = x^2: x_{k+1} = x_k - 2 eta x_k = (1 - 2 eta) x_k
    path = to_numpy(gd.gradient_descent(lambda x: 2 * x, xp.asarray(1.0), eta, steps=5))
    assert np.allclose(path, factor ** np.arange(6))


def test_gradient_descent_stops_on_tolerance_and_on_divergence(xp):
    path = gd.gradient_descent(lambda x: 2 * x, xp.asarray([1.0, -2.0]), 0.5, steps=50, tol=1e-9)
    assert path.shape == (3, 2) and float(abs(path[-1]).max()) == 0.0
    blown = to_numpy(gd.gradient_descent(lambda x: 2 * x, xp.asarray(1.0), 100.0, steps=500))
    assert len(blown) < 501 and not np.isfinite(blown[-1])


def test_gradient_descent_checks_its_arguments(xp):
    with pytest.raises(ValueError, match="positive"):
        gd.gradient_descent(lambda x: x, xp.asarray(1.0), 0.0)
    with pytest.raises(ValueError, match="shape"):
        gd.gradient_descent(lambda x: xp.ones(3), xp.asarray([1.0, 2.0]), 0.1)


def test_steps_to_converge():
    path = 0.5 ** np.arange(30)
    assert gd.steps_to_converge(path, tol=1e-3) == 10  # 2^-10 < 1e-3 < 2^-9
    assert gd.steps_to_converge(2.0 ** np.arange(5), tol=1e-3) is None
    assert gd.steps_to_converge(np.array([1.0, 1e200, np.inf, np.nan]), tol=1e-3) is None


def test_train_neuron_reaches_the_seeds_accuracy_on_blobs():
    import sklearn.datasets as skd
    import sklearn.model_selection as skms
    pos, val = skd.make_blobs(500, centers=2, center_box=(-3, 3), random_state=2)
    xtr, xte, vtr, vte = skms.train_test_split(pos, val.astype(float), test_size=0.2,
                                               random_state=2)
    w, b, history = gd.train_neuron(xtr, vtr, eta=5e-5, steps=3000)
    assert history["cost"][-1] < history["cost"][0]
    assert gd.accuracy(xte, vte, w, b) >= 0.88


def test_least_squares_classifier_recovers_a_linear_rule(rng):
    x = rng.standard_normal((50, 3))
    v = x @ np.array([0.5, -1.0, 2.0]) + 0.25
    w, b = gd.least_squares_classifier(x, v)
    assert np.allclose(w, [0.5, -1.0, 2.0]) and np.isclose(b, 0.25)


def test_plot_descent_1d_returns_the_path():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from coursekit import widgets
    path = widgets.plot_descent_1d(0.25, steps=4, x0=1.0)
    assert np.allclose(path, 0.5 ** np.arange(5))
    slider = widgets.learning_rate_slider(eta=0.3)
    assert slider.children[0].value == 0.3
    plt.close("all")
