"""The faces at infinity (:func:`closedform.solve.asymptotics.faces`) against a brute force that shares nothing
with it: every subset S of the rows that is closed (no other row in its span) with 0 < rank S < r, every sign
pattern of the rows off S for which a linear program (SciPy's HiGHS) finds v with z_k.v = 0 on S and
s_i z_i.v >= 1 off S; the saturated rows' limits by hand (sigmoid + mse: g -> 0, loss t^2/2 below and
(1-t)^2/2 above; sigmoid + bce: g -> sigmoid - t, so 1 - t above and -t below, loss 0 or +oo). A pattern is a zero
at infinity of its face when sum_{i off S} G_i z_i lies in span S."""
import itertools
import os

import mpmath
import numpy as np
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import closedform as cf
from closedform.solve.asymptotics import faces
from closedform.solve.reduction import reduce

EXAMPLES = 100 if os.environ.get("CLOSEDFORM_THOROUGH") else 6
S = sp.Rational


def _by_hand(loss: str, t, side: int):
    """(limiting g, limiting loss) of one sigmoid term at h -> side * oo."""
    y = 1 if side > 0 else 0
    if loss == "mse":
        return 0, (y - t) ** 2 / 2
    return y - t, (0 if t == y else sp.oo)


def _feasible(on, off, signs) -> bool:
    A_eq = np.array(on, dtype=float) if on else None
    A_ub = -np.array([[s * x for x in z] for s, z in zip(signs, off)], dtype=float)
    found = linprog(np.zeros(3), A_ub=A_ub, b_ub=-np.ones(len(off)), A_eq=A_eq,
                    b_eq=np.zeros(len(on)) if on else None, bounds=[(None, None)] * 3, method="highs")
    return found.status == 0


def brute_force(rows, targets, loss):
    """{sign vector over the rows (0 on S): saturated limiting loss} for every face ray whose offset lies in S."""
    out = {}
    for size in range(1, len(rows)):
        for S_ in itertools.combinations(range(len(rows)), size):
            span = sp.Matrix([rows[k] for k in S_])
            rank = span.rank()
            if rank == 3:
                continue
            others = [i for i in range(len(rows)) if i not in S_]
            if any(sp.Matrix.vstack(span, sp.Matrix([rows[i]])).rank() == rank for i in others):
                continue  # not closed: the face of S is the face of a larger set
            for signs in itertools.product((-1, 1), repeat=len(others)):
                if not _feasible([rows[k] for k in S_], [rows[i] for i in others], signs):
                    continue
                limits = [_by_hand(loss, targets[i], s) for i, s in zip(others, signs)]
                offset = sum((G * sp.Matrix(rows[i]) for (G, _), i in zip(limits, others)), sp.zeros(3, 1))
                if sp.Matrix.vstack(span, offset.T).rank() == rank:
                    vector = [0] * len(rows)
                    for i, s in zip(others, signs):
                        vector[i] = s
                    out[tuple(vector)] = sum(L for _, L in limits)
    return out


rows_3d = st.lists(st.tuples(*[st.integers(-2, 2)] * 3).filter(any), min_size=3, max_size=4)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(rows=rows_3d, loss=st.sampled_from(["mse", "bce"]), data=st.data())
def test_faces_match_the_brute_force(rows, loss, data):
    assume(sp.Matrix(rows).rank() == 3)
    targets = [data.draw(st.sampled_from([S(0), S(1, 2), S(1), S(1, 3)] if loss == "bce" else [S(1, 4), S(3, 5)]))
               for _ in rows]
    reduced = reduce(cf.Neuron("sigmoid", loss, dim=3, data=list(zip(rows, targets))))
    assert [tuple(z) for z in reduced.z] == [tuple(z) for z in rows]
    found, undecided = faces(reduced)
    assert undecided == 0
    ours = {}
    for face in found:
        vector = tuple(int(sp.sign(sum(a * b for a, b in zip(z, face.v)))) for z in rows)
        assert vector not in ours, f"the face ray {vector} is listed twice"
        ours[vector] = face.saturated_loss
        assert not any(face.offset)  # sigmoid's g limits never leave a constant inside a face
    assert ours == brute_force(rows, targets, loss)


def test_the_coordinate_faces_of_three_axes():
    """Rows e1, e2, e3: the line faces are the axes (4 quadrants across each), the plane faces the coordinate
    planes (2 sides each): 3 * 4 + 3 * 2 = 18 face rays, all zeros at infinity for sigmoid + mse."""
    rows = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    found, _ = faces(reduce(cf.Neuron("sigmoid", "mse", dim=3, data=[(z, S(1, 4)) for z in rows])))
    assert sorted(face.dimension for face in found) == [1] * 12 + [2] * 6
    assert all(face.saturated_loss in (S(1, 32) * k + S(9, 32) * m for k in range(3) for m in range(3))
               for face in found)


def test_too_many_faces_are_counted_not_enumerated():
    """30 rows in general position in R^3: C(30, 2) = 435 planes and 30 lines, about 2,300 face cells of 30 terms
    each: beyond MAX_FACE_WORK the enumeration is refused (None undecided), so the stage claims nothing."""
    rng = np.random.default_rng(5)
    rows = [tuple(int(x) for x in rng.integers(-9, 10, 3)) for _ in range(30)]
    assert faces(reduce(cf.Neuron("sigmoid", "mse", dim=3, data=[(z, S(1, 4)) for z in rows]))) == ([], None)
    assert faces(reduce(cf.Neuron("sigmoid", "mse", dim=3, data=[(z, S(1, 4)) for z in rows[:20]])))[1] == 0


def test_an_infinite_limit_times_a_zero_entry_is_not_undecided():
    """exp + mse: g -> +oo above, so a saturated row (1, 0) contributes (oo, 0), not (oo, nan): the cells where
    the gradient diverges are decided (no zero there), none left undecided (found by review)."""
    data = [((1, 0), S(1, 2)), ((0, 1), S(1, 3)), ((1, 1), S(1, 5))]
    found, undecided = faces(reduce(cf.Neuron("exp", "mse", dim=2, data=data)))
    assert undecided == 0


def test_zero_rows_count_in_every_face_rays_limit():
    """Auer-Herbster-Warmuth with n = 3, d = 2: rows e1, e2 and 0, every target 9/10 (found by the census: the
    face rays left the zero row out, and a wrong infimum 1/200 was 'proved'). By hand: the minimum
    w = (log 9, log 9) has loss (1/2 - 9/10)^2 / 2 = 2/25 (the zero row alone); along (0, 1) from (log 9, 0) the
    loss tends to (1 - 9/10)^2 / 2 + 2/25 = 17/200 > 2/25, so the infimum is the minimum, attained. The face
    check refuses the ray when its limit leaves the zero row out."""
    import dataclasses

    from closedform.solve.checks import check_face_ray

    problem = cf.examples.auer_herbster_warmuth(3, 2)
    r = problem.stationary_points(timeout=30)
    with mpmath.workdps(40):
        assert abs(r.infimum.value - mpmath.mpf(2) / 25) < mpmath.mpf(10) ** -25
    assert r.infimum.attained and r.infimum.proved
    along = [a for a in r.asymptotic if a.direction == (0, 1)]
    assert len(along) == 1 and sp.simplify(along[0].limit_loss - sp.Rational(17, 200)) == 0
    reduced = reduce(problem)
    face = next(f for f in faces(reduced)[0] if tuple(f.v) == (0, 1))
    assert check_face_ray(reduced, face, along[0])
    wrong = dataclasses.replace(along[0], limit_loss=sp.Rational(1, 200))
    assert not check_face_ray(reduced, face, wrong)
