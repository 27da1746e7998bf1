"""The scalar autodiff engine (reverse and forward mode) and the graph drawings (lecture 4).

Each expression is written once as a function of a namespace m (the engine, or
autograd.numpy) and checked three ways: reverse mode, forward mode and autograd,
all against central differences in float64.
"""
import math
from types import SimpleNamespace

import autograd.numpy as anp
import matplotlib.pyplot as plt
import numpy as np
import pytest
from autograd import grad

from coursekit import engine, graph, gradcheck
from coursekit.engine import Dual, Value, grad_forward, grad_reverse

TOL = 1e-7

AG = SimpleNamespace(exp=anp.exp, log=anp.log, sin=anp.sin, cos=anp.cos, tanh=anp.tanh,
                     sqrt=anp.sqrt, sigmoid=lambda z: 1 / (1 + anp.exp(-z)),
                     relu=lambda z: anp.maximum(z, 0.0))

# name -> (f(m, *xs), a point); every operation of Value and Dual appears at least once
CASES = {
    "add": (lambda m, x, y: x + y, (0.7, -1.3)),
    "radd": (lambda m, x: 2.5 + x, (0.4,)),
    "sub": (lambda m, x, y: x - y, (0.7, -1.3)),
    "rsub": (lambda m, x: 2.5 - x, (0.4,)),
    "mul": (lambda m, x, y: x * y, (0.7, -1.3)),
    "rmul": (lambda m, x: 3.0 * x, (0.4,)),
    "div": (lambda m, x, y: x / y, (0.7, -1.3)),
    "rdiv": (lambda m, x: 2.0 / x, (0.4,)),
    "pow_number": (lambda m, x: x ** 3, (-0.8,)),
    "pow_fraction": (lambda m, x: x ** 1.5, (1.7,)),
    "pow_value": (lambda m, x, y: x ** y, (1.7, 0.6)),
    "rpow": (lambda m, x: 2.0 ** x, (0.9,)),
    "neg": (lambda m, x: -x, (0.4,)),
    "exp": (lambda m, x: m.exp(x), (0.9,)),
    "log": (lambda m, x: m.log(x), (0.9,)),
    "sin": (lambda m, x: m.sin(x), (0.9,)),
    "cos": (lambda m, x: m.cos(x), (0.9,)),
    "tanh": (lambda m, x: m.tanh(x), (0.9,)),
    "sigmoid": (lambda m, x: m.sigmoid(x), (-1.1,)),
    "relu_pos": (lambda m, x: m.relu(x), (0.9,)),
    "relu_neg": (lambda m, x: m.relu(x) + x, (-0.9,)),
    "sqrt": (lambda m, x: m.sqrt(x), (0.9,)),
    # the lecture's examples and a few compositions
    "seed_exp_x2": (lambda m, x: m.exp(x * x), (0.8,)),
    "seed_sqrt": (lambda m, x: m.sqrt(x ** 2 + m.exp(x ** 2)), (0.8,)),
    "baydin": (lambda m, x1, x2: m.log(x1) + x1 * x2 - m.sin(x2), (2.0, 5.0)),
    "neuron": (lambda m, w, b, x: 0.5 * (m.sigmoid(w * x + b) - 1.0) ** 2, (0.3, -0.2, 1.5)),
    "mixed": (lambda m, x, y, z: m.tanh(x * y) / (1 + z ** 2) + m.cos(x - z) * m.exp(-y),
              (0.3, -0.7, 1.2)),
}


def _finite_differences(f, xs):
    x = np.array(xs, dtype=np.float64)
    return gradcheck.numerical_gradient(lambda: f(engine, *x), x)


def _autograd(f, xs):
    return np.array([grad(lambda *a: f(AG, *a), i)(*map(float, xs)) for i in range(len(xs))])


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences_and_autograd(name):
    f, xs = CASES[name]
    reverse = np.array(grad_reverse(lambda *v: f(engine, *v), xs))
    forward = np.array(grad_forward(lambda *v: f(engine, *v), xs))
    numeric = _finite_differences(f, xs)
    assert gradcheck.rel_error(reverse, numeric) < TOL
    assert gradcheck.rel_error(reverse, _autograd(f, xs)) < 1e-12
    assert gradcheck.rel_error(forward, reverse) < 1e-12


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_dual_compute_the_same_function(name):
    f, xs = CASES[name]
    plain = f(engine, *xs)
    assert f(engine, *map(Value, xs)).data == pytest.approx(plain, rel=1e-14)
    assert f(engine, *map(Dual, xs)).val == pytest.approx(plain, rel=1e-14)


