"""Plausible wrong answers for exercise 1; each must score 0 on its part (tests/test_wrong_answers.py)."""

LOOPED_STEP = '''def step_perceptron(x, w, b):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if w.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != w.size:
        raise ValueError(f"x has shape {x.shape} but w has shape {w.shape}")
    if x.ndim == 1:
        return np.array(int(x @ w + b >= 0))
    return np.array([int(row @ w + b >= 0) for row in x])
'''

SKLEARN_DIGITS = '''from sklearn.linear_model import Perceptron


def train_digit_perceptron(x, y, seed=0):
    model = Perceptron(random_state=seed).fit(x, y)
    w, b = model.coef_.T, model.intercept_
    return w - w.mean(axis=1, keepdims=True), b - b.mean()
'''

ONE_EPOCH_DIGITS = '''def train_digit_perceptron(x, y, seed=0):
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    w, b = np.zeros((x.shape[1], int(y.max()) + 1)), np.zeros(int(y.max()) + 1)
    for i in np.random.default_rng(seed).permutation(len(y)):
        guess = int(np.argmax(x[i] @ w + b))
        if guess != y[i]:
            w[:, y[i]] += x[i]
            w[:, guess] -= x[i]
            b[y[i]] += 1.0
            b[guess] -= 1.0
    return w, b
'''

WRONG = [
    dict(part="test_step_perceptron", cell="step_perceptron",
         why="strict step: z = 0 does not fire",
         old="np.where(z >= 0, 1, 0)", new="np.where(z > 0, 1, 0)"),
    dict(part="test_step_perceptron", cell="step_perceptron",
         why="a Python loop over the samples (breaks the no-loops rule)", source=LOOPED_STEP),
    dict(part="test_noise_tolerance", cell="noise_tolerance",
         why="the Euclidean length of w instead of the sum of |w_j| (errors are per input)",
         old="spread = np.abs(w).sum()", new="spread = np.sqrt((w * w).sum())"),
    dict(part="test_noise_tolerance", cell="decisions",
         why="the lecture's integer threshold: right decisions, but rows on the boundary",
         old="(np.array([2.0, 1.0, 1.0, 1.0]), -3.5)", new="(np.array([2.0, 1.0, 1.0, 1.0]), -4.0)"),
    dict(part="test_networks", cell="networks",
         why="'exactly k' with integer biases: right outputs, but units exactly on their boundary",
         old="b1 = np.array([0.5 - k, -0.5 - k])", new="b1 = np.array([-k, -1.0 - k])"),
    dict(part="test_networks", cell="networks",
         why="parity's output unit ORs the hidden units instead of alternating signs",
         old="w2 = np.where(np.arange(n) % 2 == 0, 1.0, -1.0).reshape(n, 1)",
         new="w2 = np.ones((n, 1))"),
    dict(part="test_perceptron_updates", cell="perceptron_updates",
         why="the counter is reset every epoch: it reports the last epoch's updates",
         old="before = updates", new="before = updates = 0"),
    dict(part="test_perceptron_updates", cell="perceptron_updates",
         why="the bias is never updated",
         old="w, b, updates = w + error * row, b + error, updates + 1",
         new="w, b, updates = w + error * row, b, updates + 1"),
    dict(part="test_novikoff_bound", cell="novikoff_bound",
         why="R measured without the constant bias input",
         old="r = np.linalg.norm(x_tilde, axis=1).max()", new="r = np.linalg.norm(x, axis=1).max()"),
    dict(part="test_novikoff_bound", cell="novikoff_bound",
         why="no special case for (w, b) = 0: 0/0 gives a warning and nan instead of inf",
         old="    if not u.any():\n        return math.inf\n", new=""),
    dict(part="test_digit_perceptron", cell="train_digit_perceptron",
         why="scikit-learn's Perceptron, centred so the sums vanish (breaks the no-import rule)",
         source=SKLEARN_DIGITS),
    dict(part="test_digit_perceptron", cell="train_digit_perceptron",
         why="one epoch and the last weights: below 93 % on held-out digits",
         source=ONE_EPOCH_DIGITS),
    dict(part="test_digit_perceptron", cell="train_digit_perceptron",
         why="only the true class's column is updated: the columns no longer sum to zero",
         old="                w[:, guess] -= x[i]\n", new=""),
]
