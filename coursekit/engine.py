"""Automatic differentiation on scalars: reverse mode (Value) and forward mode (Dual) (lecture 4).

Every function is a graph of elementary operations x_j = g_j(x_Pa(j)). A node stores
its value and the local partials dg_j/dx_i for each parent i, evaluated in the
forward pass. Reverse mode then starts from df/df = 1 and applies, children before
parents (reverse topological order),

    df/dx_i = sum over children j of i:  df/dx_j * dg_j/dx_i           (the general rule)

so one backward pass gives the derivative of f with respect to every node.

Forward mode carries a derivative along with every value instead: a dual number
x + x' eps with eps^2 = 0 obeys f(x + x' eps) = f(x) + f'(x) x' eps, so one pass
gives df/dx_i for one chosen input i. A gradient of n inputs costs n passes forward,
one pass in reverse: the reason backpropagation is reverse mode.

    grad_reverse(f, [1.0, 2.0])   # f takes scalars and uses +, *, exp(), sin(), ...
    grad_forward(f, [1.0, 2.0])   # the same numbers, n forward passes
"""
import math
import numbers
from contextlib import contextmanager

_counter = None  # a dict while count_ops() is active


@contextmanager
def count_ops():
    """Count elementary operations inside the block.

        with count_ops() as ops: ...
        ops["value"]     Value nodes made by operations (the reverse-mode forward pass)
        ops["backward"]  multiply-adds df/dx_i += df/dx_j * dg_j/dx_i in backward()
        ops["dual"]      Dual operations (forward mode, all passes)
    """
    global _counter
    previous, _counter = _counter, {"value": 0, "backward": 0, "dual": 0}
    try:
        yield _counter
    finally:
        _counter = previous


def _count(kind, k=1):
    if _counter is not None:
        _counter[kind] += k


