"""Training that blows up is noticed (issue 9, part 3).

fit raises TrainingDiverged at the first NaN or infinite loss, before the step that
would use it, with the history so far; no overflow warning reaches stderr. A NaN or
infinite gradient is found through the parameters it spoils (the next step's loss, or
the check after the epoch), and the net gets back the parameters of the epoch's start.
NaN or infinite data is refused before training starts.
"""
import warnings

import numpy as np
import pytest

import coursekit as ck
from coursekit import optim, train
from coursekit.train import TrainingDiverged

R = np.random.default_rng(0)
X = R.standard_normal((40, 2))
Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
Y_REG = X.sum(axis=1, keepdims=True)


def mse_net():
    return ck.Sequential([ck.Dense(2, 8, "relu", rng=1), ck.Dense(8, 1, rng=2)], loss="mse")


def test_a_huge_learning_rate_raises_with_history_and_advice(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape: nbgrader counts stderr
        with pytest.raises(TrainingDiverged) as info:
            mse_net().fit(X, Y_REG, epochs=30, batch_size=8, lr=1e3, progress=False)
    e = info.value
    assert isinstance(e, RuntimeError) and e.history == {} and (e.epoch, e.step) == (1, 3)
    assert e.quantity == "the loss"
    msg = str(e)
    for part in ("in epoch 1 of 30, step 3 of 5", "the loss is NaN or infinite",
                 "lr=1000.0", "clip_norm", "scaled", "init", ".history"):
        assert part in msg, (part, msg)
    assert capsys.readouterr().err == ""


def test_the_history_so_far_is_kept(xp):
    """Diverging in a later epoch keeps the metrics of the completed ones."""
    opt = optim.SGD(lr=0.01, schedule=lambda t: 1.0 if t < 10 else 1e6)  # huge from step 11
    with pytest.raises(TrainingDiverged) as info:
        mse_net().fit(xp.asarray(X), xp.asarray(Y_REG), epochs=20, batch_size=8, optimizer=opt,
                      validation_data=(X, Y_REG), progress=False)
    e = info.value
    assert e.epoch == 3 and len(e.history["loss"]) == 2
    assert set(e.history) == {"loss", "val_loss"}
    assert all(np.isfinite(v) for v in e.history["loss"])


def poison(net, at_call):
    """Make layer 1's gradient of w infinite in its at_call-th backward pass."""
    layer, calls = net.layers[1], []
    backward = layer.backward

    def poisoned(dout, input_grad=True):
        dx = backward(dout, input_grad)
        calls.append(1)
        if len(calls) == at_call:
            layer.grads["w"] = layer.grads["w"] + np.inf
        return dx

    layer.backward = poisoned
    return net


def twin_after(epochs):
    twin = mse_net()
    twin.fit(X, Y_REG, epochs=epochs, batch_size=8, lr=0.01, progress=False)
    return twin.get_weights()


def test_a_non_finite_gradient_shows_in_the_next_loss_and_the_epoch_is_undone():
    net = poison(mse_net(), 11)  # epoch 3, step 1 (5 steps per epoch)
    with pytest.raises(TrainingDiverged) as info:
        net.fit(X, Y_REG, epochs=5, batch_size=8, lr=0.01, progress=False)
    e = info.value
    assert (e.epoch, e.step, len(e.history["loss"])) == (3, 2, 2)
    assert e.quantity == "the loss"
    assert "so are the parameters layer 1 (Dense(8, 1, activation='linear')) 'w'" in str(e)
    assert "the net is back at its parameters from the start of epoch 3" in str(e)
    for a, b in zip(net.get_weights(), twin_after(2)):  # the last parameters known finite
        np.testing.assert_array_equal(a, b)


def test_a_non_finite_gradient_in_an_epochs_last_step_is_found_after_the_epoch():
    net = poison(mse_net(), 15)  # epoch 3, step 5: no later loss sees it
    with pytest.raises(TrainingDiverged) as info:
        net.fit(X, Y_REG, epochs=5, batch_size=8, lr=0.01, progress=False)
    e = info.value
    assert (e.epoch, e.step, len(e.history["loss"])) == (3, None, 2)
    assert e.quantity == "the parameters layer 1 (Dense(8, 1, activation='linear')) 'w'"
    assert "in epoch 3 of 5, after its last step: the parameters layer 1" in str(e)
    for a, b in zip(net.get_weights(), twin_after(2)):
        np.testing.assert_array_equal(a, b)


class Overflowing(optim.SGD):
    """SGD whose second step writes inf into the first weight: the update overflowed."""

    def step(self, params, grads):
        super().step(params, grads)
        if self.t == 2:
            params[0][0, 0] = np.inf


def test_parameters_made_infinite_by_an_update_are_caught_after_the_epoch():
    net = mse_net()
    with pytest.raises(TrainingDiverged) as info:  # one step per epoch: found after it
        net.fit(X, Y_REG, epochs=5, batch_size=None, optimizer=Overflowing(lr=0.01),
                progress=False)
    e = info.value
    assert (e.epoch, e.step, len(e.history["loss"])) == (2, None, 1)
    assert ("in epoch 2 of 5, after its last step: the parameters "
            "layer 0 (Dense(2, 8, activation='relu')) 'w' are NaN or infinite") in str(e)
    assert all(np.isfinite(w).all() for w in net.get_weights())


def test_on_divergence_ignore_trains_on_as_before():
    with np.errstate(all="ignore"):
        h = mse_net().fit(X, Y_REG, epochs=4, batch_size=8, lr=1e3, progress=False,
                          on_divergence="ignore")
    assert len(h["loss"]) == 4 and not np.isfinite(h["loss"][-1])


def test_watching_for_divergence_does_not_change_the_numbers():
    runs = []
    for mode in ("raise", "ignore"):
        net = mse_net()
        h = net.fit(X, Y_REG, epochs=5, batch_size=8, optimizer=optim.Adam(lr=0.01),
                    validation_data=(X[:10], Y_REG[:10]), progress=False, on_divergence=mode)
        runs.append((h, net.get_weights()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("which", ["x", "y"])
def test_nan_or_infinite_data_is_refused_before_training(which, xp):
    x, y = X.copy(), Y_REG.copy()
    (x if which == "x" else y)[3, 0] = np.nan if which == "x" else np.inf
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match=rf"^{which} must hold finite numbers .*index \(3, 0\)"):
        mse_net().fit(xp.asarray(x), xp.asarray(y), epochs=2, optimizer=opt, progress=False)
    assert opt.t == 0  # not a single step was taken


def test_all_finite_is_one_number_and_ignores_an_overflowing_sum():
    big = np.full(10, 3e38, dtype=np.float32)  # finite entries whose sum overflows
    with np.errstate(all="ignore"):
        assert train._all_finite([big, np.ones(3)])
        assert not train._all_finite([np.ones(3), np.array([0.0, np.nan])])
        assert not train._all_finite([np.ones(3), np.array([np.inf])])
