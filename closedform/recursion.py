"""The closed form of backpropagation through linear layers with one shared square matrix W:
delta_i = (W^T)^(L-i) delta_L. When W = P D P^-1 is diagonalisable, (W^T)^k = (P^-1)^T D^k P^T, powers of the
eigenvalues, like Binet's formula for Fibonacci; otherwise the Jordan form J = D + N gives (W^T)^k through
binomial sums of N, and that is reported."""
from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from .errors import InputError
from .model.numbers import exact_number
from .budget import run_with_budget
from .kinds import Finish
from .printing import latex, latex_display, latex_text, short_repr, text

k = sp.Symbol("k", integer=True, nonnegative=True)


@dataclass(frozen=True)
class SharedWeightRecursion:
    """``power`` is (W^T)^k in closed form in the symbol ``k``; ``diagonalisable`` says which route gave it.
    The public :class:`closedform.SharedWeightRecursion` (:mod:`closedform.problem`) adds ``derivation``."""

    W: sp.Matrix
    diagonalisable: bool
    power: sp.Matrix
    jordan: sp.Matrix

    def delta(self, steps, delta_L) -> sp.Matrix:
        """delta_(L - steps) = (W^T)^steps delta_L from the closed form."""
        return (self.power.subs(k, steps) * sp.Matrix(delta_L)).applyfunc(sp.expand)

    def describe(self) -> str:
        if self.diagonalisable:
            return "W is diagonalisable: (W^T)^k = (P^-1)^T D^k P^T, powers of the eigenvalues"
        return f"W is not diagonalisable (Jordan form {text(self.jordan)}): (W^T)^k comes from the Jordan blocks"

    def __repr__(self):
        return short_repr(self, f"W = {text(self.W)}", "diagonalisable" if self.diagonalisable else
                          f"not diagonalisable, Jordan form {text(self.jordan)}")

    def _repr_latex_(self):
        """W and the closed form of (W^T)^k."""
        how = ("W diagonalisable: powers of its eigenvalues" if self.diagonalisable else
               "W not diagonalisable: from its Jordan blocks")
        return latex_display(rf"W = {latex(self.W)} \qquad " + latex_text(f"({how})"),
                             rf"\left(W^{{T}}\right)^{{{latex(k)}}} = {latex(self.power)}")


class Unfinished(InputError):
    """W was read, but its closed form did not finish within the budget: a partial answer rather than bad input
    (still an InputError, so existing handlers catch it). ``W``, ``charpoly`` and ``reason`` say what is known."""

    def __init__(self, W: sp.Matrix, timeout: float, reason: str):
        self.W, self.charpoly, self.reason = W, W.charpoly().as_expr(), reason
        super().__init__(f"no closed form of (W^T)^k for W = {text(W)} found within {timeout:g} s "
                         f"(characteristic polynomial {text(self.charpoly)}): {reason}")


def shared_weight_recursion(W, timeout: float = 10.0) -> SharedWeightRecursion:
    """The closed form of (W^T)^k for a square matrix W (exact entries), computed within ``timeout`` seconds;
    :class:`Unfinished` when it is not."""
    finite = isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and math.isfinite(timeout)
    if not (finite and timeout > 0):
        raise InputError(f"timeout = {timeout!r} must be a finite positive number of seconds")
    rows = [[exact_number(v, f"W[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(
        W.tolist() if isinstance(W, sp.MatrixBase) else W)]
    if not rows or len({len(row) for row in rows}) != 1:
        raise InputError(f"W = {W!r} is empty or has rows of different lengths; expected rows of equal length")
    W = sp.Matrix(rows)
    if not W.is_square:
        raise InputError(f"W of shape {W.shape} must be square for a shared-weight chain")
    outcome = run_with_budget(_closed_form, W, seconds=timeout)
    if outcome.status is not Finish.DONE:
        raise Unfinished(W, timeout, outcome.message.splitlines()[0])
    return outcome.value


def _closed_form(W: sp.Matrix) -> SharedWeightRecursion:
    P, J = W.jordan_form()
    diagonalisable = W.is_diagonalizable()
    if diagonalisable:
        P, D = W.diagonalize()
        marks = sp.symbols(f"m0:{D.rows}")  # m_i stands for lambda_i^k while the entries are tidied
        tidy = P.inv().T * sp.diag(*marks) * P.T
        power = tidy.applyfunc(lambda e: sp.collect(sp.radsimp(sp.expand(e)), marks).subs(
            {m: D[i, i] ** k for i, m in enumerate(marks)}))
    else:
        power = (W.T ** k).applyfunc(sp.expand)  # SymPy's power through the Jordan blocks
    return SharedWeightRecursion(W, diagonalisable, power, J)
