"""The network playground: toy data, training steps, settings, the widget and its play loop."""
import asyncio
import warnings

import numpy as np
import pytest

from coursekit import to_numpy
from coursekit.playground import DATASETS, Playground, make_dataset


def _weights(pg):
    return [to_numpy(w).copy() for _, _, w in pg.net.parameters()]


# ---------------------------------------------------------------- data sets

@pytest.mark.parametrize("name", sorted(DATASETS))
def test_data_sets_have_two_balanced_classes_and_are_seeded(name):
    x, y = make_dataset(name, n=101, noise=0.1, seed=3)
    assert x.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1} and abs(int(y.sum()) - 50) <= 1
    assert np.abs(x).max() < 3
    x2, y2 = make_dataset(name, n=101, noise=0.1, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, make_dataset(name, n=101, noise=0.1, seed=4)[0])


def test_labels_follow_the_geometry_without_noise():
    x, y = make_dataset("xor", 200, noise=0.0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))
    x, y = make_dataset("circles", 200, noise=0.0)
    r = np.hypot(*x.T)
    assert r[y == 1].max() < 0.5 < 0.7 < r[y == 0].min()


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="valid names"):
        make_dataset("checkerboard")
    with pytest.raises(TypeError, match="unknown settings"):
        Playground(resolution=10).set(learning_rate=0.1)
    with pytest.raises(ValueError, match="lr"):
        Playground(lr=0.0, resolution=10)


# ---------------------------------------------------------------- training

@pytest.mark.parametrize("dataset, hidden", [("xor", (4,)), ("circles", (4,)), ("moons", (8,))])
def test_steps_lower_the_loss_and_beat_chance(dataset, hidden):
    pg = Playground(dataset, hidden=hidden, lr=1.0, resolution=10)
    for _ in range(10):
        pg.step(50)
    h = pg.history
    assert h["step"] == list(range(0, 501, 50)) and pg.steps == 500
    assert h["loss"][-1] < 0.6 * h["loss"][0]
    assert h["accuracy"][-1] > 0.8 and h["test_accuracy"][-1] > 0.75
    assert pg.epoch == pytest.approx(500 * 10 / 200)


def test_reset_restores_the_initial_state_deterministically():
    pg = Playground("moons", resolution=10)
    w0, p0 = _weights(pg), pg.grid_probabilities()
    first = {k: list(v) for k, v in pg.history.items()}
    pg.step(30)
    run = _weights(pg)
    pg.reset()
    assert pg.steps == 0 and pg.history == first
    for a, b in zip(_weights(pg), w0):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pg.grid_probabilities(), p0)
    pg.step(30)  # the same shuffle again
    for a, b in zip(_weights(pg), run):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("change", [{"activation": "relu"}, {"hidden": (3,)},
                                    {"dataset": "xor"}, {"noise": 0.3}, {"test_fraction": 0.2}])
def test_data_and_net_settings_rebuild(change):
    pg = Playground("circles", hidden=(4, 2), resolution=10)
    pg.step(20)
    x0 = pg.data["train"][0].copy()
    pg.set(**change)
    assert pg.steps == 0 and len(pg.history["loss"]) == 1
    assert pg.settings()[next(iter(change))] == next(iter(change.values()))
    sizes = [(layer.n_in, layer.n_out) for layer in pg.net.layers]
    assert sizes == list(zip((2, *pg.hidden), (*pg.hidden, 1)))
    assert all(layer.activation == pg.activation for layer in pg.net.layers[:-1])
    assert pg.net.layers[-1].activation == "linear"  # the logit
    if {"dataset", "noise", "test_fraction"} & set(change):
        assert pg.data["train"][0].shape != x0.shape or not np.array_equal(pg.data["train"][0], x0)
        assert len(pg.data["test"][1]) == round(pg.test_fraction * pg.n)


def test_live_settings_keep_the_weights():
    pg = Playground("xor", resolution=10)
    pg.step(20)
    w = _weights(pg)
    pg.set(lr=0.01, batch_size=7, lam=0.01, optimizer="adam")
    assert pg.steps == 20 and pg.opt.lr == 0.01 and type(pg.opt).__name__ == "Adam"
    for a, b in zip(_weights(pg), w):
        np.testing.assert_array_equal(a, b)
    pg.step(1)
    assert pg.seen == 20 * 10 + 7


