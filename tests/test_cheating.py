"""Cheating earns nothing.

Every assignment is graded with three cheating submissions built from the instructor
notebook (tests/_grading_course.py: "wrong" fits the visible tests only, "patcher" rebinds
and patches every helper, numpy comparison, builtin and coursekit function the tests could
use and answers with an object equal to everything, "tamper" replaces or deletes the test
cells and imports forbidden coursekit answers). Each must score no more than the blank
release on the parts it cheats. The kernel-level tricks the sealed tests cannot stop are
left to the submission scan, tested here on small notebooks, as is the sealed runner itself.
"""
import json
import subprocess
import sys

import pytest

from _grading_course import ASSIGNMENTS, PATCH_SOURCE, ROOT, course, read
from coursekit.grading.scan import scan_submission, tampered_cells

CHEATS = ("wrong", "patcher", "tamper")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_cheats_score_no_more_than_blank(assignment, tmp_path_factory):
    c = course(assignment, tmp_path_factory)
    blank = c.scores("blank")
    assert c.cheated["wrong"], "no answer of this assignment could be hard-coded"
    gained = {}
    for student in CHEATS:
        scores = c.scores(student)
        for gid in c.cheated[student]:
            if scores[gid][0] is None or scores[gid][0] > blank[gid][0]:
                gained.setdefault(student, []).append((gid, scores[gid][0]))
    assert not gained, f"cheats scored points: {gained}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_forbidden_coursekit_answers_score_nothing(assignment, tmp_path_factory):
    """An answer imported from a coursekit module the exercise forbids fails its tests."""
    c = course(assignment, tmp_path_factory)
    if not c.parts.twins:
        pytest.skip("no answer of this assignment has a namesake in a forbidden module")
    scores = c.scores("tamper")
    for gid, names in c.parts.tested.items():
        if set(names) & set(c.parts.twins):
            assert scores[gid][0] == 0, (gid, c.parts.twins)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_tamper_check_reports_real_edits_only(assignment, tmp_path_factory):
    c = course(assignment, tmp_path_factory)
    released = read(c.release())
    # nbgrader warns about every test cell with hidden tests, even for the untouched release
    assert "checksum" in c.autograde_log.stdout + c.autograde_log.stderr
    for student in ("blank", "wrong", "patcher"):
        assert tampered_cells(c.submission(student), released) == [], student
    found = tampered_cells(c.submission("tamper"), released)
    assert {f.grade_id for f in found} >= set(c.parts.tests)
    assert {f.kind for f in found} == {"edited", "deleted"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scan_flags_patches_and_is_quiet_on_honest_work(assignment, tmp_path_factory):
    c = course(assignment, tmp_path_factory)
    released = read(c.release())
    assert scan_submission(c.submission("blank"), released) == []
    assert scan_submission(c.submission("solution"), released) == []
    assert scan_submission(c.submission("blank")) == []
    # the patcher runs its patches through exec (flagged), and its patch code is flagged too
    kinds = {f.kind for f in scan_submission(c.submission("patcher"), released)}
    assert "dynamic-code" in kinds, kinds
    kinds = {f.kind for f in scan_submission(_notebook(PATCH_SOURCE.replace("{helpers!r}", "[]")))}
    assert {"module-patch", "builtins", "introspection"} <= kinds, kinds
    kinds = {f.kind for f in scan_submission(c.submission("wrong"), released)}
    assert {"dynamic-code", "introspection"} <= kinds, kinds


# ---------------------------------------------------------------- the scan, on its own

KERNEL_TRICKS = {
    "import-system": ["import sys\nsys.modules['numpy'] = fake",
                      "import importlib\nimportlib.reload(np)", "from sys import meta_path"],
    "kernel": ["get_ipython().input_transformers_post.append(f)",
               "ip = get_ipython()\nip.events.register('pre_run_cell', f)",
               "print(In[4])", "%load_ext autoreload", "!pip install cheat"],
    "introspection": ["import inspect", "import ast\nast.parse = lambda s: None",
                      "f.__code__ = g.__code__", "import ctypes", "import gc\ngc.get_objects()",
                      "frame = sys._getframe(1)", "import sys\nsys.settrace(tracer)",
                      "x.__class__ = Fake"],
    "builtins": ["import builtins\nbuiltins.abs = lambda x: 0", "__builtins__['len'] = f"],
    "module-patch": ["np.allclose = lambda *a, **k: True",
                     "import numpy.testing as t\nt.assert_allclose = f",
                     "from coursekit import gradcheck\ngradcheck.rel_error = lambda a, b: 0.0",
                     "from coursekit import Sequential\nSequential.evaluate = f", "del np.isclose"],
    "dynamic-code": ["exec(code)", "eval('1')", "setattr(np, 'isclose', f)",
                     "globals()['rel_error'] = f", "vars(np)['allclose'] = f"],
    "shadowing": ["abs = lambda x: 0", "def all(x):\n    return True", "for max in range(3): pass"],
    "process": ["import os\nos._exit(0)", "import signal", "import threading", "exit()"],
    "files": ["open('solution.py', 'w').write(code)", "Path('x').write_text('y')"],
    "syntax": ["def f(:\n    pass"],
}


def _notebook(*sources):
    return {"cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": []}
                      for s in sources], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("kind", sorted(KERNEL_TRICKS))
def test_scan_flags_kernel_tricks(kind):
    for snippet in KERNEL_TRICKS[kind]:
        kinds = {f.kind for f in scan_submission(_notebook(snippet))}
        assert kind in kinds, (snippet, kinds)


