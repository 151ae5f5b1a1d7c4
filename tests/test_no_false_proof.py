"""Issue "No false proof": each command of the issue's table gives the true answer, with truth derived by hand
or by a route independent of the package (mpmath polynomial roots, SymPy resultants, exact rationals); and the
pipeline refuses a certificate its independent checker does not confirm."""
import mpmath
import pytest
import sympy as sp

import closedform as cf
from closedform.kinds import CertificateKind, Kind, RegionKind, Scope, Status
from closedform.solve import checks
from closedform.solve.expsub import ExpSubstitution

S = sp.Rational


def kinds(r):
    return sorted(p.kind.value for p in r.points)


def test_exp_poisson_has_its_one_minimum():
    r = cf.Neuron("exp", "poisson", data=[(-1, 3), (2, 3), (2, 5)]).stationary_points()
    # by hand: grad = -(e^-w - 3) + 2(e^2w - 3) + 2(e^2w - 5) = 4 e^2w - e^-w - 13; with v = e^w: 4v^3 - 13v - 1 = 0
    with mpmath.workdps(50):
        (v,) = [mpmath.re(z) for z in mpmath.polyroots([4, 0, -13, -1], extraprec=50)
                if abs(mpmath.im(z)) < 1e-40 and mpmath.re(z) > 0]
        (point,) = r.points
        assert point.kind is Kind.MIN and abs(point.w[0] - mpmath.log(v)) < 1e-28
    assert r.complete and r.certificate.kind is CertificateKind.EXACT_ROOTS and r.status is Status.OK


def test_leaky_relu_matching_loss_solves_its_own_system():
    r = cf.Neuron("leaky_relu(1/2)", "matching", data=[(1, 1), (-2, 1)]).stationary_points()
    # by hand at w = -2/9: (f(-2/9) - 1) * 1 + (f(4/9) - 1) * (-2) = (-1/9 - 1) + 10/9 = 0, f' >= 1/2: convex
    assert [(p.exact, p.kind) for p in r.points] == [(S(-2, 9), Kind.MIN)]
    assert r.complete


def resultant_points(gradient, x, y):
    """Real solutions of a 2x2 polynomial system by resultant, exact real roots and back-substitution."""
    first, second = (sp.Poly(sp.expand(e), x, y) for e in gradient)
    out = []
    for root in sp.Poly(sp.resultant(first.as_expr(), second.as_expr(), y), x).real_roots():
        xv = sp.N(root, 50)
        for yv in sp.Poly(first.as_expr().subs(x, root), y).nroots(n=50):
            if sp.im(yv) == 0 and abs(sp.N(second.as_expr().subs({x: xv, y: yv}), 30)) < 1e-20:
                out.append((float(xv), float(sp.re(yv))))
    return sorted(set((round(a, 9), round(b, 9)) for a, b in out))


def test_square_plus_linear_activation_in_two_dimensions_has_seven_points():
    p = cf.Neuron("polynomial(0,1,1)", dim=2, data=[((1, 0), 2), ((0, 1), 1), ((1, 1), "3/2")])
    r = p.stationary_points()
    truth = resultant_points(list(p.gradient), *p.weights)
    assert len(truth) == 7
    assert sorted((round(float(q.w[0]), 9), round(float(q.w[1]), 9)) for q in r.points) == truth
    assert kinds(r) == ["max", "min", "min", "min", "saddle", "saddle", "saddle"]
    # a coercive loss: #min - #saddle + #max = 1 (Poincare-Hopf)
    assert r.complete and r.certificate.kind is CertificateKind.POLYNOMIAL_SYSTEM


def test_cubic_activation_with_bias_has_fifteen_points():
    p = cf.Neuron("polynomial(0,1,0,-1)", bias=True, data=[(1, "1/3"), (-1, "1/5"), (2, "-1/4")])
    r = p.stationary_points()
    truth = resultant_points(list(p.gradient), *p.weights)
    assert len(truth) == 15
    assert sorted((round(float(q.w[0]), 9), round(float(q.w[1]), 9)) for q in r.points) == truth
    assert kinds(r).count("min") == 5 and kinds(r).count("saddle") == 7 and kinds(r).count("max") == 3
    assert r.complete