def test_reused_node_accumulates_x_times_x():
    x = Value(1.5)
    f = x * x
    f.backward()
    assert x.grad == 3.0  # both uses of x contribute x: 1.5 + 1.5
    assert grad_forward(lambda x: x * x, [1.5]) == [3.0]


def test_diamond_graph_sums_both_paths():
    x = Value(0.4, name="x")
    a = engine.exp(x)
    f = engine.sin(a) * engine.cos(a) + a  # a has three children
    f.backward()
    expected = grad(lambda x: anp.sin(anp.exp(x)) * anp.cos(anp.exp(x)) + anp.exp(x))(0.4)
    assert x.grad == pytest.approx(expected, rel=1e-13)
    row = {r["name"]: r for r in engine.adjoint_table(f)}
    assert len(row["v2"]["terms"]) == 3


def test_backward_twice_and_shared_leaves_give_fresh_adjoints():
    w = Value(2.0)
    f = w * 3.0
    f.backward()
    f.backward()
    assert w.grad == 3.0
    g = w * w  # a second graph through the same leaf: its backward starts from zero
    g.backward()
    assert w.grad == 4.0


def test_deep_graph_needs_no_recursion():
    x = Value(1.0)
    f = x
    for _ in range(5000):
        f = f + x
    f.backward()
    assert x.grad == 5001.0


def test_numpy_scalars_combine_with_values_and_duals():
    f = np.float64(2.0) * Value(3.0) + np.float32(1.0)
    assert isinstance(f, Value) and f.data == 7.0
    d = np.float64(2.0) * Dual(3.0, 1.0)
    assert isinstance(d, Dual) and d.dot == 2.0
    assert Value(np.array(2.5)).data == 2.5 and Dual(np.array(1), np.array(0.5)).dot == 0.5


@pytest.mark.parametrize("bad, message", [
    ("a", "real number; got str"),
    (np.array([1.0, 2.0]), "one scalar; got an array of shape (2,)"),
    (True, "real number; got bool"),
    (1 + 2j, "real number; got complex"),
])
def test_value_and_dual_reject_non_scalars(bad, message):
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Value(bad)
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Dual(bad)
    with pytest.raises(TypeError):
        Value(1.0) * bad


def test_modes_cannot_be_mixed():
    with pytest.raises(TypeError, match="cannot mix Value"):
        Value(1.0) + Dual(1.0)
    with pytest.raises(TypeError, match="cannot mix Dual"):
        Dual(1.0) * Value(1.0)


def test_gradient_helpers_need_a_scalar_output():
    with pytest.raises(TypeError, match="must return one scalar Value.*got list"):
        grad_reverse(lambda x, y: [x, y], [1.0, 2.0])
    with pytest.raises(TypeError, match="must return one scalar Dual.*got float"):
        grad_forward(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match="one scalar; got an array of shape"):
        grad_reverse(lambda x: x, [np.ones(3)])


@pytest.mark.parametrize("make", [Value, Dual])
def test_domain_errors_name_the_problem(make):
    with pytest.raises(ValueError, match="log needs a positive argument, got -1"):
        engine.log(make(-1.0))
    with pytest.raises(ValueError, match="sqrt needs a non-negative"):
        engine.sqrt(make(-4.0))
    with pytest.raises(ZeroDivisionError):
        make(1.0) / 0
    with pytest.raises(ValueError, match="needs an integer k"):
        make(-8.0) ** 0.5
    with pytest.raises(ValueError, match="needs a > 0"):
        make(-2.0) ** make(2.0)


def test_count_ops_forward_costs_n_passes_reverse_one():
    def f(*x):
        return sum(engine.sin(a) * b for a, b in zip(x, x[1:] + x[:1]))
    for n in (1, 4, 16):
        xs = list(np.linspace(0.1, 1.0, n))
        with engine.count_ops() as rev:
            grad_reverse(f, xs)
        with engine.count_ops() as fwd:
            grad_forward(f, xs)
        per_pass = 3 * n  # sin, *, + for every term (sum starts from the number 0)
        assert rev["value"] == per_pass and rev["dual"] == 0
        assert rev["backward"] == 5 * n  # sin: 1 parent, * and +: 2 parents
        assert fwd["dual"] == n * per_pass and fwd["value"] == 0
    assert engine._counter is None


