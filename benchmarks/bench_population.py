"""Infinitely many Gaussian datapoints: one evaluation of the population loss and its gradient in closed form
(PopulationLoss.value_and_gradient: F, F_q, F_r at (q, r), then 2 F_q w + F_r v) against Monte Carlo with 10^6
samples of x ~ N(0, I_d) (chunks of 10^4 rows), with the Monte Carlo standard error, in one run.

    python benchmarks/bench_population.py              # erf, teacher v = (1, 1/2, 0, ...), d = 2, 10, 100, 1000
    python benchmarks/bench_population.py relu 2 10    # another activation, other dimensions"""
import sys
import time

import numpy as np
from scipy.special import erf

import closedform as cf

SAMPLES, CHUNK = 10**6, 10**4
ACTIVATIONS = {"erf": erf, "relu": lambda h: np.maximum(h, 0.0), "square": np.square, "identity": lambda h: h}


def monte_carlo(f, w, v, rng):
    """(loss, gradient, standard error of the loss) from SAMPLES draws of x."""
    total, total_sq, grad = 0.0, 0.0, np.zeros_like(w)
    fprime = {"erf": lambda h: 2 / np.sqrt(np.pi) * np.exp(-h * h), "relu": lambda h: (h > 0).astype(float),
              "square": lambda h: 2 * h, "identity": np.ones_like}[NAME]
    for _ in range(SAMPLES // CHUNK):
        x = rng.standard_normal((CHUNK, len(w)))
        h, g = x @ w, x @ v
        residual = f(h) - f(g)
        per = residual**2 / 2
        total += per.sum()
        total_sq += (per**2).sum()
        grad += x.T @ (residual * fprime(h))
    mean = total / SAMPLES
    return mean, grad / SAMPLES, np.sqrt((total_sq / SAMPLES - mean**2) / SAMPLES)


def best_of(function, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


if __name__ == "__main__":
    NAME = sys.argv[1] if len(sys.argv) > 1 else "erf"
    dims = [int(a) for a in sys.argv[2:]] or [2, 10, 100, 1000]
    rng = np.random.default_rng(0)
    print(f"{NAME}: one loss + gradient, closed form vs Monte Carlo ({SAMPLES:.0e} samples)")
    print(f"{'d':>5} {'closed form':>12} {'Monte Carlo':>12} {'ratio':>9} {'|L_cf - L_mc|':>14} {'MC std err':>11} "
          f"{'max |grad diff|':>16}")
    for d in dims:
        v = np.zeros(d)
        v[0], v[1] = 1.0, 0.5
        teacher = cf.GaussianTeacher(tuple([1, "1/2"] + [0] * (d - 2)))
        population = cf.Neuron(NAME, "mse", data=teacher).population
        w = rng.standard_normal(d) / np.sqrt(d)
        population.value_and_gradient(w)  # compile once (lambdify), not timed
        t_cf, (L_cf, g_cf) = best_of(lambda: population.value_and_gradient(w))
        t_mc, (L_mc, g_mc, err) = best_of(lambda: monte_carlo(ACTIVATIONS[NAME], w, v, rng), repeats=1)
        print(f"{d:>5} {t_cf * 1e6:>10.1f}us {t_mc:>11.3f}s {t_mc / t_cf:>8.0f}x {abs(L_cf - L_mc):>14.2e} "
              f"{err:>11.2e} {np.max(np.abs(g_cf - g_mc)):>16.2e}")
