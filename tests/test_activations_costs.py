"""Activations and costs added for lecture 7, and the universal-approximation helpers.

Derivatives are checked in float64 against central differences (relative
error < 1e-7) and against autograd.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad

from coursekit import activations, losses, universal
from coursekit.backend import to_numpy
from coursekit.gradcheck import numerical_gradient, rel_error


def _logits(xp, shape=(4, 5), scale=3.0, seed=0):
    z = np.random.default_rng(seed).standard_normal(shape) * scale
    return xp.asarray(z, dtype=xp.float64)


def test_log_softmax_is_log_of_softmax(xp):
    z = _logits(xp)
    np.testing.assert_allclose(to_numpy(activations.log_softmax(z)),
                               np.log(to_numpy(activations.softmax(z))), rtol=1e-12)


def test_log_softmax_is_finite_where_the_naive_formula_fails(xp):
    z = xp.asarray([[1e4, 0.0, -1e4], [1e3, 1e3 - 1.0, 0.0]])
    out = to_numpy(activations.log_softmax(z))
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[0], [0.0, -1e4, -2e4])
    np.testing.assert_allclose(out[1, :2], [-np.log1p(np.exp(-1.0)), -1 - np.log1p(np.exp(-1.0))])


def test_log_softmax_backward_matches_central_differences(xp):
    z = _logits(xp)
    dout = _logits(xp, seed=1)
    dz = activations.log_softmax_backward(dout, activations.log_softmax(z))
    z_host = to_numpy(z).copy()
    dout_host = to_numpy(dout)
    num = numerical_gradient(lambda: (activations.log_softmax(z_host) * dout_host).sum(), z_host)
    assert rel_error(dz, num) < 1e-7


def test_log_softmax_backward_matches_autograd():
    z = _logits(np, seed=2)
    dout = _logits(np, seed=3)
    f = lambda z: anp.sum((z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))) * dout)
    dz = activations.log_softmax_backward(dout, activations.log_softmax(z))
    assert rel_error(dz, grad(f)(z)) < 1e-12


def test_cross_entropy_from_log_softmax_matches_the_loss(xp):
    z = _logits(xp)
    y = xp.asarray([0, 3, 1, 4])
    loss, _ = losses.categorical_cross_entropy(z, y)
    mine = -activations.log_softmax(z)[xp.arange(4), y].mean()
    assert abs(float(loss) - float(mine)) < 1e-12


PAIRS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"]
AUTOGRAD_F = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0),
    "leaky_relu": lambda z: anp.where(z >= 0, z, 0.01 * z),
    "elu": lambda z: anp.where(z > 0, z, anp.exp(anp.minimum(z, 0)) - 1),
    "softplus": lambda z: anp.log1p(anp.exp(z)),
}


@pytest.mark.parametrize("name", PAIRS)
def test_activation_derivatives_the_lecture_plots(xp, name):
    """The derivatives lecture 7 plots, against central differences and autograd."""
    f, f_prime = activations.get(name)
    z = xp.asarray(np.linspace(-4, 4, 41) + 0.013, dtype=xp.float64)  # avoid the kink at 0
    h = 1e-6
    num = (to_numpy(f(z + h)) - to_numpy(f(z - h))) / (2 * h)
    assert rel_error(f_prime(z), num) < 1e-7
    zh = to_numpy(z)
    assert rel_error(f_prime(zh), elementwise_grad(AUTOGRAD_F[name])(zh)) < 1e-10


def test_dead_fraction_counts_units_silent_on_every_example(xp):
    z = xp.asarray([[1.0, -1.0, -2.0, 0.0],
                    [-1.0, -3.0, 0.5, 0.0]])
    assert activations.dead_fraction(z) == 0.5  # units 1 and 3 never fire
    assert activations.dead_fraction(xp.ones((3, 4))) == 0.0


def test_staircase_network_error_shrinks_like_one_over_n():
    f = lambda x: np.sin(2 * np.pi * x) + 0.5 * np.abs(x - 0.4)
    errors = [universal.sup_error(universal.staircase_network(f, n, sharpness=5).predict, f)
              for n in (16, 32, 64, 128)]
    assert all(b < 0.6 * a for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 0.01


def test_staircase_weights_shapes_and_errors():
    w1, b1, w2, b2 = universal.staircase_weights(np.cos, 7, -1.0, 2.0)
    assert (w1.shape, b1.shape, w2.shape, b2.shape) == ((1, 7), (7,), (7, 1), (1,))
    assert w2.sum() + b2[0] == pytest.approx(np.cos(2.0))  # the steps climb from f(lo) to f(hi)
    with pytest.raises(ValueError, match="positive integer"):
        universal.staircase_weights(np.cos, 0)
    with pytest.raises(ValueError, match="need lo < hi"):
        universal.staircase_weights(np.cos, 3, 1.0, 1.0)
