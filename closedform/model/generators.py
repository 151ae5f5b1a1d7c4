"""Named, seeded dataset generators for a census of many problems: ``GENERATORS[name](n, d, seed)`` returns data
as exact decimal strings [((x_1, ..., x_d), t), ...], the same on every machine for the same arguments (NumPy's
PCG64 stream, numbers rounded to two decimals before they become exact).

- ``teacher``: x ~ N(0, I_d), t = sigmoid(v.x) + N(0, 0.1^2) clipped to [0.01, 0.99], v ~ N(0, I_d) per dataset;
- ``labels``: x ~ N(0, I_d), t in {0, 1} fair coin flips (Cover's setting);
- ``ahw``: the Auer-Herbster-Warmuth construction (floor(n/d)^d local minima for sigmoid + mse; seed unused);
- :func:`resample`: a user dataset resampled with replacement."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InputError

AHW_TARGET = "9/10"
AHW_SCALE = -10


def _decimals(values) -> list:
    return [f"{v:.2f}" for v in np.asarray(values, float).tolist()]


def _gaussian_inputs(rng, n: int, d: int) -> np.ndarray:
    return np.round(rng.normal(size=(n, d)), 2)


def teacher(n: int, d: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    X = _gaussian_inputs(rng, n, d)
    v = rng.normal(size=d)
    t = np.clip(1 / (1 + np.exp(-X @ v)) + rng.normal(scale=0.1, size=n), 0.01, 0.99)
    return [(tuple(_decimals(x)), target) for x, target in zip(X, _decimals(np.round(t, 2)))]


def labels(n: int, d: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    X = _gaussian_inputs(rng, n, d)
    t = rng.integers(0, 2, size=n)
    return [(tuple(_decimals(x)), int(label)) for x, label in zip(X, t)]


def auer_herbster_warmuth(n: int, d: int, seed: int = 0) -> list:
    """Along each coordinate k, m = floor(n/d) points x = (-10)^j e_k (j < m), target 9/10; the n - m d others at
    x = 0 (see :mod:`closedform.examples`)."""
    if not (1 <= d <= n):
        raise InputError(f"auer_herbster_warmuth needs 1 <= d <= n; got n = {n}, d = {d}")
    m = n // d
    data = [(tuple(AHW_SCALE**j if i == k else 0 for i in range(d)), AHW_TARGET) for k in range(d) for j in range(m)]
    return data + [(tuple([0] * d), AHW_TARGET)] * (n - m * d)


@dataclass(frozen=True)
class Resample:
    """A user dataset resampled with replacement (n rows drawn; d must be the data's dimension)."""

    rows: tuple

    def __call__(self, n: int, d: int, seed: int) -> list:
        if len(self.rows[0][0]) != d:
            raise InputError(f"resample: the data have dimension {len(self.rows[0][0])}, not d = {d}")
        picks = np.random.default_rng(seed).integers(0, len(self.rows), size=n)
        return [self.rows[i] for i in picks.tolist()]


def resample(data) -> Resample:
    rows = tuple((tuple(str(v) for v in x), str(t)) for x, t in data)
    if not rows:
        raise InputError("resample: the dataset is empty")
    return Resample(rows)


GENERATORS: dict[str, Callable[[int, int, int], list]] = {
    "teacher": teacher, "labels": labels, "ahw": auer_herbster_warmuth}


def get_generator(spec) -> Callable[[int, int, int], list]:
    """A generator by name (see the module docstring) or a callable (n, d, seed) -> data passed through."""
    if callable(spec):
        return spec
    if spec not in GENERATORS:
        raise InputError(f"generator {spec!r} is not known; choose one of {', '.join(GENERATORS)}")
    return GENERATORS[spec]
