"""Suite-wide rules. Any answer whose status is ``inconsistent`` fails the test that produced it: an independent
check contradicted a claim, which is a bug to fix, never an outcome to accept. A test that provokes an
inconsistency on purpose marks itself ``@pytest.mark.inconsistent_expected``."""
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
