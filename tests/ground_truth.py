"""Independently derived truths for nine problems, each with its derivation, for tests of ``closedform``.

Nothing here imports ``closedform``. Every value below was obtained twice: with the independent reference
solver (``tests/reference.py``: grid scan + bisection in 1-D, multi-start Newton + 50-digit polish in 2-D, exact
activation patterns for relu / leaky_relu) and by a second route written out here (by hand, a polynomial in
u = exp(-w) with SymPy's exact real-root isolation, a lex Groebner basis, or mpmath.findroot). The functions
``second_route_*`` recompute the second route so that ``tests/test_reference.py`` can check both agree.

``CASES`` is a list of dicts:
    name       short identifier
    args       the CLI arguments: ``closedform analyze <args>``
    neuron     keyword arguments for ``closedform.Neuron``
    data, bias, l2, activation, loss   the problem for ``reference.py`` (Fractions)
    box        a half-width for the reference search that contains every finite stationary point
    points     [(w as a tuple of strings: exact SymPy strings or decimals with >= 20 correct digits, kind)]
               kind in {"min", "max", "saddle", "degenerate", "kink"}; "kink" means: on a kink (some h_i = 0),
               stationary only by the relu'(0) = 0 convention, and NOT a minimum (the loss decreases nearby)
    regions    [{"kind": "flat" | "affine", "description": ..., "inside": [exact members], "outside": [...]}]
    count      the exact number of isolated stationary points (on the whole space)
    notes      what the case is about
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

# ----------------------------------------------------------------------------------------------------------------
# derivations (comments) and the second routes
# ----------------------------------------------------------------------------------------------------------------

# Case 1. exp activation, Poisson loss (the matching loss of exp): l(t, y) = y - t log y, y = e^h, so
#   g(t, h) = dl/dh = e^h - t,   g' = e^h > 0:  E is strictly convex (sum of e^{h_i} x_i^2 > 0, x != 0).
# Data (-1, 3), (2, 3), (2, 5):
#   E'(w) = -1 (e^{-w} - 3) + 2 (e^{2w} - 3) + 2 (e^{2w} - 5) = 4 e^{2w} - e^{-w} - 13.
# With u = e^{-w} > 0:  4/u^2 - u - 13 = 0  <=>  P(u) = u^3 + 13 u^2 - 4 = 0.
# Descartes: one sign change => exactly one positive root u* ~ 0.5434; w* = -log u*, a minimum (E'' > 0).
# E'(w) -> -oo as w -> -oo and +oo as w -> +oo, so there is no zero at infinity either.


def second_route_case1():
    u = sp.Symbol("u")
    positive = [r for r in sp.real_roots(sp.Poly(u ** 3 + 13 * u ** 2 - 4, u)) if r > 0]
    return [((sp.N(-sp.log(r), 40),), "min") for r in positive]


# Case 2. leaky_relu(a = 1/2), matching loss: g = f(h) - t (the matching loss is the integral of f - t), convex
# because f is increasing (E'' = sum f'(h_i) x_i^2 > 0 on each piece, and E' is continuous and increasing).
# Data (1, 1), (-2, 1): h_1 = w, h_2 = -2w.
#   w > 0:  E' = (w - 1) - 2 (f(-2w) - 1) = (w - 1) - 2 (-w - 1) = 3w + 1 > 0: no zero.
#   w <= 0: E' = (w/2 - 1) - 2 (-2w - 1) = 9w/2 + 1 = 0  =>  w = -2/9 (h_1 = -2/9 < 0, h_2 = 4/9 > 0: smooth there).
# E'' = 1/2 + 4 > 0: the unique, global minimum.


# Case 3. f(h) = h + h^2 (polynomial(0, 1, 1)), mse, two weights, data ((1,0), 2), ((0,1), 1), ((1,1), 3/2):
#   E = (2 - f(w1))^2/2 + (1 - f(w2))^2/2 + (3/2 - f(w1 + w2))^2/2, a quartic; grad E = 0 is two cubics.
# A lex Groebner basis (w1 > w2) of {dE/dw1, dE/dw2} is in shape position: {w1 - q(w2), p(w2)} with
#   p(w2) = w2^7 + 10/3 w2^6 + 7/4 w2^5 - 29/9 w2^4 - 20/9 w2^3 + 7/9 w2^2 + 287/1296 w2 - 2/81,
# square-free, with exactly 7 real roots (SymPy real_roots: exact isolation). Each gives one real point; kinds
# from det / trace of the exact Hessian at 30 digits: 3 minima, 3 saddles, 1 maximum.


def groebner_points(E, variables, digits=40):
    """All real solutions of grad E = 0 via a lex Groebner basis in shape position, with their kinds from the
    Hessian's determinant and trace (2 variables)."""
    grad = [sp.expand(sp.diff(E, v)) for v in variables]
    G = sp.groebner(grad, *variables, order="lex")
    first, last = G.exprs
    assert len(G.exprs) == 2 and sp.Poly(first, variables[0]).degree() == 1, "not in shape position"
    assert sp.Poly(last, variables[1]).sqf_list()[1][0][1] == 1
    linear = sp.Poly(first, variables[0]).all_coeffs()          # a(y) x + c(y)
    a, c = (sp.lambdify(variables[1], e, "mpmath") for e in linear)
    hessian = sp.lambdify(variables, sp.hessian(E, variables), "mpmath")
    out = []
    with mpmath.workdps(digits + 30):
        for root in sp.real_roots(sp.Poly(last, variables[1])):
            y = mpmath.mpf(root.evalf(digits + 30))
            x = -c(y) / a(y)
            H = mpmath.matrix(hessian(x, y))
            det, tr = H[0, 0] * H[1, 1] - H[0, 1] * H[1, 0], H[0, 0] + H[1, 1]
            assert abs(det) > mpmath.mpf(10) ** -10
            kind = "saddle" if det < 0 else ("min" if tr > 0 else "max")
            out.append(((sp.Float(mpmath.nstr(x, digits), digits), sp.Float(mpmath.nstr(y, digits), digits)), kind))
    return sorted(out, key=lambda item: [float(v) for v in item[0]])


