"""Issue 13: the one-datapoint closed forms w.x = h* with their conditions on the target t, for relu, square,
h + h^2 and silu (and cubics), each against values derived by hand or by mpmath independently of the code.

By hand, with g = (f(h) - t) f'(h) for mse:
- relu: f(h) = t has the root h = t iff t > 0; f' = 0 on h <= 0 (the flat region).
- square: h = +-sqrt(t) iff t >= 0; f' = 0 at h = 0.
- h + h^2: h = (-1 +- sqrt(1 + 4t))/2 iff t >= -1/4; f' = 0 at h = -1/2.
- silu: (h - t) e^(h - t) = t e^-t, so h = t + W_k(t e^-t); with omega = W_0(1/e) ~ 0.27846, branch 0 iff
  t >= -omega, branch -1 iff -omega <= t < 0; f' = 0 iff 1 + h + e^h = 0 iff h = -1 - omega.
"""
import mpmath
import pytest
import sympy as sp

import closedform as cf
from closedform.model.activations import get_activation
from closedform.solve.onepoint import OnePoint
from closedform.solve.reduction import Reduced, reduce

S = sp.Rational
OMEGA = 0.27846454276107380  # W_0(1/e): omega e^omega = 1/e


def silu(z):
    return z / (1 + mpmath.exp(-z))


def symbolic(*spec, **options):
    neuron = cf.Neuron(get_activation(*spec), "mse", **options)
    return neuron, neuron.stationary_points()


def hyperplanes(neuron, r, values):
    """The right-hand sides h* of the closed forms w.x~ = h* whose conditions hold at ``values`` (a dict)."""
    h_of_w = neuron.pre_activation(neuron.data.x[0])
    out = []
    for form in r.closed_form:
        if isinstance(form.expr, sp.Eq):
            assert form.expr.lhs == h_of_w
            condition = form.conditions.subs(values)
            assert condition in (sp.true, sp.false), condition
            if condition == sp.true:
                out.append(form.expr.rhs.subs(values))
    return out


def same(condition, relation):
    """The two conditions on t describe the same set of t (0 < t and t > 0 are different SymPy trees)."""
    return condition.as_set() == relation.as_set()


def names(neuron):
    ((x,),), (t,) = neuron.data.x, neuron.data.t
    return x, t


# --- relu ---------------------------------------------------------------------------------------------------------

def test_relu_root_exists_only_for_positive_targets():
    neuron, r = symbolic("relu")
    x, t = names(neuron)
    w = neuron.weights[0]
    assert hyperplanes(neuron, r, {t: 3, x: 2}) == [3]  # w = 3/2
    assert hyperplanes(neuron, r, {t: -1, x: 2}) == []
    assert hyperplanes(neuron, r, {t: 0, x: 2}) == []  # t = 0: every h <= 0 fits, the flat region
    (region,) = r.regions
    assert region.kind is cf.RegionKind.FLAT
    assert region.expr.subs(x, 2).as_set() == sp.Interval(-sp.oo, 0) and region.expr.subs(x, 2).has(w)
    x_zero = [f for f in r.closed_form if not isinstance(f.expr, sp.Eq)]
    assert [f.conditions for f in x_zero] == [sp.Eq(x, 0)]


def test_relu_with_bias_and_two_inputs():
    neuron, r = symbolic("relu", bias=True)
    x, t = names(neuron)
    b, w = neuron.weights if str(neuron.weights[0]) == "b" else neuron.weights[::-1]
    (form,) = r.closed_form
    assert form.expr == sp.Eq(b + w * x, t) and same(form.conditions, t > 0)
    neuron, r = symbolic("relu", dim=2)
    (x1, x2), (t,) = neuron.data.x[0], neuron.data.t
    w1, w2 = neuron.weights
    root = [f for f in r.closed_form if isinstance(f.expr, sp.Eq)]
    assert [f.expr for f in root] == [sp.Eq(w1 * x1 + w2 * x2, t)]
    assert root[0].conditions.subs({x1: 0, x2: 1, t: 5}) == sp.true
    assert root[0].conditions.subs({x1: 0, x2: 0, t: 5}) == sp.false
    assert root[0].conditions.subs({x1: 1, x2: 1, t: -5}) == sp.false


