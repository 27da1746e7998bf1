"""Shared timing harness for the benchmarks: same data, batches and threads for both libraries."""
import os
import time

import numpy as np


def limit_threads(n=None):
    """Use n threads in NumPy's BLAS and in PyTorch (default: the BLAS's current count).

    Returns n. Both libraries then compete on equal terms.
    """
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits
    if n is None:
        blas = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        n = blas[0] if blas else os.cpu_count()
    threadpool_limits(n, user_api="blas")
    torch.set_num_threads(n)
    return n


def mnist_subset(seed=0):
    """The 5,000 MNIST digits of lecture 10, float32 in [0, 1], split 4000/1000 with a seed."""
    from coursekit import datasets
    x, y = datasets.mnist_5k()
    return datasets.stratified_split(x, y, n_test=1000, seed=seed)


def batches(n, batch_size, epochs, seed=0):
    """The same shuffled index arrays for every library: one list per epoch."""
    rng = np.random.default_rng(seed)
    return [[order[i:i + batch_size] for i in range(0, n, batch_size)]
            for order in (rng.permutation(n) for _ in range(epochs))]


def coursekit_epoch(net, opt, x, y):
    """A function(batches) that runs one epoch of coursekit training steps and returns seconds:
    loss_and_grads + optimizer step per minibatch (no evaluation)."""
    params = [v for _, _, v in net.parameters()]

    def epoch(batches_):
        t0 = time.perf_counter()
        for idx in batches_:
            net.loss_and_grads(x[idx], y[idx], train=True)
            opt.step(params, [layer.grads[k] for layer, k, _ in net.parameters()])
        return time.perf_counter() - t0
    return epoch


def torch_epoch(model, x, y, lr):
    """The same for PyTorch: zero_grad, forward, loss, backward, SGD step per minibatch."""
    import torch
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(batches_):
        t0 = time.perf_counter()
        for idx in batches_:
            idx = torch.from_numpy(idx)
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        return time.perf_counter() - t0
    return epoch


def interleaved(epoch_fns, plan):
    """Seconds per epoch for each function, alternating epochs so that both see the same
    machine load; the first epoch of each is a warm-up and is dropped."""
    times = [[] for _ in epoch_fns]
    for batches_ in plan:
        for f, t in zip(epoch_fns, times):
            t.append(f(batches_))
    return [t[1:] for t in times]


def report(rows):
    """Print the table: name, coursekit s/epoch, PyTorch s/epoch, ratio (coursekit / PyTorch)."""
    print(f"{'benchmark':<34}{'coursekit s/epoch':>18}{'PyTorch s/epoch':>17}{'ratio':>8}")
    for name, ck, pt in rows:
        print(f"{name:<34}{ck:>18.3f}{pt:>17.3f}{ck / pt:>8.2f}")
    print("ratio < 1: coursekit is faster. Median over the timed epochs (the first is a warm-up).")


def copy_weights(torch_layers, net):
    """Load the coursekit net's (w, b) pairs, in order, into the torch layers.

    nn.Linear stores w as (out, in), the transpose of coursekit's (in, out); conv
    filters (F, C, KH, KW) have the same layout in both.
    """
    import torch
    ws = net.get_weights()
    with torch.no_grad():
        for m, (w, b) in zip(torch_layers, zip(ws[::2], ws[1::2])):
            m.weight.copy_(torch.from_numpy(w if w.ndim == 4 else w.T.copy()))
            m.bias.copy_(torch.from_numpy(b))


def arguments(description, argv=None, **extra):
    """The options both benchmarks share, plus extra {name: (type, default, help)}."""
    import argparse
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--epochs", type=int, default=4, help="timed epochs, plus one warm-up")
    ap.add_argument("--batch-size", type=int, default=20)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for both libraries (default: what NumPy's BLAS uses)")
    for name, (type_, default, help_) in extra.items():
        ap.add_argument(f"--{name}", type=type_, default=default, help=help_)
    return ap.parse_args(argv)
