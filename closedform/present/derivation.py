"""Step-by-step derivations that cannot lie: every step is an equation plus one sentence, and every equation is
checked (SymPy simplification to 0, else agreement to 40 digits at random points) before it is written.

``derive(neuron, result)`` gives the model, the loss, the chain rule dE/dy * dy/dh * dh/dw, the activation
identity that simplifies it, the per-sample factor g(t, h), the stationarity condition, and then what the
solver found: the reduction, the u-polynomial, the solution set or the obstruction, the kinds and the zeros at
infinity."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Scope
from ..model.compare import compare
from ..model.gaussian import SYMBOLIC_PAIR
from ..model.population import q, r
from ..model.gradcheck import as_gradient, check_gradient
from ..model.symbols import h, t, y
from ..printing import ordinal, text

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
        """The body of a document: each step a paragraph (its sentence) and a display (its formula)."""
        return "\n".join(rf"\par\noindent {_prose(step.sentence)}" "\n" rf"\[ {_display(step)} \]" for step in self.steps)

    def to_document(self) -> str:
        return "\n".join([
            r"\documentclass[11pt]{article}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\usepackage{amsmath,amssymb}",
            r"\allowdisplaybreaks",
            r"\setlength{\parskip}{4pt}",
            r"\begin{document}",
            rf"\section*{{{_prose(self.title)}}}",
            self.to_latex(),
            r"\end{document}",
            "",
        ])

    def to_markdown(self) -> str:
        """Markdown with $$-displays, the form Jupyter and MathJax render."""
        return f"### {_markdown(self.title)}\n\n" + self._mathjax(_markdown)

    def _mathjax(self, prose) -> str:
        return "\n".join(f"{prose(step.sentence)}\n\n$$ {_display(step)} $$\n" for step in self.steps)

    def _repr_markdown_(self):
        return self.to_markdown()

    def _repr_latex_(self):
        """Sentences as text between $$-displays: what Jupyter's LaTeX output hands to MathJax (no \\intertext,
        which MathJax does not implement)."""
        return self._mathjax(_plain)

    def __repr__(self):
        return f"Derivation({self.title!r}, {len(self.steps)} checked steps)"


LINE = 90  # characters of LaTeX source on one displayed line before a long sum is broken


def _relation(relation):
    return {"=": "=", "iff": r"\iff", "->": r"\to", ":": ":", "~": r"\approx"}.get(relation, relation)


def _tex(value):
    return value if isinstance(value, str) else sp.latex(value)


def _display(step: Step) -> str:
    """``lhs relation rhs``; a long sum on the right is broken after a + or - into an ``aligned`` block."""
    lhs, relation = _tex(step.lhs), _relation(step.relation)
    rhs = step.rhs
    if isinstance(rhs, str) and not rhs:
        return lhs
    if isinstance(rhs, sp.Add) and len(sp.latex(rhs)) > LINE:
        first, *rest = _broken_sum(rhs)
        return (rf"\begin{{aligned}} {lhs} {relation} {{}} & {first}" + "".join(rf" \\ & \quad {line}" for line in rest)
                + r" \end{aligned}")
    return f"{lhs} {relation} {_tex(rhs)}"


def _broken_sum(expr: sp.Add) -> list:
    """The terms of ``expr`` in SymPy's printing order, signs attached, packed into lines of at most LINE."""
    lines, current = [], ""
    for i, term in enumerate(expr.as_ordered_terms()):
        tex = sp.latex(term)
        piece = tex if i == 0 else (f"- {tex[1:].lstrip()}" if tex.startswith("-") else f"+ {tex}")
        if current and len(current) + len(piece) > LINE:
            lines.append(current)
            current = ""
        current = f"{current} {piece}".strip()
    return lines + [current]


_IN_TEXT = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{",
            "}": r"\}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
            # the signs text fonts lack, and the arrows and infinities of plain-text formulas, set in math
            "+oo": r"$+\infty$", "-oo": r"$-\infty$", "->": r"$\to$", "<=": r"$\le$", ">=": r"$\ge$",
            "!=": r"$\ne$", "<": "$<$", ">": "$>$", "|": "$|$", "^2": "$^2$"}
