"""The solver pipeline against the tools a user would otherwise reach for, on the same problems and the same
starting points, measured in one run: sympy.solve / solveset (under a time limit), sympy.nsolve and
mpmath.findroot loops, SciPy. Prints times, ratios and whether the same roots were found.
Run: python benchmarks/bench_pipeline.py [--nsolve-starts K]"""
import argparse
import time

import mpmath
import numpy as np
import sympy as sp
from scipy import optimize

import closedform as cf
from closedform.budget import run_with_budget
from closedform.kinds import Finish
from closedform.solve.numeric import default_box, newton_search, polish, starting_points
from closedform.solve.reduction import reduce


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def same_roots(found, reference, tol=1e-6):
    """(how many reference roots were found, how many found values are not reference roots)."""
    hits = sum(any(np.linalg.norm(np.subtract(f, r)) < tol for f in found) for r in reference)
    spurious = sum(all(np.linalg.norm(np.subtract(f, r)) >= tol for r in reference) for f in found)
    return hits, spurious


def dedupe(values, tol=1e-6):
    kept = []
    for v in values:
        if all(np.linalg.norm(np.subtract(v, k)) >= tol for k in kept):
            kept.append(v)
    return kept


def symbolic_attempts(problem, seconds):
    grad = problem.gradient
    (w,) = problem.weights
    for name, call in [("sympy.solve", lambda: sp.solve(grad[0], w)),
                       ("sympy.solveset", lambda: sp.solveset(grad[0], w, sp.Reals))]:
        outcome, elapsed = timed(lambda: run_with_budget(call, seconds=seconds))
        answer = outcome.value if outcome.status is Finish.DONE else outcome.status
        print(f"  {name:<15} {elapsed:7.2f} s  -> {answer}")


def nsolve_loop(problem, starts):
    grad = list(problem.gradient)
    found = []
    for s in starts:
        try:
            root = sp.nsolve(grad, problem.weights, list(map(float, s)), prec=30)
            found.append([float(v) for v in root])
        except (ValueError, ZeroDivisionError, TypeError):
            pass
    return dedupe(found)


def findroot_loop(problem, starts):
    model = problem.numeric
    found = []
    for s in starts:
        try:
            with mpmath.workdps(30):
                root = mpmath.findroot(lambda *w: list(model.mp_gradient(list(w))), list(map(float, s)),
                                       J=lambda *w: model.mp_hessian(list(w)))
            found.append([float(v) for v in (root if hasattr(root, "__len__") else [root])])
        except (ValueError, ZeroDivisionError):
            pass
    return dedupe(found)


def numeric_path(problem, precision=30):
    reduced = reduce(problem)
    candidates = newton_search(reduced.model, default_box(reduced))
    polished = (polish(reduced.model, c, precision) for c in candidates)
    return [[float(v) for v in p] for p in polished if p is not None]