def second_route_case3():
    w1, w2 = sp.symbols("w1 w2")
    f = lambda h: h + h ** 2  # noqa: E731
    E = (2 - f(w1)) ** 2 / 2 + (1 - f(w2)) ** 2 / 2 + (sp.Rational(3, 2) - f(w1 + w2)) ** 2 / 2
    return groebner_points(E, [w1, w2])


# Case 4. f(h) = h - h^3 (polynomial(0, 1, 0, -1)), mse, with bias, data (1, 1/3), (-1, 1/5), (2, -1/4):
#   E(w, b) = sum_i (t_i - f(w x_i + b))^2 / 2, a degree-6 polynomial; grad E = 0 is two quintics (Bezout: 25).
# A lex Groebner basis (w > b) is in shape position {w - q(b), p(b)}, p of degree 25 and square-free, so there
# are exactly 25 complex solutions; real_roots isolates exactly 15 real ones, all of them real stationary points.
# Two of them are forced by the activation: f'(h) = 1 - 3h^2 = 0 at h = +-1/sqrt(3), so w = 0, b = +-1/sqrt(3)
# makes every g_i = (f(h_i) - t_i) f'(h_i) vanish; both are maxima. Kinds (det / trace of the Hessian):
# 5 minima, 7 saddles, 3 maxima.


def second_route_case4():
    w, b = sp.symbols("w b")
    f = lambda h: h - h ** 3  # noqa: E731
    E = ((sp.Rational(1, 3) - f(w + b)) ** 2 + (sp.Rational(1, 5) - f(-w + b)) ** 2
         + (sp.Rational(-1, 4) - f(2 * w + b)) ** 2) / 2
    return groebner_points(E, [w, b])


# Case 5. relu, mse, two weights, data ((1,0), 1), ((0,1), 2), ((1,1), 1): h1 = w1, h2 = w2, h3 = w1 + w2.
# Activation patterns (active: h > 0; relu'(0) = 0, so h = 0 counts as inactive):
#   {1,2,3}: normal equations 2w1 + w2 = 2, w1 + 2w2 = 3 => (1/3, 4/3), inside the pattern: a minimum (loss 2/3).
#   {2,3}:   w2 = 2 and w1 + w2 = 1 => (-1, 2) (h1 = -1 <= 0): a minimum (loss 1/2).
#   {1,3}:   w1 = 1 and w1 + w2 = 1 => (1, 0): h2 = 0, a kink. Loss there: 2. Moving into w2 > 0 activates
#            point 2: E(1, s) = (2 - s)^2/2 + s^2/2 = 2 - 2s + s^2, so E(1, 0.01) = 1.9801 < 2: NOT a minimum.
#   {1}:     w1 = 1, w2 free with w2 <= 0 and w1 + w2 <= 0: the half-line {w1 = 1, w2 <= -1} (affine region).
#   {2}:     w2 = 2, w1 free with w1 <= 0 and w1 + w2 <= 0: the half-line {w2 = 2, w1 <= -2} (affine region).
#   {}:      the dead cone {w1 <= 0, w2 <= 0} (w1 + w2 <= 0 follows): flat, loss 1/2 + 2 + 1/2 = 3.
#   {3}, {1,2}: empty cells (w1 + w2 > 0 with w1, w2 <= 0; w1, w2 > 0 with w1 + w2 <= 0).


