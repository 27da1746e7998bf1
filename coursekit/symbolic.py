"""SymPy helpers for the chain-rule lecture (lecture 3).

* ``flops`` counts the floating-point operations of an expression tree, with the
  costing of ``COSTS`` (every arithmetic operation and every elementary function
  call costs 1, as seed 002 assumes);
* ``intermediates`` rewrites expressions as straight-line code with shared
  subexpressions (``sympy.cse``), and ``program_flops`` counts that code;
* ``python_source`` / ``compile_program`` generate and compile a Python function;
* ``graph`` / ``draw_graph`` give the computation graph (a DAG) of expressions;
* ``chain_cost`` counts the multiply-adds of a product of Jacobians in a given order.
"""
import math

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

COSTS = """\
a + b, a - b, a * b, a / b, -a       1 each (n-term sums and products: n - 1)
exp(a), sin(a), log(a), ...          1 (an elementary function call)
a**2, a**3                           1, 2 (repeated multiplication, a**n: n - 1)
sqrt(a), 1/a, a**(-2)                1, 1, 2 (a division after the powers)
a**y (any other exponent)            1 (a call to pow)
numbers and symbols                  0
"""


def _pow_cost(exponent):
    """Operations for base**exponent once the base is known."""
    if exponent.is_Integer and exponent > 0:
        return int(exponent) - 1
    if exponent.is_Integer and exponent < 0:
        return _pow_cost(-exponent) + 1  # then one division
    if exponent == sp.Rational(1, 2):
        return 1
    if exponent == sp.Rational(-1, 2):
        return 2  # sqrt, then a division
    return 1


def _mul_cost(expr):
    """A product: numerator factors multiply, denominator factors (negative powers) divide."""
    coeff, factors = expr.as_coeff_mul()
    num = [f for f in factors if not (f.is_Pow and f.exp.is_negative)]
    den = [f.base ** -f.exp for f in factors if f.is_Pow and f.exp.is_negative]
    ops = sum(flops(f) for f in num + den) + max(len(num) - 1, 0) + len(den)
    if coeff != 1 and num:
        ops += 1  # a multiplication by the constant (or the negation for -1)
    return ops  # without numerator factors the constant is the dividend: c / d costs 1


def flops(expr):
    """Floating-point operations to evaluate expr as a tree (no reuse), costed as COSTS says.

    Subtraction a - b, stored by SymPy as a + (-1)*b, costs 1 like an addition, and a / b,
    stored as a * b**-1, costs 1 like a multiplication.
    """
    expr = sp.sympify(expr)
    if expr.is_Atom:
        return 0
    if expr.is_Add:
        # a term -t becomes a subtraction: its sign costs nothing extra
        negative = [t.could_extract_minus_sign() for t in expr.args]
        terms = [-t if neg else t for t, neg in zip(expr.args, negative)]
        return sum(flops(t) for t in terms) + len(terms) - 1 + all(negative)
    if expr.is_Mul:
        return _mul_cost(expr)
    if expr.is_Pow:
        return flops(expr.base) + _pow_cost(expr.exp)
    if isinstance(expr, sp.Function):
        return 1 + sum(flops(a) for a in expr.args)
    raise TypeError(f"flops: cannot cost {type(expr).__name__} ({expr}); "
                    "use arithmetic and elementary functions only")


def program_flops(assignments, outputs=()):
    """Operations of straight-line code: sum of flops over the right-hand sides and outputs.

    assignments: [(symbol, expr), ...]; each symbol is computed once and then is free.
    """
    return sum(flops(e) for _, e in assignments) + sum(flops(o) for o in outputs)


def intermediates(exprs, prefix="t"):
    """(assignments, outputs): exprs rewritten with common subexpressions computed once.

    A thin wrapper of sympy.cse, with symbols t0, t1, ... so that the straight-line
    code reads like the lecture's a = x**2, b = exp(a), ...
    """
    exprs = [sp.sympify(e) for e in exprs]
    assignments, outputs = sp.cse(exprs, symbols=sp.numbered_symbols(prefix))
    return assignments, outputs


def python_source(args, assignments, outputs, name="f", module="math"):
    """Source code of a Python function computing outputs after the assignments.

    module: "math" (scalars) or "numpy" (arrays, elementwise).
    """
    if module not in ("math", "numpy"):
        raise ValueError(f"module must be 'math' or 'numpy', got {module!r}")
    printer = PythonCodePrinter() if module == "math" else NumPyPrinter()
    lines = [f"def {name}({', '.join(str(a) for a in args)}):"]
    lines += [f"    {s} = {printer.doprint(e)}" for s, e in assignments]
    lines.append(f"    return {', '.join(printer.doprint(o) for o in outputs)}")
    return "\n".join(lines) + "\n"