_SPECIAL = re.compile("|".join(re.escape(a) for a in sorted(_IN_TEXT, key=len, reverse=True)))


def _prose(text: str) -> str:
    """A sentence for pdflatex: special characters escaped in one pass (longest match first)."""
    return _SPECIAL.sub(lambda m: _IN_TEXT[m.group(0)], text)


_IN_UNICODE = {"+oo": "+\u221e", "-oo": "\u2212\u221e", "->": "\u2192", "<=": "\u2264", ">=": "\u2265",
               "!=": "\u2260"}
_PLAIN = re.compile("|".join(re.escape(a) for a in _IN_UNICODE))


def _plain(text: str) -> str:
    """A sentence for a Jupyter display: the arrows, infinities and relations of plain-text formulas as Unicode."""
    return _PLAIN.sub(lambda m: _IN_UNICODE[m.group(0)], text)


def _markdown(text: str) -> str:
    """A sentence for Markdown (:func:`_plain`, and the characters that would start emphasis or a heading
    escaped)."""
    for a in ("\\", "*", "_", "#", "`"):
        text = text.replace(a, "\\" + a)
    return _plain(text)


def assert_equal(a, b, what):
    """Raise :class:`DerivationError` unless a == b symbolically or to 40 digits at random points
    (:func:`closedform.model.compare.compare`)."""
    verdict = compare(a, b, digits=CHECK_DIGITS, trials=6, seed=5)
    if not verdict.equal:
        i = verdict.component
        with mpmath.workdps(CHECK_DIGITS):
            difference = sp.N(verdict.first[i] - verdict.second[i], CHECK_DIGITS)
        raise DerivationError(f"step {what!r} does not check: difference {difference} at {verdict.point}")


def derive(neuron, result=None, given=None) -> Derivation:
    """The derivation for ``neuron``; with a :class:`StationarySet`, also what the solver found, to the answer;
    ``given`` (an expression for the gradient, e.g. the asker's) is checked against the true gradient."""
    if neuron.population is not None:
        return _derive_population(neuron, result)
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
    identity = _activation_identity(act)
    if loss.of_output is not None:
        d.statement(f"The per-sample {loss.name} loss as a function of the output y.", sp.Symbol(r"\ell"),
                    loss.of_output)
        dldy = sp.diff(loss.of_output, y)
        chain = sp.Mul(dldy.subs(y, f(h)), sp.Derivative(f(h), h), evaluate=False)
        d.equation("The chain rule: the loss reaches w only through y = f(h) and h.",
                   sp.Derivative(sp.Symbol(r"\ell"), h), chain,
                   check=(sp.diff(per, h), dldy.subs(y, act.expr) * act.derivative))
        if identity is not None:
            d.equation(f"The {act.name} identity that simplifies the derivative.", sp.Derivative(f(h), h),
                       identity.subs(s_, f(h)), check=(act.derivative, identity.subs(s_, act.expr)))
            g_hand = _by_hand(dldy.subs(y, s_), identity)
            d.equation("So the per-sample factor g(t, h) = dl/dh is, with s = f(h)" +
                       (" (the 1/(y(1-y)) of the cross-entropy cancels against the sigmoid's derivative: no"
                        " division by zero)" if loss.name == "bce" and act.name == "sigmoid" else ""),
                       sp.Symbol("g"), sp.latex(g_hand, order="none"),
                       check=(sp.diff(per, h), g_hand.subs(s_, act.expr)))
        else:
            d.equation("So the per-sample factor g(t, h) = dl/dh is", sp.Symbol("g"), neuron.fns.g,
                       check=(sp.diff(per, h), neuron.fns.g))
    else:
        d.statement("The matching loss of f (Auer, Herbster and Warmuth).", sp.Symbol(r"\ell"), per)
        d.equation("Its derivative is simply f(h) - t.", sp.Symbol("g"), f(h) - t,
                   check=(sp.diff(per, h), act.expr - t))
    grad_label = sp.Symbol(r"\nabla_{w} E")
    if wx is not None:
        _add_gradient_of_one_point(d, neuron, wx, identity, given)
    else:
        d.statement("The gradient sums g over the data (plus the L2 term).", grad_label,
                    r"\sum_{i=1}^{n} g(t_i, h_i)\,\tilde{x}_i" + (r" + \lambda w" if neuron.l2 else ""))
        if given is not None:
            _add_given(d, neuron, given)
    d.statement("A stationary point needs the gradient to vanish. Every registered loss has dl/dy = 0 exactly at "
                "y = t, so each term vanishes only where (with one datapoint this is the whole condition; with "
                "several, the terms must cancel instead)", sp.Eq(sp.Symbol("g"), 0),
                r"f(h) = t \;\text{ or }\; f'(h) = 0", relation="iff")
    if result is not None:
        _add_result(d, neuron, result, wx)
    return d


