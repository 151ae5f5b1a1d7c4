"""Infinitely many Gaussian datapoints: x ~ N(0, Sigma) (Sigma = I unless ``cov``), target t = f(v.x + c) plus
independent noise of variance ``noise``. A kind of data: ``cf.Neuron("erf", "mse", data=GaussianTeacher(...))``
then has the population loss E[(t - f(w.x + b))^2]/2 (:mod:`.population`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..errors import InputError
from .numbers import exact_number


@dataclass(frozen=True, init=False)
class GaussianTeacher:
    """The teacher neuron's weights ``v`` (exact), bias ``c`` (None: no bias), the noise variance and the input
    covariance (None: the identity)."""

    v: tuple
    c: Optional[sp.Rational]
    noise: sp.Rational
    cov: Optional[sp.Matrix]

    symbolic = False   # concrete "data": the population loss is a closed form in the weights
    n = "population"

    def __init__(self, v, c=None, noise=0, cov=None):
        entries = (v,) if isinstance(v, (int, float, str)) or not hasattr(v, "__iter__") else tuple(v)
        if not entries:
            raise InputError("teacher v = () must have at least one coordinate")
        vector = tuple(exact_number(e, f"teacher v[{i}]") for i, e in enumerate(entries))
        if all(e == 0 for e in vector):
            raise InputError(f"teacher v = {vector} is zero: the target is a constant; give a nonzero v")
        variance = exact_number(noise, "noise")
        if variance < 0:
            raise InputError(f"noise = {variance} must be a variance >= 0")
        object.__setattr__(self, "v", vector)
        object.__setattr__(self, "c", None if c is None else exact_number(c, "teacher bias c"))
        object.__setattr__(self, "noise", variance)
        object.__setattr__(self, "cov", None if cov is None else _covariance(cov, len(vector)))

    @property
    def dim(self) -> int:
        return len(self.v)

    @property
    def sigma(self) -> sp.Matrix:
        """The input covariance (the identity unless ``cov`` was given)."""
        return sp.eye(self.dim) if self.cov is None else self.cov

    def to_dict(self) -> dict:
        """The JSON form: exact numbers as SymPy strings."""
        return {"v": [sp.sstr(e) for e in self.v], "c": None if self.c is None else sp.sstr(self.c),
                "noise": sp.sstr(self.noise),
                "cov": None if self.cov is None else [[sp.sstr(e) for e in row] for row in self.cov.tolist()]}

    def describe(self) -> str:
        parts = [f"v = ({', '.join(map(str, self.v))})"]
        if self.c is not None:
            parts.append(f"c = {self.c}")
        if self.noise:
            parts.append(f"noise variance {self.noise}")
        if self.cov is not None:
            parts.append("x ~ N(0, Sigma)")
        return "Gaussian teacher " + ", ".join(parts)

    def __repr__(self):
        return f"GaussianTeacher({self.describe()[len('Gaussian teacher '):]})"


def _covariance(cov, d: int) -> sp.Matrix:
    try:
        rows = [[exact_number(e, f"cov[{i}][{j}]") for j, e in enumerate(row)] for i, row in enumerate(cov)]
    except TypeError:
        raise InputError(f"cov = {cov!r} must be a {d} x {d} matrix (a list of rows)") from None
    matrix = sp.Matrix(rows) if rows else sp.zeros(0, 0)
    if matrix.shape != (d, d):
        raise InputError(f"cov has shape {matrix.shape}; the teacher has dim {d}, so it must be {d} x {d}")
    if matrix != matrix.T or not all(matrix[:k, :k].det() > 0 for k in range(1, d + 1)):
        raise InputError(f"cov = {rows} must be symmetric positive definite (every leading minor > 0)")
    return matrix
