"""``coursekit grade ASSIGNMENT``: autograde a whole class in parallel and say what happened.

Each worker process runs nbgrader's own Autograde converter (with ``GuardedExecute``) on one
submission at a time against a private copy of the gradebook; the main process is the only
writer of ``gradebook.db``: it copies each student's scores in as their result arrives. nbgrader
treats "database is locked" as fatal, so parallel ``nbgrader autograde`` calls on one SQLite
gradebook are not an option.

Written to the course folder:

* ``reports/<assignment>/status.csv`` and ``status.txt``: per student the status (graded,
  needs manual grading, timed out, kernel died, kernel stopped, out of time, error), score,
  the cell where grading stopped, test cells changed since the release and the findings of
  the submission scan (``coursekit.grading.scan``; reported, never deducted);
* ``reports/<assignment>/logs/<student>.log``: nbgrader's log for that submission;
* ``grades.csv``: nbgrader's export of the whole gradebook (as ``nbgrader export``).

Exit status: 0 when every submission was graded (some may wait for manual grading), 1 when
a submission faulted or a test cell was tampered with, 2 when nothing could be graded.
"""
import csv
import io
import json
import logging
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from . import execute

STATUS_TEXT = {
    execute.DIED: "kernel died", execute.UNRESPONSIVE: "kernel stopped",
    execute.BUDGET: "out of time", execute.ERROR: "error", execute.TIMEOUT: "timed out",
}
FIELDS = ("student", "status", "score", "max_score", "cell", "detail", "tampered", "scan",
          "checksum_warnings", "seconds")
CHECKSUM_WARNING = "Attribute 'checksum' for cell"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------- configuration

def load_config(root, overrides=None):
    """nbgrader's configuration as ``nbgrader`` run in ``root`` would read it, plus overrides."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    cfg = Config()
    for path in [*reversed(jupyter_config_path()), str(root)]:
        if (Path(path) / "nbgrader_config.py").is_file():
            cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=path).load_config())
    cfg.CourseDirectory.root = str(Path(root).resolve())
    for key, value in (overrides or {}).items():
        section, name = key.split(".")
        cfg[section][name] = value
    cfg.Autograde.autograde_preprocessors = guarded(cfg)
    return cfg


def guarded(cfg):
    """The autograde preprocessors with Execute replaced by GuardedExecute (and FlagFaults)."""
    from nbgrader.converters import Autograde
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
             for p in cfg.Autograde.get("autograde_preprocessors",
                                        Autograde.class_traits()["autograde_preprocessors"]
                                        .default_value)]
    names = ["coursekit.grading.execute.GuardedExecute" if n.rsplit(".", 1)[-1] == "Execute"
             else n for n in names]
    flag = "coursekit.grading.execute.FlagFaults"
    if flag not in names:
        at = next((i + 1 for i, n in enumerate(names) if n.endswith("SaveAutoGrades")), len(names))
        names.insert(at, flag)
    return names


def _coursedir(cfg):
    from nbgrader.coursedir import CourseDirectory
    return CourseDirectory(config=cfg)


def _sqlite_path(db_url):
    if not db_url.startswith("sqlite:///"):
        raise SystemExit(f"coursekit grade needs a SQLite gradebook, not {db_url}")
    return Path(db_url[len("sqlite:///"):])


# ---------------------------------------------------------------- the worker side

_worker = {}


def _init_worker(root, overrides, snapshot, tmpdir, threads, log_dir):
    for var in THREAD_VARS:  # the kernels inherit these: one BLAS thread set per job
        os.environ.setdefault(var, str(threads))
    # the kernels' own chatter (and any crash) goes to a log, not over the progress bar
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    err = open(Path(log_dir) / "workers.log", "a")
    os.dup2(err.fileno(), 2)
    _quiet_sqlalchemy()
    db = Path(tmpdir) / f"gradebook-{os.getpid()}.db"
    _copy_db(snapshot, db)
    overrides = dict(overrides, **{"CourseDirectory.db_url": f"sqlite:///{db}"})
    _worker.update(root=root, overrides=overrides)


def _quiet_sqlalchemy():
    """nbgrader's add_submission triggers harmless SAWarnings about autoflush."""
    import warnings
    from sqlalchemy.exc import SAWarning
    warnings.simplefilter("ignore", SAWarning)


