"""Rules an exercise sets ("do not import coursekit", "no Python loops in conv_backward"),
checked by reading the submitted code with ``ast``, outside the student's kernel.

Inside the kernel every checker can be talked round (``ast`` and ``inspect`` are the
student's to patch), so the rules are read here, by the grader's own process, from the
notebook nbgrader is about to run. A test cell states its rules in its visible part, one
comment line each, where students read them::

    # RULE no-import coursekit sklearn torch autograd   module prefixes, anywhere in the student's cells
    # RULE no-loops conv_backward                       no for/while/comprehension/map/np.vectorize in
                                                        that function or the notebook functions it calls
    # RULE no-call einsum lstsq                         no call, attribute or import of these names

``EnforceRules`` (an autograde sanitize preprocessor, after ``OverwriteCells`` restored the
test cells, so the rules are the instructor's) puts a failing first line into every test cell
whose rules the submission breaks; the part scores 0 and the feedback says which rule, where.
The student's code is every code cell except the test cells and the locked cells, which
nbgrader restores: a locked provided cell may import what the students may not.
"""
import ast
import re

from coursekit.grading.scan import cell_python

RULE = re.compile(r"^[ \t]*#[ \t]*RULE[ \t]+([\w-]+)[ \t]+(.*?)[ \t]*$", re.MULTILINE)
KINDS = ("no-import", "no-loops", "no-call")
LOOPING_CALLS = {"vectorize", "apply_along_axis", "apply_over_axes", "frompyfunc", "map",
                 "fromiter", "filter", "reduce"}
IMPORTERS = {"__import__", "import_module", "find_spec", "spec_from_file_location"}


class RuleError(ValueError):
    """A test cell states a rule the checker does not know."""