# Case 6. relu, mse, bias, l2 = 1/5 on w only, data (1, 2), (3, 3), (-2, 1): h_i = w x_i + b.
#   all active: [[14 + 1/5, 2], [2, 3]] (w, b) = (9, 6) => (w, b) = (75/193, 336/193); h = (411, 561, 186)/193 > 0:
#            a minimum (loss 11/386 ~ 0.0285, see below).
#   dead pattern: grad = (l2 w, 0) = 0 => w = 0, b free; all h_i = b <= 0: the half-line {w = 0, b <= 0}, flat
#            (the loss is 2 + 9/2 + 1/2 = 7 there). (0, 0) is its end point, not an isolated point.
#   every other pattern's solution violates its own inequalities (checked exactly by tests/reference.py, which
#   enumerates all 8 patterns), e.g. {3}: (21/5) w - 2b = -2, -2w + b = 1 => (0, 1), but then h_1 = 1 > 0.


# Case 7. sigmoid, mse, data (1, 0.9999999999), (3, 0.99999999999) (exact decimals 1 - 10^-10, 1 - 10^-11).
# With u = e^{-w}: sigma(w) = 1/(1+u), sigma' = u/(1+u)^2, sigma(3w) = 1/(1+u^3), sigma'(3w) = u^3/(1+u^3)^2;
# the numerator of E'(w) factors as -u (u+1)^3 P(u) with
#   P(u) = 99999999990u^7 - 299999999980u^6 + 899999999967u^5 - 699999999990u^4 + 600000000010u^3
#          - 300000000033u^2 + 100000000020u - 10,
# which has exactly one positive root u* ~ 1.0e-10, so exactly one stationary point w* = -log u* ~ 23.0258509298,
# just below logit(1 - 10^-10) = log(10^10 - 1) (the second point is saturated: 3w* ~ 69 is far beyond
# logit(1 - 10^-11) ~ 25.3). E''(w*) = 9.999999998e-21 > 0: a strict minimum with a tiny Hessian, NOT degenerate.


def second_route_case7():
    u = sp.Symbol("u")
    t1, t2 = sp.Rational("0.9999999999"), sp.Rational("0.99999999999")
    s1, d1 = 1 / (1 + u), u / (1 + u) ** 2
    s3, d3 = 1 / (1 + u ** 3), u ** 3 / (1 + u ** 3) ** 2
    numerator = sp.Poly(sp.expand(sp.numer(sp.together((s1 - t1) * d1 + 3 * (s3 - t2) * d3))), u)
    positive = [r for r in sp.real_roots(numerator) if r > 0]
    return [((sp.N(-sp.log(r), 40),), "min") for r in positive]


# Case 8. softplus, mse, data (1, 120), (3, 400): E'(w) = (sp(w) - 120) s(w) + 3 (sp(3w) - 400) s(3w), with
# sp = softplus, s = sigmoid = sp'. For w < 40 both brackets are negative and E' < 0 (E' -> 0- as w -> -oo:
# a zero at infinity, not a point). For large w, sp(w) = w + log(1 + e^{-w}), s(w) = 1 - e^{-w}/(1 + e^{-w}):
#   E'(w) = 10w - 1320 + O(w e^{-w}), so w* = 132 + O(e^{-132}); a first-order correction gives
#   10 (w* - 132) = -(e^{-132} - 12 e^{-132}) + ...  =>  w* - 132 ~ 1.1 e^{-132} ~ 5.18e-58.
# E''(w*) ~ 10 > 0: a minimum. Between 40 and 132 E' is increasing through 0 only once (checked by the scan).
# To 20 digits w* = 132.00000000000000000; mpmath.findroot at 80 digits gives the correction 5.182282382e-58.


def second_route_case8(dps=80):
    with mpmath.workdps(dps):
        softplus = lambda h: mpmath.log(1 + mpmath.exp(h))  # noqa: E731
        sigmoid = lambda h: 1 / (1 + mpmath.exp(-h))  # noqa: E731
        root = mpmath.findroot(lambda x: (softplus(x) - 120) * sigmoid(x) + 3 * (softplus(3 * x) - 400) * sigmoid(3 * x),
                               mpmath.mpf(132))
        return [((sp.Float(mpmath.nstr(root, dps - 5), dps - 5),), "min")]


