"""Bad input gets a clear error, never a silent wrong answer (issue 9, part 2).

Each case is one bad call to the public API and the error it must raise: the
exception type and a pattern naming the problem (which argument, what was expected).
Valid inputs the lectures use are checked at the end: they must keep working silently.
"""
import warnings

import numpy as np
import pytest

import coursekit as ck
from coursekit import conv, data, datasets, engine, gradcheck, layers, losses, optim, train
from coursekit import regularization as reg

R = np.random.default_rng(0)
Z3 = R.standard_normal((3, 3))             # logits of 3 rows, 3 classes
IMG = R.standard_normal((2, 1, 6, 6))      # (N, C, H, W)
W_CONV, B_CONV = R.standard_normal((2, 1, 3, 3)), np.zeros(2)
X = R.standard_normal((8, 2)).astype(np.float32)
Y3 = np.array([0, 1, 2, 0, 1, 2, 0, 1])    # labels of 3 classes
Y2 = np.array([0, 1, 1, 0, 1, 0, 0, 1])    # binary labels


def nan_at(a, i=0):
    a = np.array(a, dtype=np.float64)
    a.flat[i] = np.nan
    return a


def net3(dtype=np.float32):
    return ck.Sequential([ck.Dense(2, 4, "tanh", rng=1, dtype=dtype), ck.Dense(4, 3, rng=2, dtype=dtype)],
                         loss="categorical_cross_entropy")


def net_bce():
    return ck.Sequential([ck.Dense(2, 4, "tanh", rng=1), ck.Dense(4, 1, rng=2)],
                         loss="binary_cross_entropy")


def net_mse():
    return ck.Sequential([ck.Dense(2, 1, rng=1)])


def fit3(x=X, y=Y3, **kw):
    return net3().fit(x, y, **{"epochs": 1, "progress": False, **kw})


def after_forward(layer, x):
    layer.forward(x, train=True)
    return layer


def pooled(fn, k=2):
    return fn(IMG, k)[1]