def rules_in(source):
    """[(kind, [names])] stated by ``# RULE`` lines in a test cell's visible part."""
    visible = source.split("### BEGIN HIDDEN TESTS")[0]
    found = []
    for kind, rest in RULE.findall(visible):
        names = rest.split("#")[0].split()
        if kind not in KINDS or not names:
            raise RuleError(f"unknown rule {kind!r} (known: {', '.join(KINDS)}) or no names")
        found.append((kind, names))
    return found


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def is_test(cell):
    m = _meta(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


def student_code(nb):
    """[(cell number from 1, tree)] of the code a student wrote or could have changed."""
    cells = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code" or is_test(cell) or _meta(cell).get("locked"):
            continue
        try:
            tree = ast.parse(cell_python(_source(cell)))
        except SyntaxError:
            continue        # it fails when run; the scan reports it
        cells.append((i + 1, tree))
    return cells


def _module_names(nb):
    """{name: dotted module path} bound by imports in any code cell (aliases included)."""
    bound = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(cell_python(_source(cell)))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    bound[a.asname or a.name.partition(".")[0]] = a.name if a.asname else \
                        a.name.partition(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    bound[a.asname or a.name] = f"{node.module}.{a.name}"
    return bound


def _dotted(node):
    """"a.b.c" for the attribute chain a.b.c, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + parts[::-1])
    return None


def _under(module, prefixes):
    return next((p for p in prefixes if module == p or module.startswith(p + ".")), None)


def _no_import(code, prefixes, bound):
    for cell, tree in code:
        for node in ast.walk(tree):
            where = f"cell {cell}, line {getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    if _under(a.name, prefixes):
                        yield f"{where}: imports {a.name}"
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                for a in node.names:
                    full = f"{module}.{a.name}" if module else a.name
                    if _under(module, prefixes) or _under(full, prefixes):
                        yield f"{where}: imports {full}"
            elif isinstance(node, ast.Call):
                name = _dotted(node.func) or ""
                texts = [a.value for a in node.args if isinstance(a, ast.Constant)
                         and isinstance(a.value, str)]
                if name.rpartition(".")[2] in IMPORTERS and any(_under(t, prefixes)
                                                                for t in texts):
                    yield f"{where}: imports {texts[0]} by a call"
            elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Store):
                # reaching into a module through a name an import bound: coursekit.conv...
                dotted = _dotted(node)
                if dotted is None:
                    continue
                root, _, rest = dotted.partition(".")
                if root in bound and _under(f"{bound[root]}.{rest}", prefixes):
                    yield f"{where}: uses {bound[root]}.{rest}"


def _functions(code):
    """{name: [FunctionDef]} defined at any depth in the student's cells."""
    found = {}
    for _, tree in code:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, []).append(node)
    return found


def _loops_in(function):
    for node in ast.walk(function):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            yield node.lineno, "a loop"
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            yield node.lineno, "a comprehension"
        elif isinstance(node, ast.Call):
            name = (_dotted(node.func) or "").rpartition(".")[2]
            if name in LOOPING_CALLS:
                yield node.lineno, f"{name}()"


def _no_loops(code, names):
    defined = _functions(code)
    for name in names:
        if name not in defined:
            yield f"{name} is not defined with def in your cells"
            continue
        # the function and every notebook function it (transitively) names
        seen, pending = set(), [name]
        while pending:
            current = pending.pop()
            if current in seen or current not in defined:
                continue
            seen.add(current)
            for function in defined[current]:
                for line, what in _loops_in(function):
                    via = "" if current == name else f" (in {current}, which it calls)"
                    yield f"{name} uses {what} at line {line} of its cell{via}"
                pending.extend(n.id for n in ast.walk(function) if isinstance(n, ast.Name))
        for value in _assigned(code, name):
            yield f"{name} is also assigned at line {value}; define it once, with def"


def _assigned(code, name):
    for _, tree in code:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                yield node.lineno


def _no_call(code, names):
    names = set(names)
    for cell, tree in code:
        for node in ast.walk(tree):
            hit = None
            if isinstance(node, ast.Attribute) and node.attr in names:
                hit = node.attr
            elif isinstance(node, ast.Name) and node.id in names:
                hit = node.id
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                hit = next((a.name for a in node.names
                            if a.name.rpartition(".")[2] in names), None)
            if hit:
                yield f"cell {cell}, line {node.lineno}: uses {hit}"


def broken_rules(nb, rules):
    """Messages, one per violation of rules ([(kind, names)]) in the notebook nb (a dict)."""
    code = student_code(nb)
    messages = []
    for kind, names in rules:
        if kind == "no-import":
            found = _no_import(code, names, _module_names(nb))
            rule = f"do not import {', '.join(names)}"
        elif kind == "no-loops":
            found = _no_loops(code, names)
            rule = f"no Python loops in {', '.join(names)}"
        else:
            found = _no_call(code, names)
            rule = f"do not use {', '.join(names)}"
        messages += [f"rule \"{rule}\": {m}" for m in dict.fromkeys(found)]
    return messages


def failing_line(messages):
    """The statement EnforceRules puts first in a test cell whose rules were broken."""
    text = "; ".join(messages[:3]) + (f"; and {len(messages) - 3} more" if len(messages) > 3
                                      else "")
    return (f"raise AssertionError({'This part scores 0: your code breaks a rule of the exercise: ' + text!r})"
            "  # added when grading")


try:
    from nbgrader import utils as _utils
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:          # the student edition has no nbgrader preprocessors to extend
    NbGraderPreprocessor = None

if NbGraderPreprocessor is not None:

    class EnforceRules(NbGraderPreprocessor):
        """Fail the test cells whose ``# RULE`` lines the submitted code breaks."""

        def preprocess(self, nb, resources):
            for cell in nb.cells:
                if cell.cell_type != "code" or not _utils.is_grade(cell):
                    continue
                rules = rules_in(cell.source)
                if not rules:
                    continue
                messages = broken_rules(nb, rules)
                if messages:
                    # a test cell OverwriteCells re-added has plain-dict metadata
                    gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
                    self.log.info("%s: %s", gid, messages)
                    cell.source = failing_line(messages) + "\n" + cell.source
            return nb, resources