def _as_float(x, cls):
    """A real number as float, or a TypeError that names what was passed instead."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    shape = getattr(x, "shape", None)
    if shape == () and getattr(x, "dtype", None) is not None and x.dtype.kind in "iuf":
        return float(x)  # a 0-d array, e.g. np.array(2.0) or a reduction's result
    if shape is not None and shape != ():
        raise TypeError(f"{cls} holds one scalar; got an array of shape {shape} "
                        "(differentiate arrays with autograd or coursekit.layers)")
    raise TypeError(f"{cls} holds a real number; got {type(x).__name__}")


class _Reflected:
    """2 * x, 1 - x, ...: a plain number on the left is lifted, then the operator runs."""

    def __radd__(self, other):
        return self._lift(other) + self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self


class Value(_Reflected):
    """A scalar node of a computation graph for reverse mode.

    data     the value x_j computed in the forward pass
    grad     the adjoint df/dx_j, filled by f.backward()
    parents  the nodes x_Pa(j) this one was computed from
    local    the partials dg_j/dx_i, one per parent, evaluated at the forward values
    op       the operation's name ('+', 'exp', ...; '' for an input), name a label
    """
    __array_ufunc__ = None  # numpy scalars defer to Value's reflected operators

    def __init__(self, data, parents=(), local=(), op="", name=""):
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local = tuple(local)
        self.op = op
        self.name = name

    def __repr__(self):
        label = f"{self.name}: " if self.name else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _lift(other):
        """Numbers become constant leaves; anything else is an error."""
        if isinstance(other, Value):
            return other
        if isinstance(other, Dual):
            raise TypeError("cannot mix Value (reverse mode) and Dual (forward mode)")
        return Value(other)

    def _node(self, data, parents, local, op):
        """The output of one operation: its value and local partials w.r.t. each parent."""
        _count("value")
        return Value(data, parents, local, op)

    # arithmetic: local partials of g(a, b) with respect to (a, b)
    def __add__(self, other):
        other = self._lift(other)
        return self._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = self._lift(other)
        return self._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __sub__(self, other):
        other = self._lift(other)
        return self._node(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other):
        other = self._lift(other)
        if other.data == 0:
            raise ZeroDivisionError("Value division by zero")
        a, b = self.data, other.data
        return self._node(a / b, (self, other), (1 / b, -a / b**2), "/")

    def __pow__(self, other):
        """a**k for a number k, or a**y for a Value y (then a > 0: dy = a**y log a)."""
        if isinstance(other, Value):
            if self.data <= 0:
                raise ValueError(f"a**y with a Value exponent needs a > 0, got a = {self.data}")
            a, y = self.data, other.data
            out = _power(a, y)
            return self._node(out, (self, other), (y * a ** (y - 1), out * math.log(a)), "**")
        k = _exponent(self.data, other)
        return self._node(_power(self.data, k), (self,), (k * self.data ** (k - 1),), f"**{k:g}")

    def __neg__(self):
        return self._node(-self.data, (self,), (-1.0,), "neg")

    # elementary functions: g(a) and g'(a)
    def exp(self):
        e = _exp(self.data)
        return self._node(e, (self,), (e,), "exp")

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data}")
        return self._node(math.log(self.data), (self,), (1 / self.data,), "log")

    def sin(self):
        return self._node(math.sin(self.data), (self,), (math.cos(self.data),), "sin")

    def cos(self):
        return self._node(math.cos(self.data), (self,), (-math.sin(self.data),), "cos")

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), (1 - t * t,), "tanh")

    def sigmoid(self):
        s = _sigmoid(self.data)
        return self._node(s, (self,), (s * (1 - s),), "sigmoid")

    def relu(self):
        return self._node(max(self.data, 0.0), (self,), (float(self.data > 0),), "relu")

    def sqrt(self):
        if self.data < 0:
            raise ValueError(f"sqrt needs a non-negative argument, got {self.data}")
        r = math.sqrt(self.data)
        return self._node(r, (self,), (0.5 / r if r > 0 else math.inf,), "sqrt")

    # reverse mode
    def topological_order(self):
        """Every node this one depends on, each after all of its parents (inputs first)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth-first post-order without recursion: deep graphs are fine
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node.parents))  # first parent first
        return order

    def backward(self):
        """Fill .grad = d self / d node for every node of the graph (self is f).

        Adjoints are reset first, so calling backward() twice gives the same numbers.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # df/df
        for node in reversed(order):  # a node's children all come after it in order
            for parent, partial in zip(node.parents, node.local):
                parent.grad += node.grad * partial  # one term of the general rule
            _count("backward", len(node.parents))
        return order


class Dual(_Reflected):
    """A dual number val + dot eps with eps^2 = 0, for forward mode.

    val  the value of a node
    dot  its derivative dx_j/dx_i with respect to the one input i seeded with dot = 1
    """
    __array_ufunc__ = None

    def __init__(self, val, dot=0.0):
        self.val = _as_float(val, "Dual")
        self.dot = _as_float(dot, "Dual")

    def __repr__(self):
        return f"Dual(val={self.val:.6g}, dot={self.dot:.6g})"

    @staticmethod
    def _lift(other):
        if isinstance(other, Dual):
            return other
        if isinstance(other, Value):
            raise TypeError("cannot mix Dual (forward mode) and Value (reverse mode)")
        return Dual(other)  # a constant: derivative 0

    def _chain(self, val, dval):
        """g(x) + g'(x) x' eps: the chain rule for a function of one variable."""
        _count("dual")
        return Dual(val, dval * self.dot)

    def __add__(self, other):
        other = self._lift(other)
        _count("dual")
        return Dual(self.val + other.val, self.dot + other.dot)

    def __sub__(self, other):
        other = self._lift(other)
        _count("dual")
        return Dual(self.val - other.val, self.dot - other.dot)

    def __mul__(self, other):
        other = self._lift(other)
        _count("dual")  # (a + a' eps)(b + b' eps) = ab + (a'b + ab') eps
        return Dual(self.val * other.val, self.dot * other.val + self.val * other.dot)

    def __truediv__(self, other):
        other = self._lift(other)
        if other.val == 0:
            raise ZeroDivisionError("Dual division by zero")
        _count("dual")
        q = self.val / other.val
        return Dual(q, (self.dot - q * other.dot) / other.val)

    def __pow__(self, other):
        if isinstance(other, Dual):
            if self.val <= 0:
                raise ValueError(f"a**y with a Dual exponent needs a > 0, got a = {self.val}")
            return (other * self.log()).exp()
        k = _exponent(self.val, other)
        return self._chain(_power(self.val, k), k * self.val ** (k - 1))

    def __neg__(self):
        return self._chain(-self.val, -1.0)

    def exp(self):
        e = _exp(self.val)
        return self._chain(e, e)

    def log(self):
        if self.val <= 0:
            raise ValueError(f"log needs a positive argument, got {self.val}")
        return self._chain(math.log(self.val), 1 / self.val)

    def sin(self):
        return self._chain(math.sin(self.val), math.cos(self.val))

    def cos(self):
        return self._chain(math.cos(self.val), -math.sin(self.val))

    def tanh(self):
        t = math.tanh(self.val)
        return self._chain(t, 1 - t * t)

    def sigmoid(self):
        s = _sigmoid(self.val)
        return self._chain(s, s * (1 - s))

    def relu(self):
        return self._chain(max(self.val, 0.0), float(self.val > 0))

    def sqrt(self):
        if self.val < 0:
            raise ValueError(f"sqrt needs a non-negative argument, got {self.val}")
        r = math.sqrt(self.val)
        return self._chain(r, 0.5 / r if r > 0 else math.inf)


def _exponent(a, k):
    """k as float, checking that a**k is a real number."""
    k = _as_float(k, "exponent")
    if a < 0 and not k.is_integer():
        raise ValueError(f"a**k with a = {a} < 0 needs an integer k, got {k}")
    if a == 0 and k < 1:
        raise ValueError(f"a**k at a = 0 needs k >= 1 (so that k a**(k-1) is finite), got {k}")
    return k


def _exp(x):
    """math.exp, with an error that names the operation when e^x exceeds the largest float."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp({x:g}) overflows: e^x is beyond the largest float (about "
                            "1.8e308) for x > 709.78") from None


