"""Shared fixtures: the array backends to test on."""
import numpy as np
import pytest

from coursekit import backend


def _backends():
    ok, _ = backend.gpu_available()
    return ["numpy", "cupy"] if ok else ["numpy"]


@pytest.fixture(params=_backends())
def xp(request):
    """The array module of each backend that can run here (CuPy only with a GPU)."""
    previous = backend.name()
    backend.use(request.param)
    yield backend.xp()
    backend.use(previous)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)

# tests/fixtures holds inputs of tests (a frozen assignment for the class tests), not tests
collect_ignore = ["fixtures"]
