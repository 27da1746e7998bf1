"""Autograding that survives a submission which kills, hangs or stalls its kernel.

nbgrader 0.9's ``Execute`` lets an exception escape when the kernel dies or ignores an
interrupt: the whole submission is then dropped (its ``autograded/`` copy deleted) and scores
0, like an empty one. ``GuardedExecute`` runs the cells itself and, on a fault, stops, keeps
what ran before it, and gives every test cell that did not run an error output, because
nbgrader awards full points to a test cell with no output. A per-submission time budget
bounds what one student can cost: each cell gets ``min(Execute.timeout, budget left)``.

What happened is written to the notebook's metadata under ``coursekit`` (read it with
:func:`read_status`); ``FlagFaults``, run after ``SaveAutoGrades``, flags such notebooks in
the gradebook and marks the test cells that never ran as needing manual grading.
Both are configured for ``nbgrader autograde`` in ``nbgrader_config.py``.
"""
import math
from time import monotonic

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer

KEY = "coursekit"  # notebook metadata key of the execution record

# Fault kinds, most serious first: the submission's status names the first of these it has.
DIED, UNRESPONSIVE, BUDGET, ERROR, TIMEOUT = "died", "unresponsive", "budget", "error", "timeout"
FAULT_ORDER = (DIED, UNRESPONSIVE, BUDGET, ERROR, TIMEOUT)

# Seconds already used by each (student, assignment) in this process: the budget is per
# submission, and a submission may hold several notebooks.
_spent = {}


def reset_budget():
    """Forget the time used so far (call before grading a submission again in this process)."""
    _spent.clear()


def cell_name(cell, index):
    """The name an instructor can find: the nbgrader grade_id, else the cell's number."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"


def is_test(cell):
    """An autograded test cell: scored from its outputs (no output means full points)."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """nbgrader's Execute that reports a dead or stuck kernel instead of raising."""

    budget = Float(600.0, allow_none=True, help=(
        "Seconds one submission (all its notebooks) may execute in total; each cell gets "
        "min(timeout, what is left). None: no budget.")).tag(config=True)

    start_attempts = Integer(3, help=(
        "Tries to start a kernel: with several graders on one machine, a kernel now and then "
        "loses its TCP port to another before binding it, and dies at once.")).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        key = _submission_key(resources)
        self._left = math.inf if self.budget is None else self.budget - _spent.get(key, 0.0)
        self._deadline = math.inf  # set once the kernel is up: starting it is not the student's
        self.timeout_func = lambda cell: _cell_limit(self.timeout, self._deadline)
        for attempt in range(1, self.start_attempts + 1):
            record = {"status": "ok", "faults": [], "timeouts": [], "not_run": []}
            fault_at = self._run_cells(record)
            if self._started is not None or attempt == self.start_attempts:
                break
            self.log.warning("The kernel did not start (%s); trying again",
                             record["faults"][0]["detail"])
            self.km = self.kc = None
            self.shutdown_kernel = "graceful"
        if fault_at is not None:
            record["not_run"] = _fail_rest(self.nb.cells, fault_at, record["faults"][0])
        if record["faults"] or record["timeouts"]:
            record["status"] = (record["faults"] or record["timeouts"])[0]["kind"]
        used = monotonic() - self._started if self._started else 0.0
        record["seconds"] = round(used, 2)
        _spent[key] = _spent.get(key, 0.0) + used
        self.nb.metadata[KEY] = record  # stored as a copy: set it once, complete
        return self.nb, self.resources

    def _run_cells(self, record):
        """Execute every code cell; return the index of the first cell hit by a fault."""
        index, self._started = None, None
        try:
            with self.setup_kernel():
                reply = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = reply["content"]["language_info"]
                self._started = monotonic()
                self._deadline = self._started + self._left
                for index, cell in enumerate(self.nb.cells):
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    if monotonic() >= self._deadline:
                        return self._fault(record, BUDGET, cell, index,
                                           f"the time budget ({self.budget:g} s) ran out")
                    limit, start = self._get_timeout(cell), monotonic()
                    try:
                        self.preprocess_cell(cell, self.resources, index)
                    except DeadKernelError:
                        cell.outputs.append(_error_output("KernelDied", "the kernel died here"))
                        return self._fault(record, DIED, cell, index, "the kernel died")
                    except CellTimeoutError:
                        # interrupted after the time-out but never answered: stop it for good
                        self.shutdown_kernel = "immediate"
                        cell.outputs.append(_error_output(
                            "CellTimeoutError", f"no reply within {limit} s, even to an interrupt"))
                        return self._fault(record, UNRESPONSIVE, cell, index,
                                           f"timed out ({limit} s) and ignored the interrupt")
                    if limit is not None and monotonic() - start >= limit:
                        record["timeouts"].append({"kind": TIMEOUT, "cell": cell_name(cell, index),
                                                   "detail": f"timed out after {limit} s"})
                self.set_widgets_metadata()
        except Exception as e:  # the kernel would not start, or the client failed
            self.shutdown_kernel = "immediate"
            where = index if index is not None else 0
            cell = self.nb.cells[where] if self.nb.cells else NotebookNode(metadata={})
            return self._fault(record, ERROR, cell, where, f"{type(e).__name__}: {e}")
        return None

    def _fault(self, record, kind, cell, index, detail):
        self.log.error("Grading stopped in %s: %s", cell_name(cell, index), detail)
        record["faults"].append({"kind": kind, "cell": cell_name(cell, index), "detail": detail})
        return index


def _cell_limit(timeout, deadline):
    left = deadline - monotonic()
    if math.isinf(left):
        return timeout
    left = max(1, math.ceil(left))
    return left if not timeout or timeout < 0 else min(timeout, left)


def _submission_key(resources):
    info = (resources or {}).get("nbgrader", {})
    return info.get("student"), info.get("assignment")


def _fail_rest(cells, fault_at, fault):
    """Give each test cell from the fault on an error output; return their names."""
    not_run = []
    why = f"not run: grading stopped in {fault['cell']} ({fault['detail']})"
    for index, cell in enumerate(cells):
        if index < fault_at or not is_test(cell):
            continue
        if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell.outputs = [_error_output("NotRun", why)]
        not_run.append(cell_name(cell, index))
    return not_run


def read_status(nb):
    """The execution record GuardedExecute left in a notebook, or None if it has none."""
    return nb.get("metadata", {}).get(KEY)


class FlagFaults(NbGraderPreprocessor):
    """After SaveAutoGrades: flag a faulted notebook; its unrun tests need manual grading."""

    def preprocess(self, nb, resources):
        record = read_status(nb) or {}
        if not (record.get("faults") or record.get("timeouts")):
            return nb, resources
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_submission_notebook(
                    info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            notebook.flagged = True
            for grade in notebook.grades:
                if grade.name in record.get("not_run", []):
                    grade.needs_manual_grade = True
            gb.db.commit()
        return nb, resources
