"""Layered networks and the backpropagation recursion, symbolic and checked.

h_i = W_i z_(i-1) (+ b_i), z_i = f(h_i), z_0 = x, J = sum_k l(y_k, h_L,k). The recursion
    delta_L = dJ/dh_L = g(y, h_L),   delta_i = (W_(i+1)^T delta_(i+1)) * f'(h_i),   dJ/dW_i = delta_i z_(i-1)^T
is built symbolically and compared with direct differentiation of J and with central finite differences at 40
digits. Each earlier layer's gradient is the later delta pulled back through W^T and f'; dJ/dW_(i+1) itself never
enters. For sigmoid + cross-entropy, g = z_L - y: the 1/(z(1 - z)) of the loss cancels, no division by zero.
Both the network and its check have a rich display (LaTeX) and a one-line repr."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import mpmath
import sympy as sp

from .errors import InputError
from .model.activations import Activation
from .model.compare import as_mpf, compare
from .model.evaluators import per_sample
from .model.losses import check_compatible, get_loss
from .model.neuron import activation_from_spec
from .model.symbols import h, t
from .printing import brief, latex, latex_display, latex_text, rounded, short_repr

CHECK_DIGITS = 40
MAX_WIDTH = 6
MAX_LAYERS = 6


@dataclass(frozen=True)
class BackpropCheck:
    """``equal`` when the recursion matches direct differentiation (and finite differences) for every weight;
    else ``first`` names the first weight where it does not, with the two values."""

    equal: bool
    checked: int
    first: Optional[sp.Symbol] = None
    recursion: Optional[object] = None
    direct: Optional[object] = None

    def __bool__(self):
        return self.equal

    def __repr__(self):
        if self.equal:
            return short_repr(self, "equal", f"{self.checked} parameters checked")
        return short_repr(self, f"not equal at {self.first}",
                          f"recursion {brief(self.recursion, 12)}, direct {brief(self.direct, 12)}")

    def _repr_latex_(self):
        if self.equal:
            return latex_display(r"\frac{\partial J}{\partial W_i} = \delta_i z_{i-1}^{T} \qquad "
                                 + latex_text(f"(the recursion equals direct differentiation for all {self.checked} "
                                              f"parameters, at {CHECK_DIGITS} digits)"))
        return latex_display(rf"\frac{{\partial J}}{{\partial {latex(self.first)}}}:\quad "
                             rf"{latex(rounded(self.recursion, 15))} \ne {latex(rounded(self.direct, 15))} \qquad "
                             + latex_text("(recursion, direct differentiation)"))


class Network:
    """A fully connected network; ``widths = [n_in, ..., n_out]``. The public :class:`closedform.Network`
    (:mod:`closedform.problem`) adds ``derivation``."""

    def __init__(self, widths, activation="sigmoid", loss="bce", bias=False):
        if (not isinstance(widths, (list, tuple)) or len(widths) < 2
                or any(isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= MAX_WIDTH for w in widths)):
            raise InputError(f"widths = {widths!r} must list 2 to {MAX_LAYERS + 1} layer sizes from 1 to {MAX_WIDTH}")
        if len(widths) > MAX_LAYERS + 1:
            raise InputError(f"widths = {widths!r} has more than {MAX_LAYERS} weight layers")
        self.widths = list(widths)
        self.activation: Activation = activation_from_spec(activation)
        self.criterion = get_loss(loss)
        check_compatible(self.criterion, self.activation)
        self.bias = bool(bias)
        L = self.layers
        self.W = [sp.Matrix(widths[i], widths[i - 1], lambda j, k, i=i: sp.Symbol(f"W{i}_{j + 1}{k + 1}", real=True))
                  for i in range(1, L + 1)]
        self.b = [sp.Matrix(widths[i], 1, lambda j, _, i=i: sp.Symbol(f"b{i}_{j + 1}", real=True)) if bias
                  else sp.zeros(widths[i], 1) for i in range(1, L + 1)]
        self.x = sp.Matrix(widths[0], 1, lambda j, _: sp.Symbol(f"x_{j + 1}", real=True))
        self.y = sp.Matrix(widths[-1], 1, lambda j, _: sp.Symbol(f"y_{j + 1}", real=True))

    @property
    def layers(self) -> int:
        return len(self.widths) - 1

    def _f(self, v):
        return v.applyfunc(lambda e: self.activation.expr.subs(h, e))

    def _f_prime(self, v):
        return v.applyfunc(lambda e: self.activation.derivative.subs(h, e))

    @cached_property
    def forward(self):
        """([h_1..h_L], [z_0..z_L]) as SymPy matrices."""
        hs, zs = [], [self.x]
        for W, b in zip(self.W, self.b):
            hs.append(W * zs[-1] + b)
            zs.append(self._f(hs[-1]))
        return hs, zs

    @cached_property
    def loss(self) -> sp.Expr:
        """J = sum_k l(y_k, h_L,k), the per-output loss of the chosen kind."""
        per = per_sample(self.activation, self.criterion).loss
        hs, _ = self.forward
        return sum((per.subs({t: yk, h: hk}) for yk, hk in zip(self.y, hs[-1])), sp.Integer(0))

    @cached_property
    def deltas(self) -> list:
        """[delta_1, ..., delta_L] by the recursion."""
        g = per_sample(self.activation, self.criterion).g
        hs, _ = self.forward
        delta = sp.Matrix([g.subs({t: yk, h: hk}) for yk, hk in zip(self.y, hs[-1])])
        out = [delta]
        for i in range(self.layers - 1, 0, -1):
            delta = (self.W[i].T * delta).multiply_elementwise(self._f_prime(hs[i - 1]))
            out.insert(0, delta)
        return out

    @cached_property
    def gradients(self) -> list:
        """[dJ/dW_1, ..., dJ/dW_L] = delta_i z_(i-1)^T."""
        _, zs = self.forward
        return [d * z.T for d, z in zip(self.deltas, zs[:-1])]

    @property
    def parameters(self) -> list:
        symbols = [s for W in self.W for s in W]
        return symbols + ([s for b in self.b for s in b] if self.bias else [])

    def check_backprop(self, points: int = 3, seed: int = 1) -> BackpropCheck:
        """Compare the recursion with dJ/dW by direct differentiation at random rational points (40 digits,
        :func:`closedform.model.compare.compare`) and with central finite differences of J at the first point."""
        symbols = self.parameters + list(self.x) + list(self.y)
        pairs = [(W[j, k], G[j, k]) for W, G in zip(self.W, self.gradients)
                 for j in range(W.rows) for k in range(W.cols)]
        pairs += [(b[j], d[j]) for b, d in zip(self.b, self.deltas) for j in range(b.rows)] if self.bias else []
        weights, recursion = [weight for weight, _ in pairs], [ours for _, ours in pairs]
        verdict = compare(recursion, [sp.diff(self.loss, weight) for weight in weights], digits=CHECK_DIGITS,
                          trials=points, seed=seed, symbolic=False, compiled=True, symbols=symbols)
        if not verdict.equal:
            i = verdict.component
            return BackpropCheck(False, len(pairs), weights[i], verdict.first[i], verdict.second[i])
        if verdict.point is None:  # points=0: nothing was compared
            return BackpropCheck(True, len(pairs))
        J = sp.lambdify(symbols, self.loss, "mpmath")
        values = as_mpf(verdict.point, symbols, CHECK_DIGITS)  # the first point compared, with the recursion there
        with mpmath.workdps(CHECK_DIGITS):  # central difference: error O(eps^2) = 1e-30, far below the 1e-20 asked
            eps = mpmath.mpf(10) ** -15
            for weight, ours in zip(weights, verdict.first):
                position = symbols.index(weight)
                up, down = list(values), list(values)
                up[position] += eps
                down[position] -= eps
                fd = (J(*up) - J(*down)) / (2 * eps)
                if abs(fd - ours) > mpmath.mpf(10) ** -20 * (1 + abs(fd)):
                    return BackpropCheck(False, len(pairs), weight, ours, fd)
        return BackpropCheck(True, len(pairs))

    def __repr__(self):
        return (f"Network(widths={self.widths}, activation={self.activation.name!r}, loss={self.criterion.name!r}, "
                f"bias={self.bias})")

    def _repr_latex_(self):
        """The forward pass, the loss and the backpropagation recursion, with f written out."""
        f = latex(self.activation.expr)
        plus_b = " + b_i" if self.bias else ""
        L = self.layers
        widths = r" \to ".join(str(w) for w in self.widths)
        return latex_display(
            rf"h_i = W_i z_{{i-1}}{plus_b},\quad z_i = f(h_i),\quad z_0 = x,\quad f(h) = {f},\quad "
            rf"\text{{widths }} {widths}",
            rf"J = \sum_k \ell(y_k, h_{{{L},k}}),\quad \ell = \text{{{self.criterion.name}}}",
            rf"\delta_{{{L}}} = \frac{{\partial J}}{{\partial h_{{{L}}}}},\quad "
            rf"\delta_i = \left(W_{{i+1}}^{{T}} \delta_{{i+1}}\right) \circ f'(h_i),\quad "
            rf"\frac{{\partial J}}{{\partial W_i}} = \delta_i z_{{i-1}}^{{T}}")
