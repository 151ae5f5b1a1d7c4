"""No stationary point anywhere, by signs alone (Gordan's alternative on the whole space). When every term's
g_i(h) = g(t_i, h) keeps one strict sign s_i for all real h and a direction v has s_i z_i.v > 0 for every row, then
with no L2 term v.grad E(w) = sum_i |g_i(z_i.w)| s_i z_i.v > 0 at every w: the gradient never vanishes. Logistic
regression on separable labels (t_i in {0, 1}) is the example: the infimum lies at infinity along v. This module
only proposes v (signs from floats, one linear program); :func:`.checks.check_signs` proves both facts exactly."""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..kinds import CertificateKind, Scope
from .parts import Certificate
from .separation import load_linprog, separating_direction
from .strategy import Finding, Strategy


class SignSeparation(Strategy):
    name = "sign separation"

    def applies(self, reduced) -> bool:
        neuron = reduced.neuron
        if (neuron.data.symbolic or neuron.l2 != 0 or not reduced.is_full or not neuron.convex_matching
                or not _signs(reduced).all()):
            return False
        load_linprog()  # here, before the fork: the worker inherits it
        return True

    def solve(self, reduced, digits: int) -> Finding:
        rows = [(int(s), z) for s, z in zip(_signs(reduced), reduced.model.Z.tolist())]
        v = separating_direction(rows)
        if v is None:
            return Finding()
        return Finding(certificate=Certificate(
            CertificateKind.SIGNS, Scope.GLOBAL,
            f"v = ({', '.join(str(x) for x in v)}) has s_i z_i.v > 0 for all {len(rows)} rows, where s_i is the "
            f"strict sign of g(t_i, h) = f(h) - t_i on all of R: v.grad E > 0 everywhere",
            facts={"direction": v}))


def _signs(reduced) -> np.ndarray:
    """s_i = +1 where t_i <= inf f, -1 where t_i >= sup f (g = f(h) - t, f increasing), 0 where t_i lies inside
    f's declared range (float targets: a proposal; the checker decides from f's limits, exactly)."""
    span = reduced.neuron.activation.range
    if not isinstance(span, sp.Interval):
        return np.zeros(len(reduced.model.T), int)
    low, high = float(span.inf), float(span.sup)
    T = reduced.model.T
    return np.where(T <= low, 1, np.where(T >= high, -1, 0))
