"""The typed parts of an answer, as the pipeline produces them: isolated points, exact solution sets,
continua, zeros at infinity, the Galois obstruction, the exact reduction P(u), the completeness certificate and
the run's statistics. Each knows its JSON form; numbers are exact SymPy values or mpmath values at precision
and cross into JSON as decimal strings at full precision. Each public part also has a one-line ``__repr__``
(rounded numbers, no SymPy constructors) and a rich display ``_repr_latex_`` that MathJax renders."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Kind, RegionKind, Scope
from ..model.numbers import to_mpf
from ..printing import brief, brief_tuple, latex, latex_display, latex_point, latex_text, rounded, short_repr, text


def decimal(value, digits: int) -> str:
    """A number as a decimal string with ``digits`` significant digits (exact integers stay exact)."""
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return str(value)
        if isinstance(value, sp.Float):  # a decimal carries its own digits: print no more than it has
            digits = min(digits, mpmath.libmp.prec_to_dps(value._prec))
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

    def _facts(self) -> str:
        return ", ".join([self.kind.value] + ["certified"] * self.certified + ["on a kink"] * self.kink)

    def __repr__(self):
        return short_repr(self, self._facts(), f"w = {brief_tuple(self.w)}", f"loss = {brief(self.loss)}")

    def _repr_latex_(self):
        w = r"w^{*}" if len(self.w) == 1 else r"\mathbf{w}^{*}"
        near = latex_point(self.w)
        if self.exact is None:
            value = rf"{w} \approx {near}"
        else:
            exact = sp.Tuple(*self.exact) if isinstance(self.exact, (tuple, list)) else self.exact
            rational = all(v.is_Rational for v in (exact if isinstance(exact, sp.Tuple) else [exact]))
            value = rf"{w} = {latex(exact)}" + ("" if rational else rf" \approx {near}")
        return latex_display(rf"{value} \qquad E({w}) \approx {latex(rounded(self.loss))} \qquad "
                             + latex_text(f"({self._facts()})"))


@dataclass(frozen=True)
class ClosedForm:
    """An exact solution set (SymPy) with the conditions under which it holds."""

    expr: sp.Basic
    conditions: sp.Basic = sp.true
    description: str = ""

    def to_dict(self):
        return {"sympy": sp.sstr(self.expr), "latex": sp.latex(self.expr), "conditions": sp.sstr(self.conditions)}

    def __repr__(self):
        shown = f"w in {text(self.expr)}" if isinstance(self.expr, sp.Set) else text(self.expr)
        return short_repr(self, shown + ("" if self.conditions == sp.true else f" if {text(self.conditions)}"))

    def _repr_latex_(self):
        row = rf"\mathbf{{w}} \in {latex(self.expr)}" if isinstance(self.expr, sp.Set) else latex(self.expr)
        if self.conditions != sp.true:
            row += rf" \quad \text{{if }} {latex(self.conditions)}"
        if self.description:
            row += rf" \qquad {latex_text(f'({self.description})')}"
        return latex_display(row)


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

    def _facts(self) -> str:
        return f"{self.kind.value} set" + ("" if self.along_span is None else
                                          f", {self.along_span.value} along the data span")

    def __repr__(self):
        return short_repr(self, self._facts(), self.description if self.expr == sp.true else text(self.expr))

    def _repr_latex_(self):
        shown = latex_text(self.description) if self.expr == sp.true else latex(self.expr)
        return latex_display(rf"{shown} \qquad " + latex_text(f"({self._facts()})"))


@dataclass(frozen=True)
class Asymptote:
    """A zero at infinity: along w0 + s v, s -> oo, the gradient tends to 0 and the loss to ``limit_loss``; in an
    open cell any w0 will do, on a face w0 is ``finite_part`` (the stationary point of the restricted problem)."""

    direction: tuple
    limit_loss: sp.Expr
    description: str
    finite_part: Optional[tuple] = None  # w0, where the ray starts inside a face (else None: any w0 in the cell)

    def to_dict(self, digits):
        return {"direction": [decimal(v, digits) for v in self.direction],
                "limit_loss": decimal(self.limit_loss, digits), "description": self.description,
                "finite_part": None if self.finite_part is None else [decimal(v, digits) for v in self.finite_part]}

    def __repr__(self):
        return short_repr(self, self.description, f"loss -> {brief(self.limit_loss)}")

    def _repr_latex_(self):
        if len(self.direction) == 1:
            where = rf"w \to {'+' if self.direction[0] > 0 else '-'}\infty"
        else:
            where = (rf"\mathbf{{w}} = \mathbf{{w}}_0 + s\,\mathbf{{v}},\ s \to +\infty,\ "
                     rf"\mathbf{{v}} = {latex(sp.Tuple(*self.direction))}")
        return latex_display(rf"\nabla E \to 0,\quad E \to {latex(self.limit_loss)} \qquad \text{{as }} {where}")


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

    def __repr__(self):
        degree = sp.Poly(self.polynomial).degree()
        return short_repr(self, self.kind, f"Galois group {self.group} of a degree-{degree} factor",
                          "solvable" if self.solvable else "not solvable")

    def _repr_latex_(self):
        named = re.fullmatch(r"([A-Z][a-z]?)(\d+)", self.group)  # S7, A5, D5, C4, ...
        group = rf"{named[1]}_{{{named[2]}}}" if named else latex_text(self.group)
        verdict = "solvable" if self.solvable else "not solvable: no closed form in radicals"
        return latex_display(rf"\operatorname{{Gal}}\left({latex(self.polynomial)}\right) \cong {group} \qquad "
                             + latex_text(f"({verdict})"))


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

    def __repr__(self):
        return short_repr(self, f"u = {text(self.substitution)}", f"degree {self.polynomial.degree()}",
                          f"P(u) = {text(self.polynomial)}")

    def _repr_latex_(self):
        u = self.polynomial.gen
        return latex_display(rf"u = {latex(self.substitution)}: \quad \nabla E = 0 \iff "
                             rf"{latex(self.polynomial.as_expr())} = 0,\ {latex(u)} > 0")


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

    def __repr__(self):
        return short_repr(self, self.kind.value, self.scope.value,
                          f"checked: {self.checked_by}" if self.checked_by else "")

    def _repr_latex_(self):
        """The claim, the formulas the evidence rests on (the polynomial and its root count, the linear system,
        the counts), and the independent check."""
        facts = self.facts
        rows = [latex_text(f"complete {self.scope.message}, proved by {self.kind.value}:"),
                latex_text(self.kind.message)]
        polynomial = facts.get("polynomial")
        if isinstance(polynomial, (sp.Poly, sp.Expr)):
            poly = polynomial if isinstance(polynomial, sp.Poly) else sp.Poly(polynomial)
            x = latex(poly.gen)
            rows.append(rf"P({x}) = {latex(poly.as_expr())}")
            if isinstance(facts.get("count"), int):
                lower = facts.get("lower")
                where = rf"{x} \in \mathbb{{R}}" if lower is None else rf"{x} > {latex(lower)}"
                rows.append(rf"\#\{{{where} : P({x}) = 0\}} = {facts['count']}")
        if isinstance(facts.get("A"), sp.MatrixBase) and isinstance(facts.get("rhs"), sp.MatrixBase):
            rows.append(rf"A c = b,\quad A = {latex(facts['A'])},\quad b = {latex(facts['rhs'])},\quad \det A = "
                        rf"{latex(facts['A'].det())}")
        counts = [f"{name} = {value}" for name, value in facts.items()
                  if isinstance(value, int) and not isinstance(value, bool) and name not in ("count", "lower")]
        if counts:
            rows.append(latex_text(", ".join(counts)))
        if self.checked_by:
            rows.append(latex_text(f"checked: {self.checked_by}"))
        return latex_display(*rows)


@dataclass
class Stats:
    """Numbers about the run: seconds per stage, candidate and witness counts, sub-boxes examined."""

    seconds: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    def to_dict(self):
        return {"seconds": {k: round(v, 4) for k, v in self.seconds.items()}, "counts": dict(self.counts)}
