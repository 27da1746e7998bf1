"""Lecture 9: grid and random hyperparameter search with k-fold cross-validation."""
import numpy as np
import pytest

from coursekit import Dense, Sequential, search


def _quadratic(params, x_train, y_train, x_val, y_val):
    """Best at a = 3 whatever b is; the data only set the number of calls."""
    return -(params["a"] - 3.0) ** 2 - 0.001 * params.get("b", 0)


def test_grid_is_the_cartesian_product_in_order():
    g = search.grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(g) == 6
    assert g[0] == {"a": 1, "b": "x"} and g[1] == {"a": 1, "b": "y"} and g[-1] == {"a": 2, "b": "z"}


def test_random_samples_reproducible_and_in_range():
    space = {"lr": search.LogUniform(1e-4, 1e-1), "p": search.Uniform(0.1, 0.5), "act": ["relu", "tanh"]}
    a, b = search.random_samples(space, 50, seed=3), search.random_samples(space, 50, seed=3)
    assert a == b
    assert a != search.random_samples(space, 50, seed=4)
    lr = np.array([s["lr"] for s in a])
    assert lr.min() >= 1e-4 and lr.max() <= 1e-1
    assert (lr < 1e-3).sum() > 5, "log-uniform: each decade is equally likely"
    assert all(0.1 <= s["p"] <= 0.5 for s in a)
    assert {s["act"] for s in a} == {"relu", "tanh"}


def test_kfold_partitions_every_index_once():
    folds = search.kfold(23, k=5, seed=1)
    assert len(folds) == 5
    val = np.concatenate([va for _, va in folds])
    assert sorted(val) == list(range(23))
    for tr, va in folds:
        assert len(set(tr) & set(va)) == 0 and len(tr) + len(va) == 23
        assert len(va) in (4, 5)
    again = search.kfold(23, k=5, seed=1)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_cross_validate_uses_each_fold():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    seen = []

    def objective(params, xt, yt, xv, yv):
        seen.append(sorted(yv.tolist()))
        assert len(set(yt) & set(yv)) == 0
        return len(yv)

    scores = search.cross_validate(objective, {}, x, y, k=3, seed=0)
    assert sorted(scores) == [3, 3, 4]
    assert sorted(sum(seen, [])) == list(range(10))


def test_grid_search_finds_the_best_and_is_reproducible():
    x, y = np.zeros((12, 1)), np.zeros(12)
    space = {"a": [1.0, 2.0, 3.0, 4.0], "b": [0, 10]}
    r = search.grid_search(_quadratic, space, x, y, k=3)
    assert r.best_params == {"a": 3.0, "b": 0}
    assert r.best_score == pytest.approx(0.0)
    assert len(r.results) == 8 and all(len(t["scores"]) == 3 for t in r.results)
    assert r.table(top=1).startswith("0.0000")


def test_random_search_reproducible_and_close():
    x, y = np.zeros((12, 1)), np.zeros(12)
    space = {"a": search.Uniform(0, 6), "b": [0, 1]}
    r1 = search.random_search(_quadratic, space, x, y, n_iter=30, k=3, seed=5)
    r2 = search.random_search(_quadratic, space, x, y, n_iter=30, k=3, seed=5)
    assert r1.best_params == r2.best_params and r1.best_score == r2.best_score
    assert abs(r1.best_params["a"] - 3) < 0.5


def test_net_objective_routes_params_and_search_is_reproducible():
    from sklearn.datasets import make_blobs
    x, y = make_blobs(120, centers=[[-2, 0], [2, 0]], cluster_std=1.0, random_state=0)
    built = []

    def build(hidden):
        built.append(hidden)
        return Sequential([Dense(2, hidden, "tanh", rng=0), Dense(hidden, 2, rng=1)],
                          loss="categorical_cross_entropy")

    objective = search.net_objective(build, epochs=5, batch_size=16)
    space = {"hidden": [2, 8], "lr": [1e-4, 0.5]}
    r1 = search.grid_search(objective, space, x, y, k=3, seed=0)
    r2 = search.grid_search(objective, space, x, y, k=3, seed=0)
    assert set(built) == {2, 8}  # lr went to fit, hidden to build
    assert [t["scores"] for t in r1.results] == [t["scores"] for t in r2.results]
    assert r1.best_params["lr"] == 0.5 and r1.best_score > 0.9
    loss_obj = search.net_objective(build, metric="loss", epochs=5)
    scores = {lr: loss_obj({"hidden": 8, "lr": lr}, x[:80], y[:80], x[80:], y[80:])
              for lr in (1e-4, 0.5)}
    assert scores[0.5] > scores[1e-4] and scores[1e-4] < 0  # minus the loss: higher is better


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-empty dict"):
        search.grid({})
    with pytest.raises(ValueError, match="list of candidates for 'a'"):
        search.grid({"a": 3})
    with pytest.raises(ValueError, match="list of candidates for 'a'"):
        search.grid({"a": []})
    with pytest.raises(ValueError, match="Uniform"):
        search.random_samples({"a": 3.0}, 2)
    with pytest.raises(ValueError, match="n_iter"):
        search.random_samples({"a": [1]}, 0)
    with pytest.raises(ValueError, match="2 <= k <= n"):
        search.kfold(5, k=1)
    with pytest.raises(ValueError, match="2 <= k <= n"):
        search.kfold(3, k=4)
    with pytest.raises(ValueError, match="targets"):
        search.cross_validate(_quadratic, {"a": 1}, np.zeros((5, 1)), np.zeros(4), k=2)
    with pytest.raises(ValueError, match="low < high"):
        search.Uniform(1, 1)
    with pytest.raises(ValueError, match="positive"):
        search.LogUniform(0, 1)
    with pytest.raises(ValueError, match="metric"):
        search.net_objective(lambda: None, metric="f1")
