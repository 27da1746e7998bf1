#!/usr/bin/env python3
"""coursekit against PyTorch at realistic batch sizes, and the cost of ``fit`` (CPU, float32).

    python benchmarks/bench_suite.py                      # every workload, a table
    python benchmarks/bench_suite.py --json               # the same, machine-readable
    python benchmarks/bench_suite.py cnn128 mlp_adam128 --epochs 8 --threads 1
    python benchmarks/bench_suite.py --memory             # peak RSS, a fresh process per library

Workloads (synthetic data of MNIST's shapes, 4,000 images unless --n: timing does not
depend on the pixel values; the digits are not needed):

  cnn128, cnn20   the seed CNN (conv 20@5x5 ReLU, 2x2 max-pool, dense 100 tanh, 10), SGD
  mlp_adam128     MLP 784-256-10 ReLU with Adam
  fit_mlp, fit_cnn  ``Sequential.fit`` (default arguments) against the bare training steps

Epochs of the two contenders alternate, the first of each is a warm-up, and the median
of the rest is reported with the ratio (first / second: below 1, the first is faster).
"""
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH may name another coursekit
from _common import batches, copy_weights, coursekit_epoch, limit_threads  # noqa: E402

WORKLOADS = {  # name: (network, optimizer, batch size)
    "cnn128": ("cnn", "sgd", 128),
    "cnn20": ("cnn", "sgd", 20),
    "mlp_adam128": ("mlp256", "adam", 128),
    "fit_mlp": ("mlp256", "adam", 128),
    "fit_cnn": ("cnn", "sgd", 128),
}
LR = {"sgd": 0.1, "adam": 1e-3}


def synthetic(net, n, seed=0):
    """x in [0, 1) of MNIST's shape for the net, y: integer labels 0..9."""
    rng = np.random.default_rng(seed)
    shape = (n, 1, 28, 28) if net == "cnn" else (n, 784)
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, n)


def coursekit_net(name, seed=0):
    from coursekit import Dense, Sequential
    from coursekit.conv import Conv2D, Flatten, MaxPool2D
    if name == "cnn":
        layers = [Conv2D(1, 20, 5, activation="relu", rng=seed), MaxPool2D(2), Flatten(),
                  Dense(2880, 100, "tanh", rng=seed + 1), Dense(100, 10, rng=seed + 2)]
    else:
        layers = [Dense(784, 256, "relu", init_scheme="he", rng=seed), Dense(256, 10, rng=seed + 1)]
    return Sequential(layers, loss="categorical_cross_entropy")


def torch_net(name, net):
    """The same architecture in PyTorch, starting from the coursekit net's weights."""
    from torch import nn
    if name == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(2880, 100), nn.Tanh(), nn.Linear(100, 10))
        copy_weights([model[0], model[4], model[6]], net)
    else:
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        copy_weights([model[0], model[2]], net)
    return model


def torch_epoch(model, opt_name, x, y, device="cpu"):
    import torch
    model = model.to(device)
    cls = torch.optim.Adam if opt_name == "adam" else torch.optim.SGD
    opt = cls(model.parameters(), lr=LR[opt_name])
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    def epoch(plan):
        t0 = time.perf_counter()
        for idx in plan:
            idx = torch.from_numpy(idx).to(device)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss.item()  # what a training loop prints or averages; coursekit's fit does it too
        return time.perf_counter() - t0
    return epoch


def coursekit_steps(net, opt, x, y):
    """coursekit's bare training steps on any backend, with the float(loss) fit reads."""
    from coursekit.backend import asarray
    params = [v for _, _, v in net.parameters()]

    def epoch(plan):
        t0 = time.perf_counter()
        for idx in plan:
            idx = asarray(idx)
            loss = net.loss_and_grads(x[idx], y[idx], train=True)
            opt.step(params, [layer.grads[k] for layer, k, _ in net.parameters()])
            float(loss)  # waits for the GPU: the epoch's time is complete
        return time.perf_counter() - t0
    return epoch