# --- square ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, expected", [(4, [-2, 0, 2]), (-1, [0]), (0, [0, 0, 0]), (S(9, 4), [-S(3, 2), 0, S(3, 2)])])
def test_square_roots_plus_minus_sqrt_t_and_zero(target, expected):
    neuron, r = symbolic("square")
    x, t = names(neuron)
    assert sorted(hyperplanes(neuron, r, {t: target, x: 1})) == expected


def test_square_with_bias_has_no_x_condition():
    neuron, r = symbolic("square", bias=True)
    x, t = names(neuron)
    assert sorted(form.expr.rhs.subs(t, 4) for form in r.closed_form) == [-2, 0, 2]
    assert [same(form.conditions, t >= 0) for form in r.closed_form[:2]] == [True, True]
    assert r.closed_form[2].conditions == sp.true


# --- h + h^2 -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, expected", [
    (2, [-2, -S(1, 2), 1]),  # h^2 + h - 2 = (h + 2)(h - 1)
    (-S(1, 4), [-S(1, 2)] * 3),  # (h + 1/2)^2 = 0: the double root is the critical point
    (-1, [-S(1, 2)]),  # 1 + 4t < 0: only f' = 0
    (6, [-3, -S(1, 2), 2]),
])
def test_h_plus_h_squared(target, expected):
    neuron, r = symbolic("polynomial", 0, 1, 1)
    x, t = names(neuron)
    assert sorted(sp.nsimplify(v) for v in hyperplanes(neuron, r, {t: target, x: 1})) == expected
    roots = [f for f in r.closed_form if isinstance(f.expr, sp.Eq) and f.expr.rhs.has(t)]
    assert len(roots) == 2 and all(same(f.conditions.subs(x, 1), t >= -S(1, 4)) for f in roots)


# --- silu -------------------------------------------------------------------------------------------------------------

def _silu_forms():
    neuron, r = symbolic("silu")
    x, t = names(neuron)
    equations = [f for f in r.closed_form if isinstance(f.expr, sp.Eq)]
    branch = {}
    for form in equations:
        rhs = form.expr.rhs
        key = "critical" if not rhs.has(t) else (-1 if any(len(a.args) == 2 for a in rhs.atoms(sp.LambertW)) else 0)
        branch[key] = form
    assert len(branch) == len(equations) == 3
    return neuron, r, x, t, branch


def _numeric(expr, digits=40):
    with mpmath.workdps(digits + 10):
        return mpmath.mpf(str(sp.N(expr, digits + 10)))


def test_silu_target_one_single_root_by_lambert_w():
    neuron, r, x, t, branch = _silu_forms()
    values = hyperplanes(neuron, r, {t: 1, x: 1})
    assert len(values) == 2  # branch 0 and the critical point
    with mpmath.workdps(40):
        omega = mpmath.lambertw(1 / mpmath.e).real
        root = _numeric(branch[0].expr.rhs.subs(t, 1))
        assert abs(root - (1 + omega)) < mpmath.mpf(10) ** -35
        assert mpmath.nstr(root, 12) == "1.27846454276"
        assert abs(silu(root) - 1) < mpmath.mpf(10) ** -30
        critical = _numeric(branch["critical"].expr.rhs)
        assert abs(critical + 1 + omega) < mpmath.mpf(10) ** -35
        assert abs(mpmath.diff(silu, critical)) < mpmath.mpf(10) ** -30
        assert abs(silu(critical) + omega) < mpmath.mpf(10) ** -30  # the minimum of silu is -omega


