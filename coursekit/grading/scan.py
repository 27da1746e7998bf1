"""Checks of a submission made outside the kernel: what the student's code reaches for, and
which test cells were changed.

The sealed hidden tests (coursekit/grading/sealed.py) make rebinding or patching names in a
student's cells useless, but the kernel is the student's: code that rewrites the interpreter
or the kernel itself can still interfere. Such code is rare and unmistakable in the source,
so it is looked for here, with ``ast``, in the submitted notebook, and reported for a person
to review (nothing is deducted automatically)::

    from coursekit.grading.scan import scan_submission, tampered_cells

    findings = scan_submission("submitted/ada/06_backprop_matrices/06_backprop_matrices.ipynb",
                               release="exercises/06_backprop_matrices/06_backprop_matrices.ipynb")
    edits = tampered_cells(submitted_path, release_path)
    for f in findings + edits:
        print(f)             # each is a str: "cell 7 (find_bug), line 2: patches np.allclose ..."
        f.kind, f.cell, f.grade_id, f.line, f.code      # the same, as fields

Both accept a path, a JSON string's parsed dict, or an nbformat NotebookNode.

``scan_submission`` reports (``Finding.kind``): ``import-system`` (sys.modules, import hooks,
importlib), ``builtins`` (the builtins module, ``__builtins__``), ``kernel`` (get_ipython,
magics, IPython's In/Out history), ``introspection`` (frames, code objects, ``__dict__``,
``__globals__``..., ast, dis, gc, ctypes, tracing), ``dynamic-code`` (exec, eval, compile,
globals(), setattr...), ``module-patch`` (assigning to an attribute of an imported module or
class: ``np.allclose = ...``), ``shadowing`` (rebinding a builtin, or, given the release, a
name the provided cells define and the tests use), ``process`` (exiting, signals, threads,
subprocesses), ``files`` (writing files) and ``syntax`` (a cell that does not parse).
Cells that nbgrader restores before grading (locked cells of the release) are skipped.

``tampered_cells`` compares the test and locked cells with the release the students got, so
it reports only real edits, deletions, duplicates and metadata changes: nbgrader's own
"checksum has changed" warning fires for every test cell with hidden tests, edited or not
(jupyter/nbgrader#1961), because it compares with the instructor's version.
"""
import ast
import builtins
import json
import re
from pathlib import Path

IMPORT_SYSTEM = {"importlib", "imp", "zipimport", "pkgutil", "runpy"}
INTROSPECTION = {"ast", "dis", "gc", "ctypes", "linecache", "inspect", "tokenize", "code",
                 "codeop", "types", "traceback", "sysconfig", "_ctypes", "forbiddenfruit"}
PROCESS = {"signal", "atexit", "threading", "_thread", "multiprocessing", "subprocess",
           "faulthandler", "resource", "socket", "asyncio", "concurrent"}
KERNEL = {"IPython", "ipykernel", "jupyter_client", "traitlets"}
DUNDERS = {"__code__", "__globals__", "__closure__", "__defaults__", "__kwdefaults__",
           "__dict__", "__subclasses__", "__bases__", "__base__", "__mro__", "__self__",
           "__builtins__", "__import__", "__loader__", "__spec__", "__getattribute__",
           "__wrapped__", "__func__", "__set_name__", "__init_subclass__",
           "f_globals", "f_locals", "f_back", "f_builtins", "f_code", "f_trace", "tb_frame",
           "tb_next", "gi_frame", "cr_frame", "ag_frame", "co_code", "co_consts", "co_names",
           "cell_contents", "_getframe", "settrace", "setprofile", "gettrace", "getprofile",
           "_current_frames", "addaudithook"}
DYNAMIC = {"exec", "eval", "compile", "globals", "locals", "vars", "setattr", "delattr",
           "__import__", "breakpoint", "exit", "quit"}
SYS_ATTRS = {"modules": "import-system", "meta_path": "import-system",
             "path_hooks": "import-system", "path_importer_cache": "import-system",
             "path": "import-system", "exit": "process", "excepthook": "kernel",
             "displayhook": "kernel", "stdout": "kernel", "stderr": "kernel",
             "setrecursionlimit": "process", "settrace": "introspection",
             "setprofile": "introspection", "_getframe": "introspection"}
OS_ATTRS = {"_exit", "kill", "killpg", "abort", "fork", "system", "popen", "execv", "execve",
            "execvp", "spawnl", "remove", "unlink", "rmdir", "rename", "replace", "chmod",
            "environ", "putenv", "chdir"}
