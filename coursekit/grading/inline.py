"""nbgrader autograde: paste the sealed-test runner into the test cells that import it.

The hidden part of each test cell in solutions/ starts with

    from coursekit.grading.sealed import sealed_test

which is what an instructor's run (and nbval) executes. In a student's kernel that import
would hand out whatever the student's cells left in ``coursekit.grading.sealed``, so
``InlineSealed`` replaces the line with the source of coursekit/grading/sealed.py, read
once when this module is imported, before any submission runs. It runs among
``Autograde.sanitize_preprocessors``, after ``OverwriteCells`` has restored the test cells
from the gradebook (nbgrader_config.py).
"""
import ast
import re
from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

TEXT = Path(__file__).with_name("sealed.py").read_text()
# the code without its module docstring: the cells stay shorter, the docs stay in the file
SOURCE = ("# coursekit/grading/sealed.py, pasted here by InlineSealed when grading\n"
          + "\n".join(TEXT.splitlines()[ast.parse(TEXT).body[0].end_lineno:]).strip("\n"))
IMPORT = re.compile(r"^from[ \t]+coursekit\.grading\.sealed[ \t]+import[ \t]+sealed_test"
                    r"[ \t]*(#.*)?$", re.MULTILINE)
HIDDEN = "### BEGIN HIDDEN TESTS"


def inline(source):
    """source with the import of sealed_test replaced by the module's own code."""
    return IMPORT.sub(lambda _: SOURCE, source)


class InlineSealed(NbGraderPreprocessor):
    """Test cells hold the sealed runner's code itself, not an import of it."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            if IMPORT.search(cell.source):
                cell.source = inline(cell.source)
            elif HIDDEN in cell.source:
                self.log.warning("Test cell %s has hidden tests that do not use sealed_test",
                                 cell.metadata.get("nbgrader", {}).get("grade_id"))
        return cell, resources