def test_silu_target_between_minimum_and_zero_has_two_roots():
    neuron, r, x, t, branch = _silu_forms()
    target = S(-1, 5)
    assert len(hyperplanes(neuron, r, {t: target, x: 1})) == 3
    with mpmath.workdps(40):
        tt = mpmath.mpf(-1) / 5
        z = tt * mpmath.exp(-tt)
        for k in (0, -1):
            reference = tt + mpmath.lambertw(z, k).real
            value = _numeric(branch[k].expr.rhs.subs(t, target))
            assert abs(value - reference) < mpmath.mpf(10) ** -35
            assert abs(silu(value) - tt) < mpmath.mpf(10) ** -30
        low, high = (_numeric(branch[k].expr.rhs.subs(t, target)) for k in (-1, 0))
        assert low < -1 - OMEGA < high  # one root on each side of the minimum
        assert mpmath.nstr(low, 10) == "-2.396138506" and mpmath.nstr(high, 10) == "-0.5448804402"


def test_silu_target_below_minimum_leaves_only_the_critical_point():
    neuron, r, x, t, branch = _silu_forms()
    (only,) = hyperplanes(neuron, r, {t: S(-1, 2), x: 1})
    assert abs(float(only) - (-1 - OMEGA)) < 1e-15


@pytest.mark.parametrize("target, branch0, branch_minus1", [
    (S(-27, 100), True, True), (S(-28, 100), False, False), (-1, False, False), (0, True, False),
    (S(-1, 100), True, True), (1, True, False), (10, True, False),
])
def test_silu_conditions(target, branch0, branch_minus1):
    neuron, r, x, t, branch = _silu_forms()
    assert branch[0].conditions.subs({t: target, x: 1}) == (sp.true if branch0 else sp.false)
    assert branch[-1].conditions.subs({t: target, x: 1}) == (sp.true if branch_minus1 else sp.false)
    assert branch["critical"].conditions.subs(x, 1) == sp.true
    assert all(form.conditions.subs({t: target, x: 0}) == sp.false for form in branch.values())


def test_silu_summary_prints_the_conditions():
    text = cf.Neuron("silu", "mse").stationary_points().summary()
    assert "  closed form: w*x = t + LambertW(t*exp(-t))   if -LambertW(exp(-1)) <= t and x != 0\n" in text
    assert "  closed form: w*x = t + LambertW(t*exp(-t), -1)   if -LambertW(exp(-1)) <= t < 0 and x != 0\n" in text
    assert "  closed form: w*x = -1 - LambertW(exp(-1))   if x != 0\n" in text
    assert "  closed form: w*x = t   if 0 < t and x != 0\n" in cf.Neuron("relu", "mse").stationary_points().summary()


# --- cubics: every root with its condition --------------------------------------------------------------------------

@pytest.mark.parametrize("coefficients, target, expected", [
    ((0, -3, 0, 1), 2, [-1, -1, -1, 1, 2]),  # h^3 - 3h - 2 = (h - 2)(h + 1)^2; criticals +-1
    ((0, -3, 0, 1), 0, [-sp.sqrt(3), -1, 0, 1, sp.sqrt(3)]),
    ((0, -3, 0, 1), 18, [-1, 1, 3]),  # (h - 3)(h^2 + 3h + 6)
    ((0, -3, 0, 1), -18, [-3, -1, 1]),
    ((0, 1, 0, 1), 2, [1]),  # h^3 + h increasing: one root
    ((0, 1, 0, 1), 10, [2]),
    ((1, 3, 3, 1), 8, [-1, 1]),  # (h + 1)^3 = 8; critical -1
    ((1, 3, 3, 1), -8, [-3, -1]),
    ((0, 0, 0, 0, 1), 16, [-2, 0, 2]),  # h^4
    ((0, 0, 0, 0, 1), -1, [0]),
])
def test_cubic_and_binomial_roots(coefficients, target, expected):
    neuron, r = symbolic("polynomial", *coefficients)
    x, t = names(neuron)
    found = sorted(float(sp.N(v, 30)) for v in hyperplanes(neuron, r, {t: target, x: 1}))
    assert found == pytest.approx([float(e) for e in expected], abs=1e-12)


