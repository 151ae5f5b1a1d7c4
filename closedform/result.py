"""The answer: a :class:`StationarySet` and its parts, with ``to_dict``/``to_json``/``summary`` and rich display.
Numbers are exact SymPy numbers or mpmath values; the JSON writes them as decimal strings at full precision."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from .model.numbers import to_mpf

KINDS = ("min", "max", "saddle", "degenerate")


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
    """An isolated stationary point (or, for rank-deficient data, the minimum-norm point of a stationary
    affine set, classified along the data span). ``residual`` is |grad E| at working precision; ``certified``
    means ``enclosure`` (one interval per coordinate) is proved to hold exactly one zero of the gradient."""

    w: tuple
    kind: str
    loss: object
    residual: object
    certified: bool = False
    exact: Optional[sp.Expr] = None
    enclosure: Optional[tuple] = None

    def to_dict(self, digits):
        return {"w": [decimal(v, digits) for v in self.w], "kind": self.kind, "loss": decimal(self.loss, digits),
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
    """A continuous stationary set: "affine" (rank-deficient data) or "flat" (ReLU dead cone)."""

    kind: str
    description: str
    expr: sp.Basic = sp.true

    def to_dict(self):
        return {"kind": self.kind, "description": self.description, "latex": sp.latex(self.expr)}


@dataclass(frozen=True)
class Asymptote:
    """A zero at infinity: along w0 + s v, s -> oo, the gradient tends to 0 and the loss to ``limit_loss``."""

    direction: tuple
    limit_loss: sp.Expr
    description: str

    def to_dict(self, digits):
        return {"direction": [decimal(v, digits) for v in self.direction],
                "limit_loss": decimal(self.limit_loss, digits), "description": self.description}


@dataclass(frozen=True)
class Obstruction:
    """A proof that no radical closed form exists (a non-solvable Galois group), with what re-checks it."""

    kind: str
    polynomial: sp.Expr
    group: str
    solvable: bool
    explanation: str

    def to_dict(self):
        return {"kind": self.kind, "polynomial": sp.sstr(self.polynomial), "group": self.group,
                "solvable": self.solvable, "explanation": self.explanation}


@dataclass
class StationarySet:
    """Everything known about the stationary points of one problem; ``complete`` only when proved."""

    problem: object
    points: list = field(default_factory=list)
    closed_form: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    asymptotic: list = field(default_factory=list)
    obstruction: Optional[Obstruction] = None
    complete: bool = False
    box: Optional[list] = None
    status: str = "ok"
    notes: list = field(default_factory=list)
    precision: int = 30

    def to_dict(self) -> dict:
        p = self.problem
        digits = self.precision
        return {
            "problem": {"activation": p.activation.name, "loss": p.criterion.name, "dim": p.dim, "bias": p.bias,
                        "l2": sp.sstr(p.l2), "n": p.data.n},
            "points": [pt.to_dict(digits) for pt in self.points],
            "closed_form": [c.to_dict() for c in self.closed_form],
            "regions": [r.to_dict() for r in self.regions],
            "asymptotic": [a.to_dict(digits) for a in self.asymptotic],
            "obstruction": None if self.obstruction is None else self.obstruction.to_dict(),
            "complete": self.complete,
            "box": None if self.box is None else [[decimal(lo, digits), decimal(hi, digits)] for lo, hi in self.box],
            "status": self.status,
            "notes": list(self.notes),
        }

    def to_json(self, indent=2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def summary(self) -> str:
        lines = [f"Stationary points of the {self.problem.describe()}"]
        if not self.points and not self.regions and not self.closed_form:
            lines.append("  no finite stationary point" + (" (proved)" if self.complete else " found"))
        for c in self.closed_form:
            cond = "" if c.conditions == sp.true else f"   if {sp.sstr(c.conditions)}"
            lines.append(f"  closed form: {sp.sstr(c.expr)}{cond}")
        for pt in self.points:
            w = ", ".join(decimal(v, 20) for v in pt.w)
            exact = f"   exact: {sp.sstr(pt.exact)}" if pt.exact is not None else ""
            lines.append(f"  {pt.kind:<10} w = ({w})   loss = {decimal(pt.loss, 15)}{exact}")
        for r in self.regions:
            lines.append(f"  {r.kind} region: {r.description}")
        for a in self.asymptotic:
            lines.append(f"  at infinity: {a.description}; loss -> {sp.sstr(a.limit_loss)}")
        if self.obstruction is not None:
            lines.append(f"  no radical closed form: {self.obstruction.explanation}")
        where = "" if self.box is None else "   on the box " + " x ".join(
            f"[{mpmath.nstr(mpmath.mpf(lo), 6)}, {mpmath.nstr(mpmath.mpf(hi), 6)}]" for lo, hi in self.box)
        lines.append(f"  complete: {self.complete}{where if self.complete else ''}   status: {self.status}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def plot(self):
        """A matplotlib Figure (1 or 2 reduced variables)."""
        from .present.plotting import plot
        return plot(self)

    def derivation(self):
        """The checked step-by-step derivation of this result."""
        from .present.derivation import derive
        return derive(self.problem, self)

    def _repr_latex_(self):
        return self.derivation()._repr_latex_()

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{', '.join(decimal(v, 12) for v in p.w)}</td><td>{p.kind}</td><td>{decimal(p.loss, 12)}</td>"
            f"<td>{p.certified}</td></tr>" for p in self.points)
        extra = "".join(f"<li>{a.description}: loss &rarr; {sp.sstr(a.limit_loss)}</li>" for a in self.asymptotic)
        return (f"<p><b>{self.problem.describe()}</b> &mdash; complete: {self.complete}, status: {self.status}</p>"
                f"<table><tr><th>w</th><th>kind</th><th>loss</th><th>certified</th></tr>{rows}</table>"
                + (f"<p>Zeros at infinity:</p><ul>{extra}</ul>" if extra else ""))

    def __repr__(self):
        return (f"StationarySet({len(self.points)} point(s), {len(self.regions)} region(s), "
                f"{len(self.asymptotic)} zero(s) at infinity, complete={self.complete}, status={self.status!r})")

    def __str__(self):
        return self.summary()
