"""The rules of an exercise, checked by reading the code (coursekit/grading/rules.py)."""
import json
import stat

import nbformat
import pytest

from coursekit.grading.inline import inline, read_secret
from coursekit.grading.rules import EnforceRules, RuleError, broken_rules, rules_in

TEST = """assert conv_backward(1) == 2
# RULE no-import coursekit sklearn
# RULE no-loops conv_backward
# RULE no-call einsum
### BEGIN HIDDEN TESTS
# RULE no-call hidden_rules_are_not_read
### END HIDDEN TESTS
"""


def notebook(*cells, locked=()):
    nb = nbformat.v4.new_notebook()
    for i, text in enumerate(cells):
        cell = nbformat.v4.new_code_cell(text)
        if i in locked:
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": f"p{i}", "locked": True,
                                         "solution": False, "schema_version": 3}
        nb.cells.append(cell)
    test = nbformat.v4.new_code_cell(TEST)
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_conv", "locked": True,
                                 "points": 2, "solution": False, "schema_version": 3}
    nb.cells.append(test)
    return nb


RULES = rules_in(TEST)
HONEST = "import numpy as np\n\ndef conv_backward(x):\n    return np.tensordot(x, x, 0) * 2\n"


def test_rules_are_read_from_the_visible_part_only():
    assert RULES == [("no-import", ["coursekit", "sklearn"]), ("no-loops", ["conv_backward"]),
                     ("no-call", ["einsum"])]
    with pytest.raises(RuleError, match="unknown rule 'no-fun'"):
        rules_in("# RULE no-fun x\n")


def test_honest_code_breaks_no_rule():
    assert broken_rules(notebook(HONEST), RULES) == []
    # a locked provided cell may import what students may not; using its arrays is fine
    nb = notebook("from coursekit.datasets import digits\nx, y = digits()\n", HONEST, locked={0})
    assert broken_rules(nb, RULES) == []


@pytest.mark.parametrize("code, expected", [
    ("from coursekit.conv import conv2d_backward as conv_backward\n", "imports coursekit.conv"),
    ("import sklearn.linear_model\n", "imports sklearn.linear_model"),
    ("m = __import__('coursekit.conv')\n", "imports coursekit.conv by a call"),
    ("import importlib\nm = importlib.import_module('sklearn')\n", "imports sklearn by a call"),
    ("f = ck.conv.conv2d\n", "uses coursekit.conv.conv2d"),          # through the locked import
])
def test_forbidden_imports_are_found(code, expected):
    nb = notebook("import coursekit as ck\n", HONEST + code, locked={0})
    messages = broken_rules(nb, RULES)
    assert any(expected in m for m in messages), messages
    assert all(m.startswith('rule "do not import coursekit, sklearn"') for m in messages)


@pytest.mark.parametrize("code, expected", [
    ("def conv_backward(x):\n    return sum(v for v in x)\n", "a comprehension"),
    ("def conv_backward(x):\n    for v in x:\n        pass\n", "a loop"),
    ("import numpy as np\ndef conv_backward(x):\n    return np.vectorize(abs)(x)\n", "vectorize()"),
    ("def helper(x):\n    while x:\n        x -= 1\n    return x\n\n"
     "def conv_backward(x):\n    return helper(x)\n", "in helper, which it calls"),
    ("conv_backward = lambda x: [v for v in x]\n", "not defined with def"),
    (HONEST + "conv_backward = print\n", "also assigned"),
])
def test_loops_are_found_also_through_helpers(code, expected):
    messages = broken_rules(notebook(code), RULES)
    assert any(expected in m for m in messages), messages


def test_forbidden_names_are_found():
    messages = broken_rules(notebook(HONEST + "y = np.einsum('i,i', [1], [1])\n"), RULES)
    assert messages == ['rule "do not use einsum": cell 1, line 5: uses einsum']


def test_enforce_rules_fails_only_the_test_cell_whose_rule_is_broken():
    nb = notebook(HONEST + "import coursekit\n")
    nb.cells.insert(0, nbformat.v4.new_code_cell("x = 1\n"))
    other = nbformat.v4.new_code_cell("assert x == 1\n")
    other.metadata["nbgrader"] = {"grade": True, "grade_id": "test_x", "locked": True,
                                  "points": 1, "solution": False, "schema_version": 3}
    nb.cells.append(other)
    nb, _ = EnforceRules().preprocess(nb, {})
    first = nb.cells[-2].source.splitlines()[0]
    assert first.startswith("raise AssertionError('This part scores 0: your code breaks a rule")
    assert "cell 2, line 5: imports coursekit" in first
    assert nb.cells[-1].source == "assert x == 1\n"
    compile(nb.cells[-2].source, "test", "exec")


def test_secret_file_is_private_and_stable(tmp_path):
    path = tmp_path / ".grading_secret"
    first = read_secret(path)
    assert first == read_secret(path) and first > 2 ** 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not a number\n")
    with pytest.raises(ValueError, match="one non-negative integer"):
        read_secret(path)


def test_pasted_runner_carries_the_secret_and_changes_held_out_data():
    cell = ("from coursekit.grading.sealed import sealed_test\n\n\n@sealed_test\n"
            "def _hidden(RESULT):\n    x, y, _, _ = heldout_digits(secret, 20, 5)\n"
            "    RESULT.append((secret, y.tolist(), x.shape))\n")
    runs = []
    for secret in (0, 0, 987654321987):
        RESULT = []
        exec(compile(inline(cell, secret), "cell", "exec"), {"RESULT": RESULT, "__name__": "n"})
        runs.append(RESULT[0])
    assert runs[0] == runs[1] and runs[0][0] == 0 and runs[2][0] == 987654321987
    assert runs[0][1] != runs[2][1] and runs[0][2] == runs[2][2] == (20, 64)


def test_enforce_rules_handles_a_test_cell_with_plain_dict_metadata():
    """OverwriteCells re-adds a deleted test cell with a plain dict as its nbgrader metadata."""
    nb = notebook(HONEST + "import coursekit\n")
    nb.cells[-1].metadata = {"nbgrader": dict(nb.cells[-1].metadata["nbgrader"])}
    nb, _ = EnforceRules().preprocess(nb, {})
    assert nb.cells[-1].source.startswith("raise AssertionError(")
