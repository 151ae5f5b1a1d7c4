"""Plain-text mathematics: the one printer behind every summary line, label and sentence that shows a formula.

:class:`TextPrinter` is SymPy's :class:`~sympy.printing.str.StrPrinter` taught to write what a person writes,
never SymPy's constructors:

    powers          x^2, (t - y)^2, x^(1/3)         (never ``**``)
    relations       a = b, a != b, a < b, 0 < t < 1  (two bounds on the same term are chained)
    logic           p and q, p or q, not p
    sets            (0, 1), [0, 1), R, R^2, every w, every (w1, w2), A U B, {x : x > 0}
    vectors         (a, b); matrices [1, 2; 3, 4] (rows separated by ';', as the command line reads them)
    algebraic       the smallest real root of 3u^7 + ... - 7
    other           |x|, max(a, b), d/dh f(h), e, i; a sign is never written as a factor -1*

``text(expr)`` prints one object; ``text(ProductSet(Reals), unknowns=(w,))`` says "every w", the whole space of
the unknowns. Multiplication stays ``*``. This module sits at the bottom of the import graph (it imports only
SymPy), so the model, the solver, the result and the presenters can all print through it."""
from __future__ import annotations

import re
from typing import ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter as _SympyLatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

__all__ = ["TextPrinter", "ordinal", "text"]

