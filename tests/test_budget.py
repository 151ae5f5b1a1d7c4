"""The time budget really stops work, and worker errors come back as values."""
import time

import pytest

from closedform.budget import Workers, WorkerError, run_here, run_with_budget
from closedform.kinds import Finish


def _spin(seconds):
    end = time.time() + seconds
    while time.time() < end:
        pass
    return "finished"


def _fail():
    raise ArithmeticError("boom")


def test_a_long_computation_is_killed_at_the_deadline():
    start = time.time()
    outcome = run_with_budget(_spin, 30, seconds=0.5)
    assert outcome.status is Finish.TIMEOUT
    assert time.time() - start < 5


def test_a_quick_computation_returns_its_value():
    assert run_with_budget(_spin, 0.01, seconds=10).value == "finished"


def test_errors_are_reported_not_raised():
    outcome = run_with_budget(_fail, seconds=10)
    assert outcome.status is Finish.ERROR and outcome.message.startswith("ArithmeticError: boom")


_SEEN = []


def _remember(tag):
    """What this worker has seen so far: a worker of Workers keeps its memory between tasks."""
    if tag == "fail":
        _fail()
    _SEEN.append(tag)
    return list(_SEEN)


def test_workers_keep_their_memory_answer_in_order_and_report_errors():
    import os
    with Workers(_remember, 2) as pool:
        assert pool.map([("a",), ("b",)]) == [["a"], ["b"]]
        assert pool.map([("c",), ("d",), ("e",)]) == [["a", "c"], ["b", "d"], ["a", "c", "e"]]
        with pytest.raises(WorkerError, match="ArithmeticError: boom"):
            pool.map([("fail",)])
    assert _SEEN == []  # the work ran in the workers, not here
    with pytest.raises(ChildProcessError):  # closed: every worker reaped
        os.waitpid(-1, os.WNOHANG)


def test_two_workers_run_side_by_side():
    start = time.monotonic()
    with Workers(_spin, 2) as pool:
        assert pool.map([(0.5,), (0.5,)]) == ["finished", "finished"]
    assert time.monotonic() - start < 0.9


def _watching(steps, deadline):
    """Steps of 10 ms each, the deadline checked before each: what run_here runs."""
    for _ in range(steps):
        deadline.check()
        _spin(0.01)
    return steps


def test_work_run_here_stops_at_its_deadline_and_reports_as_a_worker_does():
    start = time.monotonic()
    outcome = run_here(_watching, 10 ** 6, seconds=0.3)
    assert outcome.status is Finish.TIMEOUT and 0.3 <= time.monotonic() - start < 0.35
    assert run_here(_watching, 3, seconds=10).value == 3
    failed = run_here(lambda deadline: _fail(), seconds=10)
    assert failed.status is Finish.ERROR and failed.message.startswith("ArithmeticError: boom")
    assert run_here(_watching, 3, seconds=0).status is Finish.TIMEOUT


def test_pipeline_records_a_timed_out_strategy_and_still_answers(monkeypatch):
    import closedform as cf
    monkeypatch.setattr("closedform.solve.stages.STRATEGY_SHARE", 0.03)  # 0.18 s: no closed form finishes
    data = [(1, "1/10"), (-10, "1/10"), (100, "9/10")]
    start = time.monotonic()
    r = cf.Neuron("sigmoid", "mse", data=data).stationary_points(timeout=6)
    assert time.monotonic() - start < 6.5
    assert any(n.startswith("exponential substitution: stopped after") for n in r.notes)
    assert r.certificate is None or r.certificate.kind is cf.CertificateKind.BOX_EXCLUSION  # no closed form
    assert [p.kind for p in r.points] == [cf.Kind.MIN, cf.Kind.MAX, cf.Kind.MIN]  # found by the numeric path instead


def test_the_timeout_bounds_the_whole_call():
    import closedform as cf
    data = [(1, "1/10"), (-10, "1/10"), (100, "9/10")]
    for timeout in (0.05, 0.3, 1.0):
        start = time.monotonic()
        r = cf.Neuron("sigmoid", "mse", data=data).stationary_points(timeout=timeout)
        assert time.monotonic() - start < timeout + 0.5
        assert r.status is cf.Status.TIMEOUT and not r.complete


def _budget_in_a_daemon(seconds):
    return run_with_budget(_spin, seconds, seconds=5).value


def test_the_budget_works_inside_a_daemonic_pool_worker():
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(1) as pool:  # pool workers are daemonic
        assert pool.apply(_budget_in_a_daemon, (0.01,)) == "finished"


def test_a_worker_dies_with_its_parent():
    """SIGKILL of the process that started a budgeted worker: the kernel kills the worker too."""
    import os
    import signal
    import subprocess
    import sys
    script = ("import time, os, sys\n"
              "from closedform.budget import run_with_budget\n"
              "def work():\n"
              "    print(os.getpid(), flush=True); time.sleep(60)\n"
              "run_with_budget(work, seconds=60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