def _copy_db(src, dest):
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def grade_one(student, assignment, log_dir):
    """Autograde one submission in this process; return what the main process needs."""
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException
    execute.reset_budget()
    overrides = dict(_worker["overrides"], **{"CourseDirectory.student_id": student,
                                                "CourseDirectory.assignment_id": assignment})
    cfg = load_config(_worker["root"], overrides)
    coursedir = _coursedir(cfg)
    log, text = _student_log(student, Path(log_dir) / f"{student}.log")
    t0, error = time.monotonic(), None
    try:
        converter = Autograde(coursedir=coursedir, config=cfg)
        converter.log = log
        converter.start()
    except NbGraderException:
        error = _first_error(text.getvalue()) or "nbgrader failed (see the log)"
    except Exception as e:  # a broken notebook file, a database error...
        log.exception("grading failed")
        error = f"{type(e).__name__}: {e}"
    finally:
        for h in list(log.handlers):
            h.close()
            log.removeHandler(h)
    result = {"student": student, "error": error, "seconds": round(time.monotonic() - t0, 2),
              "checksum_warnings": text.getvalue().count(CHECKSUM_WARNING)}
    result["records"] = _records(coursedir, assignment, student)
    result["grades"] = _read_grades(coursedir.db_url, assignment, student)
    result.update(_checks(coursedir, assignment, student))
    return result