SAFE_MAGICS = {"matplotlib", "time", "timeit", "precision", "who", "whos", "pprint"}
HISTORY = re.compile(r"^(In|Out|_ih|_oh|_dh|_i\d*|_ii|_iii|_\d+)$")
BUILTIN_NAMES = ({n for n in dir(builtins) if not n.startswith("_")}
                 - {"copyright", "credits", "license", "help"})


class Finding(str):
    """One thing for a person to look at: a str (the message) with its details as fields."""

    def __new__(cls, message, kind, cell=None, grade_id=None, line=None, code=""):
        self = super().__new__(cls, message)
        self.kind, self.cell, self.grade_id, self.line, self.code = kind, cell, grade_id, line, code
        return self

    def as_dict(self):
        return {"message": str(self), "kind": self.kind, "cell": self.cell,
                "grade_id": self.grade_id, "line": self.line, "code": self.code}


def _parse_or_none(text):
    """The statements of text, or none if it is not Python."""
    try:
        return ast.parse(text).body
    except SyntaxError:
        return []


def read_notebook(nb):
    """A notebook as a dict, from a path, a dict or an nbformat NotebookNode."""
    if isinstance(nb, (str, Path)):
        return json.loads(Path(nb).read_text(encoding="utf-8"))
    return nb


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def cell_python(source):
    """The Python that IPython runs for a cell (magics and shell escapes become calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:            # no IPython: parse the cell as plain Python
        return source


class _Scanner(ast.NodeVisitor):
    """Collects (kind, line, what) for one cell; `modules` are the names bound by imports."""

    def __init__(self, modules, provided):
        self.modules, self.provided, self.found = modules, provided, []
        self.depth = 0

    def flag(self, kind, node, what):
        self.found.append((kind, getattr(node, "lineno", None), what))

    # --- imports
    def visit_Import(self, node):
        for alias in node.names:
            self.check_module(alias.name, node)
            bound = alias.asname or alias.name.partition(".")[0]
            self.bind(bound, node, alias.name if alias.asname else bound)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        self.check_module(module, node)
        for alias in node.names:
            if module == "sys" and alias.name in SYS_ATTRS:
                self.flag(SYS_ATTRS[alias.name], node, f"imports sys.{alias.name}")
            if module == "os" and alias.name in OS_ATTRS:
                self.flag("process", node, f"imports os.{alias.name}")
            if alias.name in DYNAMIC or alias.name in DUNDERS:
                self.flag("dynamic-code", node, f"imports {alias.name}")
            self.bind(alias.asname or alias.name, node, f"{module}.{alias.name}")

    def check_module(self, name, node):
        top = name.partition(".")[0]
        if top == "builtins":
            self.flag("builtins", node, "imports the builtins module")
        elif top in IMPORT_SYSTEM:
            self.flag("import-system", node, f"imports {name}")
        elif top in INTROSPECTION:
            self.flag("introspection", node, f"imports {name}")
        elif top in PROCESS:
            self.flag("process", node, f"imports {name}")
        elif top in KERNEL:
            self.flag("kernel", node, f"imports {name}")

    def bind(self, name, node, source=None):
        """A binding of name; source: "module" or "module.attr" when bound by an import."""
        if self.depth:
            return
        if name in BUILTIN_NAMES:
            self.flag("shadowing", node, f"rebinds the builtin {name}")
        elif name in self.provided and (source is None or self.provided[name] != source):
            self.flag("shadowing", node, f"redefines {name}, which the provided cells define "
                                         "and the tests use")

    # --- names and attributes
    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.flag("builtins", node, "uses __builtins__")
        elif node.id == "get_ipython":
            self.flag("kernel", node, "uses get_ipython()")
        elif HISTORY.match(node.id) and isinstance(node.ctx, ast.Load):
            self.flag("kernel", node, f"reads IPython's history ({node.id})")
        elif isinstance(node.ctx, ast.Store):
            self.bind(node.id, node)

    def visit_Attribute(self, node):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        root_name = root.id if isinstance(root, ast.Name) else None
        if node.attr in DUNDERS:
            self.flag("introspection", node, f"uses .{node.attr}")
        elif node.attr == "__class__" and isinstance(node.ctx, ast.Store):
            self.flag("introspection", node, "assigns __class__")
        if root_name == "sys" and isinstance(node.value, ast.Name) and node.attr in SYS_ATTRS:
            self.flag(SYS_ATTRS[node.attr], node, f"uses sys.{node.attr}")
        if root_name == "os" and isinstance(node.value, ast.Name) and node.attr in OS_ATTRS:
            self.flag("process", node, f"uses os.{node.attr}")
        if node.attr in ("write_text", "write_bytes") or (root_name == "shutil"):
            self.flag("files", node, f"uses .{node.attr}")
        if isinstance(node.ctx, (ast.Store, ast.Del)) and root_name in self.modules:
            self.flag("module-patch", node, f"assigns to {ast.unparse(node)}, part of an "
                                            "imported module or class")
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        magic = self.magic(node)
        if magic is not None:
            name, argument = magic
            if name in SAFE_MAGICS:
                for statement in _parse_or_none(argument if name in ("time", "timeit") else ""):
                    self.visit(statement)
                return
            self.flag("kernel", node, f"runs the IPython magic %{name}" if name != "!"
                      else "runs a shell command")
            return
        if isinstance(func, ast.Name) and func.id in DYNAMIC:
            self.flag("dynamic-code" if func.id not in ("exit", "quit") else "process",
                      node, f"calls {func.id}()")
        if isinstance(func, ast.Name) and func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                    and set(mode.value) <= set("rbt")) and mode is not None:
                self.flag("files", node, "opens a file for writing")
        self.generic_visit(node)

    @staticmethod
    def magic(node):
        """(name, argument) of get_ipython().run_line_magic/run_cell_magic/system(...) calls."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"):
            return None
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if func.attr in ("system", "getoutput") or not args:
            return "!", ""
        if func.attr == "run_line_magic" and len(args) >= 2:
            return args[0], args[1] or ""
        if func.attr == "run_cell_magic" and len(args) >= 3:
            return args[0], (args[1] or "") + "\n" + (args[2] or "")
        return func.attr, ""

    # --- scopes: only module-level bindings can shadow what other cells use
    def visit_FunctionDef(self, node):
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.bind(node.name, node)
        self.depth += 1
        for child in node.body:
            self.visit(child)
        self.visit(node.args)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        for child in node.bases + node.keywords + node.decorator_list:
            self.visit(child)
        self.bind(node.name, node)
        self.depth += 1
        for child in node.body:
            self.visit(child)
        self.depth -= 1

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Global(self, node):
        for name in node.names:
            if name in BUILTIN_NAMES or name in self.provided:
                self.flag("shadowing", node, f"declares global {name}")


