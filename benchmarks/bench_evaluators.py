"""Gradient evaluation cost: closedform's per-sample NumPy evaluator against what a user would otherwise write
with SymPy (lambdify of the explicit symbolic n-term gradient). Run: python benchmarks/bench_evaluators.py"""
import time

import numpy as np
import sympy as sp

import closedform as cf


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rng = np.random.default_rng(0)
    n, d = 100_000, 10
    X = np.round(rng.standard_normal((n, d)), 3)
    T = np.round(rng.random(n), 3)
    start = time.perf_counter()
    problem = cf.Neuron("sigmoid", "mse", data=(X, T))
    model = problem.numeric
    setup = time.perf_counter() - start
    W = rng.standard_normal((1, d))
    grad = best_of(lambda: model.gradient(W))
    hess = best_of(lambda: model.hessian(W))
    print(f"closedform  n={n} d={d}: setup (exact data + compile) {setup:.2f} s, gradient {grad * 1e3:.2f} ms, "
          f"Hessian {hess * 1e3:.2f} ms")

    m = 100
    small = cf.Neuron("sigmoid", "mse", data=(X[:m, :3], T[:m]))
    start = time.perf_counter()
    symbolic = sp.lambdify(small.weights, small.gradient, "numpy")
    sym_setup = time.perf_counter() - start
    w3 = W[0, :3]
    sym_eval = best_of(lambda: symbolic(*w3))
    ours_small = best_of(lambda: small.numeric.gradient(w3[None, :]))
    np.testing.assert_allclose(np.array(symbolic(*w3), dtype=float).ravel(), small.numeric.gradient(w3[None, :])[0],
                               rtol=1e-10)
    print(f"explicit SymPy sum, n={m} d=3: setup {sym_setup:.2f} s, gradient {sym_eval * 1e3:.3f} ms; "
          f"closedform on the same data: {ours_small * 1e3:.3f} ms (ratio {sym_eval / ours_small:.1f}x), "
          f"same values to 1e-10")


if __name__ == "__main__":
    main()
