"""Helpers for the class tests: a course in a temporary folder and students' notebooks."""
import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_perceptrons"  # small: the class tests grade it many times
# The class tests grade a frozen, small version of assignment 1 (its 2025 edition, 9 points,
# five parts, no written answer): they test the grading machinery (faults, time limits,
# reports, the class cycle), which must not change whenever the exercise is rewritten.
SOLUTIONS = ROOT / "tests" / "fixtures" / "solutions"
sys.path.insert(0, str(ROOT / ".ci"))
import release  # noqa: E402

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def env(**extra):
    """The environment of an instructor command: this Python's bin/ first (alembic)."""
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return dict(os.environ, PATH=path, **extra)


def run(args, cwd, check=True, **kwargs):
    """Run ``nbgrader ...`` or ``coursekit ...`` with this Python; assert it succeeded."""
    module = {"nbgrader": "nbgrader", "coursekit": "coursekit.cli"}[args[0]]
    kwargs.setdefault("env", env())
    r = subprocess.run([sys.executable, "-m", module, *args[1:]], cwd=cwd,
                       capture_output=True, text=True, **kwargs)
    if check:
        assert r.returncode == 0, \
            f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


def course(folder, assignment=ASSIGNMENT):
    """A course in ``folder`` with ``assignment`` generated (gradebook.db filled)."""
    release.copy_course(folder, [assignment], solutions=SOLUTIONS)
    release.generate(folder, [assignment])
    return folder


def notebook(folder, assignment=ASSIGNMENT):
    return json.loads((Path(folder) / assignment / f"{assignment}.ipynb").read_text())


def answers(assignment=ASSIGNMENT):
    """The instructor's answer in each solution cell, as a student would type it."""
    nb = notebook(SOLUTIONS, assignment)
    found = {}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            lines = "".join(cell["source"]).splitlines()
            found[meta["grade_id"]] = "\n".join(l for l in lines if not MARKER.match(l)) + "\n"
    return found


def solved(release_nb, parts=None, edits=None):
    """The release with answers in the solution cells named in ``parts`` (default: all),
    then each cell named in ``edits`` (solution or not) given that source."""
    nb = copy.deepcopy(release_nb)
    mine = answers()
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in mine and (parts is None or gid in parts):
            cell["source"] = mine[gid]
        if edits and gid in edits:
            cell["source"] = edits[gid]
    return nb


def save(nb, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))
    return path


def scores(course_dir, assignment=ASSIGNMENT):
    """{student: [(grade id, auto score, max score, needs manual grade)]} from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}") as gb:
        return {sub.student_id: [(g.name, g.auto_score, g.max_score, g.needs_manual_grade)
                                 for nb in sub.notebooks for g in nb.grades]
                for sub in gb.find_assignment(assignment).submissions}
