"""Plausible wrong answers for exercise 12; each must score 0 on its part (tests/test_wrong_answers.py)."""
import json
from pathlib import Path

_NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "12_gpu" / "12_gpu.ipynb"


def _solution(grade_id):
    """The instructor's source of one answer cell."""
    for cell in json.loads(_NOTEBOOK.read_text())["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise KeyError(grade_id)


def _replace(text, *pairs):
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


ZERO_INIT = _replace(
    _solution("fit_digits"),
    ("generator.standard_normal((d, hidden)) * np.sqrt(2.0 / d)", "np.zeros((d, hidden))"),
    ("generator.standard_normal((hidden, 10)) / np.sqrt(hidden)", "np.zeros((hidden, 10))"),
)

ON_THE_HOST = '''def fit_digits(x, y, seed, xp):
    x_host = x if xp is np else x.get()          # train on the CPU, then move the weights
    y_host = y if xp is np else y.get()
    generator = np.random.default_rng(seed)
    d, hidden = x.shape[1], 128
    params = {"w1": generator.standard_normal((d, hidden)) * np.sqrt(2.0 / d),
              "b1": np.zeros(hidden),
              "w2": generator.standard_normal((hidden, 10)) / np.sqrt(hidden),
              "b2": np.zeros(10)}
    for epoch in range(30):
        sgd_epoch(params, x_host, y_host, 0.1, 10, seed + epoch, np)
    return {name: xp.asarray(p, dtype=x.dtype) for name, p in params.items()}
'''

WRONG = [
    dict(part="test_cross_entropy", cell="cross_entropy",
         why="one-hot rows made with NumPy: a host array indexed with a device array",
         old="xp.eye(z.shape[1], dtype=z.dtype)[y]", new="np.eye(z.shape[1], dtype=z.dtype)[y]"),
    dict(part="test_cross_entropy", cell="cross_entropy",
         why="the loss returned as a Python float: a transfer to the host at every call",
         old="return loss, (xp.exp", new="return float(loss), (xp.exp"),
    dict(part="test_sgd_epoch", cell="sgd_epoch",
         why="the order stays on the host: every batch moves an index array to the device",
         old="order = xp.asarray(np.random.default_rng(seed).permutation(n))",
         new="order = np.random.default_rng(seed).permutation(n)"),
    dict(part="test_sgd_epoch", cell="sgd_epoch",
         why="float(loss) at every step to average the losses: a synchronisation per step",
         old="losses.append(loss)", new="losses.append(float(loss))"),
    dict(part="test_fit_digits", cell="fit_digits",
         why="initial weights drawn with xp.random (a device module has no NumPy generator)",
         old="generator = np.random.default_rng(seed)", new="generator = xp.random.default_rng(seed)"),
    dict(part="test_fit_digits", cell="fit_digits",
         why="all weights initialised to zero: no gradient reaches the hidden layer",
         source=ZERO_INIT),
    dict(part="test_fit_digits", cell="fit_digits",
         why="copies the data to the host and trains there (few transfers, but the whole data set)",
         source=ON_THE_HOST),
]
