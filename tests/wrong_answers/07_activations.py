"""Mistakes students make in exercise 7, each of which must score 0 on its part."""

WRONG = [
    # Part 1: SiLU and GELU and their derivatives
    dict(part="test_smooth_activations", cell="smooth_activations",
         why="sigma written as 1 / (1 + exp(-z)): exp overflows at z = -1000",
         old=("    ez = np.exp(-np.abs(z))                            # at most 1: cannot overflow\n"
              "    return z * np.where(z < 0, ez, 1.0) / (1.0 + ez)   # sigma = e^z / (1 + e^z) for z < 0\n"),
         new="    return z / (1.0 + np.exp(-z))\n"),
    dict(part="test_smooth_activations", cell="smooth_activations",
         why="silu' taken as sigma(z): the product rule's z sigma'(z) is lost",
         old="return s + z * s * (1.0 - s)", new="return s"),
    dict(part="test_smooth_activations", cell="smooth_activations",
         why="tanh' written as 1 / cosh^2: cosh overflows for large |z|",
         old="(1.0 - th * th) * du_dz", new="np.cosh(c * (z + 0.044715 * z ** 3)) ** -2.0 * du_dz"),
    # Part 2: cross-entropy with label smoothing
    dict(part="test_smoothed_cross_entropy", cell="smoothed_cross_entropy",
         why="no log-sum-exp: log of a (stable) softmax is log 0 = -inf at logits of 1e4",
         old="    log_p = (z - top) - np.log(np.sum(np.exp(z - top), axis=1, keepdims=True))  # exponents <= 0\n",
         new=("    e = np.exp(z - top)\n"
              "    log_p = np.log(e / np.sum(e, axis=1, keepdims=True))\n")),
    dict(part="test_smoothed_cross_entropy", cell="smoothed_cross_entropy",
         why="the gradient of the summed loss: dz not divided by N (right only for a batch of one)",
         old="return float(loss), (np.exp(log_p) - target) / n",
         new="return float(loss), np.exp(log_p) - target"),
    dict(part="test_smoothed_cross_entropy", cell="smoothed_cross_entropy",
         why="the other smoothing convention, s / (C - 1) on the wrong classes and 1 - s on the label",
         old=("target = np.full(z.shape, smoothing / classes)\n"
              "    target[np.arange(n), y] += 1.0 - smoothing"),
         new=("target = np.full(z.shape, smoothing / (classes - 1))\n"
              "    target[np.arange(n), y] = 1.0 - smoothing")),
    # Part 3: the focal loss
    dict(part="test_focal_loss", cell="focal_loss",
         why="(1 - p)^gamma treated as a constant weight: the gradient of its own factor is missing",
         old="coef = gamma * (1.0 - pt) ** (gamma - 1.0) * pt * log_pt - weight",
         new="coef = -weight"),
    dict(part="test_focal_loss", cell="focal_loss",
         why="log p_n taken of the probability: log 0 when the right class has probability 0",
         old="log_pt, pt = log_p[rows, y], p[rows, y]",
         new="pt = p[rows, y]\n    log_pt = np.log(pt)"),
    # Part 4: gradient norms per layer
    dict(part="test_layer_gradient_norms", cell="layer_gradient_norms",
         why="f' evaluated at the activation a = f(z) instead of at z",
         old="f_prime(pre[l - 1])", new="f_prime(f(pre[l - 1]))"),
    dict(part="test_layer_gradient_norms", cell="layer_gradient_norms",
         why="the norms in the order back-propagation finds them: last layer first",
         old="    return np.array(norms)\n", new="    return np.array(norms[::-1])\n"),
    # Part 5: the classifier
    dict(part="test_train_classifier", cell="train_classifier",
         why="scikit-learn's MLPClassifier instead of the student's own gradients (a RULE)",
         source=("from sklearn.neural_network import MLPClassifier\n\n\n"
                 "def train_classifier(x_train, y_train, seed):\n"
                 "    net = MLPClassifier((64,), max_iter=300, random_state=seed)\n"
                 "    return net.fit(x_train, y_train).predict\n")),
    dict(part="test_train_classifier", cell="train_classifier",
         why="predict returns the scores (n, 10) instead of the labels",
         old="return np.argmax(gelu(x @ w1 + b1) @ w2 + b2, axis=1)",
         new="return gelu(x @ w1 + b1) @ w2 + b2"),
    dict(part="test_train_classifier", cell="train_classifier",
         why="softmax regression: no hidden layer, so the student's activation never runs",
         source=("def train_classifier(x_train, y_train, seed):\n"
                 "    rng = np.random.default_rng(seed)\n"
                 "    w, b = np.zeros((x_train.shape[1], 10)), np.zeros(10)\n"
                 "    for _ in range(30):\n"
                 "        order = rng.permutation(len(y_train))\n"
                 "        for first in range(0, len(order), 32):\n"
                 "            rows = order[first:first + 32]\n"
                 "            _, dz = smoothed_cross_entropy(x_train[rows] @ w + b, y_train[rows])\n"
                 "            w -= 0.2 * x_train[rows].T @ dz\n"
                 "            b -= 0.2 * dz.sum(axis=0)\n"
                 "    return lambda x: np.argmax(x @ w + b, axis=1)\n")),
]