def _derive_population(neuron, result=None) -> Derivation:
    """Infinitely many Gaussian datapoints: the normal pair (h, g), the table entry, F(q, r, b), the gradient
    2 F_q w + F_r v (checked against the loss's own gradient), the two reduced systems, then the answer."""
    pop, teacher = neuron.population, neuron.data
    d = Derivation(f"Stationary points: {neuron.describe()}")
    w = sp.Matrix(neuron.weights[: neuron.dim])
    v = sp.Matrix(teacher.v)
    hb = "w^T x + b" if neuron.bias else "w^T x"
    d.statement(f"Inputs x standard normal in d = {neuron.dim} dimensions" + (" (after whitening)" if teacher.cov is not None else "")
                + " and targets t = f(v.x" + (" + c" if teacher.c is not None else "")
                + ")" + (" plus independent noise" if teacher.noise else "") + f": the population loss of y = f({hb.replace('^T ', '.')}) is",
                sp.Symbol("L"), pop.form.expectation.replace("y", "f(" + hb.replace("^T", "^{T}") + ")")
                + (r" + \tfrac{\lambda}{2}\lVert w\rVert^{2}" if neuron.l2 else ""))
    d.statement("The activation.", sp.Function("f")(sp.Symbol("h")), neuron.activation.expr)
    d.statement("The pre-activations h = w.x" + (" + b" if neuron.bias else "") + " and g = v.x"
                + (" + c" if teacher.c is not None else "") + " are jointly normal: their means are "
                + ("(b, c)" if neuron.bias else "(0, c)" if teacher.c is not None else "0")
                + ", their variances q = |w|^2 and p = |v|^2, their covariance r = w.v, so L depends on w only "
                "through (q, r" + (", b" if neuron.bias else "") + "). Here", sp.Symbol("p"), pop.p)
    if not pop.exact:
        d.statement("No closed form of E[f(h) f(g)] is known for this activation: its values come "
                    + pop.describe() + ", and every number below is numeric.", sp.Symbol("F"),
                    r"	ext{quadrature}")
    else:
        name, moment = pop.form.moment(pop.entry)
        d.statement(f"The Gaussian moment ({pop.source}); checked here: {pop.checked}.",
                    name, moment.subs(dict(zip(SYMBOLIC_PAIR, sp.symbols("m_1 m_2 s_{11} s_{22} s_{12}")))))
        d.statement("So the loss as a function of (q, r" + (", b" if neuron.bias else "") + "):",
                    sp.Symbol("F"), pop.F)
        forms = pop.forms(neuron.weights)
        gradient = [e.subs(forms, simultaneous=True) for e in 2 * sp.diff(pop.F, q) * w + sp.diff(pop.F, r) * v]
        if pop.entry.line is not None and neuron.dim == 1:
            d.statement("In d = 1 the pair is perfectly correlated (rho = sign w), where this entry is 0/0: the loss "
                        "uses its limits there, one branch on each side of h/sigma_h = g/sigma_g (rho = 1) or of "
                        "h/sigma_h = -g/sigma_g (rho = -1), and the gradient is that of L in the weights.",
                        sp.Symbol("L"), neuron.loss)
        else:
            d.equation("The chain rule through q = |w|^2 and r = w.v gives the gradient (checked against the "
                       "gradient of L in the weights):", sp.Symbol(r"\nabla_{w} L"), r"2\,F_q\,w + F_r\,v",
                       check=(sp.Matrix(neuron.gradient[: neuron.dim]), sp.Matrix(gradient)))
    d.statement("So at a stationary point either w lies on the teacher's line, w = alpha v with",
                r"2\alpha F_q + F_r", 0)
    d.statement("or w is off that line, where both partial derivatives vanish" + (" (and F_b = 0)" if neuron.bias
                else "") + (": a mirror pair in the plane of w and v for d = 2, a sphere of dimension d - 2 (an "
                "orbit of the rotations that fix v) for d >= 3." if neuron.dim >= 2 else "; in d = 1 there is "
                "no such w."), r"F_q = F_r", 0)
    if result is not None:
        _add_result(d, neuron, result)
    return d


