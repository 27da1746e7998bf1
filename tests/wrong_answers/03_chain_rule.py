"""Mistakes students make in exercise 3, each of which must score 0 on its part."""

WRONG = [
    # Part 1: g(x) = sin(x^2) ln(1 + e^(x^2)) and its derivative
    dict(part="test_g_and_derivative", cell="g_and_derivative",
         why="d/da ln(1 + e^a) taken as 1/(1 + e^a): the factor e^a of the chain rule is lost",
         old="s * b / one_plus_b", new="s / one_plus_b"),
    dict(part="test_g_and_derivative", cell="g_and_derivative",
         why="right values, but SymPy's formula evaluated as it stands: over the operation budget",
         source=("def g_and_derivative(x):\n"
                 "    g = np.sin(x**2) * np.log(1 + np.exp(x**2))\n"
                 "    dg = (2 * x * np.log(np.exp(x**2) + 1) * np.cos(x**2)\n"
                 "          + 2 * x * np.exp(x**2) * np.sin(x**2) / (np.exp(x**2) + 1))\n"
                 "    return g, dg\n")),
    # Part 2: the Jacobian of v / |v| for a batch
    dict(part="test_unit_jacobian", cell="unit_jacobian",
         why="forgets the factor 1/|v| (the Jacobian of the direction at |v| = 1 only)",
         old="    return (identity - U * np.swapaxes(U, 1, 2)) / lengths",
         new="    return identity - U * np.swapaxes(U, 1, 2)"),
    dict(part="test_unit_jacobian", cell="unit_jacobian",
         why="only works for n = 3, the size of the visible test",
         old="np.eye(V.shape[1])", new="np.eye(3)"),
    dict(part="test_unit_jacobian", cell="unit_jacobian",
         why="right numbers, but a Python loop over the batch, which the rules forbid",
         source=("def unit_jacobian(V):\n"
                 "    out = np.zeros((V.shape[0], V.shape[1], V.shape[1]))\n"
                 "    for i in range(V.shape[0]):\n"
                 "        r = np.linalg.norm(V[i])\n"
                 "        out[i] = (np.eye(V.shape[1]) - np.outer(V[i], V[i]) / r**2) / r\n"
                 "    return out\n")),
    # Part 3: dC/dW_ij, a sum over the k paths through the logits
    dict(part="test_dC_dW", cell="dC_dW",
         why="only the path through the true logit: dC/do = -e_y, as if log-sum-exp were constant",
         old="    dC_dlogits = weights / np.sum(weights)", new="    dC_dlogits = 0.0 * weights"),
    dict(part="test_dC_dW", cell="dC_dW",
         why="copies the visible test's SymPy differentiation instead of deriving the formula",
         source=("def dC_dW(W, b, V, x, y, i, j):\n"
                 "    w = sp.symbols(\"w\")\n"
                 "    W_sym = sp.Matrix(W.tolist())\n"
                 "    W_sym[i, j] = w\n"
                 "    z_sym = W_sym * sp.Matrix(x.tolist()) + sp.Matrix(b.tolist())\n"
                 "    o_sym = sp.Matrix(V.tolist()) * z_sym.applyfunc(lambda q: sp.log(1 + sp.exp(q)))\n"
                 "    C_sym = sp.log(sum(sp.exp(q) for q in o_sym)) - o_sym[y]\n"
                 "    return float(sp.diff(C_sym, w).subs(w, W[i, j]))\n")),
    # Part 4: every gradient of the batch cost, stable
    dict(part="test_cost_and_gradients", cell="cost_and_gradients",
         why="no log-sum-exp shift: e^(10^4) overflows",
         old="shift = np.max(logits, axis=1, keepdims=True)", new="shift = np.zeros((count, 1))"),
    dict(part="test_cost_and_gradients", cell="cost_and_gradients",
         why="gradients of the sum over the batch, while the cost is the mean",
         old="    dlogits /= count                                       # the mean over the batch\n",
         new=""),
]
