"""Feedback that never shows a hidden test (``nbgrader generate_feedback``).

nbgrader's feedback is the autograded notebook as HTML: every test cell with its hidden
tests, and tracebacks that quote hidden lines and print reference values. ``HideHiddenTests``
(configured for GenerateFeedback in nbgrader_config.py, after GetGrades) rewrites each test
cell that holds hidden tests before the HTML is made:

* each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` block becomes one line,
  ``# hidden tests (this cell: 0 of 2 points): failed (AssertionError)``: which cell failed
  and its points, never what the hidden tests do;
* its outputs go, because hidden code may print or raise with reference values, unless the
  cell failed in its visible part, before any hidden line ran: then the outputs stay and the
  error keeps its type and message, without the traceback (which quotes neighbouring lines);
* in every cell, any output line that contains a line of a hidden test (a student's cell can
  print what the kernel remembers of earlier cells) is replaced by a notice.
"""
import html
import re
from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
REMOVED = "[line removed: it quotes a hidden test]"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TAGS = re.compile(r"<[^>]*>")
CELL_LINE = (re.compile(r"Cell In\s*\[[^\]]*\],\s*line (\d+)"),   # IPython >= 8.5
             re.compile(r"<cell line: (\d+)>"))                     # IPython 8.0 - 8.4
PUBLIC_CODE = Path(__file__).with_name("sealed.py")  # pasted into hidden blocks, not secret


def normalise(line):
    """A line with its whitespace collapsed, for comparing code across formats."""
    return " ".join(line.split())


def trivial(line):
    """Too short or too common to reveal anything: blank, `pass`, `else:`, brackets..."""
    return sum(ch.isalnum() for ch in line) < 6


def hidden_blocks(source):
    """(start, end) line indices of each BEGIN ... END HIDDEN TESTS block, markers included."""
    blocks, start = [], None
    for i, line in enumerate(source.splitlines()):
        if line.strip() == BEGIN and start is None:
            start = i
        elif line.strip() == END and start is not None:
            blocks.append((start, i))
            start = None
    if start is not None:                       # an unterminated block hides to the end
        blocks.append((start, len(source.splitlines()) - 1))
    return blocks


def secret_lines(nb):
    """Normalised lines of the notebook's hidden tests that appear nowhere else in it."""
    hidden, public = set(), {normalise(line) for line in PUBLIC_CODE.read_text().splitlines()}
    for cell in nb.cells:
        lines = cell.source.splitlines()
        inside = set()
        for start, end in hidden_blocks(cell.source) if cell.cell_type == "code" else ():
            inside.update(range(start, end + 1))
        for i, line in enumerate(lines):
            (hidden if i in inside else public).add(normalise(line))
    return {line for line in hidden - public if not trivial(line)}


def failing_line(output):
    """1-based line of the executing cell where the error was raised, or None if unknown."""
    for entry in output.get("traceback", []):
        for pattern in CELL_LINE:
            found = pattern.search(ANSI.sub("", entry))
            if found:
                return int(found.group(1))
    return None


class HideHiddenTests(NbGraderPreprocessor):
    """Replace hidden tests, their outputs and their tracebacks by a one-line verdict."""

    def preprocess(self, nb, resources):
        self.secret = secret_lines(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        blocks = hidden_blocks(cell.source)
        if blocks and utils.is_grade(cell):
            self.hide(cell, blocks)
        for output in cell.get("outputs", []):
            self.scrub(output)
        return cell, resources

    def hide(self, cell, blocks):
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        line = failing_line(errors[0]) if errors else None
        visible_failure = line is not None and line - 1 < blocks[0][0]
        if not errors:
            verdict = "passed"
        elif visible_failure:
            verdict = "not run (a test above failed)"
        else:
            verdict = f"failed ({errors[0].get('ename', 'error')})"
        points = ""
        if meta.get("score") is not None and meta.get("points") is not None:
            points = f" (this cell: {meta['score']:g} of {meta['points']:g} points)"
        lines, out = cell.source.splitlines(), []
        for i, text in enumerate(lines):
            block = next((b for b in blocks if b[0] <= i <= b[1]), None)
            if block is None:
                out.append(text)
            elif i == block[0]:
                out.append(f"# hidden tests{points}: {verdict}")
        cell.source = "\n".join(out)
        if visible_failure:
            for error in errors:
                error["traceback"] = [f"{error.get('ename', 'Error')}: {error.get('evalue', '')}",
                                      f"(line {line} of this cell)"]
        else:
            cell.outputs = []

    def scrub(self, output):
        """Replace every line of an output that quotes a hidden test."""
        def clean(text):
            if not isinstance(text, str):
                return text
            lines = text.split("\n")
            for i, line in enumerate(lines):
                plain = normalise(html.unescape(TAGS.sub("", ANSI.sub("", line))))
                if any(secret in plain for secret in self.secret):
                    lines[i] = REMOVED
            return "\n".join(lines)

        if "text" in output:
            output["text"] = clean(output["text"])
        for key in ("evalue", "ename"):
            if key in output:
                output[key] = clean(output[key])
        if "traceback" in output:
            output["traceback"] = [clean(t) for t in output["traceback"]]
        for mime, data in output.get("data", {}).items():
            if mime.startswith("text/"):
                output["data"][mime] = clean(data) if isinstance(data, str) else [
                    clean(part) for part in data]