def _by_hand(dldy, identity):
    """dl/dy times f' as written by hand, unevaluated (print with order="none"): for mse, y - t as -(t - y),
    so that the sigmoid's factor reads -(t - s) s (1 - s); for other losses the simplified product."""
    s = (identity.free_symbols - {t}).pop() if identity.free_symbols - {t} else s_
    if sp.expand(dldy - (s - t)) != 0:  # other losses: the product simplified (bce's 1/(s(1 - s)) cancels)
        return sp.factor(sp.cancel(dldy * identity))
    return sp.Mul(-1, sp.Add(t, -s, evaluate=False), *sp.Mul.make_args(identity), evaluate=False)


def _add_gradient_of_one_point(d: Derivation, neuron, wx, identity, given):
    """The gradient of one datapoint, in the hand-written form g(s) x with s = f(w.x), checked; then ``given``."""
    grad_label = sp.Symbol(r"\nabla_{w} E")
    x_vec = sp.Matrix(neuron.extended(neuron.data.x[0]))
    act, loss = neuron.activation, neuron.criterion
    if identity is not None and loss.of_output is not None:
        s = sp.Symbol(rf"s({sp.latex(wx)})")
        g_hand = _by_hand(sp.diff(loss.of_output, y).subs(y, s_), identity)
        written = sp.Mul(*_by_hand(sp.diff(loss.of_output, y).subs(y, s), identity.subs(s_, s)).args,
                         x_vec if len(x_vec) > 1 else x_vec[0], evaluate=False)
        d.equation(f"The gradient: g times dh/dw = x (the chain rule's last factor), with s = f the {act.name}.",
                   grad_label, sp.latex(written, order="none"),
                   check=(neuron.gradient, g_hand.subs(s_, act.expr.subs(h, wx)) * x_vec))
    else:
        d.equation("The gradient: g times dh/dw = x (the chain rule's last factor).", grad_label,
                   neuron.fns.g.subs(h, wx) * x_vec, check=(neuron.gradient, neuron.fns.g.subs(h, wx) * x_vec))
    if given is not None:
        _add_given(d, neuron, given, wx)


def _add_given(d: Derivation, neuron, given, wx=None):
    """The asker's gradient against the true one (:func:`closedform.model.gradcheck.check_gradient`)."""
    verdict = check_gradient(neuron, given)
    expr = as_gradient(given, neuron, len(neuron.weights))
    expr = expr[0] if len(expr) == 1 else expr
    if wx is not None:  # written with s(w.x) for f(w.x), as the asker writes it
        expr = expr.subs(neuron.activation.expr.subs(h, wx), sp.Symbol(rf"s({sp.latex(wx)})"))
    if verdict.equal:
        how = "symbolically" if verdict.method == "symbolic" else "at random points, to 50 digits"
        d.statement(f"Your gradient is correct: it equals the gradient above (checked {how}).",
                    sp.Symbol(r"\text{yours}"), expr)
    else:
        d.statement(f"Your gradient differs from the true one: {verdict}.", sp.Symbol(r"\text{yours}"), expr,
                    relation=r"\neq")


