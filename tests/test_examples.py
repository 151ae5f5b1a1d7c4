"""The Auer-Herbster-Warmuth construction: floor(n/d)^d local minima, all found, with completeness proved on the
whole space within the default timeout. Ground truth by separability: per coordinate m minima and m - 1 maxima
(alternating); a product point is a min (max) when every coordinate's is, else a saddle: in d dimensions, m^d
minima and (m - 1)^d maxima out of (2m - 1)^d points. The cases d = 2, 3 of issue 11 ((4, 2), (6, 2) in 10 s,
(6, 3) in 60 s) are checked point by point, with these counts, in tests/test_wholespace.py."""
from collections import Counter

import pytest
import sympy as sp

import closedform as cf
from closedform.kinds import Kind

SIZES = [(3, 1, 10, cf.CertificateKind.EXACT_ROOTS)]


def test_construction_is_what_the_docstring_says():
    p = cf.examples.auer_herbster_warmuth(5, 2)
    assert p.data.x == tuple(tuple(sp.Integer(v) for v in row) for row in
                             [(1, 0), (-10, 0), (0, 1), (0, -10), (0, 0)])
    assert set(p.data.t) == {sp.Rational(9, 10)}


@pytest.mark.parametrize("n, d, timeout, kind", SIZES)
def test_certified_search_finds_every_minimum(n, d, timeout, kind):
    m = n // d
    r = cf.examples.auer_herbster_warmuth(n, d).stationary_points(timeout=timeout)
    kinds = Counter(p.kind for p in r.points)
    total, minima, maxima = (2 * m - 1) ** d, m ** d, (m - 1) ** d
    assert kinds == Counter({Kind.MIN: minima, Kind.MAX: maxima, Kind.SADDLE: total - minima - maxima} if d > 1
                            else {Kind.MIN: minima, Kind.MAX: maxima})
    assert r.complete and r.box is None and r.certificate.kind is kind
    assert all(p.certified for p in r.points)


def test_bad_arguments():
    with pytest.raises(ValueError, match="needs 1 <= d <= n; got n = 2, d = 3"):
        cf.examples.auer_herbster_warmuth(2, 3)
