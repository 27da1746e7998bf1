"""The class cycle of the README's "For instructors" section, with real students.

In a temporary course with its own exchange folder: the instructor generates and releases
01_perceptrons and builds the student edition; three students (separate OS users when the
tests run as root, as in CI; otherwise separate HOME folders and `--student` ids) take its
nbgrader_config.py, fetch the assignment, work, and submit; the instructor collects, grades
with `coursekit grade`, generates and releases feedback, exports grades; the students fetch
their feedback. `zip_collect` then files Canvas and Moodle archives, and fails on an archive
it cannot read. Finally, every instructor command in the README is one this test ran.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from _classroom import ASSIGNMENT as A, ROOT, SOLUTIONS, env, notebook, release, run, save, scores, solved

STUDENTS = {"ada": 9, "alan": 4, "grace": 0}          # student: score
PARTS = {"ada": None, "alan": ["step_perceptron", "nand_nor"], "grace": []}
IGNORED = ("--student", "--CourseDirectory.root", "--no-progress")
RAN = set()
TIMES = []  # (command, seconds): printed with pytest -s


def _command(args):
    """A command as the README writes it: program, subcommand, assignment, options."""
    words = [w for w in args if not w.startswith(IGNORED)]
    return " ".join(w for w in words[:2] + [w for w in words[2:] if w == A or w.startswith("-")])


def instructor(args, course, exchange, check=True):
    RAN.add(_command(args))
    t0 = time.monotonic()
    r = run(args, course, check=check, env=env(COURSEKIT_EXCHANGE=str(exchange)))
    TIMES.append((_command(args), time.monotonic() - t0))
    return r


class Student:
    """One student: an OS user (when we are root) or a HOME folder and an explicit id."""

    def __init__(self, name, homes, os_user):
        self.name, self.os_user = name, os_user
        self.id = f"ck{name}{os.getpid()}" if os_user else name
        self.home = homes / self.id
        if os_user:
            subprocess.run(["useradd", "--create-home", "--home-dir", str(self.home),
                            "--shell", "/bin/sh", self.id], check=True, capture_output=True)
            import pwd
            entry = pwd.getpwnam(self.id)
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
        else:
            self.home.mkdir()

    def command(self, args):
        """Start ``nbgrader ...`` as this student in their home; return the process."""
        RAN.add(_command(args))
        if not self.os_user and args[1] in ("submit", "fetch_feedback"):
            args = args + [f"--student={self.id}"]
        user = {"user": self.uid, "group": self.gid, "extra_groups": []} if self.os_user else {}
        student_env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""),
                       "LANG": "C.UTF-8"}  # no COURSEKIT_*: the edition's config must do
        return subprocess.Popen([sys.executable, "-m", "nbgrader", *args[1:]], cwd=self.home,
                                env=student_env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, **user)

    def write(self, path, nb):
        save(nb, path)
        if self.os_user:
            os.chown(path, self.uid, self.gid)

    def remove(self):
        if self.os_user:
            subprocess.run(["userdel", "--remove", self.id], capture_output=True)


def all_students(students, args):
    """The same command for every student at once (they are separate people)."""
    t0 = time.monotonic()
    procs = [(s, s.command(args)) for s in students]
    for s, p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, f"{s.id}: {' '.join(args)} failed:\n{out}"
    TIMES.append((f"{len(students)} x {_command(args)}", time.monotonic() - t0))


def _os_users_work(base):
    """Root with useradd, and a new user can run this Python (the venv may be private)."""
    if os.geteuid() != 0 or not shutil.which("useradd") or \
            os.environ.get("COURSEKIT_TEST_USERS") == "0":
        return False
    probe = Student("probe", base, os_user=True)
    try:
        r = subprocess.run([sys.executable, "-c", "import nbgrader"], user=probe.uid,
                           group=probe.gid, extra_groups=[], capture_output=True, cwd=probe.home,
                           env={"HOME": str(probe.home), "PATH": os.environ.get("PATH", "")})
        return r.returncode == 0
    except OSError:  # this Python lives where other users cannot go (e.g. under /root)
        return False
    finally:
        probe.remove()


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    release.copy_course(course, [A], solutions=SOLUTIONS)
    shared = Path(tempfile.mkdtemp(prefix="coursekit-class-"))  # reachable by the students
    shared.chmod(0o755)
    exchange, homes = shared / "exchange", shared / "home"
    homes.mkdir(mode=0o755)
    students = []
    try:
        os_users = _os_users_work(homes)
        if os.geteuid() == 0 and not os_users:
            warnings.warn(f"students share this account (HOME folders and --student ids): "
                          f"other users cannot run {sys.executable}, or there is no useradd")
        for name in STUDENTS:
            students.append(Student(name, homes, os_users))
        out = _run_cycle(course, exchange, students, tmp_path_factory)
        out["inbound"] = {p.name: p.stat().st_uid
                          for p in (exchange / "coursekit" / "inbound").iterdir()}
        yield out, course, students, os_users
    finally:
        for s in students:
            s.remove()
        shutil.rmtree(shared, ignore_errors=True)


def _run_cycle(course, exchange, students, tmp_path_factory):
    out = {}
    instructor(["nbgrader", "generate_assignment", A, "--force"], course, exchange)
    edition = tmp_path_factory.mktemp("edition") / "coursekit-student"
    instructor(["coursekit", "student-edition", str(edition), "--zip"], ROOT, exchange)
    instructor(["nbgrader", "release_assignment", A], course, exchange)
    with zipfile.ZipFile(f"{edition}.zip") as z:  # what students download
        config = z.read(f"{edition.name}/nbgrader_config.py")
    for s in students:
        (s.home / "nbgrader_config.py").write_bytes(config)
    all_students(students, ["nbgrader", "fetch_assignment", A])
    for s in students:
        mine = s.home / A / f"{A}.ipynb"
        s.write(mine, solved(notebook(s.home), parts=PARTS[s.name]))
    all_students(students, ["nbgrader", "submit", A])
    instructor(["nbgrader", "collect", A], course, exchange)
    out["grade"] = instructor(["coursekit", "grade", A, "--no-progress"], course, exchange)
    instructor(["nbgrader", "generate_feedback", A], course, exchange)
    instructor(["nbgrader", "release_feedback", A], course, exchange)
    all_students(students, ["nbgrader", "fetch_feedback", A])
    instructor(["nbgrader", "export"], course, exchange)
    out["zip"] = _zip_collect(tmp_path_factory.mktemp("lms"), exchange)
    mode = "OS users" if students[0].os_user else "HOME folders and --student ids"
    print(f"\nstudents: {mode}" + "".join(f"\n{t:6.1f} s  {c}" for c, t in TIMES))
    return out


def _zip_collect(course, exchange):
    """Canvas and Moodle archives into submitted/; an archive of other names fails."""
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "exercises" / A, course / "exercises" / A)
    nb = (ROOT / "exercises" / A / f"{A}.ipynb").read_bytes()
    archive = course / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as z:  # Canvas
        z.writestr(f"lovelaceada_4321_987654_{A}.ipynb", nb)
        z.writestr(f"turingalan_late_4322_987655_{A}-1.ipynb", nb)   # late, re-uploaded
    with zipfile.ZipFile(archive / "moodle.zip", "w") as z:        # Moodle, folders
        z.writestr(f"Grace Hopper_1001_assignsubmission_file_/{A}.ipynb", nb)
        z.writestr(f"José Núñez_1002_assignsubmission_file_/{A}.ipynb", nb)
        z.writestr("Grace Hopper_1001_assignsubmission_onlinetext_/onlinetext.html", b"hi")
    ok = instructor(["nbgrader", "zip_collect", A], course, exchange)
    collected = sorted(p.parent.parent.name for p in course.glob(f"submitted/*/{A}/{A}.ipynb"))
    other = course / "other"
    shutil.copytree(course / "exercises", other / "exercises")
    shutil.copy(ROOT / "nbgrader_config.py", other)
    (other / "downloaded" / A / "archive").mkdir(parents=True)
    (other / "downloaded" / A / "archive" / f"{A}.ipynb").write_bytes(nb)  # no student in it
    bad = run(["nbgrader", "zip_collect", A], other, check=False)
    return {"ok": ok, "collected": collected, "bad": bad,
            "bad_submitted": list(other.glob("submitted/*"))}


def test_each_student_submitted_once_from_their_account(cycle):
    out, course, students, os_users = cycle
    ids = sorted(s.id for s in students)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ids
    assert sorted(name.split("+")[0] for name in out["inbound"]) == ids
    if os_users:  # each submission in the exchange belongs to the account that made it
        for s in students:
            assert [uid for name, uid in out["inbound"].items()
                    if name.startswith(s.id + "+")] == [s.uid]


def test_grades(cycle):
    out, course, students, _ = cycle
    assert "3 graded" in out["grade"].stdout, out["grade"].stdout
    book = scores(course)
    for s in students:
        assert sum(score for _, score, _, _ in book[s.id]) == STUDENTS[s.name]
    exported = (course / "grades.csv").read_text()
    for s in students:
        assert re.search(rf"^{A},.*,{s.id},.*,{STUDENTS[s.name]:.1f},9\.0$", exported, re.M)


def test_students_fetch_their_feedback(cycle):
    _, _, students, _ = cycle
    for s in students:
        html = list((s.home / A / "feedback").glob(f"*/{A}.html"))
        assert len(html) == 1, f"{s.id} got no feedback"
        assert f"{STUDENTS[s.name]:.1f} / 9.0" in html[0].read_text() or \
            f"{STUDENTS[s.name]} / 9" in html[0].read_text()


def test_zip_collect_canvas_and_moodle(cycle):
    zip_ = cycle[0]["zip"]
    assert zip_["collected"] == ["grace_hopper", "jose_nunez", "lovelaceada", "turingalan"]
    assert "turingalan submitted late" in zip_["ok"].stderr


def test_zip_collect_fails_when_it_collects_nothing(cycle):
    bad = cycle[0]["zip"]["bad"]
    assert bad.returncode != 0 and "Canvas or Moodle layout" in bad.stderr
    assert cycle[0]["zip"]["bad_submitted"] == []


@pytest.mark.parametrize("path, lms, student, file", [
    ("submissions/lovelaceada_4321_987654_01_perceptrons.ipynb",
     "canvas", "lovelaceada", "01_perceptrons.ipynb"),
    ("s/turingalan_LATE_4322_987655_01_perceptrons-2.ipynb",
     "canvas", "turingalan", "01_perceptrons-2.ipynb"),
    ("s/hopper2grace_11_22_my_work/nb/01_perceptrons.ipynb",    # her own zip, unpacked
     "canvas", "hopper2grace", "01_perceptrons.ipynb"),
    ("m/José Núñez_1002_assignsubmission_file_/01_perceptrons.ipynb",
     "moodle", "jose_nunez", "01_perceptrons.ipynb"),
    ("m/Ada Lovelace_77_assignsubmission_file_01_perceptrons.ipynb",  # flat, no folders
     "moodle", "ada_lovelace", "01_perceptrons.ipynb"),
    ("m/Participant_5551_assignsubmission_file_/01_perceptrons.ipynb",  # blind marking
     "moodle", "participant_5551", "01_perceptrons.ipynb"),
])
def test_lms_layouts(path, lms, student, file):
    from coursekit.grading.lms import parse, student_id
    info = parse(path)
    assert (info["lms"], student_id(info), info["file"]) == (lms, student, file)


def test_other_names_are_not_a_layout():
    from coursekit.grading.lms import parse
    assert parse("submissions/01_perceptrons.ipynb") is None
    assert parse("ada/01_perceptrons.ipynb") is None


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(("nbgrader ", "coursekit "))]


def test_every_readme_instructor_command_was_run(cycle):
    commands = _readme_commands()
    assert len(commands) >= 8
    missing = [c for c in commands if _command(c.split()) not in RAN]
    assert not missing, f"README commands no test runs: {missing}; ran: {sorted(RAN)}"
