"""Optimisers, schedules and test surfaces (lecture 8).

Every update rule is checked three ways: two steps computed by hand, several
steps against torch.optim (when PyTorch is installed), and dtype/argument checks.
"""
import math

import numpy as np
import pytest

from coursekit import optim, surfaces
from coursekit.backend import to_numpy
from coursekit.gradcheck import rel_error

W0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [0.2, 0.4]


def two_steps(opt, xp):
    """Parameters after each of two steps from W0 with gradients G1 then G2."""
    w = xp.asarray(W0, dtype=xp.float64)
    out = []
    for g in (G1, G2):
        opt.step([w], [xp.asarray(g, dtype=xp.float64)])
        out.append(to_numpy(w).copy())
    return out


def _hand(opt_name):
    """The expected (w1, w2), worked out from the textbook formulas with plain floats."""
    w0, g1, g2 = np.array(W0), np.array(G1), np.array(G2)
    if opt_name == "sgd":             # lr 0.1
        return [0.95, -1.9], [0.93, -1.94]
    if opt_name == "momentum":        # lr 0.1, mu 0.9: v1 = g1, v2 = 0.9 g1 + g2 = (0.65, -0.5)
        return [0.95, -1.9], [0.885, -1.85]
    if opt_name == "nesterov":        # w1 = w0 - 0.1 (g1 + 0.9 g1); w2 = w1 - 0.1 (g2 + 0.9 v2)
        return [0.905, -1.81], [0.8265, -1.805]
    if opt_name == "adagrad":         # lr 0.1: r1 = g1^2 so the first step is 0.1 sign(g1)
        w1 = [0.9, -1.9]
        return w1, [0.9 - 0.1 * 0.2 / math.sqrt(0.29), -1.9 - 0.1 * 0.4 / math.sqrt(1.16)]
    if opt_name == "rmsprop":         # lr 0.01, rho 0.9: r1 = 0.1 g1^2, step 0.01 sqrt(10) sign(g1)
        w1 = w0 - 0.01 * math.sqrt(10) * np.sign(g1)
        r2 = 0.9 * 0.1 * g1 ** 2 + 0.1 * g2 ** 2
        return w1, w1 - 0.01 * g2 / np.sqrt(r2)
    if opt_name == "adam":            # lr 0.1: bias correction makes step 1 exactly 0.1 sign(g1)
        w1 = w0 - 0.1 * np.sign(g1)
        m_hat = (0.09 * g1 + 0.1 * g2) / (1 - 0.9 ** 2)
        v_hat = (0.999 * 0.001 * g1 ** 2 + 0.001 * g2 ** 2) / (1 - 0.999 ** 2)
        return w1, w1 - 0.1 * m_hat / np.sqrt(v_hat)
    raise KeyError(opt_name)


HAND_CONFIGS = {
    "sgd": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "nesterov": dict(lr=0.1, momentum=0.9),
    "adagrad": dict(lr=0.1),
    "rmsprop": dict(lr=0.01, rho=0.9),
    "adam": dict(lr=0.1),
}


@pytest.mark.parametrize("name", sorted(HAND_CONFIGS))
def test_first_two_steps_match_hand_computation(xp, name):
    got = two_steps(optim.get(name, **HAND_CONFIGS[name]), xp)
    for step, (g, e) in enumerate(zip(got, _hand(name)), start=1):
        np.testing.assert_allclose(g, e, rtol=1e-7, atol=1e-9, err_msg=f"{name}, step {step}")


def test_adam_counts_steps_not_calls_per_parameter(xp):
    """Two parameter arrays in one step share t = 1: both get the full bias correction."""
    opt = optim.Adam(lr=0.1)
    a, b = xp.asarray([1.0]), xp.asarray([2.0, 3.0])
    opt.step([a, b], [xp.asarray([5.0]), xp.asarray([-0.01, 7.0])])
    assert opt.t == 1
    np.testing.assert_allclose(to_numpy(a), [0.9], rtol=1e-7)
    np.testing.assert_allclose(to_numpy(b), [2.1, 2.9], rtol=1e-6)