def test_l2_shrinks_the_weights():
    def sum_w2(lam):
        pg = Playground("moons", hidden=(8,), lr=0.3, lam=lam, resolution=10)
        pg.step(300)
        return sum(float((w ** 2).sum()) for _, k, w in pg.net.parameters() if k == "w")
    assert sum_w2(0.03) < 0.7 * sum_w2(0.0)


def test_a_huge_learning_rate_stops_quietly():
    pg = Playground("xor", hidden=(8, 8), activation="linear", lr=10.0, resolution=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            pg.step(20)
        pg.grid_probabilities(), pg.unit_maps()
    assert pg.diverged and pg.steps < 100


def test_maps_over_the_plane():
    pg = Playground("circles", hidden=(5, 2), resolution=12)
    p = pg.grid_probabilities()
    assert p.shape == (12, 12) and ((0 <= p) & (p <= 1)).all()
    maps = pg.unit_maps()
    assert maps.shape == (5, 12, 12)
    a = to_numpy(pg.net.layers[0].forward(pg._grid))  # unit k of grid point (i, j)
    np.testing.assert_allclose(maps[3, 7, 2], a[7 * 12 + 2, 3])
    assert np.allclose(pg.grid_axis[[0, -1]], [-1.5, 1.5])
    assert pg.unit_maps(layer=1).shape == (2, 12, 12)
    assert Playground(hidden=(), resolution=12).unit_maps().shape == (0, 12, 12)


# ---------------------------------------------------------------- the widget

@pytest.fixture
def ui():
    from coursekit.widgets import playground
    return playground("xor", hidden=(3,), chunk=5, delay=0.0)


def test_the_widget_builds_headless_and_steps(ui):
    import ipywidgets
    assert isinstance(ui, ipywidgets.VBox)
    images = [ui.boundary_image, ui.loss_image, ui.units_image]
    before = [bytes(im.value) for im in images]
    assert all(b.startswith(b"\x89PNG") for b in before)
    ui.step_button.click()
    assert ui.model.steps == 5 and "step 5" in ui.status.value
    assert all(bytes(im.value) != b for im, b in zip(images, before))
    ui.reset_button.click()
    assert ui.model.steps == 0 and bytes(ui.boundary_image.value) == before[0]


def test_a_diverged_run_draws_and_says_so(ui):
    ui.controls["activation"].value = "linear"
    ui.controls["lr"].value = 10.0
    ui.units[0].value = 8
    ui.add_layer.click()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(8):
            ui.step_button.click()
    assert ui.model.diverged and "diverged" in ui.status.value


def test_the_widget_controls_change_the_model(ui):
    ui.controls["dataset"].value = "moons"
    ui.controls["activation"].value = "relu"
    ui.controls["lr"].value = 0.1
    assert (ui.model.dataset, ui.model.activation, ui.model.lr) == ("moons", "relu", 0.1)
    ui.add_layer.click()
    assert ui.model.hidden == (3, 3) and len(ui.units) == 2
    ui.units[1].value = 5
    assert ui.model.hidden == (3, 5)
    ui.remove_layer.click(), ui.remove_layer.click()
    assert ui.model.hidden == () and ui.remove_layer.disabled
    ui.step_button.click()  # a logistic regression draws too
    assert ui.model.steps == 5


def test_play_trains_in_the_background_until_pause(ui):
    async def session():
        ui.play_button.click()
        assert ui.playing and ui.play_button.description == "pause"
        for _ in range(4):  # each sleep lets the loop run the play task for a chunk
            await asyncio.sleep(0)
        ui.controls["lr"].value = 0.1  # widget events are served while it plays
        ui.play_button.click()  # pause
        await ui.task
        return ui.model.steps
    steps = asyncio.run(session())
    assert steps >= 10 and steps % 5 == 0 and ui.model.lr == 0.1
    assert not ui.playing and ui.play_button.description == "play" and ui.error is None
    assert ui.model.history["step"][-1] == steps


def test_play_needs_an_event_loop(ui):
    with pytest.raises(RuntimeError, match="event loop"):
        ui.play()
    assert not ui.playing
