"""The typed parts of an answer, as the pipeline produces them: isolated points, exact solution sets,
continua, zeros at infinity, the Galois obstruction, the exact reduction P(u), the completeness certificate and
the run's statistics. Each knows its JSON form; numbers are exact SymPy values or mpmath values at precision
and cross into JSON as decimal strings at full precision."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Kind, RegionKind, Scope
from ..model.numbers import to_mpf


def decimal(value, digits: int) -> str:
    """A number as a decimal string with ``digits`` significant digits (exact integers stay exact)."""
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return str(value)
        if value in (sp.oo, -sp.oo):
            return "inf" if value == sp.oo else "-inf"
        return mpmath.nstr(to_mpf(value, digits + 5), digits) if value.is_real else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, digits)
    with mpmath.workdps(digits + 5):
        return mpmath.nstr(mpmath.mpf(value), digits)


@dataclass(frozen=True)
class StationaryPoint:
    """An isolated stationary point. ``residual`` is |grad E| at working precision; ``certified`` means
    ``enclosure`` (one interval per coordinate) is proved to hold exactly one zero of the gradient; ``kink``
    marks a point where some pre-activation is exactly 0 (its kind then comes from the one-sided models)."""

    w: tuple
    kind: Kind
    loss: object
    residual: object
    certified: bool = False
    exact: Optional[sp.Expr] = None
    enclosure: Optional[tuple] = None
    kink: bool = False

    def to_dict(self, digits):
        return {"w": [decimal(v, digits) for v in self.w], "kind": self.kind.value, "loss": decimal(self.loss, digits),
                "residual": mpmath.nstr(mpmath.mpf(self.residual), 5), "certified": self.certified,
                "exact": None if self.exact is None else sp.sstr(self.exact),
                "enclosure": None if self.enclosure is None else [[mpmath.nstr(lo, digits + 25), mpmath.nstr(hi, digits + 25)]
                                                                  for lo, hi in self.enclosure]}


@dataclass(frozen=True)
class ClosedForm:
    """An exact solution set (SymPy) with the conditions under which it holds."""

    expr: sp.Basic
    conditions: sp.Basic = sp.true
    description: str = ""

    def to_dict(self):
        return {"sympy": sp.sstr(self.expr), "latex": sp.latex(self.expr), "conditions": sp.sstr(self.conditions)}


@dataclass(frozen=True)
class Region:
    """A continuous stationary set. ``expr`` is its SymPy description in the weights (a conjunction of
    equations and inequalities); ``representative`` one member (exact where possible) and ``along_span`` its
    kind across the set (rank-deficient data: min/max/saddle along the data span, flat along the rest)."""

    kind: RegionKind
    description: str
    expr: sp.Basic = sp.true
    representative: Optional[tuple] = None
    along_span: Optional[Kind] = None

    def to_dict(self, digits=30):
        out = {"kind": self.kind.value, "description": self.description, "latex": sp.latex(self.expr)}
        if self.representative is not None:
            out["representative"] = [decimal(v, digits) for v in self.representative]
        if self.along_span is not None:
            out["along_span"] = self.along_span.value
        return out


@dataclass(frozen=True)
class Asymptote:
    """A zero at infinity: along w0 + s v, s -> oo, the gradient tends to 0 and the loss to ``limit_loss``."""

    direction: tuple
    limit_loss: sp.Expr
    description: str

    def to_dict(self, digits):
        return {"direction": [decimal(v, digits) for v in self.direction],
                "limit_loss": decimal(self.limit_loss, digits), "description": self.description,
                "finite_part": None}


@dataclass(frozen=True)
class Obstruction:
    """A proof that no radical closed form exists (a non-solvable Galois group), with what re-checks it."""

    kind: str
    polynomial: sp.Expr
    group: str
    solvable: bool
    explanation: str
    proof: str = ""  # why the group is not solvable (the primes and cycle types, or the theorem), re-checkable

    def to_dict(self):
        return {"kind": self.kind, "polynomial": sp.sstr(self.polynomial), "group": self.group,
                "solvable": self.solvable, "explanation": self.explanation}


@dataclass(frozen=True)
class Reduction:
    """The exact reduction u = exp(-k c / q): grad E(c) = 0 iff P(u) = 0 with u > 0, c = -(q/k) log u."""

    polynomial: sp.Poly
    q: sp.Rational
    k: int

    @property
    def substitution(self) -> sp.Expr:
        """u as a function of the reduced coordinate c."""
        return sp.exp(-sp.Rational(self.k) / self.q * sp.Symbol("c", real=True))

    def to_dict(self):
        return {"polynomial": sp.sstr(self.polynomial.as_expr()), "q": sp.sstr(self.q), "k": self.k}


@dataclass(frozen=True)
class Certificate:
    """The evidence for ``complete``: its kind, where it holds, a sentence, the facts it rests on (counts,
    polynomials, matrices) and which independent check accepted it."""

    kind: CertificateKind
    scope: Scope
    details: str
    facts: dict = field(default_factory=dict, compare=False)
    checked_by: str = ""

    def to_dict(self):
        return {"kind": self.kind.value, "scope": self.scope.value, "details": self.details,
                "checked_by": self.checked_by}


@dataclass
class Stats:
    """Numbers about the run: seconds per stage, candidate and witness counts, sub-boxes examined."""

    seconds: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def to_dict(self):
        return {"seconds": {k: round(v, 4) for k, v in self.seconds.items()}, "counts": dict(self.counts)}