_FLIP = {">": "<", ">=": "<="}  # a > b is b < a


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class TextPrinter(StrPrinter):
    """A :class:`StrPrinter` whose output is mathematics in plain text (see the module docstring). The setting
    ``unknowns`` (a tuple of symbols) lets the whole space R^p print as "every w" or "every (w1, ..., wp)"."""

    printmethod = "_closedform_text"
    _default_settings: ClassVar[dict] = dict(StrPrinter._default_settings, unknowns=None)

    # --- powers and products -------------------------------------------------------------------------------

    def _print_Pow(self, expr, rational=False):
        level = precedence(expr)
        if expr.exp is sp.S.Half and not rational:
            return f"sqrt({self._print(expr.base)})"
        if expr.is_commutative:
            if -expr.exp is sp.S.Half and not rational:
                return f"1/sqrt({self._print(expr.base)})"
            if expr.exp is sp.S.NegativeOne:
                return f"1/{self.parenthesize(expr.base, level, strict=False)}"
        base = self.parenthesize(expr.base, level, strict=False)
        return f"{base}^{self.parenthesize(expr.exp, level, strict=False)}"

    def _print_MatPow(self, expr):
        level = precedence(expr)
        return f"{self.parenthesize(expr.base, level, strict=False)}^{self.parenthesize(expr.exp, level, strict=False)}"

    def _print_Inverse(self, expr):
        return f"{self.parenthesize(expr.arg, PRECEDENCE['Pow'])}^(-1)"

    def _print_Mul(self, expr):
        """A factor -1 becomes a sign: -x, -(a + b), never -1*x (SymPy writes it for unevaluated products)."""
        factors = list(expr.args)
        if sp.S.NegativeOne in factors and len(factors) > 1:
            factors.remove(sp.S.NegativeOne)
            rest = factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)
            inner = self.parenthesize(rest, PRECEDENCE["Mul"], strict=True)
            if inner.startswith("-"):
                inner = f"({inner})"
            return "-" + inner
        return super()._print_Mul(expr)

    def _print_Poly(self, expr):
        return self._print(expr.as_expr())

    _print_PurePoly = _print_Poly

    def _print_PolyElement(self, poly):
        return poly.str(self, PRECEDENCE, "%s^%s", "*")

    # --- constants and functions ---------------------------------------------------------------------------

    def _print_Exp1(self, expr):
        return "e"

    def _print_ImaginaryUnit(self, expr):
        return "i"

    def _print_ComplexInfinity(self, expr):
        return "complex infinity"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Max(self, expr):
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr):
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Derivative(self, expr):
        order = sum(count for _, count in expr.variable_count)
        top = "d" if order == 1 else f"d^{order}"
        below = " ".join(f"d{self._print(v)}" if count == 1 else f"d{self._print(v)}^{count}"
                         for v, count in expr.variable_count)
        return f"{top}/{below} {self.parenthesize(expr.expr, PRECEDENCE['Mul'], strict=False)}"

    def _print_Piecewise(self, expr):
        pieces = []
        for value, condition in expr.args:
            shown = self._print(value)
            pieces.append(f"{shown} otherwise" if condition == sp.true else f"{shown} if {self._print(condition)}")
        return "(" + "; ".join(pieces) + ")"

    def _print_Lambda(self, expr):
        variables = expr.signature[0] if len(expr.signature) == 1 else expr.signature
        return f"{self._print(variables)} -> {self._print(expr.expr)}"

    def _print_ComplexRootOf(self, expr):
        """CRootOf(p, k): SymPy numbers the real roots first, in increasing order, then the others."""
        p = expr.poly
        real = p.count_roots()
        shown = self._print(p.as_expr())
        if expr.index >= real:
            return f"the {ordinal(expr.index - real + 1)} non-real root of {shown}"
        if real == 1:
            return f"the only real root of {shown}"
        if expr.index == 0:
            return f"the smallest real root of {shown}"
        if expr.index == real - 1:
            return f"the largest real root of {shown}"
        return f"the {ordinal(expr.index + 1)} smallest real root of {shown}"

    # --- relations and logic -------------------------------------------------------------------------------

    def _print_Relational(self, expr):
        op = {"==": "=", "!=": "!="}.get(expr.rel_op, self._relationals.get(expr.rel_op) or expr.rel_op)
        level = PRECEDENCE["Relational"]  # SymPy ranks Eq and Ne as functions
        return f"{self.parenthesize(expr.lhs, level)} {op} {self.parenthesize(expr.rhs, level)}"

    def _clause(self, arg, inside):
        """One operand of ``and``/``or``: a nested connective of the other kind is bracketed."""
        shown = self._print(arg)
        return f"({shown})" if isinstance(arg, (sp.And, sp.Or)) and not isinstance(arg, inside) else shown

    def _print_And(self, expr):
        """Equations first, then inequalities (two bounds on the same term chained: 0 < t < 1), then the rest."""
        equations = [a for a in expr.args if isinstance(a, sp.Equality)]
        bounds = [a for a in expr.args if isinstance(a, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan,
                                                         sp.GreaterThan))]
        rest = [a for a in expr.args if a not in equations and a not in bounds]
        parts = [self._print(a) for a in equations] + self._chains(bounds)
        parts += [self._clause(a, sp.And) for a in rest]
        return " and ".join(parts)

    def _chains(self, bounds):
        """Print inequalities, joining ``a < v`` and ``v < b`` into ``a < v < b``."""
        oriented = []  # (low, op, high) with op '<' or '<='
        for b in bounds:
            if b.rel_op in _FLIP:
                oriented.append((b.rhs, _FLIP[b.rel_op], b.lhs))
            else:
                oriented.append((b.lhs, b.rel_op, b.rhs))
        used, out = set(), []
        level = PRECEDENCE["Relational"]
        for i, (low, _, middle) in enumerate(oriented):
            if i in used:
                continue
            free = [j for j in range(len(oriented)) if j != i and j not in used]
            above = next((j for j in free if oriented[j][0] == middle), None)  # low op middle op2 high
            below = next((j for j in free if oriented[j][2] == low), None)  # start op2 low op middle
            if above is not None:
                used.update((i, above))
                first, second = oriented[i], oriented[above]
            elif below is not None:
                used.update((i, below))
                first, second = oriented[below], oriented[i]
            else:
                used.add(i)
                out.append(self._print(bounds[i]))
                continue
            (start, op1, centre), (_, op2, end) = first, second
            out.append(f"{self.parenthesize(start, level)} {op1} {self.parenthesize(centre, level)} {op2} "
                       f"{self.parenthesize(end, level)}")
        return out

    def _print_Or(self, expr):
        return " or ".join(self._clause(a, sp.Or) for a in expr.args)

    def _print_Not(self, expr):
        return f"not {self._clause(expr.args[0], ()) if isinstance(expr.args[0], (sp.And, sp.Or)) else self._print(expr.args[0])}"

    # --- sets ----------------------------------------------------------------------------------------------

    def _every(self, dimension):
        """'every w' when the set is the whole space of the unknowns, else None."""
        unknowns = self._settings.get("unknowns")
        if not unknowns or len(unknowns) != dimension:
            return None
        names = [self._print(u) for u in unknowns]
        return f"every {names[0]}" if dimension == 1 else f"every ({', '.join(names)})"

    def _print_Reals(self, expr):
        return self._every(1) or "R"

    def _print_Integers(self, expr):
        return "Z"

    def _print_Naturals(self, expr):
        return "{1, 2, 3, ...}"

    def _print_Naturals0(self, expr):
        return "{0, 1, 2, ...}"

    def _print_Rationals(self, expr):
        return "Q"

    def _print_Complexes(self, expr):
        return "C"

    def _print_EmptySet(self, expr):
        return "the empty set"

    def _print_UniversalSet(self, expr):
        return "everything"

    def _print_ProductSet(self, expr):
        if all(s == sp.Reals for s in expr.sets):
            return self._every(len(expr.sets)) or ("R" if len(expr.sets) == 1 else f"R^{len(expr.sets)}")
        compound = (sp.Union, sp.Intersection, sp.Complement)
        return " x ".join(f"({self._print(s)})" if isinstance(s, compound) else self._print(s) for s in expr.sets)

    def _print_Interval(self, expr):
        a, b, left_open, right_open = expr.args
        left = "(" if left_open or a.is_infinite else "["
        right = ")" if right_open or b.is_infinite else "]"
        return f"{left}{self._print(a)}, {self._print(b)}{right}"

    def _print_Union(self, expr):
        return " U ".join(self._print(s) for s in expr.args)

    def _print_Intersection(self, expr):
        return "the common part of " + " and ".join(self._print(s) for s in expr.args)

    def _print_Complement(self, expr):
        return f"{self._print(expr.args[0])} minus {self._print(expr.args[1])}"

    def _print_ConditionSet(self, expr):
        member = self._print(expr.sym)
        where = "" if expr.base_set == sp.S.UniversalSet else f" in {self._print(expr.base_set)}"
        return f"{{{member}{where} : {self._print(expr.condition)}}}"

    def _print_ImageSet(self, expr):
        function = expr.lamda
        ranges = ", ".join(f"{self._print(v)} in {self._print(s)}"
                           for v, s in zip(function.variables, expr.base_sets))
        return f"{{{self._print(function.expr)} : {ranges}}}"

    # --- vectors and matrices ------------------------------------------------------------------------------

    def _print_MatrixBase(self, expr):
        if expr.rows == 1 or expr.cols == 1:
            return "(" + ", ".join(self._print(v) for v in expr) + ")"
        return "[" + "; ".join(", ".join(self._print(v) for v in expr.row(i)) for i in range(expr.rows)) + "]"