def test_adjoint_table_rows_follow_the_general_rule():
    x = Value(0.5, name="x")
    a = x ** 2
    b = engine.exp(a)
    c = a + b
    d = engine.sqrt(c)
    d.backward()
    rows = engine.adjoint_table(d, names={a: "a", b: "b", c: "c", d: "d"})
    assert [r["name"] for r in rows] == ["x", "a", "b", "c", "d"]
    for r in rows[:-1]:  # every adjoint is the sum of (child adjoint) x (local partial)
        assert r["adjoint"] == pytest.approx(sum(adj * dg for _, adj, dg in r["terms"]), rel=1e-15)
    by = {r["name"]: r for r in rows}
    assert [t[0] for t in by["a"]["terms"]] == ["b", "c"]
    assert by["a"]["adjoint"] == pytest.approx((1 + b.data) / (2 * d.data), rel=1e-14)
    assert by["x"]["adjoint"] == pytest.approx(0.5 * (1 + b.data) / d.data, rel=1e-14)
    text = engine.format_table(rows)
    assert text.splitlines()[0].startswith("node") and len(text.splitlines()) == 6
    with pytest.raises(ValueError, match="call f.backward"):
        engine.adjoint_table(x * 2.0)


def test_trace_structure_of_the_seed_example():
    x = Value(0.5, name="x")
    a = x * x
    b = engine.exp(a)
    c = a + b
    d = engine.sqrt(c)
    d.backward()
    t = graph.trace(d)
    assert t.nodes == [x, a, b, c, d]
    assert set(t.edges) == {(x, a), (a, b), (a, c), (b, c), (c, d)} and len(t.edges) == 5
    assert t.edge_labels[(x, a)] == "0.5 + 0.5"  # x * x: one edge, two partials
    assert t.labels[b].startswith("v3 = exp(v2)") and "grad 0.404" in t.labels[b]
    assert graph.layers(t.nodes, t.edges) == {x: 0, a: 1, b: 2, c: 3, d: 4}
    assert graph.trace(d, local=False).edge_labels == {}
    with pytest.raises(TypeError, match="needs an engine Value"):
        graph.trace(1.0)


def test_trace_names_constants_by_value():
    x = Value(2.0, name="x")
    f = 3.0 * x
    f.backward()
    t = graph.trace(f)
    const = f.parents[0]
    assert t.labels[const] == "3\ngrad 2" and t.labels[f].startswith("v3 = 3 * x")


def test_draw_places_every_node_and_checks_the_graph():
    nodes = ["x", "w", "z", "a", "C"]
    edges = [("x", "z"), ("w", "z"), ("z", "a"), ("a", "C")]
    ax = graph.draw(nodes, edges, labels={"z": "z = w x"}, edge_labels={("z", "a"): "σ'"})
    texts = [t.get_text() for t in ax.texts]
    assert {"x", "w", "z = w x", "a", "C", "σ'"} <= set(texts)
    assert len(ax.patches) == len(edges)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="unknown node 'y'"):
        graph.draw(nodes, [("x", "y")])
    with pytest.raises(ValueError, match="cycle"):
        graph.layers(["a", "b"], [("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match="duplicates"):
        graph.layers(["a", "a"], [])


def test_draw_takes_any_hashable_ids_and_default_labels():
    ax = graph.draw([0, 1, 2, (3, "out")], [[0, 2], [1, 2], [2, (3, "out")]],
                    highlight=[(3, "out")])
    assert sorted(t.get_text() for t in ax.texts) == sorted(["0", "1", "2", "(3, 'out')"])
    plt.close(ax.figure)
    fig, ax = plt.subplots()
    assert graph.draw(["a"], [], ax=ax) is ax  # one node, no edges, an axes given
    plt.close(fig)


def test_layout_puts_a_late_constant_next_to_its_use():
    pos = graph.layout(["x", "u", "v", "k", "f"], [("x", "u"), ("u", "v"), ("v", "f"), ("k", "f")])
    assert pos["k"][0] == pos["v"][0] == 2.0
    assert pos["x"] == (0.0, 0.0)


@pytest.mark.parametrize("z", [-800.0, 800.0])
def test_sigmoid_does_not_overflow(z):
    expected = 0.0 if z < 0 else 1.0
    assert math.isclose(engine.sigmoid(z), expected, abs_tol=1e-300)
    assert Value(z).sigmoid().data == engine.sigmoid(z)
    assert Dual(z, 1.0).sigmoid().dot == 0.0