def compare(title, problem, nsolve_starts, with_symbolic=False):
    print(f"\n== {title}")
    reduced = reduce(problem)
    starts = starting_points(default_box(reduced), problem.data.n)
    result, t_pipeline = timed(lambda: problem.stationary_points(timeout=10))
    reference = [[float(v) for v in p.w] for p in result.points]
    print(f"  closedform pipeline {t_pipeline:7.2f} s  -> {len(reference)} point(s), complete={result.complete}")
    numeric, t_numeric = timed(lambda: numeric_path(problem))
    print(f"  closedform numeric  {t_numeric:7.2f} s  from {len(starts)} starts -> {len(numeric)} root(s); "
          f"same as pipeline: {same_roots(numeric, reference)[0] == len(reference)}")
    if with_symbolic:
        symbolic_attempts(problem, seconds=20)
    sample = starts[:: max(1, len(starts) // nsolve_starts)]
    found, t_nsolve = timed(lambda: nsolve_loop(problem, sample))
    per_start = t_nsolve / len(sample)
    hits, spurious = same_roots(found, reference)
    print(f"  sympy.nsolve loop   {t_nsolve:7.2f} s  over {len(sample)} of the starts ({per_start * 1e3:.0f} ms each; "
          f"all {len(starts)} would take ~{per_start * len(starts):.0f} s) -> {len(found)} distinct, "
          f"{hits}/{len(reference)} true roots, {spurious} spurious")
    print(f"  ratio nsolve loop (all starts, extrapolated) / closedform numeric: {per_start * len(starts) / t_numeric:.0f}x")
    found, t_findroot = timed(lambda: findroot_loop(problem, sample))
    hits, spurious = same_roots(found, reference)
    print(f"  mpmath.findroot loop{t_findroot:7.2f} s  over {len(sample)} starts -> {hits}/{len(reference)} true roots, "
          f"{spurious} spurious; ratio (all starts) / closedform numeric: "
          f"{t_findroot / len(sample) * len(starts) / t_numeric:.0f}x")
    model = problem.numeric
    found, t_scipy = timed(lambda: dedupe([list(s.x) for s in (optimize.root(lambda w: model.gradient(w[None, :])[0], s,
                                                                               jac=lambda w: model.hessian(w[None, :])[0])
                                                                 for s in sample) if s.success]))
    hits, spurious = same_roots(found, reference)
    print(f"  scipy.optimize.root {t_scipy:7.2f} s  over {len(sample)} starts -> {hits}/{len(reference)} true roots, "
          f"{spurious} spurious 'successes'")


def logistic(n=100_000, d=10):
    rng = np.random.default_rng(3)
    X = np.round(rng.standard_normal((n, d)), 2)
    true_w = rng.standard_normal(d)
    T = (rng.random(n) < 1 / (1 + np.exp(-X @ true_w))).astype(float)
    problem, t_setup = timed(lambda: cf.Neuron("sigmoid", "bce", data=(X, T)))
    print(f"\n== logistic regression, {d} parameters, n = {n} (setup {t_setup:.2f} s)")
    result, t_pipeline = timed(lambda: problem.stationary_points(timeout=10, precision=20))
    (point,) = result.points
    w = np.array([float(v) for v in point.w])
    print(f"  closedform pipeline {t_pipeline:7.2f} s  -> {point.kind}, complete={result.complete}, "
          f"residual {float(point.residual):.1e}")
    def loss(v):  # what a user writes for SciPy: the stable log(1 + e^h) - t h and its gradient
        hv = X @ v
        return np.sum(np.logaddexp(0, hv) - T * hv)

    def grad(v):
        return X.T @ (1 / (1 + np.exp(-(X @ v))) - T)

    fit, t_scipy = timed(lambda: optimize.minimize(loss, np.zeros(d), jac=grad, method="BFGS", options={"gtol": 1e-8}))
    print(f"  scipy BFGS          {t_scipy:7.2f} s  -> |w - w_closedform| = {np.linalg.norm(fit.x - w):.1e}, "
          f"|grad| = {np.linalg.norm(fit.jac):.1e} (ratio {t_pipeline / t_scipy:.1f}x closedform/scipy; closedform "
          f"also polishes to 20 digits and proves uniqueness)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nsolve-starts", type=int, default=12, help="starts sampled for the slow loops")
    args = parser.parse_args()
    compare("1-D, two points (1, 3/10), (2, 9/10), sigmoid + mse",
            cf.Neuron("sigmoid", "mse", data=[(1, "3/10"), (2, "9/10")]), args.nsolve_starts, with_symbolic=True)
    rng = np.random.default_rng(7)
    X = np.round(rng.standard_normal((50, 2)) * 2, 1)
    T = np.round(rng.random(50), 1).clip(0.1, 0.9)
    compare("2-D, 50 points, sigmoid + mse", cf.Neuron("sigmoid", "mse", data=(X, T)), args.nsolve_starts)
    logistic()


if __name__ == "__main__":
    main()
