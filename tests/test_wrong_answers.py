"""Plausible wrong answers score 0, through real nbgrader autograding.

tests/wrong_answers/<assignment>.py lists, for every autograded part, mistakes students
really make (sum for mean, a missing transpose, an answer that fits only the visible shapes,
an import the exercise forbids...). Each becomes one submission: the instructor notebook with
that single change (tests/_grading_course.py, students "mistakeNN"), graded with the others
in the assignment's one ``nbgrader autograde`` call.
"""
import pytest

from _grading_course import ASSIGNMENTS, ROOT, Parts, course, make_mistake, mistakes, read, source


def _instructor(assignment):
    return read(ROOT / "solutions" / assignment / f"{assignment}.ipynb")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_part_has_a_wrong_answer(assignment):
    nb = _instructor(assignment)
    parts = Parts(nb)
    listed = mistakes(assignment)
    assert listed, f"tests/wrong_answers/{assignment}.py is missing or empty"
    for m in listed:
        assert m["part"] in parts.tests, f"{m['part']!r} is not a test cell ({m['why']})"
        assert m["cell"] in parts.answers, f"{m['cell']!r} is not an answer cell ({m['why']})"
        assert m.get("why"), m
        assert ("source" in m) != ("old" in m and "new" in m), f"old/new or source: {m}"
        changed = make_mistake(nb, m)              # also checks that `old` occurs exactly once
        before = [source(c) for c in nb["cells"]]
        assert [source(c) for c in changed["cells"]] != before, f"no change: {m['why']}"
    missing = set(parts.tests) - {m["part"] for m in listed}
    assert not missing, f"autograded parts without a wrong answer: {sorted(missing)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_answers_score_zero(assignment, tmp_path_factory):
    c = course(assignment, tmp_path_factory)
    assert c.mistakes
    passed = []
    for student, m in c.mistakes.items():
        score = c.scores(student)[m["part"]][0]
        if score != 0:
            passed.append((m["part"], m["why"], score))
    assert not passed, f"wrong answers that scored: {passed}"