# Case 9. identity, mse, two weights, data ((1,2), 1), ((2,4), 2), ((3,6), 2): every x_i = k_i (1, 2), k = 1, 2, 3,
# so h_i = k_i s with s = w1 + 2 w2 and E = sum (t_i - k_i s)^2 / 2. E'(s) = 0 <=> s = sum k t / sum k^2
# = (1 + 4 + 6)/14 = 11/14. The stationary set is the affine line w1 + 2 w2 = c* = 11/14 (a minimum along the
# data span, flat along (2, -1)); its minimum-norm point is (11/70, 11/35). No isolated point exists.


# ----------------------------------------------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------------------------------------------

def _case(name, activation, loss, data, *, dim=1, bias=False, l2="0", box=30, points, regions=(), count, notes):
    """One case in three spellings: CLI arguments, closedform.Neuron keyword arguments, reference data."""
    def xs(x):
        return tuple(str(v) for v in (x if isinstance(x, tuple) else (x,)))
    cli_data = "; ".join(",".join(xs(x)) + ":" + str(t) for x, t in data)
    args = ["--activation", activation, "--loss", loss, "--data", cli_data]
    if dim != 1:
        args += ["--dim", str(dim)]
    if bias:
        args += ["--bias"]
    if l2 != "0":
        args += ["--l2", l2]
    neuron_data = [((xs(x) if dim > 1 else xs(x)[0]), str(t)) for x, t in data]
    return {
        "name": name, "args": args,
        "neuron": {"activation": activation, "loss": loss, "dim": dim, "bias": bias, "l2": l2, "data": neuron_data},
        "activation": activation, "loss": loss, "bias": bias, "l2": Fraction(l2),
        "data": [(tuple(Fraction(v) for v in xs(x)), Fraction(str(t))) for x, t in data],
        "box": box, "points": list(points), "regions": list(regions), "count": count, "notes": notes,
    }