def text(expr, unknowns=None, **settings) -> str:
    """``expr`` (a SymPy object, a number, or a tuple/list of them) as plain-text mathematics; ``unknowns``
    names the variables whose whole space prints as "every w". Other settings are StrPrinter's (e.g.
    ``order="none"`` keeps a product's factors in the order given)."""
    return TextPrinter(dict(settings, unknowns=tuple(unknowns) if unknowns is not None else None)).doprint(expr)


# --- rich display: one-line reprs and the LaTeX Jupyter hands to MathJax -----------------------------------

REPR_LIMIT = 120  # characters of a result object's __repr__


def rounded(value, digits: int = 8):
    """A number for a summary, as a SymPy number: an integer or a short fraction exactly (3/5), anything else
    (an mpmath value, a Float, log(3/7), an algebraic number) rounded to ``digits`` significant digits;
    symbols and infinities unchanged."""
    number = sp.sympify(value)
    if number.is_Rational and len(str(number)) <= 12:
        return number
    if number.is_number and number.is_finite and number.is_extended_real:
        return sp.N(number, digits)
    return number


def brief(value, digits: int = 8) -> str:
    """:func:`rounded` as plain text without trailing zeros: "3/5", "-0.26909882", "0.6", "1e-47", "oo"."""
    return re.sub(r"\.?0+(?=e|$)", "", shown) if "." in (shown := text(rounded(value, digits))) else shown


def brief_tuple(values, digits: int = 8, most: int = 4) -> str:
    """A point as "(a, b)" with :func:`brief` coordinates; more than ``most`` are elided with a count."""
    values = list(values)
    shown = [brief(v, digits) for v in (values if len(values) <= most else values[: most - 1])]
    if len(values) > most:
        shown.append(f"... ({len(values)} coordinates)")
    return "(" + ", ".join(shown) + ")"


