"""One graded temporary course per assignment, shared by the round-trip, feedback and cheat tests.

For an assignment: copy the course, generate the release, submit five notebooks, grade them
with ONE ``nbgrader autograde`` call and write their feedback with ONE ``generate_feedback``
call (each nbgrader command costs seconds to start). The submissions:

blank     the release, unchanged
solution  the instructor notebook
wrong     "hard-coded answers": each answer function that sits in a cell of definitions gives
          the instructor's result, except when a hidden test calls it (a frame named _hidden
          is on the stack), where the result is perturbed (+1, negated, an extra element...).
          Its visible tests pass, its hidden tests fail: what a student who fitted the
          visible cases would hand in. The solution code travels base64-encoded, so no line of
          it appears in the notebook.
patcher   every answer is an object equal to (and smaller and greater than) everything; every
          name the test cells read besides the answers (helpers, data, np, builtins) is
          rebound to it after each answer cell; numpy's comparisons and random generator,
          math.isclose, every coursekit function and method, and builtins.abs/all/any/len/
          max/min/sum/isinstance (for calls from notebook code) are patched.
tamper    the release with every test cell replaced by ``assert True`` or deleted
          (alternately), and answers imported from coursekit where the exercise forbids it
          and coursekit has a function of the same name.
mistakeNN the instructor notebook with one plausible mistake of tests/wrong_answers/<a>.py
          (its WRONG list: part, cell, why, and old/new or source); the part must score 0.

Everything is derived from the notebooks (cells, nbgrader metadata, the hidden tests'
``def _hidden(...)`` parameters, the intro's "do not import coursekit..." sentences), so it
follows a rewrite of the exercises.
"""
import ast
import base64
import builtins
import copy
import importlib
import inspect
import json
import re
import runpy
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import release  # noqa: E402
from _classroom import run  # noqa: E402
from coursekit.grading.scan import cell_python  # noqa: E402

ASSIGNMENTS = release.assignments()
STUDENTS = ("blank", "solution", "wrong", "patcher", "tamper")
HIDDEN = re.compile(r"^### (BEGIN|END) HIDDEN TESTS\s*$")
FORBID = re.compile(r"(?:\bnot\b|\bno\b)[^.`]{0,40}((?:`coursekit[\w.]*`[^.`]{0,12}){1,3})",
                    re.IGNORECASE)
_courses = {}


# ---------------------------------------------------------------- running nbgrader

def nbgrader(course, *args, check=True):
    """``nbgrader ARGS`` in the course folder, as tests/_classroom.run runs instructor commands."""
    return run(["nbgrader", *args, f"--CourseDirectory.root={course}"], cwd=course, check=check)


def read(path):
    return json.loads(Path(path).read_text())


