"""LaTeX pieces shared by the rich displays and the derivations."""
from __future__ import annotations

import sympy as sp

from ..model.symbols import h


def neuron_latex(neuron) -> str:
    """y = f(w.x [+ b]) with f written out, and the total loss."""
    f = sp.latex(neuron.activation.expr.subs(h, sp.Symbol("h")))
    data = "one symbolic datapoint" if neuron.data.symbolic and neuron.data.n == 1 else f"n = {neuron.data.n}"
    return (rf"y = f(\mathbf{{w}}\cdot\mathbf{{x}}{' + b' if neuron.bias else ''}),\quad f(h) = {f},\quad "
            rf"\ell = \text{{{neuron.criterion.name}}},\ \text{{{data}}}")
