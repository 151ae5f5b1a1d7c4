"""The answer: a :class:`StationarySet` built from the pipeline's final state, with ``to_dict``/``to_json``/
``summary`` and rich display. Numbers are exact SymPy numbers or mpmath values; the JSON writes them as decimal
strings at full precision. The parts (points, regions, certificate, ...) are the pipeline's own types."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from .kinds import CertificateKind, Kind, Scope, Status
from .printing import text
from .solve.parts import (Asymptote, Certificate, ClosedForm, Obstruction, Reduction, Region, StationaryPoint, Stats,
                          decimal)
from .solve.pipeline import solve

__all__ = ["Asymptote", "Certificate", "ClosedForm", "Infimum", "Obstruction", "Reduction", "Region",
           "StationaryPoint", "StationarySet", "Stats", "stationary_points"]


@dataclass(frozen=True)
class Infimum:
    """The least loss among the finite minima, the stationary continua and the limits at infinity that were
    found; ``attained`` when a finite point reaches it. ``proved`` only when the list of points is complete on the
    whole space and every zero at infinity was found (r <= 3: the open cells decided and the faces' restricted
    problems solved completely): a divergent sequence's loss tends to a cell's limit or, near a face, to the
    saturated rows' limits plus the restricted loss, so nothing lower hides at infinity."""

    value: object
    attained: bool
    where: str
    proved: bool

    def to_dict(self, digits):
        return {"value": decimal(self.value, digits), "attained": self.attained, "where": self.where,
                "proved": self.proved}


def stationary_points(neuron, timeout=10, precision=30, box=None, progress=None) -> "StationarySet":
    """Run the solver pipeline on ``neuron`` and wrap its state as a :class:`StationarySet`."""
    return StationarySet.from_state(solve(neuron, timeout=timeout, precision=precision, box=box, progress=progress))


