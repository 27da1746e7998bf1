"""Plausible wrong answers for exercise 11; each must score 0 on its part (tests/test_wrong_answers.py)."""
import json
from pathlib import Path

_NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "11_convnets" / "11_convnets.ipynb"


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


LOOPED_FORWARD = '''def conv_forward(x, w, b, stride=1, pad=0):
    k = w.shape[-1]
    padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    patches = sliding_window_view(padded, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    per_image = [np.tensordot(w, p, axes=([1, 2, 3], [0, 3, 4])) for p in patches]
    return np.stack(per_image) + b.reshape(1, -1, 1, 1)
'''

COURSEKIT_IM2COL = '''from coursekit.conv import im2col


def conv_weight_grads(dout, x, k, stride=1, pad=0):
    f = dout.shape[1]
    cols = im2col(x, k, k, stride, pad)
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(f, -1)
    return (dout_mat @ cols.T).reshape(f, x.shape[1], k, k), dout_mat.sum(axis=1)
'''

# channels-last flattening, used consistently in training and in cnn_logits: the visible test
# (which calls cnn_logits) passes; the hidden test computes the logits with the stated layout
CHANNELS_LAST = _replace(
    _solution("train_cnn"),
    ('return a2.reshape(len(x), -1) @ params["w3"]',
     'return a2.transpose(0, 2, 3, 1).reshape(len(x), -1) @ params["w3"]'),
    ("flat = a2.reshape(len(xb), -1)", "flat = a2.transpose(0, 2, 3, 1).reshape(len(xb), -1)"),
    ('(dlogits @ params["w3"].T).reshape(a2.shape)',
     '(dlogits @ params["w3"].T).reshape(len(xb), 4, 4, -1).transpose(0, 3, 1, 2)'),
)

WRONG = [
    dict(part="test_conv_forward", cell="conv_forward",
         why="bias added along the last axis (it broadcasts over W instead of F)",
         old="+ b.reshape(1, -1, 1, 1)", new="+ b"),
    dict(part="test_conv_forward", cell="conv_forward",
         why="a comprehension over the images of the batch (breaks the no-loops rule)",
         source=LOOPED_FORWARD),
    dict(part="test_conv_weight_grads", cell="conv_weight_grads",
         why="the padding is forgotten: only right for pad=0",
         old="padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])", new="padded = x"),
    dict(part="test_conv_weight_grads", cell="conv_weight_grads",
         why="the lecture's im2col imported from coursekit (breaks the no-import rule)",
         source=COURSEKIT_IM2COL),
    dict(part="test_conv_input_grad", cell="conv_input_grad",
         why="the filters are not rotated by 180 degrees",
         old="flipped = w[:, :, ::-1, ::-1]", new="flipped = w"),
    dict(part="test_conv_input_grad", cell="conv_input_grad",
         why="no zeros between the entries of dout: only right for stride 1",
         old="spread[:, :, k - 1:k - 1 + stride * out_h:stride, k - 1:k - 1 + stride * out_w:stride] = dout",
         new="spread[:, :, k - 1:k - 1 + out_h, k - 1:k - 1 + out_w] = dout"),
    dict(part="test_train_cnn", cell="train_cnn",
         why="the update climbs the gradient (sign error)",
         old="params[name] += velocity[name]", new="params[name] -= velocity[name]"),
    dict(part="test_train_cnn", cell="train_cnn",
         why="flattens channels last, consistently, where the architecture says (f, i, j)",
         source=CHANNELS_LAST),
]