def fit_epochs(net, opt, x, y, batch_size, epochs):
    """fit with its default arguments, `epochs` epochs per call; returns seconds per epoch."""
    def epoch(plan):
        t0 = time.perf_counter()
        net.fit(x, y, epochs=epochs, batch_size=batch_size, optimizer=opt, progress=False,
                seed=len(plan))
        return (time.perf_counter() - t0) / epochs
    return epoch


def alternate(fns, plans):
    """Seconds per epoch of each function (wall clock, as it returns them) and the CPU
    seconds of this process meanwhile, epochs alternating; the first of each is a warm-up."""
    times, cpu = [[] for _ in fns], [[] for _ in fns]
    for plan in plans:
        for f, t, c in zip(fns, times, cpu):
            c0 = time.process_time()
            t.append(f(plan))
            c.append(time.process_time() - c0)
    return [t[1:] for t in times], [c[1:] for c in cpu]


def run(workload, epochs, n, gpu=False):
    """{'workload', 'a', 'b', 'a_s', 'b_s' (median s/epoch), 'ratio', 'ratios' (per epoch),
    'cpu_ratio' (of the median CPU seconds: less sensitive to other processes with 1 thread)}."""
    from coursekit import optim
    net_name, opt_name, bs = WORKLOADS[workload]
    x, y = synthetic(net_name, n)
    plans = batches(n, bs, epochs + 1)
    net = coursekit_net(net_name)
    opt = optim.get(opt_name, lr=LR[opt_name])
    if gpu:  # CuPy against PyTorch CUDA; the data moves to the device once
        from coursekit.backend import asarray
        model = torch_net(net_name, net)  # torch's copy of the weights, before they move
        xg, yg = asarray(x), asarray(y)
        fns = [coursekit_steps(net, opt, xg, yg), torch_epoch(model, opt_name, x, y, "cuda")]
        names = ("coursekit CuPy", "PyTorch CUDA")
        if workload.startswith("fit_"):
            fns = [fit_epochs(net, opt, xg, yg, bs, 3), coursekit_steps(net, opt, xg, yg)]
            names = ("coursekit fit", "coursekit bare steps")
    elif workload.startswith("fit_"):
        k = 3  # fit's per-call checks are paid once per call, as in a lecture's fit(epochs=...)
        bare = coursekit_epoch(net, opt, x, y)
        fns = [fit_epochs(net, opt, x, y, bs, k), lambda plan: sum(bare(plan) for _ in range(k)) / k]
        names = ("coursekit fit", "coursekit bare steps")
    else:
        fns = [coursekit_steps(net, opt, x, y),
               torch_epoch(torch_net(net_name, net), opt_name, x, y)]
        names = ("coursekit", "PyTorch")
    (a, b), (ca, cb) = alternate(fns, plans)
    med = statistics.median
    return {"workload": workload, "network": net_name, "optimizer": opt_name, "batch_size": bs,
            "a": names[0], "b": names[1], "a_s": med(a), "b_s": med(b), "ratio": med(a) / med(b),
            "ratios": [p / q for p, q in zip(a, b)], "cpu_ratio": med(ca) / med(cb)}


def machine(threads):
    """Threads, BLAS (and its core type) of NumPy and PyTorch, CPU count, load."""
    import torch
    from threadpoolctl import threadpool_info
    blas = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for p in threadpool_info() if p.get("user_api") == "blas"]
    found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    torch_blas = found.group(1) if found else "?"
    return {"threads": threads, "numpy": np.__version__, "numpy_blas": blas,
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_blas": torch_blas, "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "python": platform.python_version()}


