"""The student edition: what students receive, without a single answer or grade.

    coursekit student-edition OUT_DIR [--zip]

copies from the course repository the lectures, the exercise releases (``exercises/``), the
``coursekit`` package without ``coursekit/grading`` and the install files (``pyproject.toml``
listing only the packages it ships, a README for students), and writes an
``nbgrader_config.py`` holding only the course id and the exchange folder, so that
``nbgrader fetch_assignment`` / ``submit`` / ``fetch_feedback`` work from it. It never copies
``solutions/``, ``tests/``, the gradebook, submissions, feedback, reports or grades.
Before returning, it checks that no line of a solution or hidden test (the lines between the
BEGIN/END markers in ``solutions/``) that is not public anyway made it into the edition.
"""
import json
import re
import shutil
import tomllib
from pathlib import Path

COPIED = ("lectures", "exercises", "coursekit")
EXCLUDED = ("__pycache__", ".ipynb_checkpoints", "*.pyc", "grading")  # coursekit/grading
LICENSES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING", "LICENSE-CONTENT.md")
FILES = ("START.ipynb",) + LICENSES  # copied when the course has them
README_SECTIONS = ("Lecture map", "The package", "The GPU switch")
MARKER = re.compile(r"###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS?)\b")

STUDENT_CONFIG = '''\
"""nbgrader settings for students: where assignments are fetched from and submitted to.

On a shared JupyterHub the administrator usually puts these two lines in
/etc/jupyter/nbgrader_config.py; run nbgrader from this folder otherwise.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader
c.CourseDirectory.course_id = os.environ.get("COURSEKIT_COURSE_ID", {course_id!r})
c.Exchange.root = os.environ.get("COURSEKIT_EXCHANGE", {exchange!r})
'''

STUDENT_START = """## Start

Open the course (Python ≥ 3.11, in a virtual environment: `python3 -m venv .venv && source
.venv/bin/activate`):

```
pip install -e . && jupyter lab START.ipynb
```

The start page's first cell copies the notebooks into `work/`: edit those copies, so that a
new edition of the course never overwrites your work.

The exercises are in `exercises/<assignment>/`. When your course hands them out through
nbgrader, fetch and submit from this folder (its `nbgrader_config.py` says where):

```
nbgrader fetch_assignment 01_perceptrons     # -> ./01_perceptrons/
nbgrader submit 01_perceptrons
nbgrader fetch_feedback 01_perceptrons       # after grading: ./01_perceptrons/feedback/
```

`coursekit doctor` prints the versions, the array backend, whether a GPU is usable and where
the data sets are found.
"""

GITIGNORE = "__pycache__/\n*.pyc\n.ipynb_checkpoints/\n*.egg-info/\n.venv/\n/work/\n"


