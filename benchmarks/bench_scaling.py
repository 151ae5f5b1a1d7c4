"""Cost against the number of datapoints n: sigmoid + mse and sigmoid + bce for d = 1, 2, 3, 5, 10 and n = 10^2 ...
10^5, each run in a fresh process (peak memory = the process's high-water mark, its workers included). Prints
the seconds of each stage, the status, and the exponent k fitted to time ~ n^k (the whole solve, the data and
each stage; a stage under 0.1 ms counts as 0.1 ms) over the sizes that finished before the deadline (a run that
hit its deadline says so: its time is the deadline's, not the work's).

    python benchmarks/bench_scaling.py                 # d = 1, 2, 3; n = 10^2 ... 10^4; timeout 60 s
    python benchmarks/bench_scaling.py --full          # d = 1, 2, 3, 5, 10; n = 10^2 ... 10^5
    python benchmarks/bench_scaling.py --timeout 30
    python benchmarks/bench_scaling.py --box 5 --dim 2,3 --loss mse   # a box that does not grow with n

Without --box, 2-D and 3-D sigmoid + mse answers are complete in the largest box of the box proof's ladder the
time allowed (printed as its largest side): their time follows the deadline, not n; --box R measures the work."""
import argparse
import json
import math
import subprocess
import sys

RUN = r"""
import json, resource, sys, time
import numpy as np
loss, d, n, timeout, reach = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rng = np.random.default_rng(n * 31 + d)
X = np.round(rng.normal(size=(n, d)), 3)
teacher = 1 / (1 + np.exp(-X @ rng.normal(size=d)))
t = ((rng.random(n) < teacher).astype(float) if loss == "bce"
     else np.round(np.clip(teacher + rng.normal(scale=0.1, size=n), 0.01, 0.99), 2))
import closedform as cf
start = time.perf_counter()
problem = cf.Neuron("sigmoid", loss, data=(X, t))
built = time.perf_counter()
r = problem.stationary_points(timeout=timeout, **({"box": [(-reach, reach)] * d} if reach else {}))
done = time.perf_counter()
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
reach = max(float(hi) for _, hi in r.box) if r.box is not None else None  # the box the answer's claim covers
print(json.dumps({"data": built - start, "solve": done - built, "status": r.status.value, "reach": reach,
                  "stages": r.stats.seconds, "points": len(r.points), "peak_mb": peak / 1024}))
"""

STAGES = ("strategies", "witness", "box proof", "classify", "zeros at infinity")


def run(loss, d, n, timeout, box=0.0):
    out = subprocess.run([sys.executable, "-c", RUN, loss, str(d), str(n), str(timeout), str(box)], capture_output=True,
                         text=True, timeout=10 * timeout + 600)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _box(reach, d) -> str:
    return "whole space" if reach is None else f"[-{reach:.3g}, {reach:.3g}]^{d}"


def exponent(ns, times):
    """Least-squares slope of log(time) against log(n)."""
    if len(ns) < 2:
        return float("nan")
    xs, ys = [math.log(n) for n in ns], [math.log(max(t, 1e-4)) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--box", type=float, default=0.0, help="search [-R, R]^d instead of the default box, whose "
                        "reach 50 / min |x_ij| grows like n for Gaussian data")
    parser.add_argument("--dim", default=None, help="comma-separated dimensions (default 1,2,3; --full 1,2,3,5,10)")
    parser.add_argument("--loss", default="mse,bce")
    args = parser.parse_args()
    dims = tuple(int(d) for d in args.dim.split(",")) if args.dim else (1, 2, 3, 5, 10) if args.full else (1, 2, 3)
    sizes = (100, 1000, 10_000, 100_000) if args.full else (100, 1000, 10_000)
    print(f"timeout {args.timeout:g} s per run; box {f'[-{args.box:g}, {args.box:g}]^d' if args.box else 'default'}; "
          "seconds per stage: " + ", ".join(STAGES))
    for loss in args.loss.split(","):
        for d in dims:
            finished = []
            for n in sizes:
                result = run(loss, d, n, args.timeout, args.box)
                if "error" in result:
                    print(f"sigmoid+{loss:<4} d={d:<2} n={n:>6}: error {result['error']}")
                    continue
                stages = " ".join(f"{result['stages'].get(s, 0):6.2f}" for s in STAGES)
                print(f"sigmoid+{loss:<4} d={d:<2} n={n:>6}: data {result['data']:6.2f} s  solve {result['solve']:6.2f} s "
                      f"[{stages}]  {result['status']:<8} {result['points']} pt  {result['peak_mb']:6.0f} MB  "
                      f"box {_box(result['reach'], d)}")
                if result["status"] != "timeout":
                    finished.append((n, result))
            ns = [n for n, _ in finished]
            fits = {"data": exponent(ns, [r["data"] for _, r in finished]),
                    "solve": exponent(ns, [r["solve"] for _, r in finished])}
            fits.update({stage: exponent(ns, [r["stages"].get(stage, 0) for _, r in finished]) for stage in STAGES})
            print(f"  fitted exponent k in time ~ n^k (finished runs, n = {ns}): "
                  + ", ".join(f"{name} {k:.2f}" for name, k in fits.items()))


if __name__ == "__main__":
    main()