def compile_program(args, assignments, outputs, name="f", module="math"):
    """The function whose source python_source generates, compiled and ready to call."""
    namespace = {"math": math, "numpy": np}
    exec(python_source(args, assignments, outputs, name, module), namespace)
    return namespace[name]


_POW_LABELS = {sp.Rational(1, 2): "sqrt", sp.Rational(-1, 2): "1/sqrt", -1: "1/( )", 2: "( )²"}


def _label(node):
    """Short operation name of an expression node, for drawing."""
    if node.is_Atom:
        return str(node)
    if node.is_Add:
        return "+"
    if node.is_Mul:
        return "*"
    if node.is_Pow:
        return _POW_LABELS.get(node.exp, "pow")
    return type(node).__name__


def graph(exprs):
    """Computation graph of expressions as (nodes, edges): a DAG, shared subtrees once.

    nodes: list of SymPy expressions, children before parents; edges: (child, parent)
    index pairs. An integer exponent of a power is part of its operation, not a node.
    """
    nodes, index, edges = [], {}, set()

    def visit(node):
        if node in index:
            return index[node]
        children = [node.base] if node.is_Pow and node.exp.is_Rational else node.args
        kids = [visit(c) for c in children]
        index[node] = len(nodes)
        nodes.append(node)
        edges.update((k, index[node]) for k in kids)
        return index[node]

    for e in exprs:
        visit(sp.sympify(e))
    return nodes, sorted(edges)


def draw_graph(exprs, ax=None, names=None):
    """Draw the computation graph of exprs, inputs at the bottom, outputs at the top.

    names: optional {expr: "a"} to print the lecture's names beside the nodes.
    Each node sits one level above its highest child.
    """
    import matplotlib.pyplot as plt
    nodes, edges = graph(exprs)
    names = {sp.sympify(k): v for k, v in (names or {}).items()}
    level = [0] * len(nodes)
    for child, parent in sorted(edges, key=lambda e: e[1]):
        level[parent] = max(level[parent], level[child] + 1)
    rows = {}
    for i, lv in enumerate(level):
        rows.setdefault(lv, []).append(i)
    pos = {i: (k - (len(r) - 1) / 2, lv) for lv, r in rows.items() for k, i in enumerate(r)}
    ax = ax or plt.gca()
    for child, parent in edges:
        ax.annotate("", xy=pos[parent], xytext=pos[child],
                    arrowprops=dict(arrowstyle="->", shrinkA=14, shrinkB=14, color="0.4"))
    for i, node in enumerate(nodes):
        leaf = node.is_Atom
        ax.text(*pos[i], _label(node), ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round" if leaf else "circle",
                          fc="lightyellow" if leaf else "lightblue", ec="k"))
        if node in names:
            ax.text(pos[i][0] + 0.22, pos[i][1], names[node], color="crimson", fontsize=12,
                    va="center")
    xs = [p[0] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(-0.6, max(level) + 0.6)
    ax.axis("off")
    return ax


def chain_cost(shapes, order="reverse"):
    """Multiply-adds to form J_k ... J_2 J_1 from Jacobian shapes [J_1, J_2, ..., J_k].

    J_i has shape (m_i, n_i) with n_{i+1} = m_i. Multiplying (p, q) by (q, r) costs p q r.
    order "forward": J_k (... (J_3 (J_2 J_1))), from the input side;
    order "reverse": ((J_k J_{k-1}) J_{k-2}) ..., from the output side.
    """
    shapes = [tuple(s) for s in shapes]
    for (m, _), (_, n) in zip(shapes, shapes[1:]):
        if n != m:
            raise ValueError(f"Jacobian shapes do not chain: {shapes} (each n_(i+1) must be m_i)")
    if order not in ("forward", "reverse"):
        raise ValueError(f"order must be 'forward' or 'reverse', got {order!r}")
    seq = shapes if order == "forward" else shapes[::-1]
    (m, n), cost = seq[0], 0
    for p, q in seq[1:]:
        if order == "forward":  # (p, q) @ (m, n), q == m
            cost, (m, n) = cost + p * q * n, (p, n)
        else:                   # (m, n) @ (p, q), n == p
            cost, (m, n) = cost + m * n * q, (m, q)
    return cost