def default_repo():
    """The repository this coursekit was installed from (editable install), if it is one."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "solutions").is_dir() and (here / "pyproject.toml").is_file() else None


def build(out_dir, repo=None, exchange=None, course_id=None, zip_file=False, force=False):
    """Write the student edition of ``repo`` to ``out_dir``; return its path (or the zip's)."""
    repo = Path(repo).resolve() if repo else default_repo()
    if repo is None or not (repo / "pyproject.toml").is_file():
        raise SystemExit("student-edition: give the course repository with --repo")
    out = Path(out_dir).resolve()
    if out == repo or out in repo.parents or any(
            out == repo / name or repo / name in out.parents for name in COPIED):
        raise SystemExit(f"student-edition: {out} would overwrite or contain the course itself")
    if out.exists():
        if not force:
            raise SystemExit(f"student-edition: {out} exists (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPIED:
        shutil.copytree(repo / name, out / name, ignore=_ignore(repo / "coursekit"))
    for name in FILES:
        if (repo / name).is_file():
            shutil.copy(repo / name, out / name)
    (out / "pyproject.toml").write_text(student_pyproject((repo / "pyproject.toml").read_text()))
    (out / "README.md").write_text(student_readme((repo / "README.md").read_text()))
    (out / ".gitignore").write_text(GITIGNORE)
    course_id, exchange = _exchange_settings(repo, exchange, course_id)
    (out / "nbgrader_config.py").write_text(
        STUDENT_CONFIG.format(course_id=course_id, exchange=exchange))
    leaked = leaked_lines(out, repo)
    if leaked:
        shutil.rmtree(out)
        raise SystemExit(f"student-edition: solution or hidden-test lines leaked: {leaked[:3]}")
    if zip_file:
        return Path(shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name))
    return out


def _ignore(package_dir):
    def ignore(folder, names):
        skip = set(shutil.ignore_patterns(*EXCLUDED[:3])(folder, names))
        if Path(folder).resolve() == package_dir.resolve():
            skip |= {n for n in names if n == "grading"}
        return skip
    return ignore


def _exchange_settings(repo, exchange, course_id):
    """The instructor's course id and exchange root, as nbgrader run in the course reads them."""
    from .classroom import load_config
    cfg = load_config(repo)
    course_id = course_id or cfg.CourseDirectory.get("course_id") or "coursekit"
    exchange = exchange or cfg.Exchange.get("root") or str(repo / "exchange")
    return course_id, str(exchange)


def student_pyproject(text):
    """pyproject.toml shipping only the packages in the edition (no coursekit.grading)."""
    packages = tomllib.loads(text)["tool"]["setuptools"]["packages"]
    kept = [p for p in packages if p != "coursekit.grading" and
            not p.startswith("coursekit.grading.")]
    line = "packages = [" + ", ".join(f'"{p}"' for p in kept) + "]"
    text = re.sub(r"(?m)^packages\s*=\s*\[[^\]]*\]", line, text, count=1)
    # and no package data for the grading package it leaves out
    return re.sub(r'(?m)^"coursekit\.grading(\.[\w.]+)?"\s*=\s*\[[^\]]*\]\n', "", text)


def student_readme(text):
    """The README's introduction, a start section for students, and its reference sections."""
    parts = re.split(r"(?m)^## ", text)
    intro, sections = parts[0], {p.split("\n", 1)[0].strip(): "## " + p for p in parts[1:]}
    kept = [sections[name] for name in README_SECTIONS if name in sections]
    return intro.rstrip() + "\n\n" + STUDENT_START + "\n" + "\n".join(s.rstrip() + "\n"
                                                                      for s in kept)


# ---------------------------------------------------------------- the leak check

def _normal(line):
    return " ".join(line.split())


def secret_lines(solutions):
    """Normalised lines between BEGIN/END SOLUTION or HIDDEN TESTS markers in solutions/."""
    lines = set()
    for path in sorted(Path(solutions).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for cell in json.loads(path.read_text()).get("cells", []):
            inside = False
            for line in "".join(cell.get("source", [])).splitlines():
                m = MARKER.search(line)
                if m:
                    inside = m.group(1) == "BEGIN"
                elif inside and len(_normal(line)) >= 10:
                    lines.add(_normal(line))
    return lines


def public_text(*folders):
    """Every text file under ``folders`` as one normalised string (notebooks decoded)."""
    texts = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                texts.append(_file_text(path))
    return _normal("\n".join(texts))


def _file_text(path):
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return ""
    if path.suffix == ".ipynb":
        try:
            text = _notebook_text(json.loads(text))
        except (ValueError, AttributeError):
            pass
    return "\n".join(_normal(line) for line in text.splitlines())


def _notebook_text(nb):
    """Sources and text outputs, decoded (JSON escapes quotes); images left out."""
    parts = []
    for cell in nb.get("cells", []):
        parts.append(_joined(cell.get("source", "")))
        for out in cell.get("outputs", []):
            parts.append(_joined(out.get("text", "")))
            parts += [_joined(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
            parts += out.get("traceback", [])
    return "\n".join(parts)


def _joined(value):
    return "".join(value) if isinstance(value, list) else str(value)


def leaked_lines(edition, repo):
    """Secret lines of solutions/ found in the edition that are not public in the repository."""
    repo, edition = Path(repo), Path(edition)
    public = public_text(repo / "exercises", repo / "lectures", repo / "coursekit")
    secrets = [line for line in secret_lines(repo / "solutions") if line not in public]
    found = public_text(edition)
    return sorted(line for line in secrets if line in found)
