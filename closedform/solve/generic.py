"""The generic symbolic attempt: ``solveset`` on the 1-D reduced gradient. A FiniteSet is only candidates (the
pipeline verifies each) and never taken as complete; EmptySet is not believed (SymPy issue 23510: solveset returns EmptySet for
the two-point sigmoid example); any other set means "not solved"."""
from __future__ import annotations

import sympy as sp

from .strategy import Finding, Strategy

MAX_POINTS = 12


class Generic(Strategy):
    name = "solveset"

    def applies(self, reduced) -> bool:
        return reduced.r == 1 and len(reduced.z) <= MAX_POINTS

    def solve(self, reduced, digits: int = 60) -> Finding:
        (c,) = reduced.variables
        found = sp.solveset(sp.simplify(reduced.gradient_expr()[0]), c, sp.Reals)
        if found is sp.S.EmptySet:
            return Finding(notes=["solveset returned EmptySet; not believed without a proof"])
        if not isinstance(found, sp.FiniteSet):
            return Finding(notes=[f"solveset did not solve it ({type(found).__name__})"])
        return Finding(points=[(v,) for v in found if v.is_real])
