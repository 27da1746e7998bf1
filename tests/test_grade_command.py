"""`coursekit grade`: a class with a dying kernel, endless loops, a blank and a solution.

One `coursekit grade` call grades the class with 2 worker processes (3 s per cell, 9 s per
submission); the faults are reported per student, the parts graded before a fault keep their
points, nobody else is held up, and the gradebook holds every submission. Plain
`nbgrader autograde` uses the same guarded execution (nbgrader_config.py), so a dying kernel
no longer drops the submission there either.
"""
import csv
import json

import pytest

from _classroom import ASSIGNMENT as A, course, notebook, run, save, scores, solved

LOOP = "def {}(*args, **kwargs):\n    while True:\n        pass\n"
DEAF = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
EXPECTED = {  # student: (status, score, cell where grading stopped)
    "solution": ("graded", 9, ""),
    "blank": ("graded", 0, ""),
    "dies": ("kernel died", 4, "xor"),                       # parts 1 and 2 before the fault
    "loops": ("timed out", 7, "test_train"),
    # a loop that three test cells call: the 9 s budget runs out before the last one
    "slow": ("out of time", 2, "train"),
    "deaf": ("kernel stopped", 7, "train"),                  # ignores the interrupt
    "tamper": ("graded", 9, ""),                             # the test cell comes back
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = course(tmp_path_factory.mktemp("grade"))
    release = notebook(folder / "exercises")
    subs = {
        "solution": solved(release),
        "blank": release,
        "dies": solved(release, edits={"xor": "import os\nos._exit(1)\n"}),
        "loops": solved(release, edits={"train": LOOP.format("train")}),
        "slow": solved(release, edits={"step_perceptron": LOOP.format("step_perceptron"),
                                       "perceptron_update": LOOP.format("perceptron_update")}),
        "deaf": solved(release, edits={"train": DEAF}),
        "tamper": solved(release, edits={"test_xor": "pass\n"}),
    }
    for student, nb in subs.items():
        save(nb, folder / "submitted" / student / A / f"{A}.ipynb")
    r = run(["coursekit", "grade", A, "--jobs", "2", "--timeout", "3", "--budget", "9",
             "--no-progress"], folder, check=False)
    rows = {row["student"]: row
            for row in csv.DictReader(open(folder / "reports" / A / "status.csv"))}
    return folder, r, rows


def test_exit_status_says_there_were_faults(graded):
    _, r, _ = graded
    assert r.returncode == 1, r.stdout + r.stderr
    assert "kernel died" in r.stdout and "dies" in r.stdout


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_status_and_score(graded, student):
    folder, _, rows = graded
    status, score, cell = EXPECTED[student]
    row = rows[student]
    assert (row["status"], float(row["score"]), row["cell"]) == (status, score, cell), row
    assert float(row["max_score"]) == 9


def test_gradebook_holds_every_submission(graded):
    folder, _, _ = graded
    book = scores(folder)
    assert sorted(book) == sorted(EXPECTED)
    for student, grades in book.items():
        assert all(s is not None for _, s, _, _ in grades), (student, grades)
        assert sum(s for _, s, _, _ in grades) == EXPECTED[student][1]
        assert (folder / "autograded" / student / A / f"{A}.ipynb").is_file()
    # the tests that never ran after the kernel died wait for a human, marked as such
    dies = {name: manual for name, _, _, manual in book["dies"]}
    assert dies == {"test_step_perceptron": False, "test_nand_nor": False, "test_xor": True,
                    "test_perceptron_update": True, "test_train": True}
    exported = csv.DictReader(open(folder / "grades.csv"))
    assert {r["student_id"]: float(r["score"]) for r in exported} == \
        {s: float(v[1]) for s, v in EXPECTED.items()}


def test_unrun_tests_fail_with_the_reason(graded):
    folder, _, _ = graded
    nb = json.loads((folder / "autograded" / "dies" / A / f"{A}.ipynb").read_text())
    outputs = {c["metadata"]["nbgrader"]["grade_id"]: c["outputs"] for c in nb["cells"]
               if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"}
    assert [o["ename"] for o in outputs["test_train"]] == ["NotRun"]
    assert "kernel died" in outputs["test_train"][0]["evalue"]
    assert nb["metadata"]["coursekit"]["faults"][0]["kind"] == "died"


def test_tampering_and_checksum_false_alarm_are_told_apart(graded):
    _, r, rows = graded
    assert rows["tamper"]["tampered"].startswith("test_xor: edited")
    assert "os._exit" in rows["dies"]["scan"] and rows["solution"]["scan"] == ""
    # the blank release trips nbgrader's checksum warning on every test cell with hidden
    # tests (jupyter/nbgrader#1961) but was not tampered with
    assert int(rows["blank"]["checksum_warnings"]) > 0 and rows["blank"]["tampered"] == ""
    assert "false alarms" in r.stdout


def test_readable_report(graded):
    folder, _, _ = graded
    text = (folder / "reports" / A / "status.txt").read_text()
    assert text.splitlines()[0].split()[:4] == ["student", "status", "score", "where"]
    assert "kernel stopped" in text and "4/9" in text
    assert (folder / "reports" / A / "logs" / "dies.log").is_file()


def test_plain_nbgrader_autograde_keeps_a_dying_submission(graded):
    folder, _, _ = graded
    run(["nbgrader", "autograde", A, "--student", "dies", "--force"], folder)  # exit 0
    assert (folder / "autograded" / "dies" / A / f"{A}.ipynb").is_file()
    assert sum(s for _, s, _, _ in scores(folder)["dies"]) == 4


def test_nothing_to_grade_is_an_error(graded, capsys):
    from coursekit.grading.classroom import grade_class
    folder, _, _ = graded
    assert grade_class(folder, A, students=["nobody"], progress=False) == 2
    assert "nbgrader collect" in capsys.readouterr().err
