"""SymPy helpers of the chain-rule lecture (coursekit.symbolic)."""
import math

import autograd.numpy as anp
import matplotlib
import numpy as np
import pytest
import sympy as sp
from autograd import grad

from coursekit import symbolic

x, y = sp.symbols("x y")
F = sp.sqrt(x**2 + sp.exp(x**2))  # seed 002's "more complicated function"


@pytest.mark.parametrize("expr, ops", [
    (x, 0), (sp.Integer(3), 0), (x + y, 1), (x - y, 1), (x * y, 1), (x / y, 1), (-x, 1),
    (2 / y, 1), (-x - y, 2), (x / 2, 1), (x**2, 1), (x**3, 2), (1 / x, 1), (x**-2, 2),
    (sp.sqrt(x), 1), (1 / sp.sqrt(x), 2), (x**y, 1), (sp.exp(x**2), 2), (sp.sin(x) * x + 1, 3),
    (x + y + x * y, 3),
])
def test_flops_of_known_expressions(expr, ops):
    assert symbolic.flops(expr) == ops


def test_flops_reproduce_the_seed_counts():
    dF = sp.diff(F, x)
    assert symbolic.flops(F) == 5 and symbolic.flops(dF) == 10  # "five" and "ten"
    assignments, outputs = symbolic.intermediates([F, dF])
    assert symbolic.program_flops(assignments, outputs) == 7   # "about half" of 15


def test_flops_rejects_what_it_cannot_cost():
    with pytest.raises(TypeError, match="Integral"):
        symbolic.flops(sp.Integral(x, x))


def test_intermediates_compute_each_shared_subexpression_once():
    assignments, outputs = symbolic.intermediates([F, sp.diff(F, x)])
    rhs = [e for _, e in assignments]
    assert rhs.count(x**2) == 1
    full = [o.subs(list(reversed(assignments))) for o in outputs]
    assert sp.simplify(full[0] - F) == 0 and sp.simplify(full[1] - sp.diff(F, x)) == 0


@pytest.mark.parametrize("module", ["math", "numpy"])
def test_generated_code_evaluates_correctly(module):
    dF = sp.diff(F, x)
    assignments, outputs = symbolic.intermediates([F, dF])
    source = symbolic.python_source([x], assignments, outputs, name="f_and_df", module=module)
    assert source.startswith("def f_and_df(x):") and f"{module}.exp" in source
    f_and_df = symbolic.compile_program([x], assignments, outputs, "f_and_df", module)
    points = [-1.3, 0.0, 0.4, 2.0]
    values = f_and_df(np.array(points)) if module == "numpy" else None
    for i, p in enumerate(points):
        f, df = (values[0][i], values[1][i]) if module == "numpy" else f_and_df(p)
        assert math.isclose(f, float(F.subs(x, p)), rel_tol=1e-14)
        assert math.isclose(df, float(dF.subs(x, p)), rel_tol=1e-14, abs_tol=1e-15)


def test_generated_derivative_matches_autograd_and_central_differences():
    assignments, outputs = symbolic.intermediates([sp.diff(F, x)])
    df = symbolic.compile_program([x], assignments, outputs)
    f = lambda t: anp.sqrt(t**2 + anp.exp(t**2))
    h = 1e-6
    for p in [-1.1, 0.3, 1.7]:
        assert math.isclose(df(p), grad(f)(p), rel_tol=1e-13)
        assert math.isclose(df(p), (f(p + h) - f(p - h)) / (2 * h), rel_tol=1e-7)


def test_python_source_rejects_unknown_module():
    with pytest.raises(ValueError, match="module"):
        symbolic.python_source([x], [], [x], module="torch")


def test_graph_is_a_dag_with_shared_nodes():
    nodes, edges = symbolic.graph([F])
    assert nodes == [x, x**2, sp.exp(x**2), x**2 + sp.exp(x**2), F]
    assert edges == [(0, 1), (1, 2), (1, 3), (2, 3), (3, 4)]
    assert all(c < p for c, p in edges)  # children come first


def test_draw_graph_labels_every_node():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ax = symbolic.draw_graph([F], names={x**2: "a"})
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("a") == 1 and "exp" in labels and "sqrt" in labels and "x" in labels
    plt.close("all")


def test_chain_cost_counts_multiply_adds():
    shapes = [(100, 1000), (10, 100), (1, 10)]  # R^1000 -> R^100 -> R^10 -> R
    assert symbolic.chain_cost(shapes, "reverse") == 1 * 10 * 100 + 1 * 100 * 1000
    assert symbolic.chain_cost(shapes, "forward") == 10 * 100 * 1000 + 1 * 10 * 1000
    many_outputs = [(10, 1), (100, 10), (1000, 100)]  # R -> R^1000: forward wins
    forward, reverse = (symbolic.chain_cost(many_outputs, o) for o in ("forward", "reverse"))
    assert forward < reverse


def test_chain_cost_matches_the_matrices():
    shapes = [(3, 4), (5, 3), (2, 5)]
    j = [np.ones(s) for s in shapes]
    assert (j[2] @ j[1] @ j[0]).shape == (2, 4)
    assert symbolic.chain_cost(shapes, "forward") == 5 * 3 * 4 + 2 * 5 * 4
    assert symbolic.chain_cost(shapes, "reverse") == 2 * 5 * 3 + 2 * 3 * 4


def test_chain_cost_checks_its_arguments():
    with pytest.raises(ValueError, match="do not chain"):
        symbolic.chain_cost([(3, 4), (5, 2)])
    with pytest.raises(ValueError, match="order"):
        symbolic.chain_cost([(3, 4)], "sideways")
