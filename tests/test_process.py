"""The command line as a process: SIGTERM leaves no worker behind, and --timeout bounds the whole run even on
10^5 rows (a loose functional bound; the +0.5 s goal is measured in benchmarks/bench_deadline.py)."""
import os
import signal
import subprocess
import sys
import time

import numpy as np

CLI = [sys.executable, "-c", "import sys; from closedform.cli import main; sys.exit(main())"]


def _children(pid) -> list:
    """Every live descendant of ``pid`` (from /proc), zombies excluded."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry))
                frontier.append(int(entry))
    return found


def _alive(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_sigterm_leaves_no_worker_alive():
    # a problem whose closed form takes far longer than the test: a worker is running when the signal comes
    process = subprocess.Popen(CLI + ["analyze", "--data", "1:1/10; -10:1/10; 100:9/10", "--timeout", "120"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline and not workers:
        time.sleep(0.1)
        workers = _children(process.pid)
    assert workers, "no worker was started"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    assert process.returncode == 143
    end = time.monotonic() + 2
    while time.monotonic() < end and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)
    assert "Traceback" not in process.stderr.read()


def test_a_timeout_of_5_s_holds_on_100000_rows(tmp_path):
    rng = np.random.default_rng(0)
    x = np.round(rng.normal(size=100_000), 4)
    t = np.round(1 / (1 + np.exp(-1.5 * x)) + rng.normal(scale=0.05, size=x.size), 3).clip(0.01, 0.99)
    path = tmp_path / "rows.csv"
    np.savetxt(path, np.c_[x, t], delimiter=",", fmt="%.4f")
    start = time.monotonic()
    out = subprocess.run(CLI + ["analyze", "--csv", str(path), "--timeout", "5"], capture_output=True, text=True,
                         timeout=120)
    elapsed = time.monotonic() - start
    assert elapsed < 7, f"{elapsed:.1f} s"
    if out.returncode == 124:  # a machine so loaded that reading the file outlasts the deadline: the watchdog
        assert out.stderr.count("\n") == 1 and "no answer within the timeout of 5 s" in out.stderr
    else:
        assert out.returncode == 0, out.stderr
        assert "status:" in out.stdout


def test_the_watchdog_ends_a_step_that_ignores_the_deadline():
    script = ("import sys, time\n"
              "import closedform.cli as cli\n"
              "def slow(args):\n"
              "    time.sleep(30)\n"
              "cli._problem = slow\n"
              "sys.exit(cli.main(['analyze', '--data', '1:1/2', '--timeout', '1']))\n")
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert out.returncode == 124
    assert out.stderr == "closedform: error: no answer within the timeout of 1 s (a step that cannot be interrupted ran past it)\n"
    assert elapsed < 1 + 0.4 + 5  # the deadline, the watchdog's grace, and the interpreter's start on a busy machine


def test_sigterm_during_a_box_search_on_every_core_leaves_no_worker_alive():
    """The box search's own workers (one per core, forked by the budgeted worker) die with it: a 3-D problem
    whose search runs for tens of seconds, SIGTERM once its workers are up, every descendant gone within 2 s."""
    script = ("import numpy as np, closedform as cf\n"
              "rng = np.random.default_rng(3031)\n"
              "X = np.round(rng.normal(size=(1000, 3)), 3)\n"
              "t = np.round(np.clip(1 / (1 + np.exp(-X @ rng.normal(size=3))), 0.01, 0.99), 2)\n"
              "cf.Neuron('sigmoid', 'mse', data=(X, t)).stationary_points(timeout=120)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    wanted = 1 + (len(os.sched_getaffinity(0)) if len(os.sched_getaffinity(0)) > 1 else 0)
    deadline, workers = time.monotonic() + 90, []
    while time.monotonic() < deadline and len(workers) < wanted:
        time.sleep(0.1)
        workers = _children(process.pid)
    assert len(workers) >= wanted, f"{len(workers)} workers, expected {wanted}"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    end = time.monotonic() + 2
    while time.monotonic() < end and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)
