"""``nbgrader zip_collect`` for the submission archives Canvas and Moodle download.

Put the archive the LMS gives you in ``downloaded/<assignment>/archive/`` and run
``nbgrader zip_collect <assignment>``; ``nbgrader_config.py`` selects these plugins.

Layouts understood (per file, so one archive may even mix them):

* Canvas, "Download Submissions": one flat zip; each file is named
  ``<name>_<user id>_<attachment id>_<uploaded name>`` and late ones
  ``<name>_late_<user id>_<attachment id>_<uploaded name>``, where ``<name>`` is the
  student's sortable name squeezed to lower case (``lovelaceada``). Canvas renames a
  re-uploaded file ``01_perceptrons-1.ipynb``; a student's own zip is unpacked in place.
* Moodle, "Download all submissions": folders
  ``<Full Name>_<participant id>_assignsubmission_file_/`` holding the uploaded files (the
  default since Moodle 3.1) or, with "download submissions in folders" off, flat files
  ``<Full Name>_<participant id>_assignsubmission_file_<name>``. The participant id is
  Moodle's per-assignment id (assign_user_mapping), so the name is the student id.

Student ids: Canvas's ``<name>`` (or, with ``LMSCollector.use_lms_id = True``, the Canvas user
id, which is unique); Moodle's full name in lower case with ``_`` between words
(``ada_lovelace``), or ``participant_<id>`` under blind marking. A notebook uploaded under another name is filed under the released name
when the assignment has one notebook. Two LMS users mapping to one student id, an empty
archive, or an archive in which no file matches stop the command with an error (nbgrader
itself then exits 0 having collected nothing).
"""
import os
import re
import unicodedata

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import Bool

MOODLE = re.compile(r"^(?P<name>.+?)_(?P<lms_id>\d+)_assignsubmission_[a-z]+_(?P<file>.*)$")
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_late)?_(?P<lms_id>\d+)_\d+_(?P<file>.+)$",
                    re.IGNORECASE)
COPY_SUFFIX = re.compile(r"^(?P<stem>.+?)(?:-\d+| ?\(\d+\))(?P<ext>\.ipynb)$")


def slug(name):
    """'José Núñez-Ruiz' -> 'jose_nunez_ruiz': a student id safe in nbgrader's paths."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def parse(relpath):
    """Read the LMS layout of one extracted file (path relative to the extracted folder).

    Returns {"lms", "name", "lms_id", "late", "file"} or None when no layout matches.
    """
    parts = relpath.replace(os.sep, "/").split("/")
    for i, part in enumerate(parts):
        m = MOODLE.match(part)
        lms = "moodle"
        if not m:
            m, lms = CANVAS.match(part), "canvas"
        if not m:
            continue
        last = i == len(parts) - 1
        return {"lms": lms, "name": m["name"], "lms_id": m["lms_id"],
                "late": bool(m.groupdict().get("late")),
                "file": m["file"] if last else parts[-1]}
    return None


def student_id(info, use_lms_id=False):
    """The nbgrader student id for a parsed file (see the module docstring)."""
    if info["lms"] == "canvas":
        return info["lms_id"] if use_lms_id else slug(info["name"])
    if info["name"] == "Participant":  # Moodle's blind marking hides the name
        return f"participant_{info['lms_id']}"
    return slug(info["name"])


class LMSExtractor(ExtractorPlugin):
    """nbgrader's extractor, which fails when the archive holds no file at all."""

    def extract(self, archive_path, extracted_path):
        super().extract(archive_path, extracted_path)
        if not any(files for _, _, files in os.walk(extracted_path)):
            self.parent.fail(f"zip_collect: nothing to collect: {archive_path} holds no file "
                             "(put the archive Canvas or Moodle downloads there)")


class LMSCollector(FileNameCollectorPlugin):
    """Student id and notebook name from Canvas's or Moodle's archive layout."""

    use_lms_id = Bool(False, help=(
        "Canvas: use the numeric Canvas user id as the student id instead of the name "
        "(unique even for two students with the same name)")).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._owners = {}     # student id -> LMS user it came from
        self._checked = False
        archive = self._collect_path("archive_directory")
        extracted = self._collect_path("extracted_directory")
        if archive and not _has_files(archive) and not _has_files(extracted):
            self.parent.fail(f"zip_collect: nothing to collect: put the archive Canvas or Moodle "
                             f"downloads in {archive}")

    def _collect_path(self, step):
        app = self.parent
        if app is None or not hasattr(app, "_format_collect_path"):
            return None
        return app._format_collect_path(getattr(app, step))

    def _released(self):
        cd = getattr(self.parent, "coursedir", None)
        if cd is None:
            return []
        return find_all_notebooks(cd.format_path(cd.release_directory, ".", cd.assignment_id))

    def _check_any_match(self):
        """Before the first file: fail unless some submitted notebook matches a layout."""
        self._checked = True
        extracted = self._collect_path("extracted_directory")
        if extracted is None:
            return
        found = [os.path.relpath(os.path.join(d, f), extracted)
                 for d, _, files in os.walk(extracted) for f in files]
        if not any(parse(f) and os.path.splitext(f)[1] in self.valid_ext for f in found):
            self.parent.fail(
                "zip_collect: no file in %s has the Canvas or Moodle layout (%d files, e.g. %s); "
                "see coursekit/grading/lms.py", extracted, len(found), found[:3])

    def collect(self, submitted_file):
        if not self._checked:
            self._check_any_match()
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        extracted = self._collect_path("extracted_directory")
        rel = os.path.relpath(submitted_file, extracted) if extracted else submitted_file
        info = parse(rel)
        if info is None:
            self.log.warning("zip_collect: skipped %s: neither the Canvas nor the Moodle layout",
                             rel)
            return None
        student = student_id(info, self.use_lms_id)
        owner = (info["lms"], info["lms_id"] if info["lms"] == "canvas" else info["name"])
        if self._owners.setdefault(student, owner) != owner:
            self.parent.fail("zip_collect: two LMS users map to student id %r (%s and %s); "
                             "set LMSCollector.use_lms_id = True (Canvas)",
                             student, self._owners[student], owner)
        if info["late"]:
            self.log.warning("zip_collect: %s submitted late (Canvas marks the file 'late')",
                             student)
        return {"student_id": student, "file_id": self._notebook_name(info["file"], student)}

    def _notebook_name(self, name, student):
        released = self._released()
        if not released or name in released:
            return name
        m = COPY_SUFFIX.match(name)
        if m and m["stem"] + m["ext"] in released:
            return m["stem"] + m["ext"]
        if len(released) == 1:
            self.log.warning("zip_collect: %s uploaded %r; filed as %r", student, name,
                             released[0])
            return released[0]
        return name


def _has_files(path):
    return bool(path) and os.path.isdir(path) and any(
        files for _, _, files in os.walk(path))
