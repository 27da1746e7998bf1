"""Plausible mistakes in exercise 09_regularization; each must score 0 on its part."""

NAIVE_TRAINER = '''def train_classifier(x_train, y_train, seed):
    rng = np.random.default_rng(seed)
    d = x_train.shape[1]
    params = [(rng.standard_normal((d, 128)) * np.sqrt(2.0 / d), np.zeros(128)),
              (rng.standard_normal((128, 10)) * np.sqrt(2.0 / 128), np.zeros(10))]
    velocity = [(0.0, 0.0)] * 2
    for epoch in range(80):
        shuffled = rng.permutation(len(y_train))
        for start in range(0, len(shuffled), 32):
            batch = shuffled[start:start + 32]
            _, grads = loss_and_grads(params, x_train[batch], y_train[batch], 0.0)
            velocity = [(0.9 * vw - 0.05 * gw, 0.9 * vb - 0.05 * gb)
                        for (vw, vb), (gw, gb) in zip(velocity, grads)]
            params = [(w + vw, b + vb) for (w, b), (vw, vb) in zip(params, velocity)]

    def predict(x):
        a = np.maximum(x @ params[0][0] + params[0][1], 0.0)
        return (a @ params[1][0] + params[1][1]).argmax(axis=1)
    return predict
'''

COURSEKIT_TRAINER = '''from coursekit import Dense, Sequential, to_numpy
from coursekit.train import fit


def train_classifier(x_train, y_train, seed):
    net = Sequential([Dense(x_train.shape[1], 128, "relu", init_scheme="he", rng=seed),
                      Dense(128, 10, rng=seed + 1)], loss="categorical_cross_entropy")
    fit(net, x_train, y_train, epochs=12, batch_size=32, lr=0.05, penalty="l2", lam=1e-2,
        progress=False)
    return lambda x: to_numpy(net.predict(x))
'''

GL_PREVIOUS = '''def gl_stop(val_losses, alpha):
    best_epoch, lowest = 0, float(val_losses[0])
    for epoch in range(1, len(val_losses)):
        error, previous = float(val_losses[epoch]), float(val_losses[epoch - 1])
        if error < lowest:
            best_epoch, lowest = epoch, error
        if 100.0 * (error / previous - 1.0) > alpha:
            return epoch, best_epoch
    return None, best_epoch
'''

LAYERNORM_AXIS_1 = '''def layernorm_forward(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(axis=1, keepdims=True)
    inv_sd = 1.0 / np.sqrt((centred * centred).mean(axis=1, keepdims=True) + eps)
    x_hat = centred * inv_sd
    return gamma * x_hat + beta, (x_hat, inv_sd, gamma)
'''

WRONG = [
    dict(part="test_dropout", cell="dropout",
         why="keeps a unit with probability p instead of 1 - p (right only for p = 0.5)",
         old="rng.random(x.shape) >= p", new="rng.random(x.shape) < p"),
    dict(part="test_dropout", cell="dropout",
         why="divides by p instead of the keep probability 1 - p (right only for p = 0.5)",
         old="mask = survives / (1.0 - p)", new="mask = survives / p"),
    dict(part="test_layernorm_forward", cell="layernorm_forward",
         why="hard-codes axis=1: 3-D and 4-D inputs are normalized over the wrong axis",
         source=LAYERNORM_AXIS_1),
    dict(part="test_layernorm_forward", cell="layernorm_forward",
         why="eps added outside the square root",
         old="np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + eps)",
         new="(np.sqrt((centred * centred).mean(axis=-1, keepdims=True)) + eps)"),
    dict(part="test_layernorm_backward", cell="layernorm_backward",
         why="the shortcut gamma * dout / sigma: ignores that mu and sigma depend on x",
         old="dx = inv_sd * (d_xhat - d_xhat.mean(axis=-1, keepdims=True)\n"
             "                   - x_hat * (d_xhat * x_hat).mean(axis=-1, keepdims=True))",
         new="dx = inv_sd * d_xhat"),
    dict(part="test_layernorm_backward", cell="layernorm_backward",
         why="dgamma and dbeta summed over axis 0 only: wrong shapes for 3-D inputs",
         old="examples = tuple(range(dout.ndim - 1))", new="examples = 0"),
    dict(part="test_gl_stop", cell="gl_stop",
         why="stops when GL(t) >= alpha instead of > alpha",
         old="- 1.0) > alpha:", new="- 1.0) >= alpha:"),
    dict(part="test_gl_stop", cell="gl_stop",
         why="compares with the previous epoch instead of the best one so far",
         source=GL_PREVIOUS),
    dict(part="test_loss_and_grads", cell="loss_and_grads",
         why="no log-sum-exp shift: exp overflows for logits of 1e4",
         old="shifted = logits - logits.max(axis=1, keepdims=True)", new="shifted = logits"),
    dict(part="test_loss_and_grads", cell="loss_and_grads",
         why="penalizes the biases too",
         old="sum(float((w * w).sum()) for w, _ in params)",
         new="sum(float((w * w).sum() + (b * b).sum()) for w, b in params)"),
    dict(part="test_train_classifier", cell="train_classifier",
         why="no penalty, no stopping: 80 epochs learn the wrong labels by heart",
         source=NAIVE_TRAINER),
    dict(part="test_train_classifier", cell="train_classifier",
         why="trains with coursekit's Sequential (breaks the no-import rule)",
         source=COURSEKIT_TRAINER),
]
