"""The step perceptron, logic gates built from it, and its learning rule (lecture 1).

    z = w . x + b,    y = h(z) = 1 if z >= 0 else 0,    b = -threshold

The learning rule (Rosenblatt 1958) needs no derivatives:
    w <- w + eta (y - y_hat) x,   b <- b + eta (y - y_hat)
It converges whenever the two classes can be split by a line (a hyperplane);
on XOR it never does, and ``separating_weights`` shows by brute force why.
"""
import numpy as np

from .backend import array_module, to_numpy

# Hand-set gates of the lecture: (w, b) with integer weights, as in the seed's tables.
GATE_WEIGHTS = {
    "AND": ((1, 1), -2),     # fires only when both inputs are on: z = x1 + x2 - 2
    "OR": ((1, 1), -1),      # fires when at least one is on
    "NAND": ((-1, -1), 1),   # NOT AND: the sign of every weight and the bias flipped
    "NOR": ((-1, -1), 0),    # NOT OR
}


def _as_inputs(x, w):
    """x and w as arrays of x's backend, checked: x (N, D) or (D,), w (D,)."""
    xp = array_module(x)
    x, w = xp.asarray(x), xp.asarray(w)
    if w.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(f"perceptron: x has shape {x.shape} and w has shape {w.shape}; "
                         "expected x (N, D) or (D,) and w (D,) with the same D")
    return x, w


def net_input(x, w, b):
    """The weighted sum before the step.   x: (N, D) or (D,), w: (D,) -> z = x @ w + b."""
    x, w = _as_inputs(x, w)
    return x @ w + b


def perceptron(x, w, b):
    """Step-perceptron output.   x: (N, D) or (D,), w: (D,), b: float -> (N,) or () ints.

    y = h(x @ w + b) with h(z) = 1 for z >= 0: a point on the line counts as 'yes'.
    """
    return (net_input(x, w, b) >= 0).astype(int)


def threshold_to_bias(threshold):
    """b = -threshold: 'w . x >= threshold' is 'w . x + b >= 0'."""
    return -threshold


def gate_weights(name):
    """(w: (2,), b) of the hand-set perceptron for AND, OR, NAND or NOR."""
    try:
        w, b = GATE_WEIGHTS[name.upper()]
    except (KeyError, AttributeError):
        raise ValueError(f"no single perceptron for gate {name!r}; valid names: "
                         f"{sorted(GATE_WEIGHTS)} (XOR and XNOR need a hidden layer)") from None
    return np.array(w, dtype=float), float(b)


def step_layer(x, w, b):
    """A layer of step perceptrons.   x: (N, D), w: (D, M), b: (M,) -> (N, M) = h(x @ w + b)."""
    xp = array_module(x)
    x, w, b = xp.asarray(x), xp.asarray(w), xp.asarray(b)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0] or b.shape != (w.shape[1],):
        raise ValueError(f"step_layer: expected x (N, D), w (D, M), b (M,); "
                         f"got x {x.shape}, w {w.shape}, b {b.shape}")
    return (x @ w + b >= 0).astype(int)


def xor_network():
    """[(w1, b1), (w2, b2)] of a 2-2-1 step network: XOR = AND(OR(x), NAND(x)).

    The gates' biases are moved by 1/2 from GATE_WEIGHTS, half-way between the rows, so
    no input corner lies on a boundary and slightly noisy inputs still give XOR.
    """
    (w_or, b_or), (w_nand, b_nand) = gate_weights("OR"), gate_weights("NAND")
    w_and, b_and = gate_weights("AND")
    w1 = np.stack([w_or, w_nand], axis=1)          # (2, 2): one column per hidden unit
    b1 = np.array([b_or + 0.5, b_nand + 0.5])
    return [(w1, b1), (w_and.reshape(2, 1), np.array([b_and + 0.5]))]


def step_network(x, layers):
    """Activations of every layer of a step network: [x, a1, ..., aL], each (N, M_l)."""
    activations = [array_module(x).asarray(x)]
    for w, b in layers:
        activations.append(step_layer(activations[-1], w, b))
    return activations


def truth_table_network(x, y):
    """[(w1, b1), (w2, b2)]: a one-hidden-layer step network for any Boolean truth table.

    x: (M, n) rows in {0, 1}, y: (M,). One hidden unit per row r with y = 1 fires on that
    row only: w = 2r - 1, b = -sum(r), so z = 0 at x = r and z <= -1 elsewhere. The output
    unit ORs them. Any Boolean function, but up to 2**n hidden units (2**(n-1) for parity).
    """
    x, y = np.asarray(x), np.asarray(y)
    _check_labels(x, y)
    if not np.isin(x, (0, 1)).all():
        raise ValueError("truth_table_network needs binary inputs (0 or 1)")
    rows = x[y == 1].astype(float)                       # (K, n): the rows that must give 1
    w1, b1 = (2 * rows - 1).T, -rows.sum(axis=1)          # (n, K), (K,)
    return [(w1, b1), (np.ones((len(rows), 1)), np.array([-1.0]))]


