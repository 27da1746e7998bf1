"""Feedback never shows a hidden test or an instructor's solution.

For every assignment, the graded course of tests/_grading_course.py writes real feedback
(nbgrader autograde + generate_feedback) for five submissions, among them the blank release
and a "wrong" one whose visible tests pass and whose hidden tests fail. A *leak* is a line of
a hidden test or of a solution (between the BEGIN/END markers of the instructor notebook)
that appears nowhere in the release, the lectures or coursekit; each feedback page's text
(tags stripped, entities unescaped) must contain none of them. The solution submission's own
cells are the solution, so its feedback is checked for hidden-test lines that are not also
solution lines.
"""
import html
import json
import re
from functools import lru_cache

import nbformat
import pytest

from _grading_course import ASSIGNMENTS, ROOT, STUDENTS, course, meta, read, source
from coursekit.grading.feedback import REMOVED, HideHiddenTests

MARKER = re.compile(r"###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)")
TRIVIAL = {"pass", "else:", "try:", "finally:", "return", "break", "continue", "raise"}


def normalise(line):
    return " ".join(line.split())


def trivial(line):
    """Blank lines, brackets, `pass`, `else:`... reveal nothing."""
    return line in TRIVIAL or sum(ch.isalnum() for ch in line) < 4


def marked_lines(nb_path):
    """{"hidden": [...], "solution": [...]}: normalised lines between the markers."""
    found, kind = {"hidden": [], "solution": []}, None
    for cell in read(nb_path)["cells"]:
        for line in source(cell).splitlines():
            marker = MARKER.search(line)
            if marker:
                kind = ("hidden" if "HIDDEN" in marker.group(2) else "solution") \
                    if marker.group(1) == "BEGIN" else None
            elif kind and not trivial(normalise(line)):
                found[kind].append(normalise(line))
    return found


def notebook_text(path):
    """Every line of a notebook: sources and text outputs."""
    nb = read(path)
    lines = []
    for cell in nb["cells"]:
        lines += source(cell).splitlines()
        for output in cell.get("outputs", []):
            for text in [output.get("text", "")] + list(output.get("data", {}).values()):
                if isinstance(text, list):
                    text = "".join(text)
                if isinstance(text, str):
                    lines += text.splitlines()
    return lines


@lru_cache(maxsize=None)
def public_lines():
    """Normalised lines of the releases, the lectures and coursekit: not secrets."""
    lines = set()
    notebooks = [*(ROOT / "exercises").glob("*/*.ipynb"), *(ROOT / "lectures").glob("*.ipynb")]
    for path in notebooks:
        lines.update(normalise(line) for line in notebook_text(path))
    for path in (ROOT / "coursekit").rglob("*.py"):
        lines.update(normalise(line) for line in path.read_text().splitlines())
    return frozenset(lines)


