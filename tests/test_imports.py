"""The package reads bottom-up: no module imports another that imports it back (issue 9, part 4).

The graph counts every ``from . import x`` and ``from .x import y``, function-level ones
included, between the top-level modules of coursekit.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import coursekit

PACKAGE = Path(coursekit.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def _imports(name):
    """The coursekit modules that module `name` imports, anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or node.module == "coursekit"):
            if node.module and node.level == 1:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("coursekit."))
    return found & set(MODULES)


GRAPH = {m: _imports(m) for m in MODULES}


def _cycle(graph):
    """A list of modules forming an import cycle, or None."""
    state = {}

    def visit(m, path):
        state[m] = "open"
        for n in sorted(graph[m]):
            if state.get(n) == "open":
                return path[path.index(n):] + [n]
            if n not in state and (found := visit(n, path + [n])):
                return found
        state[m] = "done"
        return None

    for m in graph:
        if m not in state and (found := visit(m, [m])):
            return found
    return None


def test_no_import_cycles():
    assert _cycle(GRAPH) is None, " -> ".join(_cycle(GRAPH))


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_training_sits_above_the_modules_it_trains():
    assert "train" in GRAPH["modules"]          # Sequential.fit hands over to train.fit
    assert "modules" not in GRAPH["train"]      # train works on any net with the protocol
    assert "modules" not in GRAPH["regularization"]  # Module comes from base
    assert "modules" not in GRAPH["conv"]


@pytest.mark.parametrize("name", ["base", "checks", "losses", "layers", "optim", "regularization",
                                  "train", "modules", "conv", "gradcheck", "engine", "search"])
def test_each_module_imports_alone_in_a_fresh_interpreter(name):
    """Import one module without the package's __init__ (which imports everything), so
    only its own imports run, in the order they are written."""
    code = ("import importlib, sys, types\n"
            f"pkg = types.ModuleType('coursekit'); pkg.__path__ = [{str(PACKAGE)!r}]\n"
            "sys.modules['coursekit'] = pkg\n"
            f"importlib.import_module('coursekit.{name}')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
