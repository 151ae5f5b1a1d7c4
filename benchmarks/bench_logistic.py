"""Logistic regression (sigmoid + bce) at scale: closedform's certified minimum against statsmodels' Logit.fit,
in the same run, each in a fresh process (peak memory is the process's high-water mark, workers included).

    python benchmarks/bench_logistic.py            # n = 10^3 (d = 2), 10^4 (d = 2), 10^5 (d = 10)
    python benchmarks/bench_logistic.py 100000 10  # one size

statsmodels is a benchmark requirement only (pip install statsmodels), not a package dependency."""
import json
import subprocess
import sys

CLOSEDFORM = r"""
import json, resource, sys, time
import numpy as np
n, d = int(sys.argv[1]), int(sys.argv[2])
X, t = np.load(sys.argv[3])["X"], np.load(sys.argv[3])["t"]
start = time.perf_counter()
import closedform as cf
imported = time.perf_counter()
problem = cf.Neuron("sigmoid", "bce", data=(X, t))
built = time.perf_counter()
r = problem.stationary_points(timeout=120)
done = time.perf_counter()
warm = []  # both steps again, three times: the per-process caches are built; the median counts
for _ in range(3):
    begin = time.perf_counter()
    cf.Neuron("sigmoid", "bce", data=(X, t)).stationary_points(timeout=120)
    warm.append(time.perf_counter() - begin)
warm = sorted(warm)[1]
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
point = r.points[0] if r.points else None
print(json.dumps({"import": imported - start, "setup": built - imported, "solve": done - built, "warm": warm,
                  "status": r.status.value,
                  "certified": bool(point and point.certified), "radius": float(point.enclosure[0][1] - point.enclosure[0][0]) / 2 if point else None,
                  "w": [float(v) for v in point.w] if point else None, "peak_mb": peak / 1024}))
"""

STATSMODELS = r"""
import json, resource, sys, time
import numpy as np
X, t = np.load(sys.argv[3])["X"], np.load(sys.argv[3])["t"]
start = time.perf_counter()
import statsmodels.api as sm
imported = time.perf_counter()
fit = sm.Logit(t, X).fit(disp=0)
done = time.perf_counter()
warm = []
for _ in range(3):
    begin = time.perf_counter()
    sm.Logit(t, X).fit(disp=0)
    warm.append(time.perf_counter() - begin)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import": imported - start, "solve": done - imported, "warm": sorted(warm)[1], "w": fit.params.tolist(), "peak_mb": peak / 1024}))
"""


def data(n, d, path, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 4)
    beta = rng.normal(size=d) * 0.5
    t = (rng.random(n) < 1 / (1 + np.exp(-X @ beta))).astype(float)
    np.savez(path, X=X, t=t)


def run(script, n, d, path):
    out = subprocess.run([sys.executable, "-c", script, str(n), str(d), path], capture_output=True, text=True,
                         timeout=1200)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    import tempfile
    import numpy as np
    sizes = [(int(sys.argv[1]), int(sys.argv[2]))] if len(sys.argv) == 3 else [(1000, 2), (10000, 2), (100000, 10)]
    print("closedform: data = cf.Neuron(...), solve = stationary_points() in a fresh process, warm = both again in\n"
          "the same process (median of 3); statsmodels: fit = sm.Logit(t, X).fit() in a fresh process, warm = again\n"
          "(median of 3). ratio = (data + solve) / fit (cold against cold) and warm / warm.")
    print(f"{'n':>7} {'d':>3} | {'cf import':>9} {'data':>7} {'solve':>8} {'warm':>7} {'status':>7} {'radius':>9} "
          f"{'peak MB':>8} | {'sm import':>9} {'fit':>7} {'warm':>7} {'peak MB':>8} | {'ratio':>7} {'warm':>6} {'max |w - w_sm|':>14}")
    for n, d in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = f"{folder}/data.npz"
            data(n, d, path)
            ours, theirs = run(CLOSEDFORM, n, d, path), run(STATSMODELS, n, d, path)
        gap = float(np.max(np.abs(np.array(ours["w"]) - np.array(theirs["w"])))) if ours["w"] else float("nan")
        cold = (ours["setup"] + ours["solve"]) / theirs["solve"]
        print(f"{n:>7} {d:>3} | {ours['import']:>7.2f} s {ours['setup']:>5.2f} s {ours['solve']:>6.2f} s {ours['warm']:>5.2f} s "
              f"{ours['status']:>7} {ours['radius'] or float('nan'):>9.1e} {ours['peak_mb']:>8.0f} | {theirs['import']:>7.2f} s "
              f"{theirs['solve']:>5.3f} s {theirs['warm']:>5.3f} s {theirs['peak_mb']:>8.0f} | {cold:>6.1f}x "
              f"{ours['warm'] / theirs['warm']:>5.1f}x "
              f"{gap:>14.1e}")


if __name__ == "__main__":
    main()
