"""Whole-space answers in 2-D (issue 11): for sigmoid + mse with n = 3, 5, 10, 20 random integer inputs in [-2, 2]
and targets k/10, the time to a complete list of the finite stationary points on all of R^2 (the msolve route
inside the pipeline's finite stages: points verified, the witness search, kinds), the whole answer (with the
zeros at infinity and the faces), against the interval box search alone on the default box (which
proves at most that box) and against a multi-start `scipy.optimize.root` loop (400 starts in [-10, 10]^2; it
proves nothing, may miss points, and counts saturated plateaus with |grad E| < 1e-10 as roots), all in one run.
Run: python benchmarks/bench_wholespace.py [--timeout SECONDS]"""
import argparse
import random
import time

import numpy as np
from scipy.optimize import root

import closedform as cf
from closedform.budget import run_with_budget
from closedform.kinds import Finish
from closedform.solve.exclusion import box_search
from closedform.solve.numeric import default_box
from closedform.solve.pipeline import solve
from closedform.solve.stages import FINITE_STAGES
from closedform.solve.reduction import reduce

SIZES = (3, 5, 10, 20)
STARTS = 400


def problem(n, seed):
    rng = random.Random(seed)
    data = []
    while len(data) < n:
        x = (rng.randint(-2, 2), rng.randint(-2, 2))
        if x != (0, 0):
            data.append((x, f"{rng.randint(1, 9)}/10"))
    return cf.Neuron("sigmoid", "mse", dim=2, data=data)


def scipy_multistart(neuron):
    X = np.array([[float(v) for v in x] for x in neuron.data.x])
    t = np.array([float(v) for v in neuron.data.t])

    def gradient(w):
        s = 1 / (1 + np.exp(-(X @ w)))
        return ((s - t) * s * (1 - s)) @ X

    found = []
    np.seterr(over="ignore")
    for w0 in np.random.default_rng(0).uniform(-10, 10, size=(STARTS, 2)):
        solution = root(gradient, w0, tol=1e-12)
        if solution.success and np.linalg.norm(gradient(solution.x)) < 1e-10 \
                and all(np.linalg.norm(solution.x - f) > 1e-6 for f in found):
            found.append(solution.x)
    return len(found)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    print(f"{'n':>3} | {'closedform: points on R^2':>34} | {'whole answer':>10} | {'box search alone (box)':>37} | "
          f"{'scipy root x400':>20} | ratios to closedform's points")
    for n in SIZES:
        neuron = problem(n, seed=n)
        start = time.perf_counter()
        state = solve(neuron, timeout=args.timeout, stages=FINITE_STAGES)
        t_cf = time.perf_counter() - start
        whole = state.complete and state.certificate.scope.value == "global"
        claim = f"{len(state.verified)} pts, {'complete on R^2' if whole else 'not complete'}"
        start = time.perf_counter()
        neuron.stationary_points(timeout=args.timeout)
        t_all = time.perf_counter() - start
        reduced = reduce(neuron)
        start = time.perf_counter()
        outcome = run_with_budget(box_search, reduced, default_box(reduced), seconds=args.timeout)
        t_box = time.perf_counter() - start
        if outcome.status is Finish.DONE:
            unique, undecided, boxes = outcome.value
            box = f"{len(unique)} pts, {'complete' if not undecided else f'{undecided} undecided'}, {boxes} boxes"
        else:
            box = f"{outcome.status.value} at {args.timeout:g} s"
        start = time.perf_counter()
        roots = scipy_multistart(neuron)
        t_sp = time.perf_counter() - start
        print(f"{n:>3} | {t_cf:7.2f} s {claim:>24} | {t_all:8.2f} s | {t_box:7.2f} s {box:>27} | {t_sp:6.2f} s "
              f"{roots:>3} roots | box {t_box / t_cf:5.2f}x, scipy {t_sp / t_cf:5.2f}x")


if __name__ == "__main__":
    main()
