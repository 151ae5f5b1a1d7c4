"""Certification cost: the Krawczyk test per point, and the branch-and-bound box searches that prove
completeness (1-D and 2-D), with mpmath's interval context. Plain mpmath.findroot on the same point is timed
as the reference a user would otherwise stop at (it proves nothing). Run: python benchmarks/bench_certify.py"""
import time

import mpmath

import closedform as cf
from closedform.solve.certify import IntervalModel, certify_point
from closedform.solve.exclusion import search
from closedform.solve.reduction import reduce


def timed(fn, repeat=3):
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return value, best


CASES = [
    ("1-D two points", [(1, "3/10"), (2, "9/10")], [(-30, 30)]),
    ("1-D three points, three roots", [(1, "1/10"), (-10, "1/10"), (100, "9/10")], [(-5, 5)]),
    ("2-D three points (issue 4)", [((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")], [(-30, 30), (-30, 30)]),
]


def main():
    for title, data, box in CASES:
        problem = cf.Neuron("sigmoid", "mse", data=data)
        result = problem.stationary_points(timeout=5, box=box if len(box) == 2 else None)
        reduced = reduce(problem)
        model = IntervalModel(reduced)
        point = list(result.points[0].w)
        with mpmath.workdps(50):
            hessian = reduced.model.mp_hessian(point)
            enclosure, t_cert = timed(lambda: certify_point(reduced, model, point, hessian, 30))
            _, t_findroot = timed(lambda: mpmath.findroot(lambda *w: list(reduced.model.mp_gradient(list(w))),
                                                          [float(v) for v in point]))
        width = max(hi - lo for lo, hi in enclosure)
        found, t_box = timed(lambda: search(model, box, lambda c: reduced.model.mp_hessian(c)), repeat=1)
        print(f"{title}: Krawczyk per point {t_cert * 1e3:.1f} ms (enclosure width {mpmath.nstr(width, 3)}), "
              f"mpmath.findroot {t_findroot * 1e3:.1f} ms (ratio {t_cert / t_findroot:.2f}x); box search on "
              f"{box}: {t_box:.2f} s, {found.boxes} sub-boxes, {len(found.unique)} unique zero(s), "
              f"{found.undecided} undecided")
    print("arb (python-flint) was not tried for interval Newton: mpmath.iv is what this measures")


if __name__ == "__main__":
    main()
