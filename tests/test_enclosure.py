"""Krawczyk's test in ball arithmetic (closedform.solve.enclosure): a box is returned only around a simple zero,
and it holds the zero known by hand."""
from __future__ import annotations

import flint
import mpmath
import pytest
import sympy as sp

from closedform.solve.enclosure import NotEnclosable, compile_ball, definiteness, krawczyk, precision

x, y = sp.symbols("x y", real=True)


def test_the_box_holds_the_zero_known_by_hand():
    # x^2 + y^2 = 2, e^x = e y: the zero (1, 1); a start 1e-7 away
    proof = krawczyk([x**2 + y**2 - 2, sp.exp(x) - sp.E * y], (x, y), [1 + 1e-7, 1 - 1e-7], 30)
    assert proof is not None and all(b.contains(1) and b.rad() < 1e-10 for b in proof.box)
    # the Jacobian over the box encloses the one at (1, 1): [[2, 2], [e, -e]]
    assert proof.jacobian[0][0].contains(2) and proof.jacobian[1][1].overlaps(-flint.arb(1).exp())
    # erf(x) = 1/2: x = erfinv(1/2), computed by mpmath's own inverse
    box = krawczyk([sp.erf(x) - sp.Rational(1, 2)], (x,), [mpmath.mpf("0.4769362762044699")], 30).box
    with mpmath.workdps(40):
        inverse = mpmath.erfinv(mpmath.mpf(1) / 2)
    assert box is not None and abs(float(box[0].mid()) - float(inverse)) < 1e-15 and box[0].rad() < 1e-12


@pytest.mark.parametrize("equations, start", [
    ([x**2 + 1], [0.0]),                      # no real zero at all
    ([x**2], [1e-9]),                         # a double zero: the Jacobian vanishes there, no proof of one zero
    ([x - y, x - y + sp.Rational(1, 10**8)], [0.0, 0.0]),  # parallel lines: singular, no zero
    ([sp.exp(-x) - sp.Rational(1, 10**40)], [60.0]),     # far from the zero at 92.1: not within the box
])
def test_no_box_without_a_simple_zero_nearby(equations, start):
    unknowns = tuple(sorted(set().union(*(e.free_symbols for e in equations)), key=str)) or (x,)
    assert krawczyk(equations, unknowns, start, 30) is None


def test_every_constant_is_enclosed_exactly():
    with precision(30):
        third = compile_ball(sp.Rational(1, 3) * x, (x,))([3])
        assert third.contains(1) and third.rad() < 1e-30
        # a Float is the binary number it holds: 0.1 is 3602879701896397/2^55, enclosed exactly
        tenth = compile_ball(sp.Float(0.1) * x, (x,))([1])
        assert tenth.rad() == 0 and tenth == flint.arb(3602879701896397) / 2**55
        with pytest.raises(NotEnclosable):
            compile_ball(sp.Function("u")(x), (x,))


@pytest.mark.parametrize("rows, expected", [
    ([[2, 1], [1, 2]], 1),                       # eigenvalues 1, 3
    ([[-2, 1], [1, -2]], -1),                    # -1, -3
    ([[0, 1], [1, 0]], 0),                       # -1, 1
    ([[1, 0], [0, 0]], None),                    # singular: not decided
    ([[2, 0, 0], [0, -1, 0], [0, 0, 3]], 0),
    ([[2, -1, 0], [-1, 2, -1], [0, -1, 2]], 1),  # 2 - sqrt2, 2, 2 + sqrt2
])
def test_definiteness_by_leading_minors(rows, expected):
    assert definiteness([[flint.arb(v) for v in row] for row in rows]) == expected


def test_a_ball_that_straddles_zero_decides_nothing():
    assert definiteness([[flint.arb(1, 2)]]) is None
    assert definiteness([[flint.arb(1), flint.arb(0)], [flint.arb(0), flint.arb(0, 1e-3)]]) is None