# (id, bad call, exception, pattern the message must match)
CASES = [
    # ---- losses: labels and targets
    ("cce label too large", lambda: losses.categorical_cross_entropy(Z3, np.array([0, 1, 3])),
     ValueError, r"class labels 0\.\.2; got 3 at index 2"),
    ("cce label -1", lambda: losses.categorical_cross_entropy(Z3, np.array([0, -1, 2])),
     ValueError, r"class labels 0\.\.2; got -1"),
    ("cce label 2.5", lambda: losses.categorical_cross_entropy(Z3, np.array([0., 2.5, 1.])),
     ValueError, r"whole-number class labels.*2\.5"),
    ("cce label nan", lambda: losses.categorical_cross_entropy(Z3, np.array([0., np.nan, 1.])),
     ValueError, r"whole-number class labels.*nan"),
    ("cce logits str", lambda: losses.categorical_cross_entropy("z", np.array([0, 1, 2])),
     TypeError, r"logits z must be an array.*str"),
    ("cce logits 1-D", lambda: losses.categorical_cross_entropy(np.zeros(3), np.array([0, 1, 2])),
     ValueError, r"logits z must have shape \(N, C\), got \(3,\)"),
    ("cce labels of strings", lambda: losses.categorical_cross_entropy(Z3, np.array(["a", "b", "c"])),
     TypeError, r"targets y must be an array of .*numbers|targets y must be an array of .*floats"),
    ("cce rows not summing to 1", lambda: losses.categorical_cross_entropy(Z3, np.full((3, 3), 0.5)),
     ValueError, r"rows of .*y must hold sums of 1"),
    ("cce negative row entries", lambda: losses.categorical_cross_entropy(Z3, np.array(
        [[2., -1, 0], [1, 0, 0], [0, 1, 0]])), ValueError, r"entries in \[0, 1\]\); got 2\.0"),
    ("cce label count", lambda: losses.categorical_cross_entropy(np.zeros((2, 4)), np.zeros(3, int)),
     ValueError, r"2 rows of logits but 3 labels"),
    ("bce target 2", lambda: losses.binary_cross_entropy(np.zeros(3), np.array([0., 1., 2.])),
     ValueError, r"targets y must hold values in \[0, 1\]; got 2\.0"),
    ("bce target -1", lambda: losses.binary_cross_entropy(np.zeros(3), np.array([0, -1, 1])),
     ValueError, r"values in \[0, 1\]; got -1"),
    ("bce target nan", lambda: losses.binary_cross_entropy(np.zeros(2), np.array([0., np.nan])),
     ValueError, r"values in \[0, 1\]; got nan"),
    ("bce targets str", lambda: losses.binary_cross_entropy(np.zeros(2), "01"),
     TypeError, r"binary_cross_entropy: the targets must be an array.*str"),
    ("bce shapes", lambda: losses.binary_cross_entropy(np.zeros((3, 1)), np.zeros(3)),
     ValueError, r"\(3, 1\).*\(3,\)"),
    ("mse predictions list", lambda: losses.mse([1.0, 2.0], np.zeros(2)),
     TypeError, r"mse: the predictions must be an array.*list"),
    ("mse targets str", lambda: losses.mse(np.zeros(2), "ab"),
     TypeError, r"mse: the targets must be an array.*str"),
    ("mae predictions of strings", lambda: losses.mae(np.array(["a", "b"]), np.zeros(2)),
     TypeError, r"mae: the predictions must be an array of integers or floats, got dtype <U1"),
    ("one_hot label 5", lambda: losses.one_hot(np.array([0, 5]), 3),
     ValueError, r"class labels 0\.\.2; got 5"),
    ("one_hot label -1", lambda: losses.one_hot(np.array([-1, 0]), 3),
     ValueError, r"class labels 0\.\.2; got -1"),
    ("one_hot label 1.5", lambda: losses.one_hot(np.array([1.5]), 3),
     ValueError, r"whole-number class labels"),
    ("one_hot 0 classes", lambda: losses.one_hot(np.array([0]), 0),
     ValueError, r"num_classes must be an integer >= 1, got 0"),
    ("one_hot classes str", lambda: losses.one_hot(np.array([0]), "3"),
     TypeError, r"num_classes must be an integer >= 1, got str '3'"),
    ("one_hot 2-D", lambda: losses.one_hot(np.zeros((2, 2), int), 3),
     ValueError, r"one_hot expects labels of shape \(N,\)"),
    ("unknown loss", lambda: ck.Sequential([ck.Dense(2, 1)], loss="hinge"),
     ValueError, r"unknown loss 'hinge'"),

    # ---- fit: labels, hyperparameters, data
    ("fit label too large", lambda: fit3(y=np.where(Y3 == 2, 3, Y3)),
     ValueError, r"y must hold class labels 0\.\.2; got 3"),
    ("fit label -1", lambda: fit3(y=np.where(Y3 == 2, -1, Y3)),
     ValueError, r"y must hold class labels 0\.\.2; got -1"),
    ("fit label 1.5", lambda: fit3(y=Y3 + 0.5),
     ValueError, r"y must hold whole-number class labels 0\.\.2; got 0\.5"),
    ("fit bce label 2", lambda: net_bce().fit(X, Y2 * 2, epochs=1, progress=False),
     ValueError, r"y must hold class labels 0\.\.1; got 2"),
    ("fit bce label 0.5", lambda: net_bce().fit(X, Y2 * 0.5, epochs=1, progress=False),
     ValueError, r"whole-number class labels 0\.\.1"),
    ("fit one-hot rows bad", lambda: fit3(y=np.full((8, 3), 0.5)),
     ValueError, r"rows of y must hold sums of 1"),
    ("fit batch_size 0", lambda: fit3(batch_size=0),
     ValueError, r"batch_size must be an integer >= 1, got 0"),
    ("fit batch_size -5", lambda: fit3(batch_size=-5),
     ValueError, r"batch_size must be an integer >= 1, got -5"),
    ("fit batch_size 2.5", lambda: fit3(batch_size=2.5),
     TypeError, r"batch_size must be an integer >= 1, got float 2\.5"),
    ("fit epochs '10'", lambda: fit3(epochs="10"),
     TypeError, r"epochs must be an integer >= 1, got str '10'"),
    ("fit epochs 0", lambda: fit3(epochs=0), ValueError, r"epochs must be an integer >= 1, got 0"),
    ("fit epochs -1", lambda: fit3(epochs=-1), ValueError, r"epochs must be an integer >= 1"),
    ("fit empty data", lambda: fit3(x=np.zeros((0, 2)), y=np.zeros(0, int)),
     ValueError, r"x has no rows"),
    ("fit x nan", lambda: fit3(x=nan_at(X, 3)),
     ValueError, r"x must hold finite numbers \(no NaN or inf\); got nan at index \(1, 1\)"),
    ("fit x inf", lambda: fit3(x=np.where(X > 0, np.inf, X)),
     ValueError, r"x must hold finite numbers"),
    ("fit x beyond float32", lambda: fit3(x=X.astype(np.float64) * 1e300),
     ValueError, r"x must hold finite numbers"),
    ("fit y nan (mse)", lambda: net_mse().fit(X, nan_at(np.zeros((8, 1)), 2), epochs=1, progress=False),
     ValueError, r"y must hold finite numbers.*nan at index \(2, 0\)"),
    ("fit x str", lambda: fit3(x="abc"), TypeError, r"x must be an array of .*got dtype <U3"),
    ("fit y strings", lambda: fit3(y=["a"] * 8),
     TypeError, r"y must be an array of .*got dtype <U1"),
    ("fit x ragged", lambda: fit3(x=[[1, 2], [3]]), ValueError, r"x must be an array of numbers"),
    ("fit lr 0", lambda: fit3(lr=0), ValueError, r"learning rate must be positive"),
    ("fit lr str", lambda: fit3(lr="0.1"), TypeError, r"learning rate must be a real number"),
    ("fit optimizer float", lambda: fit3(optimizer=0.1),
     TypeError, r"optimizer must be a name such as 'adam' or an optimizer.*float 0\.1"),
    ("fit optimizer unknown", lambda: fit3(optimizer="adamw"),
     ValueError, r"unknown optimizer 'adamw'"),
    ("fit callback str", lambda: fit3(callback="stop"), TypeError, r"callback must be a function"),
    ("fit clip_norm -1", lambda: fit3(clip_norm=-1.0),
     ValueError, r"clip_norm must be a finite number > 0"),
    ("fit clip_value str", lambda: fit3(clip_value="1"),
     TypeError, r"clip_value must be a real number"),
    ("fit lam -0.1", lambda: fit3(penalty="l2", lam=-0.1),
     ValueError, r"lam must be a finite number >= 0"),
    ("fit lam without penalty", lambda: fit3(lam=0.1),
     ValueError, r"lam=0\.1 has no effect without a penalty"),
    ("fit penalty l3", lambda: fit3(penalty="l3", lam=0.1), ValueError, r"unknown penalty 'l3'"),
    ("fit validation_data single", lambda: fit3(validation_data=(X,)),
     TypeError, r"validation_data must be a pair \(x_val, y_val\)"),
    ("fit validation x nan", lambda: fit3(validation_data=(nan_at(X), Y3)),
     ValueError, r"validation x must hold finite numbers"),
    ("fit validation label 7", lambda: fit3(validation_data=(X, Y3 + 5)),
     ValueError, r"validation y must hold class labels 0\.\.2; got 5"),
    ("fit mse target shape", lambda: net_mse().fit(X, np.zeros((8, 2)), epochs=1, progress=False),
     ValueError, r"y has shape \(8, 2\) but the loss 'mse' needs targets shaped like the net's output, \(N, 1\)"),
    ("fit row counts", lambda: fit3(y=Y3[:5]), ValueError, r"8 input rows but 5 targets"),
    ("fit x 1-D", lambda: fit3(x=np.zeros(8)), ValueError, r"batch axis"),
    ("fit net str", lambda: train.fit("net", X, Y3),
     TypeError, r"net must be a network such as coursekit\.Sequential"),
    ("fit on_divergence", lambda: fit3(on_divergence="warn"),
     ValueError, r"on_divergence must be 'raise' or 'ignore'"),

    # ---- evaluate, predict, minibatches
    ("evaluate label 3", lambda: net3().evaluate(X, np.where(Y3 == 2, 3, Y3)),
     ValueError, r"y must hold class labels 0\.\.2; got 3"),
    ("evaluate batch_size 0", lambda: net3().evaluate(X, Y3, batch_size=0),
     ValueError, r"batch_size must be an integer >= 1, got 0"),
    ("evaluate x nan", lambda: net3().evaluate(nan_at(X), Y3),
     ValueError, r"x must hold finite numbers"),
    ("predict x nan", lambda: net3().predict(nan_at(X)), ValueError, r"x must hold finite numbers"),
    ("predict x str", lambda: net3().predict("abc"), TypeError, r"x must be an array of"),
    ("predict_proba x inf", lambda: net3().predict_proba(np.full((2, 2), np.inf)),
     ValueError, r"x must hold finite numbers"),
    ("predict x wrong width", lambda: net3().predict(np.zeros((4, 3))),
     ValueError, r"expects input of shape \(N, 2\), got \(4, 3\)"),
    ("minibatches batch_size 0", lambda: train.minibatches(10, 0),
     ValueError, r"batch_size must be an integer >= 1, got 0"),
    ("minibatches batch_size -2", lambda: train.minibatches(10, -2),
     ValueError, r"batch_size must be an integer >= 1"),
    ("minibatches n str", lambda: train.minibatches("10", 2),
     TypeError, r"n must be an integer >= 0"),

    # ---- dense layer, modules, Sequential
    ("dense_forward x str", lambda: layers.dense_forward("x", np.ones((2, 2)), np.zeros(2)),
     TypeError, r"x must be an array \(NumPy or CuPy\), got str 'x'"),
    ("dense_forward bias length 3", lambda: layers.dense_forward(np.ones((4, 2)), np.ones((2, 2)), np.zeros(3)),
     ValueError, r"b must have shape \(2,\), got \(3,\)"),
    ("dense_forward bias length 1", lambda: layers.dense_forward(np.ones((4, 2)), np.ones((2, 2)), np.zeros(1)),
     ValueError, r"b must have shape \(2,\), got \(1,\)"),
    ("dense_forward w 1-D", lambda: layers.dense_forward(np.ones((4, 2)), np.ones(2), np.zeros(2)),
     ValueError, r"w must have shape \(D, M\), got \(2,\)"),
    ("dense_backward dz shape", lambda: layers.dense_backward(np.ones((4, 3)), layers.dense_forward(
        np.ones((4, 2)), np.ones((2, 2)), np.zeros(2))[1]), ValueError, r"dz must have shape \(4, 2\)"),
    ("Dense backward dout shape", lambda: after_forward(ck.Dense(2, 3), X).backward(np.ones((8, 2))),
     ValueError, r"dout must have shape \(8, 3\) \(the layer's output\), got \(8, 2\)"),
    ("Dense backward dout str", lambda: after_forward(ck.Dense(2, 3), X).backward("d"),
     TypeError, r"dout must be an array"),
    ("Dense forward str", lambda: ck.Dense(2, 3).forward("x"), TypeError, r"x must be an array"),
    ("Dense n_in 0", lambda: ck.Dense(0, 3), ValueError, r"n_in must be an integer >= 1, got 0"),
    ("Dense n_in str", lambda: ck.Dense("2", 3),
     TypeError, r"n_in must be an integer >= 1, got str '2'"),
    ("Dense n_out 2.5", lambda: ck.Dense(2, 2.5), TypeError, r"n_out must be an integer"),
    ("Dense int dtype", lambda: ck.Dense(2, 3, dtype=np.int64),
     TypeError, r"dtype must be a float type"),
    ("Dense activation", lambda: ck.Dense(2, 3, "relux"),
     ValueError, r"unknown activation 'relux'"),
    ("Sequential empty", lambda: ck.Sequential([]), ValueError, r"at least one layer"),
    ("Sequential class", lambda: ck.Sequential([ck.Dense]),
     TypeError, r"layer 0 must be a module.*Dense\(\.\.\.\)"),
    ("Sequential str", lambda: ck.Sequential("dense"),
     TypeError, r"Sequential takes a list of layers"),
    ("Sequential str layer", lambda: ck.Sequential([ck.Dense(2, 3), "relu"]),
     TypeError, r"layer 1 must be a module with forward and backward.*str 'relu'"),
    ("Sequential sizes", lambda: ck.Sequential([ck.Dense(2, 3), ck.Dense(4, 1)]),
     ValueError, r"do not chain"),

    # ---- convolution and pooling
    ("conv stride 0", lambda: conv.conv2d_forward(IMG, W_CONV, B_CONV, stride=0),
     ValueError, r"stride must be an integer >= 1, got 0"),
    ("conv pad -1", lambda: conv.conv2d_forward(IMG, W_CONV, B_CONV, pad=-1),
     ValueError, r"pad must be an integer >= 0, got -1"),
    ("conv stride 1.5", lambda: conv.conv2d_forward(IMG, W_CONV, B_CONV, stride=1.5),
     TypeError, r"stride must be an integer >= 1, got float 1\.5"),
    ("conv bias length 3", lambda: conv.conv2d_forward(IMG, W_CONV, np.zeros(3)),
     ValueError, r"conv2d: b must have shape \(2,\), got \(3,\)"),
    ("conv bias length 1", lambda: conv.conv2d_forward(IMG, W_CONV, np.zeros(1)),
     ValueError, r"conv2d: b must have shape \(2,\), got \(1,\)"),
    ("conv w 3-D", lambda: conv.conv2d_forward(IMG, np.ones((2, 3, 3)), B_CONV),
     ValueError, r"conv2d: w must have shape \(F, C, KH, KW\)"),
    ("conv x str", lambda: conv.conv2d_forward("img", W_CONV, B_CONV),
     TypeError, r"conv2d: x must be an array"),
    ("conv x 3-D", lambda: conv.conv2d_forward(IMG[0], W_CONV, B_CONV),
     ValueError, r"expects images of shape \(N, C, H, W\)"),
    ("conv channels", lambda: conv.conv2d_forward(np.ones((1, 3, 6, 6)), W_CONV, B_CONV),
     ValueError, r"input has 3 channels"),
    ("output_size stride 0", lambda: conv.output_size(28, 5, stride=0),
     ValueError, r"stride must be an integer >= 1"),
    ("im2col stride 0", lambda: conv.im2col(IMG, 3, 3, stride=0),
     ValueError, r"stride must be an integer >= 1"),
    ("max_pool k 0", lambda: conv.max_pool_forward(IMG, 0),
     ValueError, r"the window size k must be an integer >= 1, got 0"),
    ("max_pool stride 0", lambda: conv.max_pool_forward(IMG, 2, stride=0),
     ValueError, r"stride must be an integer >= 1, got 0"),
    ("avg_pool k -2", lambda: conv.avg_pool_forward(IMG, -2),
     ValueError, r"the window size k must be an integer >= 1"),
    ("max_pool k str", lambda: conv.max_pool_forward(IMG, "2"),
     TypeError, r"window size k must be an integer"),
    ("max_pool_backward dout", lambda: conv.max_pool_backward(np.ones((2, 1, 2, 2)), pooled(conv.max_pool_forward)),
     ValueError, r"dout must have shape \(2, 1, 3, 3\) \(the pooled output's\), got \(2, 1, 2, 2\)"),
    ("avg_pool_backward dout", lambda: conv.avg_pool_backward(np.ones((2, 1, 6, 6)), pooled(conv.avg_pool_forward)),
     ValueError, r"dout must have shape \(2, 1, 3, 3\)"),
    ("Conv2D backward dout", lambda: after_forward(conv.Conv2D(1, 2, 3), IMG).backward(np.ones((2, 2, 3, 3))),
     ValueError, r"dout must have shape \(2, 2, 4, 4\) \(the layer's output\)"),
    ("Conv2D kernel 0", lambda: conv.Conv2D(1, 2, 0),
     ValueError, r"kernel_size must be an integer >= 1, got 0"),
    ("Conv2D kernel 2.5", lambda: conv.Conv2D(1, 2, 2.5),
     TypeError, r"kernel_size must be an integer"),
    ("Conv2D stride 0", lambda: conv.Conv2D(1, 2, 3, stride=0),
     ValueError, r"stride must be an integer >= 1"),
    ("Conv2D padding -1", lambda: conv.Conv2D(1, 2, 3, padding=-1),
     ValueError, r"padding must be an integer >= 0"),
    ("Conv2D channels 0", lambda: conv.Conv2D(0, 2, 3),
     ValueError, r"in_channels must be an integer >= 1"),
    ("MaxPool2D 0", lambda: conv.MaxPool2D(0),
     ValueError, r"pool_size must be an integer >= 1, got 0"),
    ("MaxPool2D stride 0", lambda: conv.MaxPool2D(2, stride=0),
     ValueError, r"stride must be an integer >= 1"),
    ("Flatten backward", lambda: after_forward(conv.Flatten(), IMG).backward(np.ones((2, 35))),
     ValueError, r"dout must have shape \(2, 36\) \(Flatten's output\)"),

    # ---- regularization
    ("Dropout p str", lambda: reg.Dropout("0.5"),
     TypeError, r"dropout rate p must be a real number"),
    ("Dropout p 1", lambda: reg.Dropout(1.0), ValueError, r"dropout rate p must be in \[0, 1\)"),
    ("Dropout backward", lambda: after_forward(reg.Dropout(0.5, seed=0), X).backward(np.ones((8, 3))),
     ValueError, r"dout must have shape \(8, 2\) \(Dropout's output\)"),
    ("BatchNorm n 0", lambda: reg.BatchNorm(0), ValueError, r"n must be an integer >= 1"),
    ("BatchNorm backward", lambda: after_forward(reg.BatchNorm(2), X).backward(np.ones((8, 3))),
     ValueError, r"dout must have shape \(8, 2\) \(BatchNorm's output\)"),
    ("clip_by_value str", lambda: reg.clip_by_value([np.ones(2)], "1"),
     TypeError, r"clip_value must be a real number"),
    ("EarlyStopping patience 2.5", lambda: reg.EarlyStopping(patience=2.5),
     TypeError, r"patience must be an integer"),

    # ---- optimizers
    ("step grad None", lambda: optim.SGD().step([np.ones(2)], [None]),
     TypeError, r"gradient 0 must be an array"),
    ("step param str", lambda: optim.Adam().step(["w"], [np.ones(2)]),
     TypeError, r"parameter 0 must be an array"),
    ("step int param", lambda: optim.SGD().step([np.ones(2, int)], [np.ones(2)]),
     TypeError, r"parameter 0 must be an array of floats, got dtype int64"),
    ("step shapes", lambda: optim.SGD().step([np.ones(2)], [np.ones(3)]),
     ValueError, r"parameter 0 has shape"),
    ("optim.get number", lambda: optim.get(3), TypeError, r"optimizer must be a name"),
    ("Adam beta1 1", lambda: optim.Adam(beta1=1.0), ValueError, r"beta1 must be in \[0, 1\)"),

    # ---- gradient checking
    ("numerical_gradient ints", lambda: gradcheck.numerical_gradient(lambda: 0.0, np.array([1, 2, 3])),
     TypeError, r"x must hold floats; got int64"),
    ("numerical_gradient h 0", lambda: gradcheck.numerical_gradient(lambda: 0.0, np.ones(2), h=0),
     ValueError, r"h must be a finite number > 0"),
    ("numerical_gradient f", lambda: gradcheck.numerical_gradient(3.0, np.ones(2)),
     TypeError, r"f must be a function"),
    ("numerical_gradient f array", lambda: gradcheck.numerical_gradient(lambda: np.ones(2), np.ones(2)),
     ValueError, r"f must return one number"),
    ("check_layer float32", lambda: gradcheck.check_layer(ck.Dense(3, 2, "tanh", rng=0), R.standard_normal((4, 3))),
     TypeError, r"check_layer needs float64 arrays, but w is float32"),
    ("check_layer float32 x", lambda: gradcheck.check_layer(conv.MaxPool2D(2), IMG.astype(np.float32)),
     TypeError, r"check_layer needs float64 arrays, but x is float32"),
    ("check_network float32", lambda: gradcheck.check_network(net3(), X, Y3),
     TypeError, r"check_network needs float64 arrays, but layer0\.w is float32"),
    ("rel_error strings", lambda: gradcheck.rel_error("a", "b"),
     TypeError, r"a must be an array of"),
    ("rel_error shapes", lambda: gradcheck.rel_error(np.ones(3), np.ones(2)),
     ValueError, r"\(3,\) and \(2,\)"),

    # ---- scalar autodiff
    ("Value exp overflow", lambda: engine.Value(1000.0).exp(),
     OverflowError, r"exp\(1000\) overflows"),
    ("Dual exp overflow", lambda: engine.Dual(1000.0, 1.0).exp(),
     OverflowError, r"exp\(1000\) overflows"),
    ("engine.exp overflow", lambda: engine.exp(1000.0), OverflowError, r"exp\(1000\) overflows"),
    ("Value pow overflow", lambda: engine.Value(1e200) ** 2,
     OverflowError, r"\(1e\+200\)\*\*2 overflows"),
    ("Value of a str", lambda: engine.Value("1"), TypeError, r"Value holds a real number; got str"),

    # ---- data loaders
    ("stratified_split n_test 2.5", lambda: datasets.stratified_split(np.zeros((10, 2)), np.arange(10) % 2, 2.5),
     TypeError, r"n_test must be an integer"),
    ("stratified_split lengths", lambda: datasets.stratified_split(np.zeros((9, 2)), np.arange(10) % 2, 2),
     ValueError, r"x has 9 rows but y has 10 labels"),
    ("stratified_split n_test 0", lambda: datasets.stratified_split(np.zeros((10, 2)), np.arange(10) % 2, 0),
     ValueError, r"n_test must be between 1 and 9"),
    ("binary_inputs str", lambda: data.binary_inputs("3"),
     TypeError, r"binary_inputs needs a positive number"),
    ("binary_inputs 0", lambda: data.binary_inputs(0),
     ValueError, r"binary_inputs needs a positive number"),
    ("logic_gate", lambda: data.logic_gate("XAND"), ValueError, r"unknown gate 'XAND'"),
    ("datasets unknown", lambda: datasets.load("cifar"), ValueError, r"unknown data set 'cifar'"),
    ("datasets split", lambda: datasets.find("mnist", split="validation"),
     ValueError, r"unknown split 'validation'"),
]


