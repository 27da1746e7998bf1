#!/usr/bin/env python3
"""coursekit against PyTorch on the seed MLP, training steps only (CPU, float32).

    python benchmarks/bench_mlp.py [--epochs 4] [--batch-size 20] [--hidden 30]

Seed 003's network: Dense 784 -> 30 tanh -> 10 softmax, minibatches of 20, on
the 4,000 training digits of the 5,000-digit MNIST subset. Both libraries get
the same initial weights, batches, float32 data and thread count.
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (arguments, batches, copy_weights, coursekit_epoch,  # noqa: E402
                     interleaved, limit_threads, mnist_subset, report, torch_epoch)


def coursekit_mlp(hidden, seed=0):
    from coursekit import Dense, Sequential
    return Sequential([Dense(784, hidden, "tanh", rng=seed), Dense(hidden, 10, rng=seed + 1)],
                      loss="categorical_cross_entropy")


def torch_mlp(net):
    """The same architecture in PyTorch, starting from the coursekit net's weights."""
    from torch import nn
    hidden = net.layers[0].n_out
    model = nn.Sequential(nn.Linear(784, hidden), nn.Tanh(), nn.Linear(hidden, 10))
    copy_weights([model[0], model[2]], net)
    return model


def main(argv=None):
    args = arguments(__doc__.splitlines()[0], argv, hidden=(int, 30, "hidden units"))
    from coursekit import optim
    n_threads = limit_threads(args.threads)
    x, y, _, _ = mnist_subset()
    plan = batches(len(x), args.batch_size, args.epochs + 1)
    net = coursekit_mlp(args.hidden)
    ck, pt = interleaved([coursekit_epoch(net, optim.SGD(args.lr), x, y),
                          torch_epoch(torch_mlp(net), x, y, args.lr)], plan)
    print(f"threads: {n_threads} (NumPy BLAS and torch.set_num_threads), batch size "
          f"{args.batch_size}, {len(x)} training images, float32")
    report([(f"seed MLP (784-{args.hidden}-10)", statistics.median(ck), statistics.median(pt))])
    return statistics.median(ck) / statistics.median(pt)


if __name__ == "__main__":
    main()