def latex_point(values, digits: int = 8) -> str:
    """A point as LaTeX with :func:`rounded` coordinates: one coordinate alone, several as a tuple."""
    values = [rounded(v, digits) for v in values]
    return latex(values[0]) if len(values) == 1 else latex(sp.Tuple(*values))


def short_repr(obj, *parts: str, limit: int = REPR_LIMIT) -> str:
    """``Name(part, part, ...)`` with the class name of ``obj``, cut to at most ``limit`` characters ("...")."""
    shown = f"{type(obj).__name__}({', '.join(p for p in parts if p)})"
    return shown if len(shown) <= limit else shown[: limit - 4] + "...)"


def root_name(expr) -> str:
    """Which root CRootOf(p, k) is, in words that end in "of" (SymPy numbers the real roots first, in
    increasing order, then the others): "the only real root of", "the 2nd smallest real root of", ..."""
    real = expr.poly.count_roots()
    if expr.index >= real:
        return f"the {ordinal(expr.index - real + 1)} non-real root of"
    if real == 1:
        return "the only real root of"
    if expr.index == 0:
        return "the smallest real root of"
    if expr.index == real - 1:
        return "the largest real root of"
    return f"the {ordinal(expr.index + 1)} smallest real root of"


class LatexPrinter(_SympyLatexPrinter):
    """SymPy's LaTeX printer with an algebraic number written as what it is, "the only real root of
    3u^7 + ... - 7", instead of SymPy's constructor \\operatorname{CRootOf}."""

    printmethod = "_closedform_latex"

    def _print_ComplexRootOf(self, expr):
        return rf"\left[\text{{{root_name(expr)} }} {self._print(expr.poly.as_expr())}\right]"


def latex(expr, **settings) -> str:
    """``expr`` as LaTeX (SymPy's printer and settings; see :class:`LatexPrinter`)."""
    return LatexPrinter(settings).doprint(expr)


# Plain-text signs that read better as mathematics, and the characters \text{} cannot hold in every renderer
# (LaTeX, MathJax 3 with or without textmacros, MathJax 2): all set in math mode, between \text{} runs.
_MATH_SIGNS = {"+oo": r"+\infty", "-oo": r"-\infty", "oo": r"\infty", "->": r"\to", "<=": r"\le", ">=": r"\ge",
               "!=": r"\ne", "<": "<", ">": ">", "|": r"\vert", "\\": r"\backslash", "_": r"\_", "%": r"\%",
               "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}", "^": r"\hat{}", "~": r"\sim"}
_SIGN = re.compile(r"(?<![A-Za-z])oo(?![A-Za-z])|" + "|".join(re.escape(sign) for sign in sorted(
    (k for k in _MATH_SIGNS if k != "oo"), key=len, reverse=True)))


def latex_text(words: str) -> str:
    """``words`` (a sentence that may hold plain-text formulas such as "w -> +oo") as LaTeX math: runs of
    ``\\text{...}`` with arrows, infinities, comparisons and TeX's special characters set as math symbols, so the
    same string works in pdflatex and in MathJax (which ignores backslash macros inside \\text without its
    textmacros package)."""
    out, start = [], 0
    for match in _SIGN.finditer(words):
        if match.start() > start:
            out.append(rf"\text{{{words[start:match.start()]}}}")
        out.append(_MATH_SIGNS[match.group(0)])
        start = match.end()
    if start < len(words):
        out.append(rf"\text{{{words[start:]}}}")
    return " ".join(out)


def latex_display(*rows: str) -> str:
    """A rich display's text/latex: one row as ``$\\displaystyle row$``; several as one ``aligned`` block in
    ``$$ ... $$``, rows left-aligned. Both forms are what MathJax renders in Jupyter (no align*, no \\intertext)
    and what pdflatex reads when a notebook is exported."""
    rows = [row for row in rows if row]
    if len(rows) == 1:
        return rf"$\displaystyle {rows[0]}$"
    return r"$$\begin{aligned}" + r" \\ ".join(f"& {row}" for row in rows) + r"\end{aligned}$$"
