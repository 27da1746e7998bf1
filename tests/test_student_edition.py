"""The student edition holds no answer, no hidden test and no grading data, and installs.

Secret lines are the lines between ### BEGIN/END SOLUTION and ### BEGIN/END HIDDEN TESTS in
solutions/, whitespace-normalised, leaving out those that are public anyway (they occur in the
release, the lectures or coursekit). None may occur in any file of the edition.
"""
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from _classroom import ROOT, run

MARKER = re.compile(r"###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS?)\b")
FORBIDDEN = {"solutions", "tests", "submitted", "autograded", "feedback", "exchange",
             "downloaded", "reports", "grading", ".git", ".ci", "benchmarks"}


def _normal(line):
    return " ".join(line.split())


def _texts(folder):
    """(path, text) of every file, notebooks as their decoded sources and text outputs."""
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) + "".join(
                "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                for o in c.get("outputs", [])) for c in cells)
        yield path, _normal(text)


def _secret_lines():
    lines = set()
    for path in (ROOT / "solutions").rglob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                if MARKER.search(line):
                    inside = MARKER.search(line).group(1) == "BEGIN"
                elif inside and len(_normal(line)) >= 10:
                    lines.add(_normal(line))
    public = " ".join(text for folder in ("exercises", "lectures", "coursekit")
                      for _, text in _texts(ROOT / folder))
    return {line for line in lines if line not in public}


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("edition") / "coursekit-student"
    run(["coursekit", "student-edition", str(out), "--zip"], ROOT)
    with zipfile.ZipFile(f"{out}.zip") as z:
        names = z.namelist()
    return out, names


def test_has_what_students_need(edition):
    out, names = edition
    for name in ("README.md", "pyproject.toml", "nbgrader_config.py", "coursekit/__init__.py"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "lectures").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "lectures").glob("*.ipynb"))
    assert sorted(p.name for p in (out / "exercises").iterdir()) == \
        sorted(p.name for p in (ROOT / "exercises").iterdir())
    assert f"{out.name}/exercises/01_perceptrons/01_perceptrons.ipynb" in names


def test_no_solutions_hidden_tests_or_grading_data(edition):
    out, _ = edition
    parts = {part for p in out.rglob("*") for part in p.relative_to(out).parts}
    assert not parts & FORBIDDEN, parts & FORBIDDEN
    assert not list(out.rglob("*.db")) and not list(out.rglob("grades.csv"))
    secrets = _secret_lines()
    assert len(secrets) > 100  # the check checks something
    leaks = [(path.relative_to(out), line) for path, text in _texts(out)
             for line in secrets if line in text]
    assert not leaks, leaks[:5]
    config = (out / "nbgrader_config.py").read_text()
    assert "course_id" in config and "Exchange.root" in config and "db_url" not in config


def test_readme_is_for_students(edition):
    out, _ = edition
    readme = (out / "README.md").read_text()
    assert "## For instructors" not in readme and "solutions/" not in readme
    assert "nbgrader fetch_assignment" in readme and "## Lecture map" in readme


# An editable install of this repository would hand out its coursekit.grading for the
# edition's coursekit: import as a student would, without that finder.
ONLY_EDITION = ("import sys\nsys.meta_path[:] = [f for f in sys.meta_path if not "
                "getattr(f, '__module__', '').startswith('__editable__')]\n")


def _python(code, out):
    return subprocess.run([sys.executable, "-c", ONLY_EDITION + code], cwd=out,
                          capture_output=True, text=True, env={"PYTHONPATH": str(out)})


def test_package_imports_without_grading(edition):
    out, _ = edition
    r = _python("import coursekit, coursekit.cli, coursekit.layers; print(coursekit.__file__)\n"
                "try:\n    import coursekit.grading\nexcept ImportError:\n    print('no grading')",
                out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [str(out / "coursekit" / "__init__.py"), "no grading"]
    r = _python("from coursekit.cli import main\nsys.exit(main(['grade', '01_perceptrons']))", out)
    assert r.returncode != 0 and "for instructors" in r.stderr


def test_builds_a_wheel(edition, tmp_path):
    out, _ = edition
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                        "--no-build-isolation", "-q", "-w", str(tmp_path), str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel, = tmp_path.glob("coursekit-*.whl")
    files = zipfile.ZipFile(wheel).namelist()
    assert "coursekit/layers.py" in files
    assert not [f for f in files if f.startswith("coursekit/grading")]
