#!/usr/bin/env python3
"""coursekit against PyTorch on the seed MLP, training steps only (CPU, float32).

    python benchmarks/bench_mlp.py [--epochs 4] [--batch-size 20] [--hidden 30]

Seed 003's network: Dense 784 -> 30 tanh -> 10 softmax, minibatches of 20, on
the 4,000 training digits of the 5,000-digit MNIST subset. Both libraries get
the same initial weights, batches, float32 data and thread count.
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (batches, coursekit_epoch, interleaved, limit_threads,  # noqa: E402
                     mnist_subset, report)


def coursekit_mlp(hidden, seed=0):
    from coursekit import Dense, Sequential
    return Sequential([Dense(784, hidden, "tanh", rng=seed), Dense(hidden, 10, rng=seed + 1)],
                      loss="categorical_cross_entropy")


def torch_mlp(net):
    """The same architecture in PyTorch, starting from the coursekit net's weights."""
    import torch
    from torch import nn
    hidden = net.layers[0].n_out
    model = nn.Sequential(nn.Linear(784, hidden), nn.Tanh(), nn.Linear(hidden, 10))
    ws = net.get_weights()  # Linear stores w transposed
    with torch.no_grad():
        for m, (w, b) in zip([model[0], model[2]], zip(ws[::2], ws[1::2])):
            m.weight.copy_(torch.from_numpy(w.T.copy()))
            m.bias.copy_(torch.from_numpy(b))
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=4, help="timed epochs, plus one warm-up")
    ap.add_argument("--batch-size", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=30)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for both libraries (default: what NumPy's BLAS uses)")
    args = ap.parse_args(argv)
    from _common import torch_epoch
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