def _student_log(student, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(f"coursekit.grade.{student}")
    log.setLevel(logging.INFO)
    log.propagate = False
    text = io.StringIO()
    fmt = logging.Formatter("[%(levelname)s] %(message)s")
    for handler in (logging.FileHandler(path, mode="w"), logging.StreamHandler(text)):
        handler.setFormatter(fmt)
        log.addHandler(handler)
    return log, text


def _first_error(log_text):
    for line in log_text.splitlines():
        if line.startswith("[ERROR]") and "There was an error processing" not in line:
            return line[len("[ERROR] "):].strip()
    return None


def _records(coursedir, assignment, student):
    """GuardedExecute's record of each autograded notebook, by notebook name."""
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    records = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            records[path.stem] = execute.read_status(json.loads(path.read_text())) or {}
        except (OSError, ValueError):
            records[path.stem] = {}
    return records


def _read_grades(db_url, assignment, student):
    """What autograde wrote for one submission: enough to copy it into another gradebook."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(db_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return {"timestamp": sub.timestamp, "notebooks": {nb.name: {
            "flagged": nb.flagged, "late_submission_penalty": nb.late_submission_penalty,
            "grades": {g.name: (g.auto_score, g.needs_manual_grade) for g in nb.grades},
            "comments": {c.name: c.auto_comment for c in nb.comments},
        } for nb in sub.notebooks}}


def _checks(coursedir, assignment, student):
    """Test cells changed since the release, and the submission scan (coursekit.grading.scan).

    Comparing with the release is what nbgrader's "checksum has changed" warning cannot do:
    it fires for every test cell with hidden tests, edited or not (jupyter/nbgrader#1961).
    """
    from .scan import scan_submission, tampered_cells
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    released = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    tampered, scan = [], []
    notebooks = sorted(submitted.glob("*.ipynb"))
    for path in notebooks:
        prefix = f"{path.stem}: " if len(notebooks) > 1 else ""
        release = released / path.name if (released / path.name).is_file() else None
        try:
            if release is not None:
                tampered += [prefix + str(t) for t in tampered_cells(path, release)]
            scan += [prefix + str(f) for f in scan_submission(path, release=release)]
        except (OSError, ValueError) as e:  # not a notebook: autograde reports it too
            scan.append(f"{prefix}unreadable: {e}")
    return {"tampered": tampered, "scan": scan}


# ---------------------------------------------------------------- the main process

def students_to_grade(coursedir, assignment, only=None):
    pattern = Path(coursedir.format_path(coursedir.submitted_directory, "*", assignment))
    found = sorted(p.parent.name for p in pattern.parent.parent.glob(f"*/{assignment}")
                   if p.is_dir())
    return [s for s in found if not only or s in only]


def merge(gb, assignment, student, grades):
    """Copy one student's autograde results into the open gradebook (the only writer)."""
    gb.update_or_create_student(student)
    gb.update_or_create_submission(assignment, student, timestamp=grades["timestamp"])
    for name, nb in grades["notebooks"].items():
        notebook = gb.find_submission_notebook(name, assignment, student)
        notebook.flagged = nb["flagged"]
        notebook.late_submission_penalty = nb["late_submission_penalty"]
        for grade in notebook.grades:
            if grade.name in nb["grades"]:
                grade.auto_score, grade.needs_manual_grade = nb["grades"][grade.name]
        for comment in notebook.comments:
            if comment.name in nb["comments"]:
                comment.auto_comment = nb["comments"][comment.name]
    gb.db.commit()
    sub = gb.find_submission(assignment, student)
    return sub.score, sub.max_score, sub.needs_manual_grade


def status_row(result, score=None, max_score=None, manual=False):
    """One line of the report: the worst thing that happened to this submission."""
    faults = [f for r in result["records"].values() for f in r.get("faults", [])]
    timeouts = [t for r in result["records"].values() for t in r.get("timeouts", [])]
    row = {"student": result["student"], "score": score, "max_score": max_score,
           "cell": "", "detail": "", "tampered": "; ".join(result["tampered"]),
           "scan": "; ".join(result["scan"]), "seconds": result["seconds"],
           "checksum_warnings": result["checksum_warnings"]}
    if result["error"] or result["grades"] is None:
        row.update(status="error", detail=result["error"] or "no grades recorded")
    elif faults:
        worst = min(faults, key=lambda f: execute.FAULT_ORDER.index(f["kind"]))
        row.update(status=STATUS_TEXT[worst["kind"]], cell=worst["cell"], detail=worst["detail"])
        if timeouts:
            row["detail"] += "; also timed out in " + ", ".join(t["cell"] for t in timeouts)
    elif timeouts:
        row.update(status="timed out", cell=", ".join(t["cell"] for t in timeouts),
                   detail=timeouts[0]["detail"])
    else:
        row["status"] = "needs manual grading" if manual else "graded"
    return row


def is_problem(row):
    return row["status"] not in ("graded", "needs manual grading") or bool(row["tampered"])


def grade_class(root, assignment, jobs=None, students=None, timeout=None, budget=None,
                force=False, progress=True, out=sys.stdout):
    """Autograde every submission of ``assignment``; write the reports; return the exit status."""
    from nbgrader.api import Gradebook
    from tqdm import tqdm
    root = Path(root).resolve()
    overrides = {"BaseConverter.force": bool(force)}
    if timeout is not None:
        overrides["Execute.timeout"] = int(timeout)
    if budget is not None:
        overrides["GuardedExecute.budget"] = float(budget)
    cfg = load_config(root, overrides)
    coursedir = _coursedir(cfg)
    main_db = _sqlite_path(coursedir.db_url)
    if not _has_assignment(coursedir.db_url, assignment):
        print(f"coursekit grade: {assignment} is not in the gradebook: run "
              f"`nbgrader generate_assignment {assignment}` first", file=sys.stderr)
        return 2
    todo = students_to_grade(coursedir, assignment, students)
    if not todo:
        print(f"coursekit grade: no submissions of {assignment} in "
              f"{coursedir.submitted_directory}/: run `nbgrader collect` or `zip_collect`",
              file=sys.stderr)
        return 2
    report = root / "reports" / assignment
    report.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or _cores(), len(todo)))
    threads = max(1, _cores() // jobs)
    rows, t0 = [], time.monotonic()
    bar_out = os.fdopen(os.dup(2), "w")  # the terminal, even when the kernels' stderr is not
    _quiet_sqlalchemy()
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as tmp, \
            Gradebook(coursedir.db_url) as gb, \
            tqdm(total=len(todo), desc=f"grading {assignment}", unit="student",
                 disable=not progress, file=bar_out) as bar:
        snapshot = Path(tmp) / "gradebook.db"  # what each worker starts from
        _copy_db(main_db, snapshot)
        setup = (str(root), overrides, str(snapshot), tmp, threads, str(report / "logs"))
        for student, result in _results(todo, assignment, jobs, setup):
            scores = merge(gb, assignment, student, result["grades"]) \
                if result["grades"] else (None, None, False)
            rows.append(status_row(result, *scores))
            bar.set_postfix(problems=sum(map(is_problem, rows)))
            bar.update()
    bar_out.close()
    rows.sort(key=lambda r: r["student"])
    _write_reports(report, rows)
    _export_grades(coursedir.db_url, root / "grades.csv")
    print(summary(rows, assignment, time.monotonic() - t0, jobs, report), file=out)
    return 1 if any(map(is_problem, rows)) else 0


def _results(todo, assignment, jobs, setup):
    """(student, result) as each submission is graded: in worker processes, or here (1 job)."""
    logs = setup[-1]
    if jobs == 1:  # no second Python to start and import nbgrader into
        saved = os.dup(2)
        try:
            _init_worker(*setup)
            for student in todo:
                yield student, _guarded_call(grade_one, student, assignment, logs)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        return
    with ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker,
                             initargs=setup) as pool:
        futures = {pool.submit(grade_one, s, assignment, logs): s for s in todo}
        for future in as_completed(futures):
            yield futures[future], _guarded_call(future.result, student=futures[future])