@dataclass
class StationarySet:
    """Everything known about the stationary points of one problem. ``points`` are isolated points only (a
    continuum's representative sits inside its region); ``complete`` only when ``certificate`` was accepted by
    an independent check and nothing contradicts it; ``box`` is where completeness holds (None: everywhere) or,
    without it, where the search looked."""

    problem: object
    points: list = field(default_factory=list)
    closed_form: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    asymptotic: list = field(default_factory=list)
    obstruction: Optional[Obstruction] = None
    complete: bool = False
    box: Optional[list] = None
    status: Status = Status.PARTIAL
    certificate: Optional[Certificate] = None
    reduction: Optional[Reduction] = None
    stats: Stats = field(default_factory=Stats)
    notes: list = field(default_factory=list)
    precision: int = 30
    infinity_complete: bool = False  # every zero at infinity was found (see :attr:`Infimum.proved`)

    @classmethod
    def from_state(cls, state) -> "StationarySet":
        global_proof = state.complete and state.certificate.scope is Scope.GLOBAL
        return cls(state.neuron, list(state.points), list(state.closed_form), list(state.regions),
                   list(state.asymptotic), state.obstruction, state.complete,
                   None if global_proof else state.box, state.status,
                   state.certificate if state.complete else None, state.reduction, state.stats, list(state.notes),
                   state.precision, state.infinity_complete)

    @property
    def infimum(self) -> Optional[Infimum]:
        """The least loss among what was found (see :class:`Infimum`); None when nothing was found."""
        finite = [(p.loss, f"a minimum at w = ({', '.join(decimal(v, 10) for v in p.w)})")
                  for p in self.points if p.kind is Kind.MIN]
        finite += [(self._region_loss(r), f"the {r.kind.value} set {r.description}") for r in self.regions
                   if r.representative is not None and r.along_span in (None, Kind.MIN)]
        limits = [(a.limit_loss, f"a limit at infinity: {a.description}") for a in self.asymptotic
                  if a.limit_loss.is_finite]
        options = [(value, where, True) for value, where in finite if value is not None] + \
                  [(value, where, False) for value, where in limits]
        if not options:
            return None
        value, where, attained = min(options, key=lambda o: (float(o[0]), not o[2]))
        return Infimum(value, attained, where, self.complete and self.box is None and self.infinity_complete)

    def _region_loss(self, region):
        return self.problem.loss_at(region.representative, self.precision + 5)

    def to_dict(self) -> dict:
        p = self.problem
        digits = self.precision
        infimum = None if p.data.symbolic else self.infimum
        return {
            "problem": {"activation": p.activation.name, "loss": p.criterion.name, "dim": p.dim, "bias": p.bias,
                        "l2": sp.sstr(p.l2), "n": p.data.n} | ({} if p.population is None else
                                                                {"teacher": p.data.to_dict()}),
            "points": [pt.to_dict(digits) for pt in self.points],
            "closed_form": [c.to_dict() for c in self.closed_form],
            "regions": [r.to_dict(digits) for r in self.regions],
            "asymptotic": [a.to_dict(digits) for a in self.asymptotic],
            "obstruction": None if self.obstruction is None else self.obstruction.to_dict(),
            "complete": self.complete,
            "box": None if self.box is None else [[decimal(lo, digits), decimal(hi, digits)] for lo, hi in self.box],
            "status": self.status.value,
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "reduction": None if self.reduction is None else self.reduction.to_dict(),
            "infimum": None if infimum is None else infimum.to_dict(digits),
            "stats": self.stats.to_dict(),
            "notes": list(self.notes),
        }

    def to_json(self, indent=2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def _where(self) -> str:
        return " x ".join(f"[{mpmath.nstr(mpmath.mpf(lo), 6)}, {mpmath.nstr(mpmath.mpf(hi), 6)}]" for lo, hi in self.box)

    def _completeness_line(self) -> str:
        if self.status is Status.INCONSISTENT:
            return f"  status: inconsistent: {self.status.message}"
        if self.complete and self.certificate.scope is Scope.GLOBAL:
            return (f"  complete on the whole space (proved: {self.certificate.kind.value}; "
                    f"checked: {self.certificate.checked_by})   status: {self.status.value}")
        if self.complete:
            return (f"  complete in the box {self._where()} only (proved: {self.certificate.kind.value}); nothing is "
                    f"claimed outside it   status: {self.status.value}")
        where = f" in the box {self._where()}" if self.box is not None else ""
        return f"  not proved complete: other stationary points may exist{where}   status: {self.status.value}"

    def obstruction_sentence(self, factor: Optional[str] = None) -> Optional[str]:
        """Why no radical closed form exists, in words and plain-text formulas (None without an obstruction):
        the factor (written out, or called ``factor``) and its Galois group, the proof of non-solvability, and
        what it means for the point."""
        o = self.obstruction
        if o is None:
            return None
        proof = f" ({o.proof})" if o.proof else ""
        sentence = (f"the irreducible factor {factor or text(o.polynomial)} of degree {sp.Poly(o.polynomial).degree()} has "
                    f"Galois group {o.group}, which is not solvable{proof}")
        if self.reduction is None:
            return sentence + "; so the stationary point cannot be written in radicals"
        c = self.coordinate()
        c_star, u_star = sp.Symbol(f"{c}*"), sp.Symbol("u*")
        q, k = self.reduction.q, sp.Integer(self.reduction.k)
        where = "" if c in self.problem.weights else " (c the coordinate along the data)"
        return (sentence + f"; so u* = {text(sp.exp(-k * c_star / q))} at a stationary point {text(c_star)}{where} "
                f"cannot be written in radicals, and {text(c_star)} = {text(-(q / k) * sp.log(u_star))} is not the "
                f"logarithm of a radical expression")

    def certificate_sentence(self) -> Optional[str]:
        """What the certificate proved, with its formulas in plain text (None when nothing is proved)."""
        cert = self.certificate
        if cert is None:
            return None
        facts = cert.facts
        if cert.kind is CertificateKind.EXACT_ROOTS and self.reduction is not None and "count" in facts:
            c = self.coordinate()
            u = sp.Symbol("u")
            q, k = self.reduction.q, sp.Integer(self.reduction.k)
            return (f"with u = {text(sp.exp(-k * c / q))} the gradient vanishes iff P(u) = 0 and u > 0, where P(u) = "
                    f"{text(self.reduction.polynomial)}; P has {facts['count']} positive real root(s), each a "
                    f"stationary point {text(c)} = {text(-(q / k) * sp.log(u))}")
        if cert.kind is CertificateKind.EXACT_ROOTS and facts.get("lower", 0) is None and "polynomial" in facts:
            return (f"the gradient is the polynomial {text(facts['polynomial'])} (times a positive constant); each of "
                    f"its {facts['count']} real roots is a stationary point")
        if cert.kind is CertificateKind.LINEAR_SYSTEM and {"A", "rhs"} <= set(facts):
            A, b = facts["A"], facts["rhs"]
            return (f"the stationarity condition is the linear system A c = b with A = {text(A)}, b = {text(b)}; A "
                    f"is non-singular, so c = {text(A.LUsolve(b))} is the only stationary point")
        return cert.details

    def coordinate(self):
        """The one reduced coordinate of a reduction u = exp(-k c/q): the weight itself when there is one."""
        weights = self.problem.weights
        return weights[0] if len(weights) == 1 else sp.Symbol("c")

    def summary(self) -> str:
        lines = [f"Stationary points of the {self.problem.describe()}"]
        if not self.points and not self.regions and not self.closed_form:
            if self.complete and self.certificate.scope is Scope.GLOBAL:
                lines.append("  no finite stationary point (proved)")
            elif self.complete:
                lines.append(f"  no stationary point in the box {self._where()} (none elsewhere is excluded)")
            else:
                where = f" in the box {self._where()}" if self.box is not None else ""
                lines.append(f"  no finite stationary point found{where} (not a proof)")
        for c in self.closed_form:
            cond = "" if c.conditions == sp.true else f"   if {text(c.conditions)}"
            lines.append(f"  closed form: {text(c.expr, unknowns=self.problem.weights)}{cond}")
        for pt in self.points:
            w = ", ".join(decimal(v, 20) for v in pt.w)
            exact = (f"   exact: {text(pt.exact)}" if pt.exact is not None else "" if pt.certified else
                     "   (numeric, not certified)")
            lines.append(f"  {pt.kind.value:<10} w = ({w})   loss = {decimal(pt.loss, 15)}{exact}")
        for r in self.regions:
            lines.append(f"  {r.kind.value} region: {r.description}")
        for a in self.asymptotic:
            lines.append(f"  at infinity: {a.description}; loss -> {text(a.limit_loss)}")
        if self.obstruction is not None:
            lines.append(f"  no radical closed form: {self.obstruction_sentence()}")
        lines.append(self._completeness_line())
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{', '.join(decimal(v, 12) for v in p.w)}</td><td>{p.kind.value}</td><td>{decimal(p.loss, 12)}</td>"
            f"<td>{p.certified}</td></tr>" for p in self.points)
        extra = "".join(f"<li>{html.escape(a.description)}: loss &rarr; {html.escape(text(a.limit_loss))}</li>"
                        for a in self.asymptotic)
        return (f"<p><b>{self.problem.describe()}</b> &mdash; complete: {self.complete}, status: {self.status.value}</p>"
                f"<table><tr><th>w</th><th>kind</th><th>loss</th><th>certified</th></tr>{rows}</table>"
                + (f"<p>Zeros at infinity:</p><ul>{extra}</ul>" if extra else ""))

    def __repr__(self):
        return (f"StationarySet({len(self.points)} point(s), {len(self.regions)} region(s), "
                f"{len(self.asymptotic)} zero(s) at infinity, complete={self.complete}, status={self.status.value!r})")

    def __str__(self):
        return self.summary()
