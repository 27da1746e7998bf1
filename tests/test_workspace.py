"""The start page and the student's own copies (coursekit.workspace).

A real git round trip: a student clones the course, makes copies, edits one, the course
changes upstream, the student pulls: no conflict, nothing of theirs lost, new notebooks
copied, changed originals reported.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coursekit.workspace import describe, make_workspace

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd, *args):
    r = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"git {args} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def _notebook(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": [text]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def _text(path):
    return json.loads(path.read_text())["cells"][0]["source"][0]


@pytest.fixture
def course(tmp_path):
    """An upstream course repository with this repository's .gitignore, and a student clone."""
    upstream = tmp_path / "upstream"
    _notebook(upstream / "lectures" / "01_a.ipynb", "lecture 1")
    _notebook(upstream / "exercises" / "01_a" / "01_a.ipynb", "exercise 1")
    shutil.copy(ROOT / ".gitignore", upstream / ".gitignore")
    _git(tmp_path, "init", "-q", "-b", "main", str(upstream))
    _git(upstream, "add", ".")
    _git(upstream, "commit", "-q", "-m", "course")
    _git(tmp_path, "clone", "-q", str(upstream), "student")
    return upstream, tmp_path / "student"


def test_an_update_keeps_the_students_work(course):
    upstream, student = course
    first = make_workspace(student)
    assert sorted(first["copied"]) == ["exercises/01_a/01_a.ipynb", "lectures/01_a.ipynb"]
    mine = student / "work" / "lectures" / "01_a.ipynb"
    _notebook(mine, "my notes on lecture 1")
    assert _git(student, "status", "--porcelain") == ""  # work/ is ignored: nothing to commit

    _notebook(upstream / "lectures" / "01_a.ipynb", "lecture 1, corrected")
    _notebook(upstream / "lectures" / "02_b.ipynb", "lecture 2")
    _git(upstream, "add", ".")
    _git(upstream, "commit", "-q", "-m", "update")
    _git(student, "pull", "-q", "--ff-only")

    again = make_workspace(student)
    assert _text(mine) == "my notes on lecture 1"
    assert _text(student / "lectures" / "01_a.ipynb") == "lecture 1, corrected"
    assert again["copied"] == ["lectures/02_b.ipynb"]
    assert again["changed_in_course"] == ["lectures/01_a.ipynb"]
    assert "lectures/01_a.ipynb" in describe(again)
    assert _text(student / "work" / "lectures" / "02_b.ipynb") == "lecture 2"


def test_a_folder_that_is_not_a_course_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a course folder"):
        make_workspace(tmp_path)


def test_the_start_page_links_every_lecture_and_exercise():
    cells = json.loads((ROOT / "START.ipynb").read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    links = re.findall(r"\]\((work/[^)]+)\)", text)
    originals = {link.removeprefix("work/") for link in links}
    lectures = {p.relative_to(ROOT).as_posix() for p in (ROOT / "lectures").glob("*.ipynb")}
    exercises = {p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*/*.ipynb")}
    assert lectures | exercises == originals  # every notebook, and only ones that exist
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "make_workspace(\".\")" in code  # the copies the links open are made on the page

