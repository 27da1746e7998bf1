#!/usr/bin/env python3
"""Regenerate the student release exercises/<assignment> from solutions/<assignment>.

    python .ci/release.py                 # every assignment
    python .ci/release.py 01_perceptrons  # one

nbgrader runs in a temporary copy of the course, so the repository's gradebook
is never touched and parallel runs cannot collide; only exercises/<a> changes.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def assignments():
    return sorted(p.name for p in (ROOT / "solutions").iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def generate(course, names):
    """Run nbgrader generate_assignment in the course folder; raise on failure."""
    env_bin = str(Path(sys.executable).parent)  # alembic must be on PATH for the database
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", "--force",
           "--CourseDirectory.root=" + str(course)]
    cmd += names if len(names) == 1 else ["*"]
    import os
    env = dict(os.environ, PATH=env_bin + os.pathsep + os.environ.get("PATH", ""))
    r = subprocess.run(cmd, cwd=course, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{r.stdout}\n{r.stderr}")
    return r


def copy_course(dest, names, solutions=ROOT / "solutions"):
    """A course with nbgrader_config.py and solutions/<a> for each name in dest."""
    shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for a in names:
        shutil.copytree(Path(solutions) / a, dest / "solutions" / a,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


def main(argv):
    names = argv or assignments()
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        copy_course(course, names)
        generate(course, names)
        for a in names:
            dest = ROOT / "exercises" / a
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(course / "exercises" / a, dest)
            print(f"released exercises/{a}")


if __name__ == "__main__":
    main(sys.argv[1:])
