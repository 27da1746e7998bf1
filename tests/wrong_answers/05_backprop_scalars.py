"""Mistakes students make in exercise 5, each of which must score 0 on its part."""

WRONG = [
    # Part 1: central differences for a dict of parameters
    dict(part="test_central_gradient", cell="central_gradient",
         why="a one-sided (forward) difference: error O(h), not O(h^2)",
         old="        slopes[name] = (f(up) - f(down)) / (2 * h)",
         new="        slopes[name] = (f(up) - f(theta)) / h"),
    dict(part="test_central_gradient", cell="central_gradient",
         why="perturbs theta in place and never puts the entry back",
         source=("def central_gradient(f, theta, h=1e-6):\n"
                 "    slopes = {}\n"
                 "    for name in theta:\n"
                 "        theta[name] += h\n"
                 "        above = f(theta)\n"
                 "        theta[name] -= 2 * h\n"
                 "        below = f(theta)\n"
                 "        slopes[name] = (above - below) / (2 * h)\n"
                 "    return slopes\n")),
    # Part 2: the derivatives of the gated unit
    dict(part="test_gated_backward", cell="gated_backward",
         why="dC/dx follows the two branches only and forgets the skip connection u x",
         old="bar_x = bar_y * theta[\"u\"] + bar_z1", new="bar_x = bar_z1"),
    dict(part="test_gated_backward", cell="gated_backward",
         why="sigma' evaluated at the gate's output g instead of at z2",
         old="bar_z2 = bar_g * fw[\"g\"] * (1 - fw[\"g\"])",
         new="bar_z2 = bar_g * sigmoid(fw[\"g\"]) * (1 - sigmoid(fw[\"g\"]))"),
    # Part 3: gradient descent on the mean cost
    dict(part="test_train_gated", cell="train_gated",
         why="steps along the sum of the per-sample derivatives instead of their mean",
         old="float(np.mean(slopes[name]))", new="float(np.sum(slopes[name]))"),
    dict(part="test_train_gated", cell="train_gated",
         why="records the cost after each step only: steps values, not steps + 1",
         old="costs = [gated_cost(x, y, current)]", new="costs = []"),
    # Part 5: fitting units the student has not seen
    dict(part="test_fit_gated", cell="fit_gated",
         why="plain gradient descent from theta = 0: stuck at the straight line u x + c",
         source=("def fit_gated(x, y, seed):\n"
                 "    start = {name: 0.0 for name in [\"w1\", \"b1\", \"w2\", \"b2\", \"v\", \"u\", \"c\"]}\n"
                 "    fitted, _ = train_gated(x, y, start, eta=0.1, steps=2000)\n"
                 "    return fitted\n")),
    dict(part="test_fit_gated", cell="fit_gated",
         why="lets scipy.optimize fit the unit (a forbidden import)",
         source=("from scipy.optimize import minimize\n\n\n"
                 "def fit_gated(x, y, seed):\n"
                 "    names = [\"w1\", \"b1\", \"w2\", \"b2\", \"v\", \"u\", \"c\"]\n"
                 "    rng = np.random.default_rng(seed)\n"
                 "    best = None\n"
                 "    for _ in range(10):\n"
                 "        found = minimize(lambda p: gated_cost(x, y, dict(zip(names, p))),\n"
                 "                         rng.normal(size=7))\n"
                 "        if best is None or found.fun < best.fun:\n"
                 "            best = found\n"
                 "    return {name: float(v) for name, v in zip(names, best.x)}\n")),
]