CASES = [
    _case("exp_poisson", "exp", "poisson", [(-1, 3), (2, 3), (2, 5)],
          points=[(("0.609804597579056857261457081993500678803",), "min")], count=1,
          notes="strictly convex; w = -log u*, u* the positive root of u^3 + 13u^2 - 4"),
    _case("leaky_matching", "leaky_relu(1/2)", "matching", [(1, 1), (-2, 1)],
          points=[(("-2/9",), "min")], count=1,
          notes="convex matching loss; the minimum sits where h_1 < 0 < h_2"),
    _case("poly_h_plus_h2_2d", "polynomial(0,1,1)", "mse", [((1, 0), 2), ((0, 1), 1), ((1, 1), "3/2")], dim=2,
          points=[(("-2.08249039416042534143874424384", "0.394516867574469642377781289730"), "min"),
                  (("-0.849412332849020374518069594870", "0.842992248622450980888075149653"), "saddle"),
                  (("-0.741311861885135140280769954309", "-1.21257382559871051610065084910"), "saddle"),
                  (("-0.379768707713269939599923218663", "-0.275980153371727733557491847207"), "max"),
                  (("0.758437848693494156134357922997", "-1.86534277844014976241645727585"), "min"),
                  (("0.863691072448947425387782726592", "0.0909373353171272762662337627513"), "min"),
                  (("1.09752104213207588098203302876", "-1.30788302743679322079082356331"), "saddle")],
          count=7, notes="7 real solutions of a shape-position Groebner basis (degree 7): 3 min, 3 saddle, 1 max"),
    _case("poly_h_minus_h3_bias", "polynomial(0,1,0,-1)", "mse", [(1, "1/3"), (-1, "1/5"), (2, "-1/4")], bias=True,
          points=[(("-0.353613396315100622413221089309", "0.547287795915999178323568181912"), "min"),
                  (("-0.170850749918427573452342011668", "-0.637281273223458643445255447618"), "saddle"),
                  (("-0.102571035013205900669490537172", "0.778684879281811716670820915228"), "saddle"),
                  (("0", "-sqrt(3)/3"), "max"),
                  (("0", "sqrt(3)/3"), "max"),
                  (("0.0449544926918560479127685846424", "-1.07088003240924919234964350151"), "min"),
                  (("0.125303533879521406860516912311", "0.329893993910736015631540069402"), "saddle"),
                  (("0.235898709967439925924612737700", "-0.413451062521300280087419672848"), "saddle"),
                  (("0.245763069679136316762044579662", "-0.845089909097273999648414163572"), "saddle"),
                  (("0.303877598638597093764696270536", "0.495528856427408799261650098412"), "min"),
                  (("0.364730682269836517706989005014", "-0.699832163339273049415702308586"), "min"),
                  (("0.375217572584876694781761052303", "-0.231136828458401469193670360364"), "max"),
                  (("0.499810576532070713690428152786", "-0.566235231504313723686419852058"), "saddle"),
                  (("0.561045365911955528779332641132", "-0.0154274286910753449728235324235"), "saddle"),
                  (("0.731815364337161844222502853960", "-0.355907168680546869980784355197"), "min")],
          count=15, notes="degree-6 loss; 25 complex critical points (Groebner, shape position), 15 real: "
                          "5 min, 7 saddle, 3 max (two maxima at w = 0, b = +-1/sqrt(3) where f' = 0)"),
    _case("relu_kink_2d", "relu", "mse", [((1, 0), 1), ((0, 1), 2), ((1, 1), 1)], dim=2,
          points=[(("-1", "2"), "min"), (("1/3", "4/3"), "min"), (("1", "0"), "kink")],
          regions=[{"kind": "flat", "description": "dead cone w1 <= 0, w2 <= 0 (loss 3)",
                    "inside": [("0", "0"), ("-1", "-5"), ("-3", "0")], "outside": [("1/10", "-1"), ("-1", "1/10")]},
                   {"kind": "affine", "description": "half-line w2 = 2, w1 <= -2 (pattern {2})",
                    "inside": [("-2", "2"), ("-7", "2")], "outside": [("-19/10", "2"), ("-3", "21/10")]},
                   {"kind": "affine", "description": "half-line w1 = 1, w2 <= -1 (pattern {1})",
                    "inside": [("1", "-1"), ("1", "-9")], "outside": [("1", "-9/10"), ("11/10", "-3")]}],
          count=3, notes="(1, 0) has h2 = 0: stationary by relu'(0) = 0 but E(1, 0.01) = 1.9801 < E(1, 0) = 2"),
    _case("relu_l2_bias", "relu", "mse", [(1, 2), (3, 3), (-2, 1)], bias=True, l2="1/5",
          points=[(("75/193", "336/193"), "min")],
          regions=[{"kind": "flat", "description": "half-line w = 0, b <= 0 (all units dead; l2 pins w = 0)",
                    "inside": [("0", "0"), ("0", "-4")], "outside": [("0", "1/10"), ("1/10", "-1")]}],
          count=1, notes="(0, 0) is the end of the flat half-line, not an isolated point"),
    _case("sigmoid_tiny_hessian", "sigmoid", "mse", [(1, "0.9999999999"), (3, "0.99999999999")],
          points=[(("23.0258509298404568401719145468418087426775",), "min")], count=1,
          notes="strict minimum with E'' = 9.999999998e-21: min, not degenerate"),
    _case("softplus_far", "softplus", "mse", [(1, 120), (3, 400)], box=200,
          points=[(("132.000000000000000000000000000000000000000000000000000000000518228238",), "min")],
          count=1, notes="w* = 132 + 5.18e-58; far outside a default box of half-width 50"),
    _case("identity_rank_deficient", "identity", "mse", [((1, 2), 1), ((2, 4), 2), ((3, 6), 2)], dim=2,
          points=[], regions=[{"kind": "affine", "description": "the line w1 + 2*w2 = 11/14",
                               "c_star": "11/14", "form": ("1", "2"),
                               "inside": [("11/70", "11/35"), ("11/14", "0"), ("0", "11/28")],
                               "outside": [("0", "0"), ("11/14", "1/100")]}],
          count=0, notes="rank-deficient: the stationary set is the line w1 + 2 w2 = c* = 11/14 "
                         "(minimum-norm point (11/70, 11/35), a minimum along the data span)"),
]

CASES_BY_NAME = {c["name"]: c for c in CASES}


def expected_values(case, dps=60):
    """The expected points of a case as (tuple of mpf, kind)."""
    out = []
    with mpmath.workdps(dps):
        for w, kind in case["points"]:
            out.append((tuple(mpmath.mpf(sp.N(sp.sympify(v), dps + 5)) for v in w), kind))
    return out


def cli_command(case) -> str:
    import shlex
    return "closedform analyze " + " ".join(shlex.quote(a) for a in case["args"])
