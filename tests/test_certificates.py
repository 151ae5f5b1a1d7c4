"""Certificates: Galois witnesses re-checked with SymPy's own factorisation mod p, groups from the literature,
solvable cases in radicals, Krawczyk enclosures that contain the independently computed root."""
import mpmath
import pytest
import sympy as sp

import closedform as cf
from closedform.solve.galois import cycle_type, galois_verdict, symmetric_certificate

x = sp.Symbol("x")
u = sp.Symbol("u")
SEVEN = 3*u**7 + 11*u**6 + 63*u**5 + 31*u**4 + 21*u**3 - 27*u**2 + u - 7


def sympy_cycle_type(f, p):
    """Factor degrees mod p by SymPy (an independent implementation from FLINT's)."""
    _, factors = sp.factor_list(f, modulus=p)
    return tuple(sorted((sp.degree(g, f.free_symbols.pop()) for g, m in factors for _ in range(m)), reverse=True))


def test_the_two_point_polynomial_has_group_s7_with_rechecked_primes():
    poly = sp.Poly(SEVEN, u)
    proof = symmetric_certificate(poly)
    (p, long_shape), (q, short_shape) = proof
    assert long_shape == (6, 1) and sum(short_shape) == 7
    assert sympy_cycle_type(SEVEN, p) == long_shape and sympy_cycle_type(SEVEN, q) == short_shape
    assert [k for k in short_shape if k % 2 == 0] == [2]
    discriminant = sp.discriminant(SEVEN, u)
    assert discriminant % p and discriminant % q and 3 % p and 3 % q
    assert galois_verdict(poly).group == "S7" and galois_verdict(poly).solvable is False


@pytest.mark.parametrize("f, group, solvable", [
    (x**5 - x - 1, "S5", False),       # the classical non-solvable quintic
    (x**5 - 2, "M20", True),           # the Frobenius group F20 = M20, solvable
    (x**4 + 1, "a subgroup of S4", True),
    (x**6 + x + 1, "S6", False),
])
def test_groups_from_the_literature(f, group, solvable):
    verdict = galois_verdict(sp.Poly(f, x))
    assert (verdict.group, verdict.solvable) == (group, solvable)


def test_the_mod_p_certificate_proves_s5_and_never_claims_it_for_f20():
    assert symmetric_certificate(sp.Poly(x**5 - x - 1, x)) is not None
    assert symmetric_certificate(sp.Poly(x**5 - 2, x)) is None
    # x^7 - 7x + 3 has group PSL(2, 7) (Trinks): not S7, and the certificate must not say it is
    assert symmetric_certificate(sp.Poly(x**7 - 7*x + 3, x)) is None
    assert galois_verdict(sp.Poly(x**7 - 7*x + 3, x)).solvable is None


def test_bad_primes_are_skipped():
    assert cycle_type(sp.Poly(x**2 - 2, x), 2) is None      # x^2 = x*x mod 2: p divides the discriminant
    assert cycle_type(sp.Poly(2*x**2 + 1, x), 2) is None    # p divides the leading coefficient
    assert cycle_type(sp.Poly(x**2 + 1, x), 5) == (1, 1)


def test_the_pipeline_reports_the_s7_obstruction():
    r = cf.Neuron(data=[(1, "3/10"), (2, "9/10")]).stationary_points()
    assert r.obstruction.group == "S7" and r.obstruction.solvable is False
    assert sp.sstr(r.obstruction.polynomial) == sp.sstr(SEVEN)
    assert "mod 17" in r.obstruction.explanation and "mod 29" in r.obstruction.explanation


@pytest.mark.parametrize("activation, loss, expected", [
    ("exp", "poisson", -sp.log(sp.Rational(5, 21) + sp.sqrt(445) / 21)),   # a quadratic factor
    ("square", "mse", sp.sqrt(6630) / 170),                                  # a quadratic in w
])
def test_solvable_cases_come_back_in_radicals_without_obstruction(activation, loss, expected):
    r = cf.Neuron(activation, loss, data=[(1, "3/10"), (2, "9/10")]).stationary_points()
    assert r.obstruction is None
    exacts = [p.exact for p in r.points]
    assert any(sp.simplify(e - expected) == 0 for e in exacts)
    assert not any(e.has(sp.CRootOf) for e in exacts)


