"""nbgrader autograde: paste the sealed-test runner into the test cells that import it.

The hidden part of each test cell in solutions/ starts with

    from coursekit.grading.sealed import sealed_test

which is what an instructor's run (and nbval) executes. In a student's kernel that import
would hand out whatever the student's cells left in ``coursekit.grading.sealed``, so
``InlineSealed`` replaces the line with the source of coursekit/grading/sealed.py, read
once when this module is imported, before any submission runs. It runs among
``Autograde.sanitize_preprocessors``, after ``OverwriteCells`` has restored the test cells
from the gradebook (nbgrader_config.py).

It also writes the course's grading secret into the pasted code (the ``secret`` of sealed
tests, from which ``heldout_digits`` draws data no student notebook can reproduce): from the
environment variable COURSEKIT_GRADING_SECRET if set, else from ``InlineSealed.secret_file``
(created with a random secret, readable by its owner only, on first use). The repository is
public, so the secret must never be a literal in the notebooks.
"""
import ast
import os
import re
import secrets
from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

TEXT = Path(__file__).with_name("sealed.py").read_text()
# the code without its module docstring: the cells stay shorter, the docs stay in the file
SOURCE = ("# coursekit/grading/sealed.py, pasted here by InlineSealed when grading\n"
          + "\n".join(TEXT.splitlines()[ast.parse(TEXT).body[0].end_lineno:]).strip("\n"))
IMPORT = re.compile(r"^from[ \t]+coursekit\.grading\.sealed[ \t]+import[ \t]+sealed_test"
                    r"[ \t]*(#.*)?$", re.MULTILINE)
HIDDEN = "### BEGIN HIDDEN TESTS"
SECRET = re.compile(r"^(    secret = )0(  # the course's grading secret.*)$", re.MULTILINE)
assert len(SECRET.findall(SOURCE)) == 1, "sealed.py must set its secret on one line"


def inline(source, secret=0):
    """source with the import of sealed_test replaced by the module's own code."""
    code = SECRET.sub(lambda m: f"{m.group(1)}{int(secret)}{m.group(2)}", SOURCE)
    return IMPORT.sub(lambda _: code, source)


def read_secret(path):
    """The int in the file at path; a new random one is written there first if it is missing."""
    path = Path(path)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{secrets.randbits(62)}\n")
    text = path.read_text().strip()
    if not text.isdigit():
        raise ValueError(f"{path} must hold one non-negative integer (the grading secret)")
    return int(text)


class InlineSealed(NbGraderPreprocessor):
    """Test cells hold the sealed runner's code itself, not an import of it."""

    secret_file = Unicode("", help="file holding the course's grading secret").tag(config=True)

    def secret(self):
        if not hasattr(self, "_secret"):
            if os.environ.get("COURSEKIT_GRADING_SECRET", "").strip():
                self._secret = int(os.environ["COURSEKIT_GRADING_SECRET"])
            elif self.secret_file:
                self._secret = read_secret(self.secret_file)
            else:
                self.log.warning("No grading secret configured: held-out data is the "
                                 "instructor's (InlineSealed.secret_file)")
                self._secret = 0
        return self._secret

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            if IMPORT.search(cell.source):
                cell.source = inline(cell.source, self.secret())
            elif HIDDEN in cell.source:
                self.log.warning("Test cell %s has hidden tests that do not use sealed_test",
                                 cell.metadata.get("nbgrader", {}).get("grade_id"))
        return cell, resources
