"""Backpropagation against what a user would otherwise do: differentiate the loss of a layered network directly
with SymPy, weight by weight. Both sides build and evaluate the full gradient symbolically; the ratio is measured
in the same run. Run: python benchmarks/bench_network.py"""
import time

import sympy as sp

import closedform as cf


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main():
    for widths in ([2, 2, 2, 1], [3, 3, 3, 1], [3, 4, 4, 2]):
        net = cf.Network(widths, activation="sigmoid", loss="bce")
        net.loss  # the forward pass and J are shared by both sides; build them outside the timing
        recursion, t_rec = timed(lambda: [g for G in net.gradients for g in G])
        direct, t_dir = timed(lambda: [sp.diff(net.loss, w) for W in net.W for w in W])
        ops_rec = sum(sp.count_ops(g) for g in recursion)
        ops_dir = sum(sp.count_ops(g) for g in direct)
        check, t_check = timed(lambda: net.check_backprop(points=1))
        print(f"{widths}: {len(direct)} weights; recursion {t_rec * 1e3:.0f} ms ({ops_rec} ops), sympy.diff "
              f"{t_dir * 1e3:.0f} ms ({ops_dir} ops): ratio {t_dir / t_rec:.1f}x time, {ops_dir / ops_rec:.1f}x "
              f"size; check_backprop (1 point, 40 digits) {check.equal} in {t_check:.1f} s")
    for W in ([[1, 1], [1, 0]], [[2, 1], [1, 2]], [[1, 1], [0, 1]]):
        rec, t_closed = timed(lambda: cf.shared_weight_recursion(W))
        M = sp.Matrix(W).T
        _, t_power = timed(lambda: [M**j for j in range(1, 61)])
        print(f"shared W = {W}: closed form (W^T)^k in {t_closed:.2f} s (in a budgeted worker); 60 explicit "
              f"powers by SymPy in {t_power * 1e3:.1f} ms; diagonalisable {rec.diagonalisable}")


if __name__ == "__main__":
    main()