def test_poisson_radical_is_the_hand_derived_root():
    # by hand: exp + poisson, g = e^h - t; with u = e^-w: (1/u - 3/10) + 2 (1/u^2 - 9/10) = 0
    # -> 21 u^2 + 10 u... times u^2: u - 3u^2/10 + 2 - 18u^2/10 = 0 -> 21 u^2 - 10 u - 20 = 0
    root = (10 + sp.sqrt(100 + 4 * 21 * 20)) / 42
    assert sp.simplify(root - (sp.Rational(5, 21) + sp.sqrt(445) / 21)) == 0


def test_enclosures_contain_the_root_and_are_tiny(solved):
    # the same run as test_pipeline's numeric fallback in two dimensions (shared: solved)
    r = solved({"timeout": 10}, activation="sigmoid", loss="mse",
               data=[((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")])
    (point,) = [p for p in r.points if p.kind is cf.Kind.MIN]
    assert point.certified
    with mpmath.workdps(60):
        def grad(w1, w2):
            s = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
            out = [0, 0]
            for (a, b), t in [((1, 0), mpmath.mpf(1) / 5), ((0, 1), mpmath.mpf(7) / 10), ((1, 1), mpmath.mpf(1) / 2)]:
                h = a * w1 + b * w2
                g = (s(h) - t) * s(h) * (1 - s(h))
                out = [out[0] + g * a, out[1] + g * b]
            return out
        root = mpmath.findroot(grad, [mpmath.mpf(float(v)) for v in point.w])
        for (lo, hi), value in zip(point.enclosure, root):
            assert lo <= value <= hi
            assert hi - lo < mpmath.mpf(10) ** -25


def test_piecewise_points_are_exact_but_not_interval_certified():
    r = cf.Neuron("relu", data=[(1, 1), (2, 3)]).stationary_points()
    assert r.points[0].exact == sp.Rational(7, 5) and r.points[0].certified is False


def test_jordan_certificate_for_large_degree_is_rechecked():
    f = x**11 - x - 1
    proof = symmetric_certificate(sp.Poly(f, x))
    assert len(proof) == 1
    (p, shape), = proof
    assert sympy_cycle_type(f, p) == shape
    assert sp.isprime(shape[0]) and 11 / 2 < shape[0] <= 11 - 3
    assert galois_verdict(sp.Poly(f, x)).group == "A11 or S11"


def test_three_point_problem_gets_a_jordan_witness_at_degree_331(solved):
    # the same run as test_pipeline's three roots against a sign-change scan (shared: solved)
    r = solved({"timeout": 30}, activation="sigmoid", loss="mse", data=[(1, "1/10"), (-10, "1/10"), (100, "9/10")])
    assert r.obstruction.group == "A331 or S331" and "(Jordan)" in r.obstruction.explanation


def test_two_dimensional_search_on_the_issue_box_is_complete():
    """sigmoid: exp(-w_j) turns the gradient into a polynomial system, complete on the whole plane even when a box
    is asked for; softplus (log(1 + e^h) is not rational in e^h): the box search proves the box."""
    data = [((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")]
    r = cf.Neuron(data=data).stationary_points(box=[(-30, 30), (-30, 30)], timeout=30)
    assert r.complete and r.box is None and r.certificate.kind is cf.CertificateKind.EXP_SYSTEM
    assert [(p.kind, p.certified) for p in r.points] == [(cf.Kind.MIN, True)]
    r = cf.Neuron("softplus", data=data).stationary_points(box=[(-30, 30), (-30, 30)], timeout=30)
    assert r.complete and r.status is cf.Status.OK
    assert [(p.kind, p.certified) for p in r.points] == [(cf.Kind.MIN, True)]
    assert r.box == [(-30.0, 30.0), (-30.0, 30.0)]
    assert (r.certificate.kind, r.certificate.scope) == (cf.CertificateKind.BOX_EXCLUSION, cf.Scope.BOX)
    assert r.certificate.facts["unique"] == 1 and r.certificate.facts["boxes"] > 1
