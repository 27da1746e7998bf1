"""The step perceptron, its gates and learning rule, and the lecture-1 data (lecture 1)."""
import numpy as np
import pytest

from coursekit import data, to_numpy
from coursekit import perceptron as P

SEPARABLE = ["AND", "OR", "NAND", "NOR"]


@pytest.mark.parametrize("name", SEPARABLE)
def test_hand_set_gates_reproduce_their_truth_tables(xp, name):
    x, y = data.logic_gate(name)
    w, b = P.gate_weights(name)
    out = P.perceptron(xp.asarray(x), xp.asarray(w), b)
    assert type(out).__module__.split(".")[0] == xp.__name__  # stays on the backend
    np.testing.assert_array_equal(to_numpy(out), y)


def test_seed_calculation_tables():
    x, y = data.logic_gate("AND")
    table = P.calculation_table(x, *P.gate_weights("AND"), y=y)
    assert list(table) == ["x1", "x2", "y", "z = x.w + b", "h(z)"]
    np.testing.assert_array_equal(table["z = x.w + b"], [-2, -1, -1, 0])  # the seed's column
    np.testing.assert_array_equal(table["h(z)"], y)
    x, y = data.logic_gate("OR")
    np.testing.assert_array_equal(P.calculation_table(x, *P.gate_weights("OR"))["z = x.w + b"],
                                  [-1, 0, 0, 1])


def test_single_sample_gives_a_scalar_and_z_zero_fires():
    assert P.perceptron([1, 1], np.array([1.0, 1.0]), -2.0).shape == ()
    assert int(P.perceptron([1, 1], [1.0, 1.0], -2.0)) == 1   # z = 0 counts as 'yes'
    assert int(P.perceptron([1, 0], [1.0, 1.0], -2.0)) == 0


def test_cheese_festival_decisions():
    x = data.cheese_festival()
    assert x.shape == (8, 3)
    majority = P.perceptron(x, np.array([1, 1, 1]), P.threshold_to_bias(2))
    np.testing.assert_array_equal(majority, x.sum(axis=1) >= 2)
    thirsty = P.perceptron(x, np.array([1, 1, 10]), P.threshold_to_bias(11))
    np.testing.assert_array_equal(thirsty, x[:, 2] & (x[:, 0] | x[:, 1]))  # pubs, plus one more


def test_xor_network_and_parity(xp):
    x, y = data.logic_gate("XOR")
    acts = P.step_network(xp.asarray(x), P.xor_network())
    assert [a.shape for a in acts] == [(4, 2), (4, 2), (4, 1)]
    np.testing.assert_array_equal(to_numpy(acts[1]), np.c_[data.GATES["OR"], data.GATES["NAND"]])
    np.testing.assert_array_equal(to_numpy(acts[2]).ravel(), y)
    x3, y3 = data.parity(3)
    xor = lambda a: to_numpy(P.step_network(a, P.xor_network())[-1]).ravel()  # noqa: E731
    np.testing.assert_array_equal(xor(np.c_[xor(x3[:, :2]), x3[:, 2]]), y3)
    noisy = np.repeat(x, 50, axis=0) + np.random.default_rng(0).uniform(-0.2, 0.2, (200, 2))
    np.testing.assert_array_equal(xor(noisy), np.repeat(y, 50))  # no corner on a boundary


def test_truth_table_network_computes_every_function(rng):
    x = data.GATE_INPUTS
    for k in range(16):                                  # all 16 two-input functions
        y = (k >> np.arange(3, -1, -1)) & 1
        out = P.step_network(x, P.truth_table_network(x, y))[-1].ravel()
        np.testing.assert_array_equal(out, y)
    x4, y4 = data.parity(4)
    layers = P.truth_table_network(x4, y4)
    assert layers[0][0].shape == (4, 8)                  # 2**(n-1) hidden units for parity
    np.testing.assert_array_equal(P.step_network(x4, layers)[-1].ravel(), y4)
    x3 = data.binary_inputs(3)
    y3 = rng.integers(0, 2, size=8)
    np.testing.assert_array_equal(P.step_network(x3, P.truth_table_network(x3, y3))[-1].ravel(), y3)
    with pytest.raises(ValueError, match="binary inputs"):
        P.truth_table_network(np.array([[0, 2]]), np.array([1]))


@pytest.mark.parametrize("name", SEPARABLE)
def test_rule_converges_on_separable_gates(name):
    x, y = data.logic_gate(name)
    w, b, errors = P.train_perceptron(x, y, epochs=50)
    assert errors[-1] == 0 and len(errors) < 50
    np.testing.assert_array_equal(P.perceptron(x, w, b), y)


@pytest.mark.parametrize("name", ["XOR", "XNOR"])
def test_rule_never_converges_on_xor(name):
    x, y = data.logic_gate(name)
    w, b, errors = P.train_perceptron(x, y, epochs=200)
    assert len(errors) == 200 and min(errors) > 0
    assert (P.perceptron(x, w, b) != y).any()