def test_relu_point_on_a_kink_is_a_saddle_not_a_minimum():
    p = cf.Neuron("relu", dim=2, data=[((1, 0), 1), ((0, 1), 2), ((1, 1), 1)])
    r = p.stationary_points()
    w1, w2 = p.weights
    assert p.loss.subs({w1: 1, w2: 0}) == 2 and p.loss.subs({w1: 1, w2: S(1, 100)}) == S(19801, 10000)  # 1.99^2/2 + 0.01^2/2 < 2
    (kink,) = [q for q in r.points if q.exact == sp.Tuple(1, 0)]
    assert kink.kink and kink.kind is Kind.SADDLE
    # the other two points by hand: (-1, 2) fits points 2 and 3 exactly; (1/3, 4/3) is least squares on all three
    assert sorted((q.exact, q.kind) for q in r.points if not q.kink) == [(sp.Tuple(-1, 2), Kind.MIN),
                                                                        (sp.Tuple(S(1, 3), S(4, 3)), Kind.MIN)]


def test_relu_with_bias_and_l2_reports_the_flat_half_line():
    p = cf.Neuron("relu", bias=True, l2="1/5", data=[(1, 2), (3, 3), (-2, 1)])
    r = p.stationary_points()
    w, b = p.weights
    (flat,) = r.regions
    assert flat.kind is RegionKind.FLAT and flat.expr == sp.And(sp.Eq(w, 0), b <= 0)
    # all three units active: (71/5) w + 2 b = 9, 2 w + 3 b = 6 by hand
    assert [(q.exact, q.kind) for q in r.points] == [(sp.Tuple(S(75, 193), S(336, 193)), Kind.MIN)]
    assert r.complete


def test_saturated_strict_minimum_is_a_minimum():
    r = cf.Neuron("sigmoid", data=[(1, "0.9999999999"), (3, "0.99999999999")]).stationary_points()
    (point,) = r.points
    assert point.kind is Kind.MIN
    with mpmath.workdps(60):
        def hess(w):  # by hand: d/dw sum (s - t) s (1 - s) x, differentiated numerically at 60 digits
            def grad(v):
                total = 0
                for x, t in [(1, mpmath.mpf("0.9999999999")), (3, mpmath.mpf("0.99999999999"))]:
                    s = 1 / (1 + mpmath.exp(-v * x))
                    total += (s - t) * s * (1 - s) * x
                return total
            return mpmath.diff(grad, w)
        assert 0 < hess(point.w[0]) < 1e-20


def test_softplus_far_minimum_is_found_and_the_box_is_said():
    r = cf.Neuron("softplus", data=[(1, 120), (3, 400)]).stationary_points()
    # for w >> 0 softplus(h) = h + O(e^-h): (w - 120) + 3 (3 w - 400) = 0, w = 132
    (point,) = r.points
    assert abs(point.w[0] - 132) < 1e-40 and point.kind is Kind.MIN
    assert r.certificate.scope is Scope.BOX and r.box is not None and r.box[0][1] >= 132
    text = r.summary()
    assert "proved)" not in text and "complete in the box" in text


def test_rank_deficient_identity_is_an_affine_set_only():
    r = cf.Neuron("identity", dim=2, data=[((1, 2), 1), ((2, 4), 2), ((3, 6), 2)]).stationary_points()
    assert r.points == []
    (line,) = r.regions
    # c = w1 + 2 w2 with z = 1, 2, 3: c* = sum z t / sum z^2 = 11/14
    assert line.kind is RegionKind.AFFINE and line.along_span is Kind.MIN and "w1 + 2*w2 = 11/14" in line.description


def test_json_carries_the_certificate_and_the_status_enum():
    r = cf.Neuron("sigmoid", data=[(1, "3/10"), (2, "9/10")]).stationary_points()
    answer = r.to_dict()
    assert answer["certificate"] == {"kind": "exact-roots", "scope": "global", "details": r.certificate.details,
                                     "checked_by": r.certificate.checked_by}
    assert answer["status"] == Status.OK.value


@pytest.fixture
def lossy_substitution(monkeypatch):
    """The exponential substitution made to lose every root it finds (its certificate still proposed)."""
    original = ExpSubstitution.solve

    def lossy(self, reduced, digits=60):
        finding = original(self, reduced, digits)
        finding.points, finding.values = [], {}
        return finding

    monkeypatch.setattr(ExpSubstitution, "solve", lossy)


def test_a_dropped_root_is_not_certified(lossy_substitution):
    """The root count refuses the lossy certificate and the witness search finds the point, so the answer is
    partial, never 'complete'."""
    r = cf.Neuron("sigmoid", data=[(1, "3/10"), (2, "9/10")]).stationary_points()
    assert not r.complete or r.certificate.kind is not CertificateKind.EXACT_ROOTS
    assert any("certificate not accepted (Descartes' rule with bisection counts 1 root(s) of P, but 0 point(s)"
               in n for n in r.notes)
    assert len(r.points) == 1 and abs(r.points[0].w[0] - mpmath.mpf("0.464145580552939")) < 1e-14


