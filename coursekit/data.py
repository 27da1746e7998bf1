"""Small data sets of the lectures: logic gates, the seeds' decision tables (lecture 1+).

Every loader returns NumPy arrays (x, y); move them to the GPU once with
``backend.asarray`` when training there.
"""
import math
import numbers

import numpy as np

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
    "XNOR": np.array([1, 0, 0, 1]),
}


def binary_inputs(n):
    """All 2**n rows of n yes/no inputs in binary order: (2**n, n), first column slowest."""
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise TypeError(f"binary_inputs needs a positive number of inputs, got {n!r}")
    if not (math.isfinite(n) and int(n) == n >= 1):
        raise ValueError(f"binary_inputs needs a positive number of inputs, got {n!r}")
    i = np.arange(2 ** int(n))[:, None]
    return (i >> np.arange(int(n) - 1, -1, -1)) & 1  # bit k of the row number, MSB first


def parity(n):
    """n-input XOR (odd parity): x: (2**n, n), y: (2**n,) = 1 where an odd number of inputs is 1."""
    x = binary_inputs(n)
    return x, x.sum(axis=1) % 2


def logic_gate(name):
    """(x: (4, 2), y: (4,)) truth table of a two-input gate, e.g. logic_gate("XOR")."""
    try:
        y = GATES[name.upper()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown gate {name!r}; valid names: {sorted(GATES)}") from None
    return GATE_INPUTS.copy(), y.copy()


# Seed 004: go to the cheese festival? Factors: good weather, a friend goes, pubs nearby.
CHEESE_FACTORS = ("weather is good", "a friend goes too", "near some pubs")


def cheese_festival():
    """All 8 combinations of the three yes/no factors, x: (8, 3), in binary order."""
    return binary_inputs(3)


# Seed 003: go to the beach? Features cloudy, hot, windy on a 1-3 scale.
BEACH_FEATURES = ("cloudy", "hot", "windy")
_BEACH = np.array([
    [1, 3, 2, 1],
    [3, 3, 2, 1],
    [1, 3, 3, 0],
    [1, 1, 2, 0],
    [1, 2, 2, 0],
    [2, 3, 1, 1],
    [2, 1, 2, 0],
])


def beach():
    """The seed's beach table: x: (7, 3) cloudy/hot/windy, y: (7,) went to the beach."""
    return _BEACH[:, :3].copy(), _BEACH[:, 3].copy()