@pytest.mark.parametrize("call,exc,match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_there_are_at_least_80_distinct_cases():
    assert len(CASES) >= 80 and len({c[0] for c in CASES}) == len(CASES)


# ---- valid inputs the lectures use: accepted, same numbers, no warnings ------------------

def test_valid_targets_are_accepted_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = R.standard_normal((4, 3))
        labels = np.array([0, 2, 1, 2])
        reference = losses.categorical_cross_entropy(z, labels)
        for y in (labels.astype(np.int32), labels.astype(np.uint8), labels.astype(np.float64),
                  losses.one_hot(labels, 3), losses.one_hot(labels, 3, dtype="float32")):
            loss, dz = losses.categorical_cross_entropy(z, y)
            assert loss == reference[0] and np.array_equal(dz, reference[1])
        losses.binary_cross_entropy(np.zeros(3), np.array([0., 1., 1.]))
        losses.binary_cross_entropy(np.zeros(3), np.array([0.3, 1., 0.]))  # soft targets
        losses.binary_cross_entropy(np.zeros(2), np.array([True, False]))
        losses.mse(np.zeros(2), np.array([3, -7]))                           # any real targets
        net3().fit(X, Y3.astype(np.int32), epochs=2, batch_size=3, progress=False)
        net3().fit(X, Y3.astype(np.float64), epochs=2, progress=False)       # 3.0 is the label 3
        net3().fit(X, losses.one_hot(Y3, 3), epochs=2, progress=False)
        net_bce().fit(X, Y2.astype(np.float32), epochs=2, progress=False)
        net_bce().fit(X, Y2.reshape(-1, 1), epochs=2, progress=False)
        net_mse().fit(X, R.standard_normal(8), epochs=2, batch_size=None, progress=False)
        gradcheck.numerical_gradient(lambda: 0.0, np.ones(2, np.float32))  # float32 is allowed here


def test_float_labels_train_exactly_like_integer_labels():
    h_int = net3().fit(X, Y3, epochs=3, batch_size=3, progress=False)
    h_float = net3().fit(X, Y3.astype(np.float64), epochs=3, batch_size=3, progress=False)
    assert h_int == h_float


def test_value_checks_run_once_per_call_not_per_batch(monkeypatch):
    """fit checks the labels once; inside it the losses skip their per-batch value checks."""
    calls = []
    original = ck.checks.labels
    monkeypatch.setattr(ck.checks, "labels", lambda *a, **k: calls.append(1) or original(*a, **k))
    net3().fit(X, Y3, epochs=3, batch_size=2, progress=False)   # 12 steps, 3 evaluations
    assert len(calls) == 1
    calls.clear()
    net3().evaluate(X, Y3, batch_size=2)
    assert len(calls) == 1
    losses.categorical_cross_entropy(Z3, np.array([0, 1, 2]))  # a direct call checks its labels
    assert len(calls) == 2


def test_fit_evaluate_and_predict_check_values_on_either_backend(xp):
    """On the GPU too: the values of the data are checked once per call (one device sync)."""
    x, bad = xp.asarray(X), xp.asarray(np.where(Y3 == 2, -1, Y3))
    with pytest.raises(ValueError, match=r"y must hold class labels 0\.\.2; got -1 at index 2"):
        net3().fit(x, bad, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"y must hold class labels"):
        net3().evaluate(x, bad)
    with pytest.raises(ValueError, match=r"x must hold finite numbers"):
        net3().predict(xp.asarray(nan_at(X)))
    with pytest.raises(ValueError, match=r"b must have shape \(2,\), got \(1,\)"):
        layers.dense_forward(xp.ones((4, 2)), xp.ones((2, 2)), xp.zeros(1))
    with pytest.raises(ValueError, match=r"stride must be an integer >= 1"):
        conv.conv2d_forward(xp.asarray(IMG), xp.asarray(W_CONV), xp.asarray(B_CONV), stride=0)
    h = net3().fit(x, xp.asarray(Y3), epochs=2, progress=False)
    assert len(h["loss"]) == 2