def _power(a, k):
    """a**k, with an error that names the operation when it exceeds the largest float."""
    try:
        return a ** k
    except OverflowError:
        raise OverflowError(f"({a:g})**{k:g} overflows: beyond the largest float "
                            "(about 1.8e308)") from None


def _sigmoid(x):
    """1 / (1 + exp(-x)) without overflow for large |x|."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def _elementary(name, scalar_fn):
    """exp(x) etc. for a float, a Value or a Dual, so one f serves all three."""
    def fn(x):
        if isinstance(x, (Value, Dual)):
            return getattr(x, name)()
        return scalar_fn(_as_float(x, name))
    fn.__name__ = name
    fn.__doc__ = f"{name}(x) for a number, a Value (reverse mode) or a Dual (forward mode)."
    return fn


exp = _elementary("exp", _exp)
log = _elementary("log", math.log)
sin = _elementary("sin", math.sin)
cos = _elementary("cos", math.cos)
tanh = _elementary("tanh", math.tanh)
sigmoid = _elementary("sigmoid", _sigmoid)
relu = _elementary("relu", lambda x: max(x, 0.0))
sqrt = _elementary("sqrt", math.sqrt)


def _check_output(out, cls, f):
    if not isinstance(out, cls):
        name = getattr(f, "__name__", "f")
        raise TypeError(f"{name} must return one scalar {cls.__name__} computed from its inputs, "
                        f"got {type(out).__name__}")
    return out


def grad_reverse(f, xs):
    """[df/dx_1, ..., df/dx_n] at xs by one forward and one backward pass.

    f takes n scalars (f(*xs)) and returns one scalar built with the engine's operations.
    """
    inputs = [Value(x, name=f"x{i + 1}") for i, x in enumerate(xs)]
    _check_output(f(*inputs), Value, f).backward()
    return [x.grad for x in inputs]


def grad_forward(f, xs):
    """[df/dx_1, ..., df/dx_n] at xs by n forward passes, pass i seeding dx_i/dx_i = 1."""
    xs = [_as_float(x, "input") for x in xs]
    grads = []
    for i in range(len(xs)):
        duals = [Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(xs)]
        grads.append(_check_output(f(*duals), Dual, f).dot)
    return grads


def node_names(order):
    """{node: name}: its .name, a constant's value ('2'), or v1, v2, ... by position."""
    return {n: n.name or (f"{n.data:g}" if not n.op else f"v{k + 1}") for k, n in enumerate(order)}


def adjoint_table(f, names=None):
    """The general rule, node by node, after f.backward(): one dict per node, inputs first.

    Keys: name, op, value, parents (names), local (dg/dparent), adjoint (df/dnode),
    terms [(child name, df/dchild, dg_child/dnode)], whose products sum to the adjoint.
    Nodes without a name get v1, v2, ... in topological order, unless names maps them.
    """
    if f.grad != 1.0:
        raise ValueError("adjoint_table needs the adjoints: call f.backward() first")
    order = f.topological_order()
    names = {**node_names(order), **(names or {})}
    terms = {node: [] for node in order}
    for node in order:
        for parent, partial in zip(node.parents, node.local):
            terms[parent].append((names[node], node.grad, partial))
    return [{"name": names[n], "op": n.op or "input", "value": n.data,
             "parents": [names[p] for p in n.parents], "local": list(n.local),
             "adjoint": n.grad, "terms": terms[n]} for n in order]


def format_table(rows, digits=4):
    """adjoint_table rows as aligned text: node, op, parents, local partials, adjoint = sum."""
    fmt = lambda v: f"{v:.{digits}g}"
    lines = [("node", "op", "value", "parents", "dg/dparents",
              "adjoint = sum_j adj_j * dg_j/dnode")]
    for r in rows:
        terms = " + ".join(f"{fmt(a)}*{fmt(d)} ({c})" for c, a, d in r["terms"])
        lines.append((r["name"], r["op"], fmt(r["value"]), ", ".join(r["parents"]) or "-",
                      ", ".join(fmt(d) for d in r["local"]) or "-",
                      fmt(r["adjoint"]) + (f" = {terms}" if terms else "  (df/df)")))
    widths = [max(len(line[k]) for line in lines) for k in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line[:5], widths)) + "  " + line[5]
                     for line in lines).rstrip()
