"""Plausible wrong answers for exercise 2; each must score 0 on its part (tests/test_wrong_answers.py)."""

IN_PLACE = '''def gradient_descent(grad, x0, eta, steps):
    x = np.asarray(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= eta * np.asarray(grad(x))
        path.append(x)
    return np.stack(path)
'''

NO_START = '''def gradient_descent(grad, x0, eta, steps):
    x, path = np.array(x0, dtype=float), []
    for _ in range(steps):
        x = x - eta * np.asarray(grad(x))
        path.append(x)
    return np.array(path)
'''

SKLEARN = '''from sklearn.linear_model import LogisticRegression


def train_logistic(x, v, seed=0):
    lam = 1e-3
    model = LogisticRegression(C=1.0 / (lam * len(v)), tol=1e-10, max_iter=10_000).fit(x, v)
    logistic_cost_grad(x, v, model.coef_[0], float(model.intercept_[0]), lam)
    return model.coef_[0], float(model.intercept_[0]), lam
'''

FIXED_STEPS = '''def train_logistic(x, v, seed=0):
    lam, eta = 1e-3, 1.0
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(300):
        cost, dw, db = logistic_cost_grad(x, v, w, b, lam)
        w, b = w - eta * dw, b - eta * db
    return w, b, lam
'''

NEWTON = '''def train_logistic(x, v, seed=0):
    lam = 1e-3
    x_tilde = np.hstack([x, np.ones((len(v), 1))])
    u = np.zeros(x_tilde.shape[1])
    for _ in range(30):
        cost, dw, db = logistic_cost_grad(x, v, u[:-1], u[-1], lam)
        f = 1 / (1 + np.exp(-np.clip(x_tilde @ u, -500, 500)))
        hessian = x_tilde.T @ (x_tilde * (f * (1 - f))[:, None]) / len(v) + lam * np.eye(len(u))
        u = u - np.linalg.solve(hessian, np.append(dw, db))
    return u[:-1], float(u[-1]), lam
'''

WRONG = [
    dict(part="test_gradient_descent", cell="gradient_descent",
         why="x -= ... updates in place: every entry of the path is the same array", source=IN_PLACE),
    dict(part="test_gradient_descent", cell="gradient_descent",
         why="the path leaves out the starting point", source=NO_START),
    dict(part="test_logistic_cost_grad", cell="logistic_cost_grad",
         why="ln(1 + e^z) computed directly: overflows (and warns) for large logits",
         old="np.logaddexp(0.0, z)", new="np.log(1.0 + np.exp(z))"),
    dict(part="test_logistic_cost_grad", cell="logistic_cost_grad",
         why="the gradient of the sum instead of the mean",
         old="residual = (f - v) / n", new="residual = f - v"),
    dict(part="test_learning_rates", cell="learning_rates",
         why="the diagonal of A instead of its eigenvalues: right only for diagonal A",
         old="curvatures = np.linalg.eigvalsh(np.asarray(A, dtype=float))     # ascending",
         new="curvatures = np.sort(np.diag(np.asarray(A, dtype=float)))     # ascending"),
    dict(part="test_learning_rates", cell="learning_rates",
         why="rho from the gentlest direction (min) instead of the worst (max)",
         old="rho = float(np.max(np.abs(1.0 - eta * curvatures)))",
         new="rho = float(np.min(np.abs(1.0 - eta * curvatures)))"),
    dict(part="test_train_logistic", cell="train_logistic",
         why="scikit-learn's LogisticRegression instead of your own iterations (no-import rule)",
         source=SKLEARN),
    dict(part="test_train_logistic", cell="train_logistic",
         why="a fixed learning rate and 300 steps: far from a stationary point", source=FIXED_STEPS),
    dict(part="test_train_logistic", cell="train_logistic",
         why="Newton's method with np.linalg.solve (no-call rule)", source=NEWTON),
]
