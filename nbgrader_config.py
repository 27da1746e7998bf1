"""nbgrader configuration for the course (run nbgrader from this folder).

Instructor notebooks live in solutions/<assignment>/, the student release in
exercises/<assignment>/. The root is this file's folder, so a copy of the
repository (or of these two folders and this file) is a complete course.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = f"sqlite:///{Path(__file__).resolve().parent / 'gradebook.db'}"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 120          # seconds per cell
c.Execute.kernel_name = "python3"
c.OverwriteCells.add_missing_cells = True  # a deleted test cell comes back instead of scoring 0
c.ExecutePreprocessor.kernel_name = "python3"

# The class cycle (release_assignment, collect, release_feedback; students fetch and submit):
# one course id, and an exchange folder every student can write to. The default, exchange/ in
# this folder, serves one machine; on a shared JupyterHub point COURSEKIT_EXCHANGE at a folder
# all users reach (e.g. /srv/nbgrader/exchange) and give students the same two settings.
c.CourseDirectory.course_id = os.environ.get("COURSEKIT_COURSE_ID", "coursekit")
c.Exchange.root = os.environ.get("COURSEKIT_EXCHANGE",
                                 str(Path(__file__).resolve().parent / "exchange"))

# Autograde: a submission that kills or hangs its kernel is reported and keeps the points of
# the parts before the fault (nbgrader's Execute drops it: coursekit/grading/execute.py).
c.Autograde.autograde_preprocessors = [
    "coursekit.grading.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "coursekit.grading.execute.FlagFaults",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GuardedExecute.budget = 600  # seconds per submission, all cells together (plus 120 per cell)

# zip_collect: the archive layouts Canvas and Moodle download (coursekit/grading/lms.py);
# it fails, instead of collecting nothing, when no file matches.
c.ZipCollectApp.extractor_plugin = "coursekit.grading.lms.LMSExtractor"
c.ZipCollectApp.collector_plugin = "coursekit.grading.lms.LMSCollector"

# Hidden tests run sealed off from the student's names and patches (coursekit/grading/sealed.py):
# after OverwriteCells restores the test cells, InlineSealed pastes the sealed runner into them.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "coursekit.grading.rules.EnforceRules",
    "coursekit.grading.inline.InlineSealed",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Held-out data in hidden tests is drawn from a secret no student sees (git-ignored file;
# or set COURSEKIT_GRADING_SECRET). Rules such as "do not import coursekit" are checked by
# reading the submitted code outside the student's kernel (coursekit/grading/rules.py).
c.InlineSealed.secret_file = str(Path(__file__).resolve().parent / ".grading_secret")
# Feedback pages carry their own MathJax (coursekit/grading/templates/coursekit_feedback), so
# maths renders for a student who opens the page offline; nbgrader's loads it from a CDN.
import coursekit.grading  # noqa: E402
import nbgrader  # noqa: E402

c.HTMLExporter.template_name = "coursekit_feedback"
c.HTMLExporter.template_file = "offline.html.j2"
c.HTMLExporter.extra_template_basedirs = [
    str(Path(coursekit.grading.__file__).parent / "templates"),
    str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")]
# Feedback shows which test cell failed and its points, never a hidden test or its traceback.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "coursekit.grading.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
