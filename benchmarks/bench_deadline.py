"""The deadline holds for the whole run: `closedform analyze --csv FILE --timeout T` as a process, for data of
10^2 ... 10^5 rows (1-D and 3-D, sigmoid + mse: no closed form finishes, every stage wants more time than it has).
Prints the wall time against T; goal (issue 12): within T + 0.5 s at any size."""
import subprocess
import sys
import tempfile
import time

import numpy as np

CLI = [sys.executable, "-c", "import sys; from closedform.cli import main; sys.exit(main())"]


def rows(path, n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 4)
    t = np.round(np.clip(1 / (1 + np.exp(-X.sum(axis=1))) + rng.normal(scale=0.05, size=n), 0.01, 0.99), 3)
    np.savetxt(path, np.c_[X, t], delimiter=",", fmt="%.4f")


def main():
    print(f"{'n':>7} {'d':>2} {'timeout':>8} {'wall':>7} {'over':>6}  status")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for d in (1, 3):
            for n in (100, 1000, 10_000, 100_000):
                path = f"{folder}/rows.csv"
                rows(path, n, d)
                for timeout in (2, 5):
                    start = time.perf_counter()
                    out = subprocess.run(CLI + ["analyze", "--csv", path, "--timeout", str(timeout)],
                                         capture_output=True, text=True)
                    wall = time.perf_counter() - start
                    status = (out.stdout.split("status: ")[-1].split()[0] if "status: " in out.stdout
                              else f"exit {out.returncode}: {out.stderr.strip()[:60]}")
                    worst = max(worst, wall - timeout)
                    print(f"{n:>7} {d:>2} {timeout:>7} s {wall:>6.2f} s {wall - timeout:>+5.2f}  {status}")
    print(f"worst overshoot: {worst:+.2f} s")


if __name__ == "__main__":
    main()
