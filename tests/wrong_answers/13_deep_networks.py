"""Plausible mistakes in exercise 13_deep_networks; each must score 0 on its part."""

FEW_BLOCKS = "    width, hidden, n_blocks, classes = 64, 64, 4, 10\n"

INLINE_TRAINER = '''def train_deep(x_train, y_train, seed):
    gen = np.random.default_rng(seed)
    n, d = x_train.shape
    params = {"w_in": gen.standard_normal((d, 64)) * math.sqrt(2.0 / d), "b_in": np.zeros(64),
              "blocks": [[gen.standard_normal((64, 64)) * math.sqrt(2.0 / 64), np.zeros(64),
                          np.zeros((64, 64)), np.zeros(64)] for _ in range(6)],
              "w_out": gen.standard_normal((64, 10)) * 0.125, "b_out": np.zeros(10)}
    for epoch in range(20):
        shuffled = gen.permutation(n)
        for start in range(0, n, 32):
            rows = shuffled[start:start + 32]
            a = np.maximum(x_train[rows] @ params["w_in"] + params["b_in"], 0.0)
            for w1, b1, w2, b2 in params["blocks"]:
                a, _ = residual_forward(a, w1, b1, w2, b2)
            z = a @ params["w_out"] + params["b_out"]
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(rows)), y_train[rows]] -= 1.0
            params["w_out"] -= 0.1 * a.T @ p / len(rows)
            params["b_out"] -= 0.1 * p.mean(axis=0)
    return params
'''

WRONG = [
    dict(part="test_init_scales", cell="init_scales",
         why="Glorot's variance taken as 1 / (fan_in + fan_out)",
         old="math.sqrt(2.0 / (fan_in + fan_out))", new="math.sqrt(1.0 / (fan_in + fan_out))"),
    dict(part="test_init_scales", cell="init_scales",
         why="ReLU keeps the whole second moment (factor 1 instead of 1/2)",
         old='{"relu": 0.5,', new='{"relu": 1.0,'),
    dict(part="test_residual_block", cell="residual_block",
         why="dx without the shortcut path: only the branch's gradient",
         old="dx = d_out + d_inner @ w1.T", new="dx = d_inner @ w1.T"),
    dict(part="test_residual_block", cell="residual_block",
         why="the shortcut's gradient skips the outer ReLU (da instead of da * relu'(z))",
         old="dx = d_out + d_inner @ w1.T", new="dx = da + d_inner @ w1.T"),
    dict(part="test_lr_range", cell="lr_range",
         why="no bias correction of the running average",
         old="unbiased = running / (1.0 - beta ** (t + 1))", new="unbiased = running"),
    dict(part="test_lr_range", cell="lr_range",
         why="suggests the rate at the lowest smoothed loss divided by 10 (the lecture's rule)",
         old="return lrs, smooth, lrs[int(np.argmin(drops)) + 1]",
         new="return lrs, smooth, lrs[int(np.argmin(smooth))] / 10.0"),
    dict(part="test_train_deep", cell="train_deep",
         why="only 4 residual blocks",
         old="    width, hidden, n_blocks, classes = 64, 64, 6, 10\n", new=FEW_BLOCKS),
    dict(part="test_train_deep", cell="train_deep",
         why="trains only the head: residual_backward never runs",
         source=INLINE_TRAINER),
]