def _restored(cell, release_cells):
    """Is this a cell nbgrader replaces with the release's before grading?"""
    meta = _nbgrader(cell)
    gid = meta.get("grade_id")
    if release_cells is None:
        return bool(gid) and bool(meta.get("locked"))
    released = release_cells.get(gid)
    return released is not None and bool(_nbgrader(released).get("locked"))


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
          ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_level_stores(tree):
    """Names assigned at module level: a function's locals and loop variables are not."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id
        if isinstance(node, SCOPES):
            continue                       # its body is another scope (its name is bound above)
        pending.extend(ast.iter_child_nodes(node))


def _names(tree):
    """{name: import source or None} a cell binds at module level, and all names it reads."""
    bound, read = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.add(node.id)
    for name in _module_level_stores(tree):
        bound.setdefault(name, None)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = None
        elif isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.partition(".")[0]
                bound[name] = a.name if a.asname else name
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                bound[a.asname or a.name] = f"{node.module}.{a.name}"
    return bound, read


def _provided_names(release):
    """{name: import source or None} that provided cells of the release bind and tests read."""
    defined, used = {}, set()
    for cell in release.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = _nbgrader(cell)
        try:
            tree = ast.parse(cell_python(_source(cell)))
        except SyntaxError:
            continue
        bound, read = _names(tree)
        if meta.get("grade") and not meta.get("solution"):
            used |= read
        elif not meta.get("solution"):
            defined.update(bound)
    return {name: source for name, source in defined.items() if name in used}


def scan_submission(nb, release=None):
    """Findings (a list of Finding, i.e. of str) for the code cells a student could change.

    nb, release: a path, a dict or an nbformat NotebookNode. With the release, the cells it
    locks and the cells left exactly as released are skipped, and redefinitions of the names
    its provided cells define and its tests use are reported; without it, cells marked locked
    in the submission itself are
    skipped (a student could mark a cell locked, so pass the release when you have it).
    """
    nb = read_notebook(nb)
    release = read_notebook(release) if release is not None else None
    release_cells = None if release is None else {
        _nbgrader(c).get("grade_id"): c for c in release.get("cells", [])
        if _nbgrader(c).get("grade_id")}
    provided = _provided_names(release) if release is not None else {}
    as_released = set() if release is None else {
        _norm(_source(c)) for c in release.get("cells", []) if c.get("cell_type") == "code"}
    cells = [(i, c) for i, c in enumerate(nb.get("cells", []))
             if c.get("cell_type") == "code" and not _restored(c, release_cells)
             and _norm(_source(c)) not in as_released]
    trees, modules = [], {"np", "numpy", "math", "sys", "os", "builtins", "coursekit", "sp",
                          "sympy", "torch", "scipy", "anp", "autograd"}
    for i, cell in cells:
        try:
            tree = ast.parse(cell_python(_source(cell)))
        except SyntaxError as error:
            trees.append((i, cell, None, error))
            continue
        trees.append((i, cell, tree, None))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules.update((a.asname or a.name).partition(".")[0] for a in node.names)
    findings = []
    for i, cell, tree, error in trees:
        gid = _nbgrader(cell).get("grade_id")
        where = f"cell {i + 1}" + (f" ({gid})" if gid else "")
        if tree is None:
            findings.append(Finding(f"{where}, line {error.lineno}: does not parse "
                                    f"({error.msg}); it will fail when graded [syntax]",
                                    "syntax", i, gid, error.lineno))
            continue
        scanner = _Scanner(modules, provided)
        scanner.visit(tree)
        lines = cell_python(_source(cell)).splitlines()
        seen = set()
        for kind, line, what in scanner.found:
            if (kind, line, what) in seen:
                continue
            seen.add((kind, line, what))
            code = lines[line - 1].strip() if line and line <= len(lines) else ""
            findings.append(Finding(f"{where}, line {line}: {what} [{kind}]: {code}",
                                    kind, i, gid, line, code))
    return findings


def _norm(source):
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def tampered_cells(submitted, released):
    """Test and locked cells of the release that the submission changed, as Findings.

    Reports, by grade_id: deleted, edited (with the first differing line), duplicated,
    changed cell type, changed nbgrader metadata (points, grade, solution, locked); and
    cells carrying a grade_id the release does not have. Unchanged cells report nothing, so
    an empty list means the test cells are exactly what the students received.
    """
    submitted, released = read_notebook(submitted), read_notebook(released)
    mine = {}
    for i, cell in enumerate(submitted.get("cells", [])):
        gid = _nbgrader(cell).get("grade_id")
        if gid:
            mine.setdefault(gid, []).append((i, cell))
    known, found = set(), []
    for cell in released.get("cells", []):
        meta = _nbgrader(cell)
        gid = meta.get("grade_id")
        if not gid:
            continue
        known.add(gid)
        if not (meta.get("locked") or (meta.get("grade") and not meta.get("solution"))):
            continue
        copies = mine.get(gid, [])
        if not copies:
            found.append(Finding(f"{gid}: deleted", "deleted", None, gid))
            continue
        i, other = copies[0]
        if len(copies) > 1:
            found.append(Finding(f"{gid}: duplicated ({len(copies)} cells carry its grade_id)",
                                 "duplicated", i, gid))
        if other.get("cell_type") != cell.get("cell_type"):
            found.append(Finding(f"{gid}: changed from {cell.get('cell_type')} to "
                                 f"{other.get('cell_type')}", "cell-type", i, gid))
        a, b = _norm(_source(cell)), _norm(_source(other))
        if a != b:
            old, new = a.split("\n"), b.split("\n")
            k = next((k for k in range(max(len(old), len(new)))
                      if k >= len(old) or k >= len(new) or old[k] != new[k]), 0)
            line = new[k] if k < len(new) else "(lines removed)"
            found.append(Finding(f"{gid}: edited (line {k + 1}: {line.strip()!r})", "edited",
                                 i, gid, k + 1, line))
        theirs = _nbgrader(other)
        changes = [f"{key} {meta.get(key)!r} -> {theirs.get(key)!r}"
                   for key in ("points", "grade", "solution", "locked")
                   if meta.get(key) != theirs.get(key)]
        if changes:
            found.append(Finding(f"{gid}: metadata changed ({', '.join(changes)})", "metadata",
                                 i, gid))
    for gid, copies in mine.items():
        if gid not in known:
            found.append(Finding(f"{gid}: a grade_id the release does not have", "unknown-id",
                                 copies[0][0], gid))
    return found
