"""Optimisers: one signature, ``step(params, grads)``, updating in place (lectures 2, 8).

params and grads are lists of arrays in the same order (``Sequential.parameters``).
Hyperparameters stay Python floats, so float32 arrays stay float32.
"""


class SGD:
    """Plain (minibatch) gradient descent:  w <- w - eta * dC/dw."""

    def __init__(self, lr=0.1):
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = float(lr)

    def step(self, params, grads):
        for w, dw in zip(params, grads):
            w -= self.lr * dw

    def __repr__(self):
        return f"SGD(lr={self.lr})"


OPTIMIZERS = {"sgd": SGD}


def get(name, **kwargs):
    """An optimiser by name, or pass an instance through."""
    if not isinstance(name, str):
        return name
    try:
        return OPTIMIZERS[name.lower()](**kwargs)
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {sorted(OPTIMIZERS)}") from None
