"""Every assignment is built the same way and asks for work the lectures did not print.

Read from the instructor notebooks (solutions/): the header's instructions and points
table, the manually graded written answers and their mark schemes, the rules each test cell
states, and how many points are for code that no lecture and no coursekit module contains.
"""
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

from _grading_course import ASSIGNMENTS, ROOT, read, source
from coursekit.grading.rules import rules_in

HOW_TO_WORK = """**How to work.** Write code where a cell says `# YOUR CODE HERE` (delete the
`raise NotImplementedError()` line under it) and written answers where a cell says
"YOUR ANSWER HERE". Run the notebook from the top with *Kernel → Restart Kernel and Run All
Cells…*: the test cell after each part runs its visible tests. When your work is graded,
hidden tests run as well, on inputs you have not seen, and the rules listed below are checked
by reading your code. Before you submit, press **Validate** in the notebook's toolbar (or run
`nbgrader validate NN_name.ipynb` in a terminal): it runs the whole notebook and lists failing
tests. Written answers are graded by hand."""
ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*(.+?)\s*\|\s*(\d+)\s*\|\s*(automatically|by hand)\s*\|\s*$",
                 re.MULTILINE)
TOTAL = re.compile(r"\*\*Total: (\d+) points \((\d+) by hand\)\.\*\*")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _instructor(assignment):
    return read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")


def _graded(nb):
    """[(grade_id, points, "automatically" | "by hand")] in notebook order."""
    out = []
    for cell in nb["cells"]:
        m = _meta(cell)
        if m.get("grade"):
            how = "by hand" if cell["cell_type"] == "markdown" else "automatically"
            out.append((m["grade_id"], m.get("points", 0), how))
    return out


def _squash(text):
    return " ".join(text.split())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_header_says_how_to_work_and_what_counts(assignment):
    nb = _instructor(assignment)
    header = source(nb["cells"][0])
    assert nb["cells"][0]["cell_type"] == "markdown" and header.startswith("# Exercise ")
    assert _squash(HOW_TO_WORK.replace("NN_name", assignment)) in _squash(header), \
        "the header lacks the course's standard 'How to work' paragraph"
    rows = ROW.findall(header)
    graded = _graded(nb)
    assert [(int(p), how) for _, _, p, how in rows] == [(p, how) for _, p, how in graded], \
        "the points table does not list the graded cells in order"
    total = TOTAL.search(header)
    assert total, "no **Total: T points (M by hand).** line"
    assert int(total.group(1)) == sum(p for _, p, _ in graded)
    assert int(total.group(2)) == sum(p for _, p, how in graded if how == "by hand")
    assert "**Rules.**" in header


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_answers_have_a_mark_scheme(assignment):
    nb = _instructor(assignment)
    written = [c for c in nb["cells"] if c["cell_type"] == "markdown" and _meta(c).get("grade")]
    assert written, "no manually graded written answer"
    for cell in written:
        m = _meta(cell)
        assert m.get("solution") and m.get("points", 0) > 0 and not m.get("locked"), m
        body = SOLUTION.search(source(cell))
        assert body, f"{m['grade_id']}: the model answer is not inside BEGIN/END SOLUTION"
        assert re.search(r"### BEGIN MARK SCHEME\n.+### END MARK SCHEME", body.group(1),
                         re.DOTALL), f"{m['grade_id']}: no mark scheme"
    for released in (ROOT / "exercises" / assignment).glob("*.ipynb"):
        assert "MARK SCHEME" not in released.read_text() and "Model answer" not in \
            released.read_text()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_rules_are_known_and_announced(assignment):
    nb = _instructor(assignment)
    stated = [r for c in nb["cells"] if c["cell_type"] == "code" and _meta(c).get("grade")
              for r in rules_in(source(c))]
    header = source(nb["cells"][0])
    forbids = re.search(r"[Dd]o not (import|use)", header.split("**Rules.**")[-1])
    if forbids:
        assert stated, "the header sets rules but no test cell states a # RULE line to check"


# ------------------------------------------------------------------ new work, not re-typing

# Lines that say nothing about the answer: unpacking a shape, a counted loop, an array cast.
GENERIC = re.compile(r"^([\w,()]+=[\w.]+\.shape(\[[-\d:]+\])?|for\w+inrange\(\w+\):"
                     r"|\w+=np\.as(array|anyarray)\(\w+(,dtype=[\w.]+)?\))$")


def _code_lines(text):
    """Normalised lines of Python: comments and all whitespace removed, trivial lines dropped."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type != tokenize.COMMENT]
        text = tokenize.untokenize(tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    lines = set()
    for line in text.splitlines():
        squashed = "".join(line.split())
        if len(squashed) >= 12 and not squashed.startswith(("import", "from", "def", "class",
                                                             "###", "%", "!")) \
                and not GENERIC.match(squashed):
            lines.add(squashed)
    return lines


def _published_lines():
    lines = set()
    for nb in (ROOT / "lectures").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "code":
                lines |= _code_lines(source(cell))
    for py in (ROOT / "coursekit").rglob("*.py"):
        if "grading" not in py.parts:
            lines |= _code_lines(py.read_text())
    return lines


_PUBLISHED = []


def copied_lines(assignment):
    """{grade_id of a test cell: [solution lines found in a lecture or coursekit]}."""
    if not _PUBLISHED:
        _PUBLISHED.append(_published_lines())
    published = _PUBLISHED[0]
    nb = _instructor(assignment)
    found, pending = {}, []
    for cell in nb["cells"]:
        m = _meta(cell)
        if cell["cell_type"] == "code" and m.get("solution"):
            for block in SOLUTION.findall(source(cell)):
                pending += sorted(_code_lines(block) & published)
        elif cell["cell_type"] == "code" and m.get("grade"):
            found[m["grade_id"]], pending = pending, []
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_two_thirds_of_the_points_are_new_work(assignment):
    """A part is new work when no line of its solution is in a lecture or in coursekit."""
    copied = copied_lines(assignment)
    graded = _graded(_instructor(assignment))
    total = sum(p for _, p, _ in graded)
    new = sum(p for gid, p, how in graded if how == "by hand" or not copied.get(gid))
    assert 3 * new >= 2 * total, (f"{new} of {total} points are new work; re-typed: "
                                  f"{ {g: ls[:2] for g, ls in copied.items() if ls} }")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_lecture_map_lists_points_and_the_share_graded_by_hand(assignment):
    graded = _graded(_instructor(assignment))
    total = sum(p for _, p, _ in graded)
    by_hand = sum(p for _, p, how in graded if how == "by hand")
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if f"](exercises/{assignment})" in line)
    assert f"{total} points, {by_hand} by hand" in row, row[-120:]