def test_scan_is_quiet_on_ordinary_code():
    honest = ["import numpy as np\nimport math\n\n"
              "def f(x):\n    total = np.sum(x)\n    return total / len(x)",
              "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])",
              "class Node:\n    def __init__(self):\n        self.grad = 0.0\n"
              "    def __repr__(self):\n        return f'{type(self).__name__}()'",
              "values = [abs(v) for v in range(3)]\n"
              "with open('data.txt') as f:\n    text = f.read()",
              "%timeit f(np.ones(3))"]
    assert scan_submission(_notebook(*honest)) == []


def test_scan_redefinitions_of_provided_names_need_the_release():
    release = _notebook("from coursekit.gradcheck import rel_error\nimport numpy as np")
    release["cells"][0]["metadata"] = {"nbgrader": {"grade_id": "setup", "locked": True}}
    release["cells"].append({"cell_type": "code", "source": "assert rel_error(a, b) < 1e-7",
                             "metadata": {"nbgrader": {"grade": True, "solution": False,
                                                       "grade_id": "t", "locked": True}}})
    mine = _notebook("rel_error = lambda a, b: 0.0", "import numpy as np")
    found = scan_submission(mine, release)
    assert [f.kind for f in found] == ["shadowing"] and "rel_error" in found[0]


def test_tamper_check_on_metadata_and_copies():
    release = _notebook("assert f(1) == 2")
    release["cells"][0]["metadata"] = {"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 2}}
    mine = json.loads(json.dumps(release))
    mine["cells"][0]["metadata"]["nbgrader"]["points"] = 20
    mine["cells"].append(json.loads(json.dumps(mine["cells"][0])))
    kinds = sorted(f.kind for f in tampered_cells(mine, release))
    assert kinds == ["duplicated", "metadata"]
    assert tampered_cells(release, release) == []


# ---------------------------------------------------------------- the sealed runner, on its own

SEALED_TEST = '''
@sealed_test
def _hidden(f):
    x = np.random.default_rng(0).standard_normal(5)
    assert close(f(x.copy()), 2 * x) and equal(array(f(x.copy())).shape, (5,))
    with no_code_from("coursekit"):
        f(x.copy())
    result, ran = calls(f, x.copy())
    assert f.__code__ in ran
'''
GOOD = "def f(x):\n    return np.asarray(x) * 2.0\n"
WRONG = "def f(x):\n    return 0 * np.asarray(x)\n"
PATCHES = {
    "np.allclose": "np.allclose = np.isclose = lambda *a, **k: True\n" + WRONG,
    "builtins by name": "abs = max = lambda *a, **k: 0.0\nall = lambda *a: True\n" + WRONG,
    "builtins module": ("import builtins\nbuiltins.all = lambda *a: True\n"
                        "builtins.max = lambda *a, **k: 0\n" + WRONG),
    "np.absolute": "np.absolute = lambda *a, **k: np.zeros(1)\n" + WRONG,
    "zero random numbers": "class R:\n  def standard_normal(self, n): return np.zeros(n)\n"
                           "np.random.default_rng = lambda *a: R()\n" + WRONG,
    "equal to everything": "class L:\n  __eq__ = __le__ = __lt__ = lambda s, o: True\n"
                           "  __getattr__ = __call__ = lambda s, *a, **k: L()\n"
                           "def f(x): return L()\n",
    "ndarray subclass": "class A(np.ndarray):\n  def tolist(self): return [True] * 5\n"
                        "def f(x): return (0 * np.asarray(x)).view(A)\n",
    "forbidden module": "import coursekit.gradcheck as g\n"
                        "def f(x):\n  g.rel_error(np.ones(1), np.ones(1))\n"
                        "  return 2 * np.asarray(x)\n",
    "patched runner": ("import coursekit.grading.sealed as s\n"
                       "s.sealed_test = lambda t: None\n" + WRONG),
}


def _run_sealed(notebook_code):
    """Run notebook code, then the sealed test pasted as autograde would, in a fresh Python."""
    from coursekit.grading.inline import inline
    program = ("import numpy as np\n" + notebook_code + "\n"
               + inline("from coursekit.grading.sealed import sealed_test\n" + SEALED_TEST)
               + "\nprint('PASSED')\n")
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_sealed_runner_passes_a_right_answer():
    r = _run_sealed(GOOD)
    assert "PASSED" in r.stdout, r.stderr


@pytest.mark.parametrize("patch", sorted(PATCHES))
def test_sealed_runner_is_not_fooled(patch):
    r = _run_sealed(PATCHES[patch])
    assert "PASSED" not in r.stdout and "AssertionError" in r.stderr, r.stdout + r.stderr


def test_locals_of_provided_functions_are_not_provided_names():
    """A student's top-level `u` is no redefinition of a loop variable inside a provided function."""
    import nbformat
    release = nbformat.v4.new_notebook()
    provided = nbformat.v4.new_code_cell("def engine(xs):\n    for u in xs:\n        pass\n    return u\n"
                                         "TABLE = {}\n")
    test = nbformat.v4.new_code_cell("assert engine([1]) == 1 and u == 2 and TABLE == {}\n")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "locked": True, "points": 1,
                                 "solution": False, "schema_version": 3}
    release.cells = [provided, test]
    student = nbformat.v4.new_notebook()
    student.cells = [provided, nbformat.v4.new_code_cell("u = 2\nTABLE = {'x': 1}\n"), test]
    found = scan_submission(student, release=release)
    assert [f.code for f in found if f.kind == "shadowing"] == ["TABLE = {'x': 1}"]
