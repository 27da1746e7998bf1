"""Mistakes students make in exercise 8, each of which must score 0 on its part."""

ADAM_L2 = '''\
class AdamW:
    """Adam with the weight decay added to the gradient (L2), not decoupled."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.eps, self.weight_decay = eps, weight_decay
        self.t = 0
        self.moments = {}

    def step(self, params, grads):
        self.t += 1
        for i, (w, g) in enumerate(zip(params, grads)):
            g = g + self.weight_decay * w
            m, v = self.moments.get(i, (np.zeros_like(w), np.zeros_like(w)))
            m = self.beta1 * m + (1 - self.beta1) * g
            v = self.beta2 * v + (1 - self.beta2) * g * g
            self.moments[i] = (m, v)
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
'''

WRONG = [
    # Part 1: warm-up, then cosine
    dict(part="test_warmup_cosine", cell="warmup_cosine",
         why="the cosine's phase counted from step 0 instead of from the end of the warm-up",
         old="phase = math.pi * (t - warmup_steps) / (total_steps - warmup_steps)",
         new="phase = math.pi * t / total_steps"),
    dict(part="test_warmup_cosine", cell="warmup_cosine",
         why="off by one in the warm-up: (t + 1) / W",
         old="lr_max * t / warmup_steps", new="lr_max * (t + 1) / warmup_steps"),
    # Part 2: AdamW
    dict(part="test_adamw", cell="adamw",
         why="L2 in the gradient (Adam + L2) instead of decoupled weight decay",
         source=ADAM_L2),
    dict(part="test_adamw", cell="adamw",
         why="the step counter advanced once per parameter array instead of once per step",
         old=("        self.t += 1\n"
              "        for i, (w, g) in enumerate(zip(params, grads)):\n"),
         new=("        for i, (w, g) in enumerate(zip(params, grads)):\n"
              "            self.t += 1\n")),
    dict(part="test_adamw", cell="adamw",
         why="new arrays put into the list instead of updating the caller's arrays in place",
         old="            w -= self.lr * (self.weight_decay * w + m_hat / (np.sqrt(v_hat) + self.eps))",
         new="            params[i] = w - self.lr * (self.weight_decay * w + m_hat / (np.sqrt(v_hat) + self.eps))"),
    # Part 3: Nadam
    dict(part="test_nadam", cell="nadam",
         why="Adam's bias-corrected momentum, without the Nesterov look-ahead",
         old="look_ahead = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1 ** t)",
         new="look_ahead = m / (1 - b1 ** t)"),
    dict(part="test_nadam", cell="nadam",
         why="the look-ahead momentum bias-corrected with this step's 1 - beta1^t instead of the next's",
         old="b1 * m / (1 - b1 ** (t + 1))", new="b1 * m / (1 - b1 ** t)"),
    # Part 5: training within the budget
    dict(part="test_train", cell="train",
         why="plain gradient descent: one learning rate cannot suit inputs scaled from 0.03 to 30",
         source=("def train(loss_and_grads, params, budget):\n"
                 "    for _ in range(budget):\n"
                 "        _, grads = loss_and_grads(params)\n"
                 "        for w, g in zip(params, grads):\n"
                 "            w -= 0.3 * g\n"
                 "    return params\n")),
    dict(part="test_train", cell="train",
         why="one evaluation over the budget, to print the final loss",
         old="    return params\n",
         new="    print('final loss', round(float(loss_and_grads(params)[0]), 3))\n    return params\n"),
]