# --- completeness ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, exact", [
    (("relu",), True), (("square",), True), (("polynomial", 0, 1, 1), True), (("silu",), True), (("sigmoid",), True),
    (("polynomial", 0, -3, 0, 1), True), (("leaky_relu",), True),
    (("polynomial", 0, 1, 0, 0, 1), False),  # h^4 + h = t: a quartic, left with a note
    (("custom", "h + sin(h)"), False), (("custom", "h*exp(h)"), False),  # solveset: ConditionSet; {-1} not a proof
])
def test_completeness_is_proposed_only_when_every_branch_is_exact(spec, exact):
    neuron = cf.Neuron(get_activation(*spec), "mse")
    finding = OnePoint().solve(Reduced(neuron, sp.eye(neuron.p), neuron.rows, neuron.regularised))
    assert (finding.certificate is not None) is exact
    assert exact or finding.notes  # what was not solved is said
    r = neuron.stationary_points()
    assert exact or not r.complete
    assert not r.complete or r.certificate.kind is cf.CertificateKind.ONE_POINT


def test_quartic_note_and_partial_status():
    neuron, r = symbolic("polynomial", 0, 1, 0, 0, 1)
    assert not r.complete and r.status is cf.Status.PARTIAL
    assert "h**4 + h = t has degree 4 in h: its real roots are not given in closed form for a symbolic t" in r.notes
    x, t = names(neuron)
    (critical,) = hyperplanes(neuron, r, {t: 5, x: 1})  # f' = 4h^3 + 1 = 0 is still solved
    assert sp.simplify(critical + 1 / sp.root(4, 3)) == 0


# --- concrete data: the same rules with a number target -------------------------------------------------------------

def test_concrete_square_and_h_plus_h_squared():
    r = cf.Neuron("square", "mse", data=[(2, 9)]).stationary_points()
    assert sorted(p.exact for p in r.points) == [-S(3, 2), 0, S(3, 2)] and r.complete
    assert r.certificate.kind is cf.CertificateKind.ONE_POINT
    r = cf.Neuron(get_activation("polynomial", 0, 1, 1), "mse", data=[(2, 2)]).stationary_points()
    assert sorted(p.exact for p in r.points) == [-1, -S(1, 4), S(1, 2)] and r.complete


def test_concrete_relu_below_zero_has_only_the_flat_region():
    r = cf.Neuron("relu", "mse", data=[(2, -1)]).stationary_points()
    assert r.points == [] and r.complete
    assert {reg.kind for reg in r.regions} == {cf.RegionKind.FLAT}


def test_concrete_silu_points_are_lambert_w_forms():
    neuron = cf.Neuron("silu", "mse", data=[(2, "-1/5")])
    finding = OnePoint().solve(reduce(neuron))
    with mpmath.workdps(40):
        tt = mpmath.mpf(-1) / 5
        z = tt * mpmath.exp(-tt)
        reference = sorted([tt + mpmath.lambertw(z, -1).real, -1 - mpmath.lambertw(1 / mpmath.e).real,
                            tt + mpmath.lambertw(z).real])
        found = [_numeric(w) for (w,) in finding.points]
        assert all(abs(a - b / 2) < mpmath.mpf(10) ** -35 for a, b in zip(found, reference)) and len(found) == 3
    r = neuron.stationary_points()
    assert len(r.points) == 3 and r.status is cf.Status.OK
    below = cf.Neuron("silu", "mse", data=[(1, "-1/2")])
    (only,) = OnePoint().solve(reduce(below)).points
    assert abs(float(only[0]) - (-1 - OMEGA)) < 1e-15


