"""One datapoint: g(t, h) = dl/dy(t, f(h)) f'(h), and every registered loss has dl/dy = 0 exactly at y = t, so
g = 0 iff f(h) = t or f'(h) = 0. The stationary set is the union of hyperplanes w.x~ = h* over those roots."""
from __future__ import annotations

import sympy as sp

from ..kinds import CertificateKind, RegionKind, Scope
from ..model.symbols import h
from .parts import Certificate, ClosedForm, Region
from .strategy import Finding, Strategy


def output_roots(activation, target):
    """(roots h of f(h) = target, condition, proved complete)."""
    if activation.inverse is not None and activation.range is not None:
        return [activation.inverse(target)], activation.range.as_relational(target), True
    if activation.polynomial and target.is_number:
        roots = sp.Poly(activation.expr - target, h).real_roots()
        return roots, sp.true, True
    found = sp.solveset(activation.expr - target, h, sp.Reals)
    return (list(found), sp.true, False) if isinstance(found, sp.FiniteSet) else ([], sp.true, False)


def critical_points(activation):
    """(h with f'(h) = 0, region of h where f' = 0 or None, proved complete)."""
    if activation.increasing:
        return [], None, True
    if activation.piecewise_linear is not None:
        return [], (h <= 0) if activation.piecewise_linear[0] == 0 else None, True
    if activation.polynomial:
        return sp.Poly(activation.derivative, h).real_roots(), None, True
    found = sp.solveset(activation.derivative, h, sp.Reals)
    return (list(found), None, False) if isinstance(found, sp.FiniteSet) else ([], None, False)


class OnePoint(Strategy):
    """Invert the activation: the closed form for one datapoint, symbolic or concrete, any dimension."""

    name = "one datapoint"

    def applies(self, reduced) -> bool:
        active = [z for z in reduced.z if any(z)]
        return reduced.neuron.l2 == 0 and (reduced.neuron.data.symbolic or (len(active) == 1 and reduced.r == 1))

    def solve(self, reduced, digits: int = 60) -> Finding:
        neuron = reduced.neuron
        if neuron.data.symbolic:
            return self._symbolic(neuron)
        (index, z), = [(i, z) for i, z in enumerate(reduced.z) if any(z)]
        target = neuron.data.t[index]
        roots, condition, complete_roots = output_roots(neuron.activation, target)
        criticals, flat, complete_crit = critical_points(neuron.activation)
        finding = Finding()
        reason = "one datapoint: g(t, h) = 0 iff f(h) = t or f'(h) = 0, both solved exactly"
        if condition != sp.true and condition == sp.false:
            roots = []
            reason = (f"t = {target} is outside the range {neuron.activation.range} of "
                      f"{neuron.activation.name}, so f(h) = t has no solution")
        hs = {sp.simplify(r) for r in roots + criticals}
        finding.points = [(hv / z[0],) for hv in sorted(hs, key=lambda e: float(sp.N(e)))]
        if flat is not None:
            finding.regions.append(Region(RegionKind.FLAT, f"every w with {sp.sstr(z[0] * reduced.variables[0])} <= 0 "
                                                           f"(f' = 0 there: {neuron.activation.convention})",
                                          z[0] * reduced.variables[0] <= 0, representative=(sp.Integer(-1) / z[0],)))
        if not hs and neuron.activation.increasing:
            reason += "; f' > 0 everywhere, so no finite stationary point exists"
        if complete_roots and complete_crit:
            finding.certificate = Certificate(CertificateKind.ONE_POINT, Scope.GLOBAL, reason,
                                              facts={"target": target, "roots": roots, "criticals": criticals,
                                                     "row": z[0]})
        return finding

    def _symbolic(self, neuron) -> Finding:
        (x,), (target,) = neuron.data.x[:1], neuron.data.t[:1]
        if neuron.data.n != 1:
            return Finding(notes=["symbolic data with n > 1 points is not solved in closed form"])
        roots, condition, complete_roots = output_roots(neuron.activation, target)
        criticals, flat, complete_crit = critical_points(neuron.activation)
        h_of_w = neuron.pre_activation(x)
        nonzero = sp.Or(*[sp.Ne(v, 0) for v in neuron.extended(x)])
        finding = Finding()
        if complete_roots and complete_crit and neuron.data.n == 1:
            finding.certificate = Certificate(
                CertificateKind.ONE_POINT, Scope.GLOBAL,
                "one datapoint: g(t, h) = 0 iff f(h) = t or f'(h) = 0, both solved exactly",
                facts={"target": target, "roots": roots, "criticals": criticals, "row": None})
        for root in roots:
            finding.closed_form.append(ClosedForm(sp.Eq(h_of_w, sp.simplify(root)), sp.And(condition, nonzero),
                                                  "the stationary hyperplane w.x = f^-1(t)"))
        for root in criticals:
            finding.closed_form.append(ClosedForm(sp.Eq(h_of_w, root), nonzero, "a critical point of f"))
        if flat is not None:
            finding.regions.append(Region(RegionKind.FLAT, f"{sp.sstr(h_of_w)} <= 0: f' = 0 there "
                                                  f"({neuron.activation.convention})", h_of_w <= 0))
        if not nonzero == sp.true:
            zero = sp.And(*[sp.Eq(v, 0) for v in x])
            finding.closed_form.append(ClosedForm(sp.ProductSet(*[sp.Reals] * neuron.p), zero,
                                                  "x = 0: the loss does not depend on w"))
        return finding
