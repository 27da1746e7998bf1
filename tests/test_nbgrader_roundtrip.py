"""Real nbgrader round trips for every assignment in solutions/.

In a temporary copy of the course: generate the release, submit it unchanged
(student "blank") and the instructor notebook (student "solution"), autograde
both, and read the scores through nbgrader's Gradebook API.
"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import release  # noqa: E402

ASSIGNMENTS = release.assignments()


def _nbgrader(course, *args):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    r = subprocess.run([sys.executable, "-m", "nbgrader", *args,
                        f"--CourseDirectory.root={course}"],
                       cwd=course, capture_output=True, text=True, env=env)
    assert r.returncode == 0, f"nbgrader {args} failed:\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """(assignment, course folder) after release and autograding of both submissions."""
    a = request.param
    course = tmp_path_factory.mktemp(a)
    release.copy_course(course, [a])
    release.generate(course, [a])
    shutil.copytree(course / "exercises" / a, course / "submitted" / "blank" / a)
    shutil.copytree(course / "solutions" / a, course / "submitted" / "solution" / a)
    _nbgrader(course, "autograde", a, "--create")
    return a, course


def _cells(nb_path):
    return json.loads(Path(nb_path).read_text())["cells"]


def _scores(course, assignment, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, student)
        grades = [(g.name, g.auto_score, g.max_score) for nb in sub.notebooks for g in nb.grades]
    return grades


pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments yet")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_has_graded_parts_and_hidden_tests(assignment):
    cells = [c for nb in (ROOT / "solutions" / assignment).glob("*.ipynb") for c in _cells(nb)]
    graded = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert len(graded) >= 3, "an assignment needs at least 3 autograded parts"
    assert any("BEGIN HIDDEN TESTS" in "".join(c["source"]) for c in graded)


def test_blank_scores_zero_and_solution_full_marks(graded):
    assignment, course = graded
    blank = _scores(course, assignment, "blank")
    solution = _scores(course, assignment, "solution")
    assert blank and solution
    assert all(s is not None for _, s, _ in blank + solution), "a graded cell was not scored"
    assert sum(s for _, s, _ in blank) == 0, f"the unchanged release scored points: {blank}"
    assert all(s == m for _, s, m in solution), f"the solution lost points: {solution}"


def _hidden_and_solution_lines(source_nb):
    """Lines between BEGIN/END SOLUTION or HIDDEN TESTS markers in the instructor notebook."""
    lines, inside = [], False
    for cell in _cells(source_nb):
        for line in "".join(cell["source"]).splitlines():
            if re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", line):
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines


def test_release_hides_solutions_and_hidden_tests(graded):
    assignment, course = graded
    for src in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        released = (course / "exercises" / assignment / src.name).read_text()
        assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
        leaked = [l for l in _hidden_and_solution_lines(src) if json.dumps(l)[1:-1] in released]
        assert not leaked, f"solution or hidden-test lines in the release: {leaked[:3]}"


def test_committed_release_is_current(graded):
    assignment, course = graded
    fresh, committed = course / "exercises" / assignment, ROOT / "exercises" / assignment
    assert committed.is_dir(), f"exercises/{assignment} is missing: run python .ci/release.py"
    cmp = filecmp.dircmp(fresh, committed)
    assert not (cmp.left_only or cmp.right_only), f"files differ: {cmp.left_only} {cmp.right_only}"
    for name in cmp.common_files:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), \
            f"exercises/{assignment}/{name} is stale: run python .ci/release.py {assignment}"