def _activation_identity(act) -> Optional[sp.Expr]:
    """f' as a polynomial in s = f(h) where such an identity is classical (sigmoid: s(1 - s), tanh: 1 - s^2,
    exp: s)."""
    return {"sigmoid": s_ * (1 - s_), "tanh": 1 - s_**2, "exp": s_}.get(act.name)


def _add_result(d: Derivation, neuron, result, wx=None):
    """What the solver found, to the answer; ``wx``: the pre-activation of one symbolic datapoint."""
    if result.reduction is not None:
        reduction = result.reduction
        c = result.coordinate()
        along = "" if c in neuron.weights else ", c the coordinate along the data"
        point = text(sp.Eq(c, -reduction.q / reduction.k * sp.log(sp.Symbol("u"))))
        d.statement(f"With u = {text(sp.exp(-sp.Integer(reduction.k) * c / reduction.q))}{along}, the gradient "
                    "vanishes exactly where the polynomial P with integer coefficients has a positive root u; "
                    + ("here P is a nonzero constant, so it has none." if reduction.polynomial.degree() == 0 else
                       f"each gives the stationary point {point}."), sp.Symbol("P(u)"), reduction.polynomial.as_expr())
    shown = result.reduction.polynomial if result.reduction is not None else None
    for form in result.closed_form:
        condition = "" if form.conditions == sp.true else r"\text{if } " + sp.latex(form.conditions)
        _add_named(d, "A solution set (verified by substitution):", form.expr, condition, ":", shown)
    if result.obstruction is not None:
        same = result.reduction is not None and sp.expand(result.reduction.polynomial.as_expr()
                                                          - result.obstruction.polynomial) == 0
        d.statement("No closed form in radicals: " + result.obstruction_sentence("P" if same else None) + ".",
                    sp.Symbol("G"),
                    rf"\text{{{result.obstruction.group}}}")
    for point in result.points:
        _add_point(d, point, result.precision, shown)
    for region in result.regions:
        article = "An" if region.kind.value[0] in "aeiou" else "A"
        d.statement(f"{article} {region.kind.value} stationary set: {region.description}.", sp.Symbol("W"),
                    region.expr, ":")
    for asymptote in result.asymptotic:
        where = asymptote.description if asymptote.description.startswith("along") else f"as {asymptote.description}"
        d.statement(f"A zero at infinity: the gradient tends to 0 {where}, and the loss tends to", sp.Symbol("E"),
                    asymptote.limit_loss, "->")
    infimum = None if neuron.data.symbolic else result.infimum
    if infimum is not None:
        reached = "attained at" if infimum.attained else "approached (not attained) along"
        value = sp.sympify(infimum.value)
        exact = value.is_number and not value.has(sp.Float)
        d.statement(f"The least loss found is {reached} {infimum.where}"
                    + ("" if infimum.proved else " (among what was found: the list is not proved complete)") + ".",
                    r"\inf E", value if exact else sp.Float(sp.N(value, 15), 15), "=" if exact else "~")
    if wx is not None:
        _add_one_point_limits(d, neuron)
    _add_completeness(d, result)


def _add_point(d: Derivation, point, digits: int, shown=None):
    """w* exact where known (its algebraic numbers named, see :func:`_add_named`), and its decimal value."""
    kind = f"A stationary point, a {point.kind.value} by the signs of the Hessian's eigenvalues"
    places = min(digits, 20)  # an mpf straight into Float: sp.N(mpf) would round it to 15 digits first
    decimals = sp.Tuple(*[sp.Float(v, places) if isinstance(v, mpmath.mpf) else sp.Float(sp.N(v, places), places)
                          for v in point.w])
    decimals = decimals[0] if len(decimals) == 1 else decimals
    if point.exact is None:
        d.statement(f"{kind} (gradient residual {float(point.residual):.1e}).", sp.Symbol("w^{*}"), decimals, "~")
        return
    _add_named(d, f"{kind}, exact:", sp.Symbol("w^{*}"), point.exact, shown=shown)
    if not all(v.is_Rational for v in sp.Tuple(*sp.flatten([point.exact]))):
        d.statement("Its value:", sp.Symbol("w^{*}"), decimals, "~")