@pytest.mark.inconsistent_expected
def test_a_wrongly_accepted_certificate_is_caught_by_the_witness(lossy_substitution, monkeypatch):
    """Even a checker that accepts anything cannot make a wrong list 'complete': the witness finds the point."""
    monkeypatch.setitem(checks.CHECKS, CertificateKind.EXACT_ROOTS, lambda state, proposal: (True, "rubber stamp"))
    r = cf.Neuron("sigmoid", data=[(1, "3/10"), (2, "9/10")]).stationary_points()
    assert r.status is Status.INCONSISTENT and not r.complete
    assert any("missing from the list that 'exact-roots' declared complete" in n for n in r.notes)


def test_a_tail_point_fails_verification_and_a_steep_root_passes():
    from closedform.solve.reduction import reduce
    from closedform.solve.verify import verify
    tail = reduce(cf.Neuron("sigmoid", data=[(1, 1)]))
    with mpmath.workdps(60):
        assert not verify(tail, [mpmath.mpf(30)], 45).holds  # |grad| ~ e^-30: a saturated tail, not a root
    steep = reduce(cf.Neuron("exp", "poisson", data=[(-1, 3), (2, 3), (2, 5)]))
    with mpmath.workdps(80):
        v = [z for z in mpmath.polyroots([4, 0, -13, -1], extraprec=80) if abs(mpmath.im(z)) < 1e-40 and mpmath.re(z) > 0]
        root = mpmath.log(mpmath.re(v[0]))
        assert verify(steep, [root], 45).holds
        assert not verify(steep, [root + mpmath.mpf(10) ** -20], 45).holds  # 20 digits do not pass for 45


def test_checker_re_enumerates_patterns_independently():
    """A fabricated extra point for the activation patterns is refused by the Fractions re-enumeration."""
    from closedform.solve.pipeline import solve
    from closedform.solve.state import Verified
    from closedform.solve.verify import Verdict
    state = solve(cf.Neuron("relu", data=[(1, 1), (2, 3)]))
    proposal = next(p for p in state.proposals if p.certificate.kind is CertificateKind.PATTERNS)
    assert checks.check(state, proposal)[0]
    state.verified.append(Verified([mpmath.mpf(5)], (S(5),), {proposal.source}, Verdict(True, 0, None, "fake")))
    accepted, reason = checks.check(state, proposal)
    assert not accepted and "re-enumeration finds 1 isolated point(s), the strategy 2" in reason


def test_kink_classification_by_hand_in_one_dimension():
    """relu, data (1, 1), (-1, 1): at w = 0 both units sit on the kink; to the right the first unit turns on
    (E = (w - 1)^2/2 + 1/2 falls), to the left the second one does (E = (-w - 1)^2/2 + 1/2 falls): a maximum."""
    from closedform.solve.kink import classify_kink
    from closedform.solve.reduction import reduce
    reduced = reduce(cf.Neuron("relu", data=[(1, 1), (-1, 1)]))
    assert classify_kink(reduced, (S(0),)) is Kind.MAX
    # with targets -1 the loss (h + 1)^2/2 rises on both sides: a minimum
    assert classify_kink(reduce(cf.Neuron("relu", data=[(1, -1), (-1, -1)])), (S(0),)) is Kind.MIN


@pytest.mark.parametrize("activation, loss, target, expected", [
    ("sigmoid", "bce", "0.999999", sp.log(999999)),  # w = logit(t); the witness's Newton used to run off to exp(1e30)
    ("softplus", "poisson", "0.000001", sp.log(sp.exp(S(1, 10**6)) - 1) / 2),  # softplus(2 w) = t
])
def test_a_runaway_witness_start_is_dropped_not_raised(activation, loss, target, expected):
    r = cf.Neuron(activation, loss, data=[(1 if activation == "sigmoid" else 2, target)]).stationary_points()
    (point,) = r.points
    assert sp.simplify(point.exact - expected) == 0 and point.kind is Kind.MIN and r.complete


