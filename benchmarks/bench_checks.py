"""The independent checks behind "complete", against what a user would otherwise run, measured in one run:

1. counting the positive roots of P(u): Descartes' rule with bisection (closedform's checker) against SymPy's
   Sturm sequences (``Poly.count_roots``) and FLINT's complex root isolation (the producer of the points);
2. a zero-dimensional gradient system: closedform's Groebner basis + Hermite count + eigenvalue points against
   ``sympy.solve_poly_system`` (time and how many real solutions each returns);
3. the whole pipeline with its witness search and checks, per problem of the issue "No false proof".

Usage: python benchmarks/bench_checks.py [--sturm-timeout 60]
"""
from __future__ import annotations

import argparse
import time

import flint
import sympy as sp

import closedform as cf
from closedform.budget import run_with_budget
from closedform.kinds import Finish
from closedform.solve.descartes import count_real_roots
from closedform.solve.expsub import u_polynomial
from closedform.solve.polysystem import solve_system
from closedform.solve.reduction import reduce


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def flint_positive(P):
    roots = flint.fmpz_poly([int(c) for c in reversed(P.all_coeffs())]).complex_roots()
    return sum(1 for z, _ in roots if z.imag == 0 and z.real > 0)


def root_counts(sturm_timeout):
    print("1. positive roots of P(u)")
    problems = {"two points (degree 7)": [(1, "3/10"), (2, "9/10")],
                "three points (degree 331)": [(1, "1/10"), (-10, "1/10"), (100, "9/10")],
                "four points": [(1, "1/10"), (-7, "1/5"), (30, "9/10"), (3, "1/2")]}
    for name, data in problems.items():
        P, _, _ = u_polynomial(reduce(cf.Neuron("sigmoid", "mse", data=data)))
        ours, t_ours = timed(count_real_roots, P, 0)
        producer, t_flint = timed(flint_positive, P)
        started = time.perf_counter()
        outcome = run_with_budget(lambda: P.count_roots(0, None), seconds=sturm_timeout)
        t_sturm = time.perf_counter() - started
        sturm = outcome.value if outcome.status is Finish.DONE else f"none in {sturm_timeout:g} s"
        print(f"  {name:<26} degree {P.degree():>4}: Descartes {ours} in {t_ours * 1e3:8.2f} ms | FLINT isolation "
              f"{producer} in {t_flint * 1e3:8.2f} ms | SymPy Sturm {sturm} in {t_sturm:7.2f} s "
              f"(ratio Sturm/Descartes {t_sturm / t_ours:,.0f}x)")


def systems():
    print("2. zero-dimensional gradient systems")
    problems = {"h + h^2, d = 2": cf.Neuron("polynomial(0,1,1)", dim=2, data=[((1, 0), 2), ((0, 1), 1), ((1, 1), "3/2")]),
                "h - h^3 with bias": cf.Neuron("polynomial(0,1,0,-1)", bias=True,
                                               data=[(1, "1/3"), (-1, "1/5"), (2, "-1/4")])}
    for name, p in problems.items():
        equations = [sp.expand(e) for e in p.gradient]
        ours, t_ours = timed(solve_system, equations, p.weights, 30)
        started = time.perf_counter()
        outcome = run_with_budget(sp.solve_poly_system, equations, *p.weights, seconds=120)
        t_sympy = time.perf_counter() - started
        if outcome.status is Finish.DONE:
            real = [s for s in outcome.value or [] if all(abs(sp.im(sp.N(v, 30))) < 1e-20 for v in s)]
            theirs = f"{len(real)} real"
        else:
            theirs = outcome.status.value
        print(f"  {name:<20} closedform: {ours.real_count} real (Hermite) / {len(ours.points)} points in "
              f"{t_ours:6.2f} s | sympy.solve_poly_system: {theirs} in {t_sympy:6.2f} s")


def pipeline():
    print("3. the whole pipeline (reduce, strategies, verification, checks, witness, classification)")
    problems = [("exp", "poisson", dict(data=[(-1, 3), (2, 3), (2, 5)])),
                ("leaky_relu(1/2)", "matching", dict(data=[(1, 1), (-2, 1)])),
                ("polynomial(0,1,1)", "mse", dict(dim=2, data=[((1, 0), 2), ((0, 1), 1), ((1, 1), "3/2")])),
                ("polynomial(0,1,0,-1)", "mse", dict(bias=True, data=[(1, "1/3"), (-1, "1/5"), (2, "-1/4")])),
                ("relu", "mse", dict(dim=2, data=[((1, 0), 1), ((0, 1), 2), ((1, 1), 1)])),
                ("sigmoid", "mse", dict(data=[(1, "0.9999999999"), (3, "0.99999999999")])),
                ("softplus", "mse", dict(data=[(1, 120), (3, 400)]))]
    for activation, loss, options in problems:
        p = cf.Neuron(activation, loss, **options)
        r, seconds = timed(p.stationary_points)
        certificate = "-" if r.certificate is None else f"{r.certificate.kind.value} ({r.certificate.scope.value})"
        witness = r.stats.seconds.get("witness", 0.0)
        print(f"  {activation:<20} {loss:<8} {len(r.points):>2} point(s) {r.status.value:<8} {certificate:<28} "
              f"{seconds:6.2f} s, of it witness {witness:5.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sturm-timeout", type=float, default=60.0)
    args = parser.parse_args()
    root_counts(args.sturm_timeout)
    systems()
    pipeline()
