"""The time budget really stops work, and worker errors come back as values."""
import time

from closedform.budget import run_with_budget
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


def test_pipeline_records_a_timed_out_strategy_and_still_answers():
    import closedform as cf
    data = [(1, "1/10"), (-10, "1/10"), (100, "9/10")]
    r = cf.Neuron("sigmoid", "mse", data=data).stationary_points(timeout=0.05)
    assert r.status is cf.Status.TIMEOUT and r.complete is False
    assert any("exponential substitution: timed out after 0.05 s" in n for n in r.notes)
    assert [p.kind for p in r.points] == [cf.Kind.MIN, cf.Kind.MAX, cf.Kind.MIN]  # found by the numeric path instead