def _add_named(d: Derivation, sentence, lhs, rhs, relation="=", shown=None):
    """``lhs relation rhs`` with each root of a polynomial (CRootOf) in them named rho_k, then what each name
    is, "the k-th positive root of P" (P written out when it fits on a line, called P(u) when it is ``shown``, the
    reduction displayed above, else named by its degree): how papers write algebraic numbers."""
    sides = [side for side in (lhs, rhs) if isinstance(side, sp.Basic)]
    roots = sorted(set().union(*[side.atoms(sp.CRootOf) for side in sides]), key=sp.default_sort_key)
    named = {root: sp.Symbol(rf"\rho_{{{i + 1}}}" if len(roots) > 1 else r"\rho") for i, root in enumerate(roots)}
    d.statement(sentence, *[side.xreplace(named) if isinstance(side, sp.Basic) else side for side in (lhs, rhs)],
                relation)
    for root, name in named.items():
        poly = sp.Poly(root.expr, *root.expr.free_symbols)
        below = poly.count_roots(sup=0) if root.is_positive else 0
        which = f"the {ordinal(root.index + 1 - below)} {'positive' if root.is_positive else 'real'} root of"
        polynomial = sp.latex(poly.as_expr())
        if len(polynomial) >= LINE:  # P(u) only when it is that very polynomial: the ordinal counts its roots
            same = shown is not None and [abs(c) for c in shown.all_coeffs()] == [abs(c) for c in poly.all_coeffs()]
            polynomial = "P(u)" if same else rf"\text{{a polynomial of degree {poly.degree()} with integer coefficients}}"
        d.statement("where", name, rf"\text{{{which} }} {polynomial}", ":")


def _add_one_point_limits(d: Derivation, neuron):
    """One symbolic datapoint: targets outside the activation's range, and the limits as w.x -> +-oo."""
    act = neuron.activation
    if act.range is not None and act.increasing and act.range != sp.Reals:
        d.statement(f"For t outside the range of the {act.name}, f(h) = t has no solution, and f' > 0: no finite "
                    "stationary point (unless x = 0).", sp.Symbol("t"), sp.Complement(sp.Reals, act.range),
                    r"\in")
    g, per = neuron.fns.g, neuron.criterion.per_sample(act)
    for end, side in ((-sp.oo, "-oo"), (sp.oo, "+oo")):
        if sp.limit(g, h, end) == 0:
            limit = sp.limit(per, h, end)
            if limit.is_finite:
                d.statement(f"As w.x -> {side} the per-sample factor g tends to 0 (the gradient vanishes at "
                            f"infinity), and the loss tends to", sp.Symbol("E"), limit, "->")


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
    proof = result.certificate_sentence()
    if certificate.kind is CertificateKind.EXACT_ROOTS and result.reduction is not None:  # P is displayed above
        count = certificate.facts["count"]
        proof = "the gradient vanishes exactly at the positive roots of P, and " + (
            "P has none" if count == 0 else f"P has {count}, each a point above")
    if certificate.scope is Scope.GLOBAL:
        d.statement(("There is no finite stationary point" if empty else "Nothing else is stationary anywhere")
                    + f" (proved: {proof}; checked independently: {certificate.checked_by}).",
                    symbol, sp.S.EmptySet if empty else r"\text{complete on } \mathbb{R}^{" + str(len(result.problem.weights)) + "}")
    else:
        d.statement(("There is no stationary point in the search box" if empty else "Nothing else is stationary in the search box")
                    + f", proved there only ({proof}); nothing is claimed outside it.", symbol,
                    sp.S.EmptySet if empty else r"\text{complete in the box only}")
