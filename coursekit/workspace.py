"""Your own copies of the course's notebooks, safe from course updates (the start page).

The course's notebooks are tracked by git, so editing them in place makes the next
``git pull`` conflict. ``make_workspace()`` copies every lecture and exercise into
``work/``, which git ignores: edit the copies there. Running it again after an update
copies what is new and never overwrites a copy of yours; it reports which of your copies
the course has changed since you made them, so you can compare the two.
"""
import hashlib
import json
import shutil
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("lectures", "exercises")
MANIFEST = ".course-versions.json"  # sha256 of each original at the time it was copied


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _course_notebooks(root, folders):
    for folder in folders:
        for path in sorted((root / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in path.parts:
                yield path.relative_to(root)


def make_workspace(root=None, dest="work", folders=FOLDERS):
    """Copy the course's notebooks into root/dest, keeping every copy that exists.

    Returns {"copied": [...], "kept": [...], "changed_in_course": [...]}, paths relative
    to root/dest: new copies, copies of yours left untouched, and those of your copies
    whose original the course has changed since you copied it.
    """
    root = Path(root) if root is not None else COURSE_ROOT
    if not all((root / f).is_dir() for f in folders):
        raise FileNotFoundError(f"{root} is not a course folder: it needs {', '.join(folders)}/")
    work = root / dest
    manifest_path = work / MANIFEST
    versions = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report = {"copied": [], "kept": [], "changed_in_course": []}
    for rel in _course_notebooks(root, folders):
        original, copy, key = root / rel, work / rel, rel.as_posix()
        if copy.exists():
            report["kept"].append(key)
            if versions.get(key) not in (None, _sha256(original)):
                report["changed_in_course"].append(key)
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = copy.with_name(copy.name + ".part")  # no half-written notebook if interrupted
        shutil.copyfile(original, tmp)
        tmp.replace(copy)
        versions[key] = _sha256(original)
        report["copied"].append(key)
    work.mkdir(exist_ok=True)
    manifest_path.write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")
    return report


def describe(report):
    """The report of make_workspace as a few lines for a student."""
    lines = [f"{len(report['copied'])} notebooks copied into work/, "
             f"{len(report['kept'])} of your copies kept as they are."]
    if report["changed_in_course"]:
        lines.append("The course has changed these since you copied them (compare them with "
                     "the originals, or delete your copy and run this again for a fresh one):")
        lines += [f"  {p}" for p in report["changed_in_course"]]
    return "\n".join(lines)