def test_concrete_relu_reports_its_flat_region_once():
    """Two strategies find the flat set 2w <= 0 of relu with the datapoint (2, 3): it is one region, listed once;
    the only point is w = 3/2 (2w = 3), found by hand."""
    r = cf.Neuron("relu", data=[(2, 3)]).stationary_points()
    assert len(r.regions) == 1 and r.regions[0].kind is cf.RegionKind.FLAT
    assert [p.exact for p in r.points] == [sp.Rational(3, 2)] and r.complete


def test_symbolic_square_and_quadratic_are_proved_complete():
    for name in ("square", "polynomial(0,1,1)"):
        r = cf.Neuron(name, "mse").stationary_points()
        assert r.complete and r.status is cf.Status.OK, name
        assert "each satisfy it identically" in r.certificate.checked_by


def _one_point_proposal(activation, roots, conditions, criticals):
    from types import SimpleNamespace
    from closedform.kinds import CertificateKind, Scope
    from closedform.model.symbols import t
    from closedform.solve.parts import Certificate
    from closedform.solve.state import Proposal
    facts = {"target": t, "roots": roots, "criticals": criticals, "row": None, "conditions": conditions}
    state = SimpleNamespace(neuron=SimpleNamespace(activation=get_activation(activation)))
    return state, Proposal(Certificate(CertificateKind.ONE_POINT, Scope.GLOBAL, "test", facts), "test")


@pytest.mark.parametrize("roots, conditions, criticals, why", [
    (["sqrt(t)"], ["t >= 0"], [0], "1 root(s) of f(h) = t listed, degree 2"),          # a root dropped
    (["sqrt(t)", "-sqrt(t)"], ["t > 1", "t >= 0"], [0], "is real where"),              # a wrong condition
    (["sqrt(t)", "sqrt(t) + 1"], ["t >= 0", "t >= 0"], [0], "!= t"),                   # not a root
    (["sqrt(t)", "-sqrt(t)"], ["t >= 0", "t >= 0"], [], "the real roots of f' differ"),  # h = 0 dropped
])
def test_the_symbolic_polynomial_check_refuses_a_wrong_proposal(roots, conditions, criticals, why):
    from closedform.model.symbols import t
    from closedform.solve.checks import check_one_point
    to_expr = lambda text: sp.sympify(text, locals={"t": t})  # noqa: E731  (test-written strings only)
    state, proposal = _one_point_proposal("square", [to_expr(r) for r in roots], [to_expr(c) for c in conditions],
                                          [sp.Integer(c) for c in criticals])
    accepted, reason = check_one_point(state, proposal)
    assert not accepted and why in reason
    good_state, good = _one_point_proposal("square", [sp.sqrt(t), -sp.sqrt(t)], [t >= 0, t >= 0], [sp.Integer(0)])
    assert check_one_point(good_state, good)[0] is True


def test_symbolic_relu_is_proved_complete_and_a_wrong_proposal_is_refused():
    """relu, one datapoint: h = t for t > 0 (by hand: the piece h > 0 is the identity), and the flat half-space
    h <= 0; a wrong condition, or a missing flat region, is refused by the piecewise check."""
    from closedform.model.symbols import t
    from closedform.solve.checks import check_one_point
    r = cf.Neuron("relu", "mse").stationary_points()
    assert r.complete and "piece by piece" in r.certificate.checked_by
    neuron = cf.Neuron("relu", "mse")
    (w,), ((x,),) = neuron.weights, neuron.data.x
    flat = cf.Region(cf.RegionKind.FLAT, "w x <= 0", w * x <= 0)
    for roots, conditions, regions, accepted in [([t], [t > 0], [flat], True), ([t], [t >= 0], [flat], False),
                                                 ([t], [t > 0], [], False)]:
        state, proposal = _one_point_proposal("relu", roots, conditions, [])
        state.neuron, state.regions = neuron, regions
        assert check_one_point(state, proposal)[0] is accepted
