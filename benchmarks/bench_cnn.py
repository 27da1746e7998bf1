#!/usr/bin/env python3
"""coursekit against PyTorch on the seed CNN, training steps only (CPU, float32).

    python benchmarks/bench_cnn.py [--epochs 4] [--batch-size 20]

Seed 003's network: Conv2D 20 filters 5x5 ReLU -> 2x2 max-pool -> Dense 100 tanh
-> Dense 10 softmax, on the 4,000 training digits of the 5,000-digit MNIST subset.
Both libraries get the same initial weights, batches, float32 data and thread count.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (arguments, batches, copy_weights, coursekit_epoch,  # noqa: E402
                     interleaved, limit_threads, mnist_subset, report, torch_epoch)


def coursekit_cnn(seed=0):
    from coursekit import Dense, Sequential
    from coursekit.conv import Conv2D, Flatten, MaxPool2D
    return Sequential([Conv2D(1, 20, 5, activation="relu", rng=seed), MaxPool2D(2), Flatten(),
                       Dense(2880, 100, "tanh", rng=seed + 1), Dense(100, 10, rng=seed + 2)],
                      loss="categorical_cross_entropy")


def torch_cnn(net):
    """The same architecture in PyTorch, starting from the coursekit net's weights."""
    from torch import nn
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2880, 100), nn.Tanh(), nn.Linear(100, 10))
    copy_weights([model[0], model[4], model[6]], net)
    return model


def main(argv=None):
    args = arguments(__doc__.splitlines()[0], argv)
    from coursekit import optim
    n_threads = limit_threads(args.threads)
    x, y, _, _ = mnist_subset()
    x = x.reshape(-1, 1, 28, 28)
    plan = batches(len(x), args.batch_size, args.epochs + 1)
    net = coursekit_cnn()
    model = torch_cnn(net)
    ck, pt = interleaved([coursekit_epoch(net, optim.SGD(args.lr), x, y),
                          torch_epoch(model, x, y, args.lr)], plan)
    t0 = time.perf_counter()
    net.evaluate(x, y)
    t_eval = time.perf_counter() - t0
    print(f"threads: {n_threads} (NumPy BLAS and torch.set_num_threads), batch size "
          f"{args.batch_size}, {len(x)} training images, float32")
    report([("seed CNN (conv5x5x20-pool-100-10)", statistics.median(ck), statistics.median(pt))])
    print(f"coursekit evaluate() on the 4,000 training images "
          f"(what fit(evaluate_train=True) adds per epoch): "
          f"{t_eval:.3f} s")
    return statistics.median(ck) / statistics.median(pt)


if __name__ == "__main__":
    main()