def _guarded_call(fn, *args, student=None):
    """fn(*args), or the result of a submission whose grading itself crashed."""
    try:
        return fn(*args)
    except Exception as e:  # a worker process died, or grading raised outside nbgrader
        return {"student": student or args[0], "error": f"grading failed: {e}", "records": {},
                "grades": None, "tampered": [], "scan": [], "seconds": 0,
                "checksum_warnings": 0}


def _context():
    """Workers forked from a server that imported nbgrader once (importing it takes seconds)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nbgrader.converters", "nbgrader.api", "nbclient",
                                "coursekit.grading.execute"])
    return ctx


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _has_assignment(db_url, assignment):
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(db_url) as gb:
        try:
            return bool(gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def _write_reports(folder, rows):
    with open(folder / "status.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "status.txt").write_text(table(rows) + "\n")


def _export_grades(db_url, path):
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin
    with Gradebook(db_url) as gb:
        CsvExportPlugin(to=str(path)).export(gb)


def _fmt(x):
    return "" if x is None else f"{x:g}"


def table(rows):
    """The report as aligned text: student, status, score, where, notes."""
    lines = [("student", "status", "score", "where", "notes")]
    for r in rows:
        notes = [r["detail"]] if r["detail"] and r["status"] != "graded" else []
        notes += [f"tampered: {r['tampered']}"] if r["tampered"] else []
        notes += [f"scan: {r['scan']}"] if r["scan"] else []
        lines.append((r["student"], r["status"], f"{_fmt(r['score'])}/{_fmt(r['max_score'])}",
                      r["cell"], "; ".join(notes)))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[4]
                     for line in lines).rstrip()


def summary(rows, assignment, seconds, jobs, folder):
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    problems = [r for r in rows if is_problem(r)]
    jobs = f"{jobs} job" + ("s" if jobs > 1 else "")
    text = [f"{assignment}: {len(rows)} submissions in {seconds:.0f} s with {jobs}: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))]
    if problems:
        text += ["", table(problems)]
    warned = sum(1 for r in rows if r["checksum_warnings"] and not r["tampered"])
    if warned:
        text.append(f"\nnbgrader's 'checksum has changed' warnings for {warned} submissions are "
                    "false alarms: their test cells match the release (jupyter/nbgrader#1961).")
    text.append(f"report: {folder / 'status.txt'} (and status.csv, logs/); grades: grades.csv")
    return "\n".join(text)
