"""Suite-wide rules. Any answer whose status is ``inconsistent`` fails the test that produced it: an independent
check contradicted a claim, which is a bug to fix, never an outcome to accept. A test that provokes an
inconsistency on purpose marks itself ``@pytest.mark.inconsistent_expected``.

``solved`` shares one answer between tests (in different files) that run the very same problem with the very
same options, so the default run pays for it once."""
import pytest

import closedform as cf
from closedform.result import StationarySet


def pytest_configure(config):
    config.addinivalue_line("markers", "inconsistent_expected: the test provokes an inconsistent answer on purpose")


@pytest.fixture(autouse=True)
def _no_inconsistent_answer(request, monkeypatch):
    if request.node.get_closest_marker("inconsistent_expected"):
        yield
        return
    seen = []
    original = StationarySet.from_state.__func__

    def from_state(cls, state):
        answer = original(cls, state)
        if answer.status is cf.Status.INCONSISTENT:
            seen.append(answer)
        return answer

    monkeypatch.setattr(StationarySet, "from_state", classmethod(from_state))
    yield
    assert not seen, "an answer was inconsistent:\n" + "\n\n".join(a.summary() for a in seen)


@pytest.fixture(scope="session")
def solved():
    """``solved(options, **neuron arguments)``: ``cf.Neuron(**arguments).stationary_points(**options)``, computed
    once per session and shared by every test that asks for exactly the same problem and options, instead of one
    identical run per test (a run that stops at its timeout gives one sample of what that call answers, which
    every sharing test checks in full). Every test that receives it checks again that it is not inconsistent, as
    the rule above would have. Spell the arguments the same way (by keyword) wherever a problem is shared."""
    answers = {}

    def solve(options=None, **arguments):
        options = dict(options or {})
        key = repr((sorted(arguments.items()), sorted(options.items())))
        if key not in answers:
            answers[key] = cf.Neuron(**arguments).stationary_points(**options)
        answer = answers[key]
        assert answer.status is not cf.Status.INCONSISTENT, "an answer was inconsistent:\n" + answer.summary()
        return answer

    return solve
