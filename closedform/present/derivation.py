"""Step-by-step derivations that cannot lie: every step is an equation plus one sentence, and every equation is
checked (SymPy simplification to 0, else agreement to 40 digits at random points) before it is written.

``derive(neuron, result)`` gives the model, the loss, the chain rule dE/dy * dy/dh * dh/dw, the activation
identity that simplifies it, the per-sample factor g(t, h), the stationarity condition, and then what the
solver found: the reduction, the u-polynomial, the solution set or the obstruction, the kinds and the zeros at
infinity."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from ..kinds import Scope
from ..model.compare import compare
from ..model.symbols import h, t, y

CHECK_DIGITS = 40
s_ = sp.Symbol("s")  # stands for f(h) in the activation identities


class DerivationError(AssertionError):
    """A step failed its check: the derivation refuses to state it."""


@dataclass(frozen=True)
class Step:
    """``lhs = rhs`` (SymPy objects), with a sentence; ``rhs`` may be a string of LaTeX for a statement."""

    sentence: str
    lhs: object
    rhs: object
    relation: str = "="


@dataclass
class Derivation:
    title: str
    steps: list = field(default_factory=list)

    def equation(self, sentence, lhs, rhs, check=None):
        """Add ``lhs = rhs`` after checking it; ``check`` is the pair of explicit expressions that must agree
        when lhs and rhs are written with placeholders such as f(h)."""
        first, second = check if check is not None else (lhs, rhs)
        assert_equal(first, second, sentence)
        self.steps.append(Step(sentence, lhs, rhs))

    def statement(self, sentence, lhs, rhs, relation="="):
        """A definition or a solver result that was verified where it was computed."""
        self.steps.append(Step(sentence, lhs, rhs, relation))

    def to_latex(self) -> str:
        """The body of an ``align*`` environment."""
        lines = []
        for step in self.steps:
            lines.append(rf"\intertext{{{_escape(step.sentence)}}}")
            lines.append(rf"{_tex(step.lhs)} &{_relation(step.relation)} {_tex(step.rhs)} \\")
        return "\n".join(lines)

    def to_document(self) -> str:
        return "\n".join([
            r"\documentclass[11pt]{article}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\usepackage{amsmath,amssymb}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
            rf"\section*{{{_escape(self.title)}}}",
            r"\begin{align*}",
            self.to_latex(),
            r"\end{align*}",
            r"\end{document}",
            "",
        ])

    def to_markdown(self) -> str:
        out = [f"### {self.title}", ""]
        for step in self.steps:
            out += [step.sentence, "", f"$$ {_tex(step.lhs)} {_relation(step.relation)} {_tex(step.rhs)} $$", ""]
        return "\n".join(out)

    def _repr_latex_(self):
        return r"\begin{align*}" + self.to_latex() + r"\end{align*}"

    def __repr__(self):
        return f"Derivation({self.title!r}, {len(self.steps)} checked steps)"


def _relation(relation):
    return {"=": "=", "iff": r"\iff", "->": r"\to", ":": ":"}.get(relation, relation)


def _tex(value):
    return value if isinstance(value, str) else sp.latex(value)


def _escape(text):
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"), ("#", r"\#"),
                 ("^", r"\^{}"), ("$", r"\$")):
        text = text.replace(a, b)
    return text


def assert_equal(a, b, what):
    """Raise :class:`DerivationError` unless a == b symbolically or to 40 digits at random points
    (:func:`closedform.model.compare.compare`)."""
    verdict = compare(a, b, digits=CHECK_DIGITS, trials=6, seed=5)
    if not verdict.equal:
        i = verdict.component
        with mpmath.workdps(CHECK_DIGITS):
            difference = sp.N(verdict.first[i] - verdict.second[i], CHECK_DIGITS)
        raise DerivationError(f"step {what!r} does not check: difference {difference} at {verdict.point}")


def derive(neuron, result=None) -> Derivation:
    """The derivation for ``neuron``; with a :class:`StationarySet`, also what the solver found."""
    act, loss = neuron.activation, neuron.criterion
    d = Derivation(f"Stationary points: {neuron.describe()}")
    f = sp.Function("f")
    wx = neuron.pre_activation(neuron.data.x[0]) if neuron.data.symbolic and neuron.data.n == 1 else None
    d.statement("The model: one neuron with pre-activation h and activation f.", sp.Symbol("y"),
                f(sp.Symbol("h")))
    d.statement("The activation.", f(h), act.expr)
    if wx is not None:
        d.statement("The pre-activation of the datapoint.", h, wx)
    per = loss.per_sample(act)
    if loss.of_output is not None:
        d.statement(f"The per-sample {loss.name} loss as a function of the output y.", sp.Symbol(r"\ell"),
                    loss.of_output)
        dldy = sp.diff(loss.of_output, y)
        chain = sp.Mul(dldy.subs(y, f(h)), sp.Derivative(f(h), h), evaluate=False)
        d.equation("The chain rule: the loss reaches w only through y = f(h) and h.",
                   sp.Derivative(sp.Symbol(r"\ell"), h), chain,
                   check=(sp.diff(per, h), dldy.subs(y, act.expr) * act.derivative))
        identity = _activation_identity(act)
        if identity is not None:
            d.equation(f"The {act.name} identity that simplifies the derivative.", sp.Derivative(f(h), h),
                       identity.subs(s_, f(h)), check=(act.derivative, identity.subs(s_, act.expr)))
            g_in_f = sp.factor(sp.cancel(dldy.subs(y, s_) * identity))
            d.equation("So the per-sample factor g(t, h) = dl/dh is" +
                       (" (the 1/(y(1-y)) of the cross-entropy cancels against the sigmoid's derivative: no"
                        " division by zero)" if loss.name == "bce" and act.name == "sigmoid" else ""),
                       sp.Symbol("g"), g_in_f.subs(s_, f(h)), check=(sp.diff(per, h), g_in_f.subs(s_, act.expr)))
        else:
            d.equation("So the per-sample factor g(t, h) = dl/dh is", sp.Symbol("g"), neuron.fns.g,
                       check=(sp.diff(per, h), neuron.fns.g))
    else:
        d.statement("The matching loss of f (Auer, Herbster and Warmuth).", sp.Symbol(r"\ell"), per)
        d.equation("Its derivative is simply f(h) - t.", sp.Symbol("g"), f(h) - t,
                   check=(sp.diff(per, h), act.expr - t))
    g = neuron.fns.g
    grad_label = sp.Symbol(r"\nabla_{w} E")
    if wx is not None:
        x_vec = sp.Matrix(neuron.extended(neuron.data.x[0]))
        d.equation("The gradient: g times dh/dw = x (the chain rule's last factor).", grad_label,
                   g.subs(h, wx) * x_vec, check=(neuron.gradient, g.subs(h, wx) * x_vec))
    else:
        d.statement("The gradient sums g over the data (plus the L2 term).", grad_label,
                    r"\sum_{i=1}^{n} g(t_i, h_i)\,\tilde{x}_i" + (r" + \lambda w" if neuron.l2 else ""))
    d.statement("A stationary point needs the gradient to vanish. Every registered loss has dl/dy = 0 exactly at "
                "y = t, so each term vanishes only where (with one datapoint this is the whole condition; with "
                "several, the terms must cancel instead)", sp.Eq(sp.Symbol("g"), 0),
                r"f(h) = t \;\text{ or }\; f'(h) = 0", relation="iff")
    if result is not None:
        _add_result(d, neuron, result)
    return d


def _activation_identity(act) -> Optional[sp.Expr]:
    """f' as a polynomial in s = f(h) where such an identity is classical (sigmoid: s(1 - s), tanh: 1 - s^2,
    exp: s)."""
    return {"sigmoid": s_ * (1 - s_), "tanh": 1 - s_**2, "exp": s_}.get(act.name)


def _add_result(d: Derivation, neuron, result):
    for form in result.closed_form:
        condition = "" if form.conditions == sp.true else r"\text{if } " + sp.latex(form.conditions)
        d.statement("A solution set (verified by substitution):", form.expr, condition, relation=":")
    if result.reduction is not None:
        d.statement("With u = exp(-k h / q) the gradient becomes a polynomial equation with integer "
                    "coefficients; the stationary points are w = -(q/k) log u over its positive roots.",
                    sp.Symbol("P(u)"), result.reduction.polynomial.as_expr())
    if result.obstruction is not None:
        d.statement("No closed form in radicals: " + result.obstruction_sentence() + ".", sp.Symbol("G"),
                    rf"\text{{{result.obstruction.group}}}")
    for point in result.points:
        value = point.exact if point.exact is not None else sp.Tuple(*[sp.Float(str(v), 20) for v in point.w])
        d.statement(f"A stationary point, a {point.kind.value} by the signs of the Hessian's eigenvalues "
                    f"(gradient residual {float(point.residual):.1e}).", sp.Symbol("w^{*}"), value)
    for region in result.regions:
        d.statement(f"A {region.kind.value} stationary set: {region.description}.", sp.Symbol("W"), region.expr, ":")
    for asymptote in result.asymptotic:
        d.statement(f"A zero at infinity: the gradient tends to 0 as {asymptote.description}, and the loss to",
                    sp.Symbol("E"), asymptote.limit_loss, "->")
    _add_completeness(d, result)


def _add_completeness(d: Derivation, result):
    """The last step: what the list claims and on which evidence (or that it claims nothing more)."""
    symbol = sp.Symbol("S")  # the set of stationary points
    empty = not result.points and not result.closed_form and not result.regions
    if not result.complete:
        where = "" if result.box is None else " (searched in the box " + " x ".join(
            f"[{float(lo):g}, {float(hi):g}]" for lo, hi in result.box) + ")"
        d.statement(f"The list above is not proved complete{where}: other stationary points may exist.", symbol,
                    r"\text{not proved complete}")
        return
    certificate = result.certificate
    if certificate.scope is Scope.GLOBAL:
        d.statement(("There is no finite stationary point" if empty else "Nothing else is stationary anywhere")
                    + f" (proved: {result.certificate_sentence()}; checked independently: {certificate.checked_by}).",
                    symbol, sp.S.EmptySet if empty else r"\text{complete on } \mathbb{R}^{" + str(len(result.problem.weights)) + "}")
    else:
        d.statement(("There is no stationary point in the search box" if empty else "Nothing else is stationary in the search box")
                    + f", proved there only ({result.certificate_sentence()}); nothing is claimed outside it.", symbol,
                    sp.S.EmptySet if empty else r"\text{complete in the box only}")
