"""nbgrader configuration for the course (run nbgrader from this folder).

Instructor notebooks live in solutions/<assignment>/, the student release in
exercises/<assignment>/. The root is this file's folder, so a copy of the
repository (or of these two folders and this file) is a complete course.
"""
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
