"""Grading a class: `nbgrader autograde` (one process, one submission after another) against
`coursekit grade --jobs N` on the same submissions, and both against just executing them.

    python benchmarks/bench_grading.py                      # 40 submissions of 01_perceptrons, 2 jobs
    python benchmarks/bench_grading.py --students 12 --jobs 2

In a temporary course: N students' submissions of one assignment (answers to a varying
number of parts, so the scores differ), graded twice from the same fresh gradebook, once by
each command; the scores must be identical. Then each submission's notebook is executed once
with nbclient alone (a fresh kernel per notebook, what any grader must at least do), which
gives the per-submission overhead of each grader over plain execution.

Wall-clock seconds are reported, and, where this runs as root on Linux with cgroup v1's
cpuacct controller, the CPU seconds of each command and all its processes (kernels
included): they do not depend on what else the machine is running, and they say how the
grading of a large class scales with cores.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from _classroom import ASSIGNMENT, course, env, notebook, save, scores, solved  # noqa: E402

PARTS = ["step_perceptron", "nand_nor", "xor", "perceptron_update", "train"]
CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class CpuMeter:
    """CPU seconds used by a command and its descendants (a cgroup v1 cpuacct group)."""

    def __init__(self):
        self.path = CPUACCT / f"coursekit-bench-{os.getpid()}"
        try:
            self.path.mkdir()
        except OSError:
            self.path = None

    def wrap(self, args):
        if self.path is None:
            return args
        (self.path / "cpuacct.usage").write_text("0")
        return ["sh", "-c", f'echo $$ > {self.path}/cgroup.procs && exec "$@"', "sh", *args]

    def seconds(self):
        return None if self.path is None else int((self.path / "cpuacct.usage").read_text()) / 1e9

    def close(self):
        if self.path is not None:
            for _ in range(50):  # a forkserver may take a moment to notice its parent is gone
                try:
                    return self.path.rmdir()
                except OSError:
                    time.sleep(0.1)


def make_class(folder, n):
    release = notebook(folder / "exercises")
    for i in range(n):
        nb = solved(release, parts=PARTS[:i % (len(PARTS) + 1)])
        save(nb, folder / "submitted" / f"student{i:03d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def timed(args, folder, meter):
    t0 = time.perf_counter()
    r = subprocess.run(meter.wrap([sys.executable, *args]), cwd=folder, env=env(),
                       capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return seconds, meter.seconds()


def fresh(folder, gradebook):
    shutil.rmtree(folder / "autograded", ignore_errors=True)
    shutil.copy(gradebook, folder / "gradebook.db")


def execute_only(folder, n):
    """Execute each submission with nbclient alone (a new kernel each), one after another."""
    import nbformat
    from nbclient import NotebookClient
    for i in range(n):
        path = Path(folder) / "submitted" / f"student{i:03d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                       resources={"metadata": {"path": str(path.parent)}}).execute()


def _fmt_cpu(cpu, n):
    return "" if cpu is None else f"   CPU {cpu:6.1f} s = {cpu / n:4.2f} s/submission"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--execute-only", metavar="COURSE", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.execute_only:
        return execute_only(args.execute_only, args.students)
    meter, n = CpuMeter(), args.students
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = course(Path(tmp))
            make_class(folder, n)
            gradebook = Path(tmp) / "gradebook-fresh.db"
            shutil.copy(folder / "gradebook.db", gradebook)
            load = os.getloadavg()[0]

            fresh(folder, gradebook)
            seq, seq_cpu = timed(["-m", "nbgrader", "autograde", ASSIGNMENT], folder, meter)
            seq_scores = scores(folder)

            fresh(folder, gradebook)
            par, par_cpu = timed(["-m", "coursekit.cli", "grade", ASSIGNMENT, "--jobs",
                                  str(args.jobs), "--no-progress"], folder, meter)
            par_scores = scores(folder)
            rows = list(csv.DictReader(open(folder / "reports" / ASSIGNMENT / "status.csv")))
            worker = sum(float(r["seconds"]) for r in rows) / len(rows)

            plain, plain_cpu = timed([__file__, "--execute-only", str(folder), "--students",
                                      str(n)], folder, meter)
            load_after = os.getloadavg()[0]
    finally:
        meter.close()

    same = seq_scores == par_scores
    print(f"{n} submissions of {ASSIGNMENT}, {os.cpu_count()} cores, load average "
          f"{load:.1f} before and {load_after:.1f} after the runs")
    print(f"nbgrader autograde (sequential)  {seq:6.1f} s = {seq / n:4.2f} s/submission"
          + _fmt_cpu(seq_cpu, n))
    print(f"coursekit grade --jobs {args.jobs:<2}        {par:6.1f} s = {par / n:4.2f} s/submission"
          + _fmt_cpu(par_cpu, n))
    print(f"execute only (nbclient)          {plain:6.1f} s = {plain / n:4.2f} s/submission"
          + _fmt_cpu(plain_cpu, n))
    print(f"speed-up, wall clock (sequential / parallel): {seq / par:.2f}x")
    print(f"overhead over executing, per submission: nbgrader autograde "
          f"{(seq - plain) / n:+.2f} s wall"
          + ("" if seq_cpu is None else f", {(seq_cpu - plain_cpu) / n:+.2f} s CPU")
          + "; coursekit grade"
          + ("" if par_cpu is None else f" {(par_cpu - plain_cpu) / n:+.2f} s CPU,")
          + f" {worker:.2f} s wall in its worker")
    print(f"same scores: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
