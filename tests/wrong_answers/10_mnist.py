"""Plausible mistakes in exercise 10_mnist; each must score 0 on its part."""

UNSTABLE_SOFTMAX = '''def forward_backward(params, x, y, smoothing=0.0):
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    a1 = np.tanh(x @ w1 + b1)
    z2 = a1 @ w2 + b2
    n, c = z2.shape
    target = np.full((n, c), smoothing / c)
    target[np.arange(n), y] += 1.0 - smoothing
    p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    loss = -(target * np.log(p)).sum() / n
    dz2 = (p - target) / n
    dz1 = (dz2 @ w2.T) * (1 - a1**2)
    return loss, {"w1": x.T @ dz1, "b1": dz1.sum(axis=0), "w2": a1.T @ dz2, "b2": dz2.sum(axis=0)}
'''

SMOOTHING_TARGET_KEPT = '''def forward_backward(params, x, y, smoothing=0.0):
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    a1 = np.tanh(x @ w1 + b1)
    z2 = a1 @ w2 + b2
    n, c = z2.shape
    target = np.full((n, c), smoothing / c)
    target[np.arange(n), y] = 1.0 - smoothing
    shifted = z2 - z2.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -(target * log_p).sum() / n
    dz2 = (np.exp(log_p) - target) / n
    dz1 = (dz2 @ w2.T) * (1 - a1**2)
    return loss, {"w1": x.T @ dz1, "b1": dz1.sum(axis=0), "w2": a1.T @ dz2, "b2": dz2.sum(axis=0)}
'''

COURSEKIT_TRAINER = '''from coursekit import Dense, Sequential, to_numpy


def train_classifier(x_train, y_train, seed):
    net = Sequential([Dense(x_train.shape[1], 64, "tanh", rng=seed), Dense(64, 10, rng=seed + 1)],
                     loss="categorical_cross_entropy")
    net.fit(x_train, y_train, epochs=10, batch_size=50, lr=0.2, progress=False)
    return lambda x: to_numpy(net.predict(x))
'''

WRONG = [
    dict(part="test_metrics", cell="metrics",
         why="confusion matrix by fancy-index +=: a repeated (true, predicted) pair counts once",
         old="np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)",
         new="counts[np.asarray(y_true), np.asarray(y_pred)] += 1"),
    dict(part="test_metrics", cell="metrics",
         why="accuracy does not turn (N, C) scores into labels",
         old="    if y_pred.ndim == 2:\n        y_pred = y_pred.argmax(axis=1)\n", new=""),
    dict(part="test_parse_idx", cell="parse_idx",
         why="returns the big-endian values as stored, not in native byte order",
         old='return values.reshape(shape).astype(stored.newbyteorder("="))',
         new="return values.reshape(shape)"),
    dict(part="test_parse_idx", cell="parse_idx",
         why="does not check that the data have the size the header promises (extra bytes pass)",
         old="    if len(data) - header != expected:\n"
             "        raise ValueError(f\"shape {shape} needs {expected} bytes of data, "
             "found {len(data) - header}\")\n",
         new=""),
    dict(part="test_calibration", cell="calibration",
         why="bins by floor(c * M): a confidence on a bin edge goes to the upper bin",
         old='which = np.searchsorted(upper, confidence, side="left")',
         new="which = np.minimum((confidence * n_bins).astype(int), n_bins - 1)"),
    dict(part="test_calibration", cell="calibration",
         why="the confidence is the probability of the true class, not the largest one",
         old="confidence = probs.max(axis=1)",
         new="confidence = probs[np.arange(len(probs)), np.asarray(y)]"),
    dict(part="test_forward_backward", cell="forward_backward",
         why="fixes the gradient bugs but keeps the log of an unshifted softmax",
         source=UNSTABLE_SOFTMAX),
    dict(part="test_forward_backward", cell="forward_backward",
         why="fixes everything but the label-smoothing target (= instead of +=)",
         source=SMOOTHING_TARGET_KEPT),
    dict(part="test_train_classifier", cell="train_classifier",
         why="predict returns the scores (m, 10) instead of the labels",
         old='return (a1 @ params["w2"] + params["b2"]).argmax(axis=1)',
         new='return a1 @ params["w2"] + params["b2"]'),
    dict(part="test_train_classifier", cell="train_classifier",
         why="trains coursekit's Sequential instead of its own network (breaks the no-import rule)",
         source=COURSEKIT_TRAINER),
]