# ---------------------------------------------------------------- against PyTorch
TORCH_CASES = [
    ("sgd", dict(lr=0.05), "SGD", dict(lr=0.05)),
    ("momentum", dict(lr=0.05, momentum=0.8), "SGD", dict(lr=0.05, momentum=0.8)),
    ("nesterov", dict(lr=0.05, momentum=0.8), "SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("adagrad", dict(lr=0.05, eps=1e-10), "Adagrad", dict(lr=0.05, eps=1e-10)),
    ("rmsprop", dict(lr=0.01, rho=0.95, eps=1e-8), "RMSprop", dict(lr=0.01, alpha=0.95, eps=1e-8)),
    ("adam", dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8), "Adam",
     dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8)),
]


def _random_problem(seed=0, steps=6):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    params = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) * 10.0 ** rng.uniform(-2, 1) for s in shapes]
             for _ in range(steps)]
    return params, grads


@pytest.mark.parametrize("name, ours, torch_name, theirs", TORCH_CASES,
                         ids=[c[0] for c in TORCH_CASES])
def test_matches_torch_over_several_steps(xp, name, ours, torch_name, theirs):
    torch = pytest.importorskip("torch")
    params, grads = _random_problem()
    mine = [xp.asarray(p.copy()) for p in params]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    opt, topt = optim.get(name, **ours), getattr(torch.optim, torch_name)(tparams, **theirs)
    for step, gs in enumerate(grads, start=1):
        opt.step(mine, [xp.asarray(g) for g in gs])
        for tp, g in zip(tparams, gs):
            tp.grad = torch.tensor(g)
        topt.step()
        for m, tp in zip(mine, tparams):
            err = rel_error(m, tp.detach().numpy())
            assert err < 1e-12, f"{name} differs from torch.optim.{torch_name} at step {step}: {err}"


SCHEDULE_CASES = [
    (lambda: optim.StepDecay(every=3, drop=0.5), "StepLR", dict(step_size=3, gamma=0.5)),
    (lambda: optim.ExponentialDecay(gamma=0.9), "ExponentialLR", dict(gamma=0.9)),
    (lambda: optim.CosineDecay(total_steps=8, min_factor=0.1), "CosineAnnealingLR",
     dict(T_max=8, eta_min=0.01)),
]


@pytest.mark.parametrize("make, torch_name, kwargs", SCHEDULE_CASES,
                         ids=[c[1] for c in SCHEDULE_CASES])
def test_schedules_match_torch_lr_schedulers(make, torch_name, kwargs):
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([p], lr=0.1)
    tsched = getattr(torch.optim.lr_scheduler, torch_name)(topt, **kwargs)
    opt = optim.SGD(lr=0.1, schedule=make())
    w = np.zeros(1)
    for _ in range(9):  # up to T_max: past it torch's cosine rises again (no restarts here)
        assert opt.current_lr() == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        p.grad = torch.ones(1)
        topt.step()
        tsched.step()
        opt.step([w], [np.ones(1)])


