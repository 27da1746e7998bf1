"""The coursekit command's student side: doctor, --version, --help."""
import io
import subprocess
import sys

import pytest

from coursekit import __version__, cli


def test_doctor_is_fast_complete_and_aligned():
    """coursekit doctor reads versions from metadata (imports no package) and lines up."""
    heavy = ["cupy", "torch", "sklearn", "mlxtend", "nbgrader", "sympy", "matplotlib"]
    probe = ("import io, sys; from coursekit import cli; cli.doctor(io.StringIO()); "
             f"print([m for m in {heavy!r} if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
    out = io.StringIO()
    assert cli.doctor(out) == 0
    lines = out.getvalue().splitlines()
    for needed in ["numpy", "nbgrader", "notebook", "backend", "gpu", "coursekit"]:
        assert any(line.startswith(needed) for line in lines), needed
    starts = {len(line) - len(line[line.index("  "):].lstrip()) for line in lines}
    assert len(starts) == 1, out.getvalue()  # every value starts in the same column


def test_version_and_plain_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"coursekit {__version__}"
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "``" not in capsys.readouterr().out  # no reStructuredText markup
