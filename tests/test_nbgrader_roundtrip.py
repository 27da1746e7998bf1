"""Real nbgrader round trips for every assignment in solutions/.

In a temporary copy of the course: generate the release, submit it unchanged (student
"blank"), the instructor notebook (student "solution") and three cheating notebooks,
autograde them in one call, and read the scores through nbgrader's Gradebook API. The
graded course (tests/_grading_course.py) is built once per assignment and shared with
tests/test_feedback_leaks.py and tests/test_cheating.py.
"""
import ast
import filecmp
import json
import re
from pathlib import Path

import pytest

from _grading_course import ASSIGNMENTS, ROOT, course, hidden_part, is_test, read, source


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """(assignment, course folder) after release and autograding of every submission."""
    c = course(request.param, tmp_path_factory)
    return c.assignment, c.root


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


def _manual(assignment):
    """grade_ids of the written answers (manually graded markdown cells)."""
    nb = read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    return {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
            if c["cell_type"] == "markdown" and c["metadata"].get("nbgrader", {}).get("grade")}


def test_blank_scores_zero_and_solution_full_marks(graded):
    """The solution earns every autograded point; its written answers wait for a person."""
    assignment, course = graded
    blank = _scores(course, assignment, "blank")
    solution = _scores(course, assignment, "solution")
    manual = _manual(assignment)
    assert blank and solution
    assert all(s is not None for _, s, _ in blank), "a graded cell was not scored"
    assert sum(s for _, s, _ in blank) == 0, f"the unchanged release scored points: {blank}"
    auto = [(g, s, m) for g, s, m in solution if g not in manual]
    assert all(s == m for _, s, m in auto), f"the solution lost points: {auto}"
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, "solution")
        pending = {g.name for nb in sub.notebooks for g in nb.grades
                   if g.needs_manual_grade and g.auto_score is None}
    assert pending == manual, f"written answers not pending a person's grade: {manual - pending}"


def _hidden_and_solution_lines(source_nb):
    """Lines between BEGIN/END SOLUTION or HIDDEN TESTS markers in the instructor notebook.

    Lines that the notebook also shows outside the markers (a hidden test may rebuild a
    provided helper) are public, not secrets.
    """
    lines, public, inside = [], set(), False
    for cell in _cells(source_nb):
        for line in "".join(cell["source"]).splitlines():
            if re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", line):
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
            elif not inside:
                public.add(line.strip())
    return [line for line in lines if line not in public]


def test_release_hides_solutions_and_hidden_tests(graded):
    assignment, course = graded
    for src in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        released = (course / "exercises" / assignment / src.name).read_text()
        assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
        leaked = [line for line in _hidden_and_solution_lines(src)
                  if json.dumps(line)[1:-1] in released]
        assert not leaked, f"solution or hidden-test lines in the release: {leaked[:3]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_are_sealed(assignment):
    """Every hidden block imports sealed_test and holds one @sealed_test def _hidden(...)."""
    for nb in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        for cell in read(nb)["cells"]:
            if not is_test(cell) or "BEGIN HIDDEN TESTS" not in source(cell):
                continue
            body = ast.parse(hidden_part(source(cell))).body
            gid = cell["metadata"]["nbgrader"]["grade_id"]
            assert [type(n).__name__ for n in body] == ["ImportFrom", "FunctionDef"], gid
            assert ast.unparse(body[0]) == "from coursekit.grading.sealed import sealed_test", gid
            assert body[1].name == "_hidden", gid
            assert [ast.unparse(d) for d in body[1].decorator_list] == ["sealed_test"], gid


def test_grading_configuration():
    """Deleted test cells come back; hidden tests are sealed when grading and hidden in feedback."""
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.OverwriteCells.add_missing_cells is True
    sanitize = [str(p) for p in config.Autograde.sanitize_preprocessors]
    assert sanitize.index("coursekit.grading.inline.InlineSealed") > sanitize.index(
        "nbgrader.preprocessors.OverwriteCells")
    assert "coursekit.grading.feedback.HideHiddenTests" in [
        str(p) for p in config.GenerateFeedback.preprocessors]


def test_committed_release_is_current(graded):
    assignment, course = graded
    fresh, committed = course / "exercises" / assignment, ROOT / "exercises" / assignment
    assert committed.is_dir(), f"exercises/{assignment} is missing: run python .ci/release.py"
    cmp = filecmp.dircmp(fresh, committed)
    assert not (cmp.left_only or cmp.right_only), f"files differ: {cmp.left_only} {cmp.right_only}"
    for name in cmp.common_files:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), \
            f"exercises/{assignment}/{name} is stale: run python .ci/release.py {assignment}"
