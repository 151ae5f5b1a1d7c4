"""Certification cost: the Krawczyk test per point (mpmath's interval context), and the branch-and-bound box
searches that prove completeness (1-D and 2-D) with both enclosure backends, float64 vectorised over the data
and a batch of boxes (the default) and mpmath per sample and per box (the fallback), plus the float search against n. Plain mpmath.findroot on the same point
is timed as the reference a user would otherwise stop at (it proves nothing).
Run: python benchmarks/bench_certify.py"""
import time

import mpmath

import closedform as cf
from closedform.solve.certify import IntervalModel, certify_point
from closedform.solve.exclusion import _MpBox, batch_search, search, valley_lines
from closedform.solve.floatbox import FloatIntervalModel
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
        lines = valley_lines(reduced.z)
        hessian_at = reduced.model.mp_hessian
        fast, t_fast = timed(lambda: batch_search(FloatIntervalModel(reduced, lines), box, _MpBox(model, lines),
                                                  hessian_at), repeat=1)
        slow, t_slow = timed(lambda: search(_MpBox(model, lines), box, hessian_at), repeat=1)
        print(f"{title}: Krawczyk per point {t_cert * 1e3:.1f} ms (enclosure width {mpmath.nstr(width, 3)}), "
              f"mpmath.findroot {t_findroot * 1e3:.1f} ms (ratio {t_cert / t_findroot:.2f}x); box search on {box}: "
              f"float64 {t_fast:.2f} s ({fast.boxes} sub-boxes, {len(fast.unique)} unique, {fast.undecided} undecided), "
              f"mpmath {t_slow:.2f} s ({slow.boxes} sub-boxes, {len(slow.unique)} unique, {slow.undecided} undecided), "
              f"ratio {t_slow / t_fast:.1f}x")
    scaling()


def scaling():
    """The float64 box search against n (sigmoid + mse, 1-D, the default box), with the mpmath backend for the
    smallest sizes: time per sub-box should grow like n."""
    import numpy as np
    from closedform.solve.exclusion import box_search
    from closedform.solve.numeric import default_box

    for n in (100, 1000, 10_000):
        rng = np.random.default_rng(n)
        X = np.round(rng.normal(size=(n, 1)), 3)
        t = np.round(np.clip(1 / (1 + np.exp(-X[:, 0])) + rng.normal(scale=0.1, size=n), 0.01, 0.99), 2)
        problem = cf.Neuron("sigmoid", "mse", data=(X, t))
        problem.fns.compile()
        reduced = reduce(problem)
        box = default_box(reduced)
        (unique, undecided, boxes), seconds = timed(lambda: box_search(reduced, box), repeat=1)
        line = f"n = {n:>6}: float64 box search {seconds:7.2f} s, {boxes} sub-boxes ({seconds / boxes * 1e3:.1f} ms each), " \
               f"{len(unique)} unique, {undecided} undecided"
        if n <= 100:
            slow, t_slow = timed(lambda: search(_MpBox(IntervalModel(reduced), []), box, reduced.model.mp_hessian),
                                 repeat=1)
            line += f"; mpmath backend {t_slow:.2f} s ({slow.boxes} sub-boxes), ratio {t_slow / seconds:.1f}x"
        print(line)


if __name__ == "__main__":
    main()
