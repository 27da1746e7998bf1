#!/usr/bin/env python3
"""Execute notebooks in place, top to bottom, the way nbval will re-run them.

    python .ci/execute_notebook.py lectures/01_*.ipynb solutions/01_*/*.ipynb

Runs in the notebook's folder with the python3 kernel and fixed thread counts,
then saves the outputs. Fails (exit 1) on the first cell error.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")


def execute(path):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    # no timing metadata: a re-run then changes only what the code prints
    NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)  # widget state is large and changes every run
    nbformat.write(nb, path)
    return time.perf_counter() - t0


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}: executed in {execute(p):.1f} s", flush=True)