# ---------------------------------------------------------------- peak memory
def _child(library, workload, n, threads):
    """Train 3 epochs in this fresh process; print the peak RSS (MiB) before and after."""
    limit_threads(threads)
    net_name, opt_name, bs = WORKLOADS[workload]
    x, y = synthetic(net_name, n)
    net = coursekit_net(net_name)
    if library == "torch":
        fn = torch_epoch(torch_net(net_name, net), opt_name, x, y)
    else:
        from coursekit import optim
        fn = coursekit_epoch(net, optim.get(opt_name, lr=LR[opt_name]), x, y)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for plan in batches(n, bs, 3):
        fn(plan)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"library": library, "workload": workload, "rss_before_training_mib": before,
                      "peak_rss_mib": peak, "training_increase_mib": peak - before}))


def memory(workloads, n, threads):
    rows = []
    for w in workloads:
        for lib in ("coursekit", "torch"):
            out = subprocess.run([sys.executable, __file__, "--_child", lib, w, "--n", str(n),
                                  "--threads", str(threads)], capture_output=True, text=True,
                                 check=True).stdout
            rows.append(json.loads(out.splitlines()[-1]))
    return rows


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", help=f"some of {', '.join(WORKLOADS)} (default: all)")
    ap.add_argument("--epochs", type=int, default=6, help="timed epochs, plus one warm-up")
    ap.add_argument("--n", type=int, default=4000, help="training images")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--memory", action="store_true", help="peak RSS per library instead")
    ap.add_argument("--gpu", action="store_true",
                    help="coursekit on CuPy against PyTorch on CUDA (needs a GPU)")
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.gpu:
        from coursekit import backend
        backend.use("cupy")
    workloads = args.workloads or list(WORKLOADS)
    if set(workloads) - set(WORKLOADS):
        ap.error(f"unknown workloads {sorted(set(workloads) - set(WORKLOADS))}")
    threads = limit_threads(args.threads)
    if args._child:
        return _child(*args._child, args.n, threads)
    info = machine(threads)
    if args.memory:
        rows = memory([w for w in workloads if not w.startswith("fit_")], args.n, threads)
    else:
        rows = [run(w, args.epochs, args.n, args.gpu) for w in workloads]
    if args.json:
        print(json.dumps({"machine": info, "results": rows}, indent=1))
        return rows
    blas = ", ".join(f"{b['internal_api']} {b['version']} {b['architecture']} x{b['num_threads']}"
                     for b in info["numpy_blas"])
    print(f"threads {threads}; NumPy {info['numpy']} BLAS: {blas}; torch {info['torch']} "
          f"({info['torch_blas']}) x{info['torch_threads']}; load {info['load_average'][0]:.2f} on {info['cpus']} CPUs")
    if args.memory:
        print(f"{'workload':<14}{'library':<11}{'RSS before MiB':>16}{'peak RSS MiB':>14}"
              f"{'increase MiB':>14}")
        for r in rows:
            print(f"{r['workload']:<14}{r['library']:<11}{r['rss_before_training_mib']:>16.0f}"
                  f"{r['peak_rss_mib']:>14.0f}{r['training_increase_mib']:>14.0f}")
        return rows
    print(f"{'workload':<13}{'batch':>6}  {'A':<15}{'A s/ep':>9}  {'B':<21}{'B s/ep':>9}"
          f"{'A/B':>7}{'epoch ratios':>14}{'CPU A/B':>9}")
    for r in rows:
        print(f"{r['workload']:<13}{r['batch_size']:>6}  {r['a']:<15}{r['a_s']:>9.3f}  "
              f"{r['b']:<21}{r['b_s']:>9.3f}{r['ratio']:>7.2f}"
              f"{min(r['ratios']):>9.2f}-{max(r['ratios']):.2f}{r['cpu_ratio']:>9.2f}")
    print("medians over the timed epochs; A/B < 1: A is faster; epoch ratios: their range;\n"
          "CPU A/B: of CPU seconds (with several threads it counts spinning). Synthetic data.")
    return rows


if __name__ == "__main__":
    main()