# ---------------------------------------------------------------- schedules by hand
def test_schedule_values():
    assert [optim.StepDecay(every=2, drop=0.5)(t) for t in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    assert optim.ExponentialDecay(0.5)(3) == 0.125
    cos = optim.CosineDecay(total_steps=4)
    assert [round(cos(t), 12) for t in range(6)] == [1.0, round(0.5 + 0.5 * math.cos(math.pi / 4), 12),
                                                      0.5, round(0.5 - 0.5 * math.cos(math.pi / 4), 12),
                                                      0.0, 0.0]
    assert optim.schedule("step", every=10, drop=0.1)(10) == pytest.approx(0.1)


def test_cosine_decay_holds_its_minimum_after_total_steps():
    """The documented convention: past T the factor stays at min_factor (Keras, optax),
    where PyTorch's CosineAnnealingLR follows the cosine back up to 1 at 2 T."""
    cos, T, m = optim.CosineDecay(total_steps=8, min_factor=0.1), 8, 0.1
    torch_like = lambda t: m + (1 - m) * 0.5 * (1 + math.cos(math.pi * t / T))
    assert [cos(t) for t in (8, 9, 12, 16, 100)] == [pytest.approx(m)] * 5
    assert torch_like(12) > 0.5 and torch_like(16) == pytest.approx(1.0)
    assert all(cos(t) == pytest.approx(torch_like(t)) for t in range(T + 1))  # equal up to T
    assert "PyTorch" in optim.CosineDecay.__doc__ and "rises again" in optim.CosineDecay.__doc__


def test_schedule_drives_the_step_size(xp):
    opt = optim.SGD(lr=1.0, schedule=optim.StepDecay(every=1, drop=0.5))
    w = xp.zeros(1)
    steps = []
    for _ in range(3):
        before = float(w[0])
        opt.step([w], [xp.ones(1)])
        steps.append(before - float(w[0]))
    assert steps == [1.0, 0.5, 0.25]


# ---------------------------------------------------------------- dtypes and errors
@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_float32_stays_float32(xp, name):
    opt = optim.get(name, lr=0.01, schedule=optim.ExponentialDecay(0.99))
    w = xp.ones((3, 2), dtype=xp.float32)
    for _ in range(3):
        opt.step([w], [xp.full((3, 2), 0.5, dtype=xp.float32)])
    assert w.dtype == xp.float32
    assert all(a.dtype == xp.float32 for a in opt.state.get(0, {}).values())
    assert float(w[0, 0]) < 1.0


@pytest.mark.parametrize("name, kwargs, error, words", [
    ("sgd", dict(lr=0.0), ValueError, "learning rate must be positive"),
    ("adam", dict(lr=-1e-3), ValueError, "learning rate must be positive"),
    ("sgd", dict(lr="0.1"), TypeError, "learning rate must be a real number"),
    ("sgd", dict(lr=float("nan")), ValueError, "finite"),
    ("momentum", dict(momentum=1.0), ValueError, "momentum must be in [0, 1)"),
    ("momentum", dict(momentum=0.0, nesterov=True), ValueError, "Nesterov momentum needs"),
    ("rmsprop", dict(rho=-0.1), ValueError, "rho must be in [0, 1)"),
    ("adam", dict(beta1=1.0), ValueError, "beta1 must be in [0, 1)"),
    ("adam", dict(beta2=1.5), ValueError, "beta2 must be in [0, 1)"),
    ("adagrad", dict(eps=0.0), ValueError, "eps must be positive"),
    ("sgd", dict(schedule=0.5), TypeError, "schedule must be a callable"),
])
def test_bad_hyperparameters_raise_clear_errors(name, kwargs, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace(")", r"\)")):
        optim.get(name, **kwargs)


def test_bad_schedules_raise_clear_errors():
    with pytest.raises(ValueError, match="every must be a positive number of steps"):
        optim.StepDecay(every=0)
    with pytest.raises(ValueError, match=r"gamma must be in \(0, 1\]"):
        optim.ExponentialDecay(1.5)
    with pytest.raises(ValueError, match="total_steps must be a positive integer"):
        optim.CosineDecay(total_steps=2.5)
    with pytest.raises(ValueError, match=r"valid names: \['cosine', 'exponential', 'step'\]"):
        optim.schedule("linear")


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(ValueError) as e:
        optim.get("adamw")
    msg = str(e.value)
    assert "'adamw'" in msg
    for name in ("adagrad", "adam", "momentum", "nesterov", "rmsprop", "sgd"):
        assert f"'{name}'" in msg


def test_get_passes_instances_through_and_is_case_insensitive():
    opt = optim.Adam()
    assert optim.get(opt) is opt
    assert isinstance(optim.get("RMSprop", lr=0.1), optim.RMSprop)
    assert repr(optim.SGD(lr=0.5)) == "SGD(lr=0.5)"


def test_mismatched_lists_and_shapes_are_refused(xp):
    opt = optim.Momentum()
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradients"):
        opt.step([xp.zeros(2), xp.zeros(3)], [xp.zeros(2)])
    with pytest.raises(ValueError, match=r"has shape \(2,\) but its gradient \(3,\)"):
        opt.step([xp.zeros(2)], [xp.zeros(3)])
    opt.step([xp.zeros(2)], [xp.ones(2)])
    with pytest.raises(ValueError, match="changed shape"):
        opt.step([xp.zeros(4)], [xp.ones(4)])
    opt.reset()
    opt.step([xp.zeros(4)], [xp.ones(4)])
    assert opt.t == 1


def test_fit_accepts_an_optimizer_instance_with_a_schedule(xp):
    from coursekit import Dense, Sequential
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2))
    y = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)
    net = Sequential([Dense(2, 8, "tanh", rng=1), Dense(8, 2, rng=2)],
                     loss="categorical_cross_entropy")
    opt = optim.Adam(lr=0.05, schedule=optim.CosineDecay(total_steps=40))
    hist = net.fit(x, y, epochs=10, batch_size=16, optimizer=opt, progress=False)
    assert opt.t == 40                       # 4 minibatches x 10 epochs
    assert opt.current_lr() == 0.0           # the cosine has reached its end
    assert hist["loss"][-1] < 0.5 * hist["loss"][0] and hist["accuracy"][-1] > 0.9


