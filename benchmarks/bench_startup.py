"""Start-up: the seed question (`closedform` with no arguments) as a whole process, and `import closedform`,
each the median of 7 fresh processes. Goal (issue 12): the seed answer within 1.0 s."""
import statistics
import subprocess
import sys
import time

RUNS = 7


def median_seconds(command) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    python = [sys.executable, "-c"]
    rows = [("python -c pass", python + ["pass"]),
            ("import sympy", python + ["import sympy"]),
            ("import closedform", python + ["import closedform"]),
            ("closedform (the seed question)", python + ["import sys; from closedform.cli import main; sys.exit(main())"])]
    print(f"{'process':<34} {'median':>8}   ({RUNS} runs)")
    for name, command in rows:
        print(f"{name:<34} {median_seconds(command):>7.2f} s")


if __name__ == "__main__":
    main()