def test_indefinite_hessian_with_a_zero_eigenvalue_is_a_saddle():
    """E = w1^4/2 + (w2^2 - 1)^2/2 + (w3^2 + 1)^2/2 by hand: at 0 the Hessian is diag(0, -2, 2), indefinite; at
    (0, +-1, 0) it is diag(0, 4, 2), not decided by second order."""
    r = cf.Neuron("square", data=[((1, 0, 0), 0), ((0, 1, 0), 1), ((0, 0, 1), -1)]).stationary_points()
    assert sorted((tuple(float(v) for v in p.w), p.kind) for p in r.points) == [
        ((0.0, -1.0, 0.0), Kind.DEGENERATE), ((0.0, 0.0, 0.0), Kind.SADDLE), ((0.0, 1.0, 0.0), Kind.DEGENERATE)]
    # E separates by coordinate: each 1-D block is a polynomial whose real roots are isolated exactly
    assert r.complete and r.certificate.kind is CertificateKind.SEPARABLE and r.certificate.facts["counts"] == [1, 3, 1]


def test_a_valley_of_saturated_terms_is_not_a_point():
    """tanh + logcosh with a bias: along w/3 + b = atanh(1/2) the first term is solved and the other two units
    sit at h ~ 350 and 200, contributing ~e^-400 to the gradient, never exactly 0 (found by the thorough
    differential profile at w ~ (-149.8, 50.5)). Such a float-search point must be enclosed by the Krawczyk test
    to count; it cannot be. Reported: the three genuine points near the origin, those an independent route
    (mpmath.findroot at 50 digits on the gradient by numerical differentiation, residual < 1e-47, kinds by the
    Hessian's eigenvalues: (3.50, -0.59), (1.64, 0.76), (-2.12, 1.27)) gives; the float search alone missed
    both saddles, the box proof's first boxes find them."""
    # 20 s: the first box [-4, 4]^2 takes 3.3 s here (525 sub-boxes); with 10 s a loaded machine missed its share
    r = cf.Neuron("tanh", "logcosh", bias=True, data=[("1/3", "1/2"), (-2, 3), (-1, -3)]).stationary_points(timeout=20)
    truth = [((-0.705060608544480299, -0.633463084512676599), Kind.SADDLE),
             ((-0.375344472558679435, 0.342315984945872394), Kind.MIN),
             ((0.468747214561876797, -0.0148369454977441274), Kind.SADDLE)]
    found = sorted(((float(p.w[0]), float(p.w[1])), p.kind) for p in r.points)
    assert len(found) == 3 and all(p.certified for p in r.points)
    for (w, kind), (v, expected) in zip(found, truth):
        assert max(abs(a - b) for a, b in zip(w, v)) < 1e-15 and kind is expected
    assert r.complete and r.box is not None and float(r.box[0][1]) < 149


def test_a_saturated_valley_in_rank_deficient_data_is_not_a_region():
    """softplus + mse with a bias, x = (-2, -4/3) -> -7/2 and (-3/2, 1/2) -> 3/2 (found by the thorough
    differential test in three variables). By hand: the rows (x, 1) are independent, so a stationary point needs
    g_1 = g_2 = 0, but g_1 = (softplus(h_1) + 7/2) sigma(h_1) > 0 everywhere: there is none. The witness's
    points at h_1 ~ -194 (|grad| ~ 1e-84, below the residual test's error bound) were reported as two affine
    regions, because rank-deficient data had no interval model for the Krawczyk proof."""
    r = cf.Neuron("softplus", "mse", dim=2, bias=True,
                  data=[(("-2", "-4/3"), "-7/2"), (("-3/2", "1/2"), "3/2")]).stationary_points()
    assert r.status is cf.Status.OK and r.points == [] and r.regions == []
    assert r.complete and r.certificate.kind is cf.CertificateKind.BOX_EXCLUSION


@pytest.mark.inconsistent_expected
def test_a_verified_point_where_the_box_search_proved_none_makes_the_answer_inconsistent(monkeypatch):
    """The two routes check each other: with the Krawczyk requirement switched off for rank-deficient data
    (the bug above), the witness's false point meets the box search's proof that the box holds no zero, and the
    answer is `inconsistent`, never `ok`."""
    import closedform.solve.stages as stages

    model = stages.interval_model
    monkeypatch.setattr(stages, "interval_model", lambda reduced: model(reduced) if reduced.is_full else None)
    r = cf.Neuron("softplus", "mse", dim=2, bias=True,
                  data=[(("-2", "-4/3"), "-7/2"), (("-3/2", "1/2"), "3/2")]).stationary_points()
    assert r.status is cf.Status.INCONSISTENT and not r.complete
    assert any("lie in no sub-box proved to hold a zero" in note for note in r.notes)