def test_every_optimizer_reaches_the_quadratic_minimum():
    configs = {"sgd": 0.03, "momentum": 0.01, "nesterov": 0.01, "adagrad": 1.0,
               "rmsprop": 0.01, "adam": 0.1}
    for name, lr in configs.items():
        p = surfaces.path("quadratic", optim.get(name, lr=lr), steps=2000)
        assert np.linalg.norm(p[-1]) < 0.05, f"{name} ended at {p[-1]}"


# ---------------------------------------------------------------- surfaces
SURFACE_GRADS = [(s.name, s.f, s.grad) for s in surfaces.SURFACES.values()]


@pytest.mark.parametrize("name, f, grad", SURFACE_GRADS, ids=[s[0] for s in SURFACE_GRADS])
def test_surface_gradients_match_central_differences(name, f, grad):
    rng = np.random.default_rng(3)
    h = 1e-6
    for x, y in rng.uniform(-1.5, 1.5, size=(5, 2)):
        num = [(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)]
        assert rel_error(np.array(grad(x, y)), np.array(num)) < 1e-7, name


@pytest.mark.parametrize("name, f, grad", SURFACE_GRADS, ids=[s[0] for s in SURFACE_GRADS])
def test_surface_gradients_match_autograd(name, f, grad):
    from autograd import grad as agrad
    gx, gy = agrad(f, 0), agrad(f, 1)
    for x, y in [(0.3, -0.7), (-1.2, 1.1), (1.0, 0.25)]:
        assert rel_error(np.array(grad(x, y)), np.array([gx(x, y), gy(x, y)])) < 1e-12, name


def test_surface_minima_are_stationary_points():
    for s in surfaces.SURFACES.values():
        for m in s.minima:
            assert np.allclose(s.grad(*m), 0, atol=1e-12), s.name
    assert surfaces.rosenbrock(1.0, 1.0) == 0 and surfaces.beale(3.0, 0.5) == 0
    assert surfaces.saddle(0.0, math.sqrt(2)) == pytest.approx(-1)


def test_path_stops_when_the_optimizer_diverges():
    p = surfaces.path("quadratic", optim.SGD(lr=0.1), steps=500)  # lr * kappa = 2.5 > 2
    assert len(p) < 500 and np.all(np.isfinite(p))
    with pytest.raises(ValueError, match="unknown surface 'himmelblau'; valid names"):
        surfaces.get("himmelblau")