def perceptron_update(w, b, x, y, eta=1.0):
    """One step of Rosenblatt's rule for one sample.   x: (D,), y in {0, 1}.

    y_hat = h(w . x + b);  w <- w + eta (y - y_hat) x;  b <- b + eta (y - y_hat).
    Returns new (w, b, y_hat); nothing changes when the sample is already right.
    """
    x, w = _as_inputs(x, w)
    if x.ndim != 1:
        raise ValueError(f"perceptron_update takes one sample x: (D,), got {x.shape}")
    y_hat = int(perceptron(x, w, b))
    delta = eta * (y - y_hat)
    return w + delta * x, b + delta, y_hat


def _check_labels(x, y):
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"expected x: (N, D) and y: (N,), got {x.shape} and {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"labels must be 0 or 1, got values {np.unique(y).tolist()}")


def train_perceptron(x, y, eta=1.0, epochs=20, w=None, b=0.0):
    """Rosenblatt's rule, one sample at a time in a fixed order.

    x: (N, D), y: (N,) in {0, 1}. Returns (w, b, errors) where errors[e] is the
    number of misclassified samples seen in epoch e; it stops after the first
    epoch without a mistake, so errors[-1] == 0 means it converged.
    """
    x, y = np.asarray(to_numpy(x), dtype=float), np.asarray(to_numpy(y))
    _check_labels(x, y)
    w = np.zeros(x.shape[1]) if w is None else np.array(w, dtype=float)
    b, errors = float(b), []
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(x, y):
            w, b, y_hat = perceptron_update(w, b, xi, yi, eta)
            mistakes += int(y_hat != yi)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), errors


def separating_weights(x, y, values):
    """Every (w_1, ..., w_D, b) on a grid that reproduces y exactly: (K, D + 1).

    x: (N, D), y: (N,) in {0, 1}; each weight and the bias run over ``values``,
    so len(values) ** (D + 1) perceptrons are tried at once. An empty result for
    XOR on any grid is the brute-force face of the proof that none exists.
    """
    x, y, values = np.asarray(x, dtype=float), np.asarray(y), np.asarray(values, dtype=float)
    _check_labels(x, y)
    d = x.shape[1]
    params = np.stack(np.meshgrid(*[values] * (d + 1), indexing="ij"), -1).reshape(-1, d + 1)
    outputs = (x @ params[:, :d].T + params[:, d] >= 0)   # (N, K): every candidate at once
    return params[(outputs == y[:, None].astype(bool)).all(axis=0)]


def calculation_table(x, w, b, y=None):
    """The seed's calculation table as named columns: x1..xD, [y], z = x.w + b, h(z)."""
    x = to_numpy(x)
    if x.ndim != 2:
        raise ValueError(f"calculation_table expects x of shape (N, D), got {x.shape}")
    z = to_numpy(net_input(x, w, b))
    cols = {f"x{i + 1}": x[:, i] for i in range(x.shape[1])}
    if y is not None:
        cols["y"] = to_numpy(y)
    cols["z = x.w + b"] = z
    cols["h(z)"] = (z >= 0).astype(int)
    return cols


def format_table(columns, digits=3):
    """Named columns {name: (N,) values} as an aligned text table (no pandas needed)."""
    names = list(columns)
    lengths = {len(columns[k]) for k in names}
    if len(lengths) > 1:
        raise ValueError(f"format_table: columns have different lengths "
                         f"{ {k: len(columns[k]) for k in names} }")

    def column(values):
        values = [v.item() if hasattr(v, "item") else v for v in values]
        floats = [v for v in values if isinstance(v, float)]
        if floats and not all(v.is_integer() for v in floats):  # one format per column
            return [f"{v:.{digits}f}" if isinstance(v, (int, float)) else str(v) for v in values]
        return [str(int(v)) if isinstance(v, float) else str(v) for v in values]

    rows = [column(columns[k]) for k in names]
    widths = [max([len(k)] + [len(s) for s in r]) for k, r in zip(names, rows)]
    lines = ["  ".join(k.rjust(wd) for k, wd in zip(names, widths)),
             "  ".join("-" * wd for wd in widths)]
    lines += ["  ".join(r[i].rjust(wd) for r, wd in zip(rows, widths))
              for i in range(lengths.pop() if lengths else 0)]
    return "\n".join(lines)