def leak_lines(assignment):
    """{"hidden": [...], "solution": [...]} of lines that would be leaks if shown."""
    marked = marked_lines(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    public = public_lines()
    return {kind: sorted({line for line in lines if line not in public})
            for kind, lines in marked.items()}


def page_text(page):
    """The text a student reads in a feedback page, one normalised line per line."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return "\n".join(normalise(line) for line in text.splitlines())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_there_are_secrets_to_keep(assignment):
    lines = leak_lines(assignment)
    counts = {kind: len(found) for kind, found in lines.items()}
    assert counts["hidden"] >= 10 and counts["solution"] >= 3, counts


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test_or_solution_line(assignment, tmp_path_factory):
    c = course(assignment, tmp_path_factory)
    lines = leak_lines(assignment)
    leaks = {}
    own_solution = set(lines["solution"])        # the solution student's own cells
    for student in STUDENTS:
        text = page_text(c.feedback(student))
        if student == "solution":
            secrets = [line for line in lines["hidden"] if line not in own_solution]
        else:
            secrets = lines["hidden"] + lines["solution"]
        found = [line for line in secrets if line in text]
        if found:
            leaks[student] = found[:5]
    assert not leaks, f"feedback shows hidden or solution lines: {leaks}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grading_secret_is_used_and_never_shown(assignment, tmp_path_factory):
    """The hidden tests ran with the course's secret; no feedback page shows it."""
    c = course(assignment, tmp_path_factory)
    secret = (c.root / ".grading_secret").read_text().strip()
    assert len(secret) >= 12
    graded = json.dumps(c.autograded("solution"))
    assert f"secret = {secret}  # the course's grading secret" in graded
    for student in STUDENTS:
        assert secret not in c.feedback(student), student


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_names_failed_cells_and_points(assignment, tmp_path_factory):
    """The verdict of every test cell with hidden tests, with its points, is in the feedback."""
    c = course(assignment, tmp_path_factory)
    for student in ("solution", "wrong", "blank"):
        text = page_text(c.feedback(student))
        for gid, (score, points) in c.scores(student).items():
            if gid not in c.parts.tests:             # a written answer, graded by a person
                continue
            verdict = "passed" if score == points else "(failed|not run)"
            pattern = rf"# hidden tests \(this cell: {score:g} of {points:g} points\): {verdict}"
            assert re.search(pattern, text), (student, gid, pattern)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_submission_fails_in_hidden_tests(assignment, tmp_path_factory):
    """The leak check saw hidden tests fail: some cell of "wrong" raised inside them."""
    from coursekit.grading.feedback import failing_line, hidden_blocks
    c = course(assignment, tmp_path_factory)
    in_hidden = []
    for cell in c.autograded("wrong")["cells"]:
        blocks = hidden_blocks(source(cell))
        for output in cell.get("outputs", []):
            line = failing_line(output) if output.get("output_type") == "error" else None
            if blocks and line is not None and line - 1 >= blocks[0][0]:
                in_hidden.append(meta(cell)["grade_id"])
    assert in_hidden, "no hidden test failed for the wrong submission: the leak test saw none"


def _feedback_of(cells):
    """Run HideHiddenTests on a small notebook; return it."""
    nb = nbformat.v4.new_notebook(cells=cells)
    HideHiddenTests().preprocess(nb, {})
    return nb


def _test_cell(src, outputs, score=0.0):
    cell = nbformat.v4.new_code_cell(src, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "t", "points": 2.0, "score": score}
    return cell


def _error(line, evalue="boom", context="reference_value_42 = np.array([1.5, 2.5])"):
    frame = f"Cell \x1b[32mIn[3]\x1b[39m, line {line}\n      5 {context}\n"
    return nbformat.v4.new_output("error", ename="AssertionError", evalue=evalue,
                                  traceback=["\x1b[31m---------\x1b[39m", frame])


def test_sanitizer_keeps_a_visible_failure_and_drops_its_traceback():
    src = ("x = 1\nassert x == 2, 'x is 1'\n"
           "### BEGIN HIDDEN TESTS\nsecret_check_value = 17\n### END HIDDEN TESTS")
    nb = _feedback_of([_test_cell(src, [_error(2, "x is 1")])])
    cell = nb.cells[0]
    assert "secret_check_value" not in cell.source
    assert cell.source.endswith(
        "# hidden tests (this cell: 0 of 2 points): not run (a test above failed)")
    assert cell.outputs[0].evalue == "x is 1"
    assert "reference_value_42" not in json.dumps(cell.outputs)


def test_sanitizer_drops_outputs_of_hidden_failures_and_scrubs_other_cells():
    src = ("x = 1\n### BEGIN HIDDEN TESTS\nsecret_expected = [0.22702299, 0.00415807]\n"
           "assert False, secret_expected\n### END HIDDEN TESTS")
    spy = nbformat.v4.new_code_cell("print(In[3])", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="x = 1\nsecret_expected = [0.22702299, 0.00415807]\n")])
    nb = _feedback_of([_test_cell(src, [_error(4, "[0.22702299, 0.00415807]")]), spy])
    assert nb.cells[0].outputs == []
    assert nb.cells[0].source.endswith(
        "# hidden tests (this cell: 0 of 2 points): failed (AssertionError)")
    assert nb.cells[1].outputs[0].text == f"x = 1\n{REMOVED}\n"