def test_rule_fits_the_beach_table():
    x, y = data.beach()
    w, b, errors = P.train_perceptron(x, y, epochs=100)
    assert errors[-1] == 0
    np.testing.assert_array_equal(P.perceptron(x, w, b), y)


def test_rule_on_a_random_separable_set(rng):
    x = rng.normal(size=(60, 3))
    w_true, b_true = np.array([1.0, -2.0, 0.5]), 0.3
    z = x @ w_true + b_true
    x, y = x[np.abs(z) > 0.2], (z[np.abs(z) > 0.2] >= 0).astype(int)  # keep a margin
    w, b, errors = P.train_perceptron(x, y, eta=0.5, epochs=500)
    assert errors[-1] == 0
    np.testing.assert_array_equal(P.perceptron(x, w, b), y)


def test_update_moves_only_on_mistakes():
    w, b = np.array([0.0, 0.0]), 0.0
    w1, b1, y_hat = P.perceptron_update(w, b, np.array([1.0, 1.0]), 0, eta=0.5)
    assert y_hat == 1                               # z = 0 fires, but y = 0
    np.testing.assert_allclose(w1, [-0.5, -0.5])
    assert b1 == -0.5
    w2, b2, _ = P.perceptron_update(w1, b1, np.array([1.0, 1.0]), 0, eta=0.5)
    np.testing.assert_array_equal(w2, w1)
    assert b2 == b1


def test_brute_force_finds_and_but_no_xor():
    grid = np.linspace(-2, 2, 21)
    x, y = data.logic_gate("AND")
    found = P.separating_weights(x, y, grid)
    assert len(found) > 0
    for *w, b in found[::97]:
        np.testing.assert_array_equal(P.perceptron(x, np.array(w), b), y)
    for name in ("XOR", "XNOR"):
        assert P.separating_weights(*data.logic_gate(name), grid).shape == (0, 3)


def test_bad_shapes_raise_naming_the_shapes():
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\) and w has shape \(2,\)"):
        P.perceptron(np.zeros((4, 3)), np.ones(2), 0.0)
    with pytest.raises(ValueError, match=r"w has shape \(2, 1\)"):
        P.perceptron(np.zeros((4, 2)), np.ones((2, 1)), 0.0)
    with pytest.raises(ValueError, match=r"got \(4, 2\) and \(3,\)"):
        P.train_perceptron(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"x \(4, 2\), w \(3, 2\), b \(2,\)"):
        P.step_layer(np.zeros((4, 2)), np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"one sample x: \(D,\), got \(4, 2\)"):
        P.perceptron_update(np.zeros(2), 0.0, np.zeros((4, 2)), 1)
    with pytest.raises(ValueError, match=r"labels must be 0 or 1, got values \[-1, 1\]"):
        P.train_perceptron(np.zeros((2, 2)), np.array([-1, 1]))


def test_unknown_gate_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown gate 'XAND'; valid names: \['AND', .*'XOR'"):
        data.logic_gate("XAND")
    with pytest.raises(ValueError, match="unknown gate 3"):
        data.logic_gate(3)
    with pytest.raises(ValueError, match=r"'XOR'; valid names: \['AND', 'NAND', 'NOR', 'OR'\]"):
        P.gate_weights("XOR")
    x, y = data.logic_gate("nand")                  # case does not matter
    np.testing.assert_array_equal(y, [1, 1, 1, 0])


def test_logic_gate_returns_copies():
    x, y = data.logic_gate("AND")
    x[0, 0], y[0] = 7, 7
    x2, y2 = data.logic_gate("AND")
    assert x2[0, 0] == 0 and y2[0] == 0


def test_binary_inputs_parity_and_beach():
    np.testing.assert_array_equal(data.binary_inputs(2), data.GATE_INPUTS)
    assert data.binary_inputs(4).shape == (16, 4)
    assert len({tuple(r) for r in data.binary_inputs(4)}) == 16
    with pytest.raises(ValueError, match="positive number of inputs, got 0"):
        data.binary_inputs(0)
    x, y = data.parity(2)
    np.testing.assert_array_equal(y, data.GATES["XOR"])
    x, y = data.beach()
    assert x.shape == (7, 3) and y.tolist() == [1, 1, 0, 0, 0, 1, 0]
    assert x.min() == 1 and x.max() == 3


def test_format_table_aligns_and_checks_lengths():
    text = P.format_table({"a": [1, 10], "long name": [0.5, 2.0]}, digits=2)
    lines = text.splitlines()
    assert lines[0] == " a  long name"
    assert lines[2:] == [" 1       0.50", "10       2.00"]  # one format per column
    assert P.format_table({"z": np.array([-2.0, 0.0])}).splitlines()[2:] == ["-2", " 0"]
    with pytest.raises(ValueError, match="different lengths"):
        P.format_table({"a": [1, 2], "b": [1]})
