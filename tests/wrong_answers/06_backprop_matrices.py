"""Mistakes students make in exercise 6, each of which must score 0 on its part."""

WRONG = [
    # Part 1: the gradient checker
    dict(part="test_check_gradients", cell="check_gradients",
         why="a one-sided difference (f(w + h) - f(w)) / h: error O(h)",
         old=("            array[index] = saved - h\n"
              "            below = loss_fn()\n"
              "            array[index] = saved                          # the saved float, exactly\n"
              "            numeric[index] = (above - below) / (2 * h)"),
         new=("            array[index] = saved\n"
              "            below = loss_fn()\n"
              "            numeric[index] = (above - below) / h")),
    dict(part="test_check_gradients", cell="check_gradients",
         why="perturbs a copy of each array, which loss_fn never reads: every difference is 0",
         old="    for name, array in params.items():\n",
         new="    for name, original in params.items():\n        array = original.copy()\n"),
    # Part 2: the planted bugs
    dict(part="test_fixed_backward", cell="fixed_backward",
         why="keeps the bug of the residual block: the identity path is missing from dH1",
         old="dh1 = dh2 + d2 @ params[\"W2\"].T", new="dh1 = d2 @ params[\"W2\"].T"),
    dict(part="test_fixed_backward", cell="fixed_backward",
         why="keeps the unshifted softmax: exp overflows for logits in the thousands",
         old="e3 = np.exp(z3 - z3.max(axis=1, keepdims=True))", new="e3 = np.exp(z3)"),
    dict(part="test_fixed_backward", cell="fixed_backward",
         why="returns finite differences instead of a backward pass (breaks the no-loops rule)",
         source=("def fixed_backward(x, labels, params, lam):\n"
                 "    grads = {}\n"
                 "    for name, array in params.items():\n"
                 "        grads[name] = np.zeros(array.shape)\n"
                 "        for index in np.ndindex(*array.shape):\n"
                 "            saved = array[index]\n"
                 "            array[index] = saved + 1e-6\n"
                 "            above = net_loss(x, labels, params, lam)\n"
                 "            array[index] = saved - 1e-6\n"
                 "            below = net_loss(x, labels, params, lam)\n"
                 "            array[index] = saved\n"
                 "            grads[name][index] = (above - below) / 2e-6\n"
                 "    return grads\n")),
    # Part 4: the training loop
    dict(part="test_train_network", cell="train_network",
         why="trains with buggy_backward instead of the fixed backward pass",
         old="grads = fixed_backward(x_train[rows], y_train[rows], params, lam)",
         new="grads = buggy_backward(x_train[rows], y_train[rows], params, lam)"),
    dict(part="test_train_network", cell="train_network",
         why="a step size 100 times too small: stops far from a good minimum",
         old="64, 10, 30, 16, 0.05, 1e-3, 0.9", new="64, 10, 30, 16, 0.0005, 1e-3, 0.9"),
]
