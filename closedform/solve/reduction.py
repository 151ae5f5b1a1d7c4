"""Reduction to the data span. With lam = 0, grad E lies in span{x~_i}, so with B (p x r) a basis of that span
(rows of rref(X~)) and z_i the coordinates of x~_i (x~_i = B z_i), E(w) = E_red(c) with c = B^T w: the stationary
set is {w : B^T w = c*} over the stationary points c* of the reduced problem."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..model.evaluators import NumericModel
from ..printing import text


@dataclass(frozen=True, eq=False)
class Reduced:
    """The reduced problem in r variables c = B^T w (B = identity when nothing is reduced)."""

    neuron: object
    basis: sp.Matrix  # p x r, columns span the data
    z: tuple  # n rows of r exact entries
    regularised: tuple

    @property
    def r(self) -> int:
        return self.basis.shape[1]

    @property
    def is_full(self) -> bool:
        return self.r == self.neuron.p

    @cached_property
    def model(self) -> NumericModel:
        n = self.neuron
        if self.is_full:
            return n.numeric
        return NumericModel(n.fns, self.z, n.data.t, n.l2, self.regularised)

    @cached_property
    def variables(self) -> tuple:
        if self.is_full:
            return self.neuron.weights
        return tuple(sp.Symbol(f"c{j}", real=True) for j in range(1, self.r + 1))

    @cached_property
    def combinations(self) -> tuple:
        """c_j as linear forms in the weights: B^T w."""
        return tuple(self.basis.T * sp.Matrix(self.neuron.weights))

    def to_weights(self, c) -> tuple:
        """The minimum-norm w with B^T w = c (exact when c is exact)."""
        B = self.basis
        if self.is_full:
            return tuple(c)
        return tuple(B * (B.T * B).inv() * sp.Matrix(c))

    def gradient_expr(self) -> sp.Matrix:
        """The reduced gradient sum_i g(t_i, z_i.c) z_i + lam c_reg as a symbolic vector (small n only)."""
        from ..model.symbols import h, t
        n = self.neuron
        c = sp.Matrix(self.variables)
        total = sp.zeros(self.r, 1)
        for zi, ti in zip(self.z, n.data.t):
            zv = sp.Matrix(zi)
            if any(zv):
                total += n.fns.g.subs({t: ti, h: (zv.T * c)[0]}) * zv
        return total + n.l2 * sp.Matrix([cj if m else 0 for cj, m in zip(c, self.regularised)])

    def describe_set(self, c_value) -> str:
        """'w1 + 2*w2 = c*' style description of the stationary set for a reduced point."""
        parts = [f"{text(form)} = {text(value)}" for form, value in zip(self.combinations, c_value)]
        return ", ".join(parts)


def reduce(neuron) -> Reduced:
    """Reduce to the span of the data when lam = 0 and the data is rank deficient; else keep all p variables."""
    rows = neuron.rows
    identity = Reduced(neuron, sp.eye(neuron.p), rows, neuron.regularised)
    if neuron.l2 != 0:
        return identity
    if _clearly_full_rank(neuron):
        return identity
    rref, pivots = sp.Matrix(rows).rref()
    if len(pivots) == neuron.p:
        return identity
    basis = sp.Matrix.hstack(*[rref.row(k).T for k in range(len(pivots))]) if pivots else sp.zeros(neuron.p, 0)
    z = tuple(tuple(row[j] for j in pivots) for row in rows)
    return Reduced(neuron, basis, z, (False,) * len(pivots))


def _clearly_full_rank(neuron) -> bool:
    """sigma_min of the float matrix beyond the rounding error bound eps*|X~|_F proves the exact rank is p."""
    import numpy as np
    X = neuron.numeric.Z
    if X.shape[0] < X.shape[1]:
        return False
    singular = np.linalg.svd(X, compute_uv=False)
    return singular[-1] > 1e3 * np.finfo(float).eps * np.linalg.norm(X)