def write(nb, path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test(cell):
    m = meta(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


def is_answer(cell):
    return cell.get("cell_type") == "code" and bool(meta(cell).get("solution"))


def code_cell(text):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": text}


# ---------------------------------------------------------------- what the notebooks say

def visible_part(text):
    """text without the lines between (and on) the HIDDEN TESTS markers."""
    out, inside = [], False
    for line in text.splitlines():
        if HIDDEN.match(line.strip()):
            inside = line.strip().startswith("### BEGIN")
        elif not inside:
            out.append(line)
    return "\n".join(out)


def hidden_part(text):
    """The lines of text between the HIDDEN TESTS markers."""
    out, inside = [], False
    for line in text.splitlines():
        if HIDDEN.match(line.strip()):
            inside = line.strip().startswith("### BEGIN")
        elif inside:
            out.append(line)
    return "\n".join(out)


def tested_answers(cell):
    """The parameters of the hidden tests' `def _hidden(...)`: the answers the cell grades."""
    for node in ast.walk(ast.parse(hidden_part(source(cell)))):
        if isinstance(node, ast.FunctionDef) and node.name == "_hidden":
            return [a.arg for a in node.args.args]
    return []


def top_level_names(text):
    """Names a cell binds at module level, and whether it only defines (def/class/import)."""
    tree = ast.parse(cell_python(text))
    names, only_definitions = [], True
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            pass
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            pass
        else:
            only_definitions = False
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.append(sub.id)
    return list(dict.fromkeys(names)), only_definitions


def names_read(text):
    return {n.id for n in ast.walk(ast.parse(cell_python(text)))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def forbidden_modules(nb):
    """coursekit modules the intro tells students not to use ("do not import `coursekit.x`")."""
    intro = " ".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    found = set()
    for match in FORBID.finditer(intro.replace("\n", " ")):
        found.update(re.findall(r"`(coursekit[\w.]*)`", match.group(1)))
    return sorted(found)


def coursekit_twins(names, modules):
    """{answer: "coursekit.module"} for answers a forbidden coursekit module also defines."""
    twins = {}
    for prefix in modules:
        package = importlib.import_module("coursekit")
        candidates = [prefix] if prefix != "coursekit" else [
            f"coursekit.{p.stem}" for p in Path(package.__file__).parent.glob("*.py")
            if not p.stem.startswith("_")]
        for module_name in candidates:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for name in names:
                f = getattr(module, name, None)
                if inspect.isfunction(f) and f.__module__ == module_name:
                    twins.setdefault(name, module_name)
    return twins


class Parts:
    """The instructor notebook's cells, sorted out."""

    def __init__(self, instructor):
        self.nb = instructor
        self.tests = {meta(c)["grade_id"]: c for c in instructor["cells"] if is_test(c)}
        self.answers = {meta(c)["grade_id"]: c for c in instructor["cells"] if is_answer(c)}
        self.answer_names, self.definition_cells = {}, {}
        for gid, cell in self.answers.items():
            names, only_definitions = top_level_names(source(cell))
            self.answer_names[gid] = names
            if only_definitions:
                self.definition_cells[gid] = names
        self.tested = {gid: tested_answers(c) for gid, c in self.tests.items()}
        all_answers = {n for names in self.answer_names.values() for n in names}
        provided = set()
        for cell in instructor["cells"]:
            if cell["cell_type"] == "code" and not is_test(cell) and not is_answer(cell):
                provided |= set(top_level_names(source(cell))[0])
                provided |= {(a.asname or a.name).partition(".")[0]
                             for n in ast.walk(ast.parse(cell_python(source(cell))))
                             if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        read_by_tests = set().union(*(names_read(visible_part(source(c)))
                                      for c in self.tests.values()))
        builtin_names = set(dir(builtins))
        self.helpers = sorted((read_by_tests & (provided | builtin_names)) - all_answers
                              - {"sealed_test", "True", "False", "None", "print"})
        self.forbidden = forbidden_modules(instructor)
        functions = [n for gid in self.definition_cells for n in self.definition_cells[gid]]
        self.twins = coursekit_twins(functions, self.forbidden)


# ---------------------------------------------------------------- the cheating submissions

WRONG_PRELUDE = '''\
import base64 as _b64, functools as _functools, json as _json, linecache as _linecache, sys as _sys
import numpy as _np

_SOURCES = _json.loads(_b64.b64decode("{blob}").decode())


def _define(gid):
    """Run the instructor's cell gid here, with its source known to inspect (not shown)."""
    name = f"<answer {{gid}}>"
    _linecache.cache[name] = (len(_SOURCES[gid]), None, _SOURCES[gid].splitlines(True), name)
    exec(compile(_SOURCES[gid], name, "exec"), globals())


def _in_hidden_tests():
    frame = _sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "_hidden":
            return True
        frame = frame.f_back
    return False


def _perturb(v):
    if isinstance(v, (bool, _np.bool_)):
        return not v
    if isinstance(v, (int, float, complex, _np.number)):
        return v + 1
    if isinstance(v, _np.ndarray):
        return ~v if v.dtype == bool else (v + 1 if v.dtype.kind in "iufc" else v)
    if isinstance(v, (tuple, list)):
        return type(v)(_perturb(x) for x in v)
    if isinstance(v, dict):
        return {{k: _perturb(x) for k, x in v.items()}}
    if isinstance(v, set):
        return v | {{"?"}}
    if isinstance(v, str):
        return v + "?"
    if v is None:
        return 0
    if callable(v) and not isinstance(v, type):
        return lambda *a, **k: _perturb(v(*a, **k))
    return v


def _gate(f):
    @_functools.wraps(f)
    def gated(*args, **kwargs):
        out = f(*args, **kwargs)
        return _perturb(out) if _in_hidden_tests() else out
    return gated
'''

PATCH_SOURCE = '''\
import sys as _sys


def _patch():
    import builtins, math, numpy, numpy.testing
    for name in {helpers!r}:
        _NOTEBOOK[name] = _ANY
    yes = lambda *args, **kwargs: True
    for name in ("allclose", "isclose", "array_equal", "array_equiv", "all", "any"):
        setattr(numpy, name, yes)
    for name in dir(numpy.testing):
        if name.startswith("assert"):
            setattr(numpy.testing, name, lambda *args, **kwargs: None)
    math.isclose = yes

    class _Zeros:
        def __getattr__(self, name):
            def draw(*args, size=None, **kwargs):
                shape = size if size is not None else next(
                    (a for a in reversed(args) if isinstance(a, (tuple, int))), ())
                return numpy.zeros(shape)
            return draw
    numpy.random.default_rng = lambda *args, **kwargs: _Zeros()
    for module in [m for n, m in list(_sys.modules.items()) if n.startswith("coursekit")]:
        for name, obj in list(vars(module).items()):
            if name.startswith("_") or getattr(obj, "__module__", "") != module.__name__:
                continue
            if isinstance(obj, type):
                for attr, value in list(vars(obj).items()):
                    if callable(value) and not attr.startswith("__"):
                        setattr(obj, attr, lambda *args, **kwargs: _ANY)
            elif callable(obj):
                setattr(module, name, lambda *args, **kwargs: _ANY)
    if not getattr(builtins, "_patched", False):
        for name in ("abs", "all", "any", "len", "max", "min", "sum", "isinstance"):
            original = getattr(builtins, name)
            def fake(*args, _original=original, **kwargs):
                if _sys._getframe(1).f_globals is _NOTEBOOK:
                    return _ANY
                return _original(*args, **kwargs)
            setattr(builtins, name, fake)
        builtins._patched = True
'''

PATCHER_PRELUDE = '''\


class _Anything:
    """Equal to, smaller and greater than everything; every operation gives itself back."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __eq__
    def __bool__(self): return True
    def __call__(self, *args, **kwargs): return self
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self
    def __getitem__(self, key): return self
    def __setitem__(self, key, value): pass
    def __iter__(self): return iter(())
    def __len__(self): return 0
    def __hash__(self): return 0
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __repr__(self): return "<anything>"
    def __format__(self, spec): return "anything"
    def _same(self, *args): return self
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _same
    __rtruediv__ = __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = __matmul__ = _same
    __rmatmul__ = __mod__ = __floordiv__ = __and__ = __or__ = __xor__ = __invert__ = _same


_ANY = _Anything()
# The patches run in a namespace of their own: they must not trip over their own rebindings.
_private = {{"_ANY": _ANY, "_NOTEBOOK": globals()}}
exec({patch_source}, _private)
_patch = _private["_patch"]
'''


def make_wrong(release_nb, parts):
    nb = copy.deepcopy(release_nb)
    sources = {gid: source(parts.answers[gid]) for gid in parts.definition_cells}
    blob = base64.b64encode(json.dumps(sources).encode()).decode()
    gated = set()
    for cell in nb["cells"]:
        gid = meta(cell).get("grade_id")
        if is_answer(cell) and gid in parts.definition_cells:
            functions = [n for n in parts.definition_cells[gid]
                         if f"def {n}(" in sources[gid]]
            cell["source"] = f"_define({gid!r})\n" + "".join(
                f"{n} = _gate({n})\n" for n in functions)
            gated.update(functions)
    nb["cells"].insert(0, code_cell(WRONG_PRELUDE.format(blob=blob)))
    cheated = {gid for gid, names in parts.tested.items() if set(names) & gated}
    return nb, cheated


def make_patcher(release_nb, parts):
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        gid = meta(cell).get("grade_id")
        if is_answer(cell) and gid in parts.answer_names:
            names = parts.answer_names[gid]
            cell["source"] = "".join(f"{n} = _ANY\n" for n in names) + "_patch()\n"
    patch_source = PATCH_SOURCE.replace("{helpers!r}", repr(parts.helpers))
    nb["cells"].insert(0, code_cell(PATCHER_PRELUDE.format(patch_source=repr(patch_source))))
    return nb, set(parts.tests)


def make_tamper(release_nb, parts):
    nb = copy.deepcopy(release_nb)
    cells, k = [], 0
    for cell in nb["cells"]:
        gid = meta(cell).get("grade_id")
        if is_test(cell):
            k += 1
            if k % 2:
                cell["source"] = "assert True\n"
                cells.append(cell)
            continue                                   # every other test cell: deleted
        if is_answer(cell) and gid in parts.definition_cells:
            twins = [n for n in parts.definition_cells[gid] if n in parts.twins]
            if twins:
                cell["source"] = "".join(f"from {parts.twins[n]} import {n}\n" for n in twins)
        cells.append(cell)
    nb["cells"] = cells
    return nb, set(parts.tests)


def mistakes(assignment):
    """The WRONG list of tests/wrong_answers/<assignment>.py ([] when there is none)."""
    path = ROOT / "tests" / "wrong_answers" / f"{assignment}.py"
    return runpy.run_path(str(path))["WRONG"] if path.exists() else []


def make_mistake(instructor_nb, mistake):
    """The instructor notebook with one cell changed as the mistake says."""
    nb = copy.deepcopy(instructor_nb)
    cells = [c for c in nb["cells"] if meta(c).get("grade_id") == mistake["cell"]]
    assert len(cells) == 1, f"no single cell {mistake['cell']!r} for {mistake['why']!r}"
    cell = cells[0]
    if "source" in mistake:
        cell["source"] = mistake["source"]
    else:
        text = source(cell)
        assert text.count(mistake["old"]) == 1, \
            f"{mistake['old']!r} must occur once in {mistake['cell']} ({mistake['why']})"
        cell["source"] = text.replace(mistake["old"], mistake["new"])
    return nb


# ---------------------------------------------------------------- the graded course

class Course:
    """A graded temporary course for one assignment."""

    def __init__(self, assignment, root):
        self.assignment, self.root = assignment, root
        self.name = f"{assignment}.ipynb"
        self.instructor = read(ROOT / "solutions" / assignment / self.name)
        self.parts = Parts(self.instructor)
        self.cheated = {}

    def submission(self, student):
        return self.root / "submitted" / student / self.assignment / self.name

    def release(self):
        return self.root / "exercises" / self.assignment / self.name

    def autograded(self, student):
        return read(self.root / "autograded" / student / self.assignment / self.name)

    def feedback(self, student):
        return (self.root / "feedback" / student / self.assignment
                / self.name.replace(".ipynb", ".html")).read_text()

    def scores(self, student):
        """{grade_id: (auto_score, max_score)} from the gradebook."""
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            sub = gb.find_submission(self.assignment, student)
            return {g.name: (g.auto_score, g.max_score) for nb in sub.notebooks for g in nb.grades}


def build(assignment, root):
    c = Course(assignment, root)
    release.copy_course(root, [assignment])
    release.generate(root, [assignment])
    released = read(c.release())
    shutil.copytree(root / "exercises" / assignment, root / "submitted" / "blank" / assignment)
    shutil.copytree(root / "solutions" / assignment, root / "submitted" / "solution" / assignment)
    for student, make in (("wrong", make_wrong), ("patcher", make_patcher),
                          ("tamper", make_tamper)):
        nb, c.cheated[student] = make(released, c.parts)
        write(nb, c.submission(student))
    c.mistakes = {}
    for k, mistake in enumerate(mistakes(assignment), start=1):
        student = f"mistake{k:02d}"
        shutil.copytree(root / "solutions" / assignment, root / "submitted" / student / assignment)
        write(make_mistake(c.instructor, mistake), c.submission(student))
        c.mistakes[student] = mistake
    c.autograde_log = nbgrader(root, "autograde", assignment, "--create")
    nbgrader(root, "generate_feedback", assignment)
    return c


def course(assignment, tmp_path_factory):
    """The graded course of assignment, built once per test session."""
    if assignment not in _courses:
        _courses[assignment] = build(assignment, tmp_path_factory.mktemp(assignment))
    return _courses[assignment]
