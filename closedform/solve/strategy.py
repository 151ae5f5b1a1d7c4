"""What a closed-form strategy returns. A strategy only *proposes*: candidate points (exact, with decimals
where evaluating them is costly), solution sets, regions and, at most, a completeness certificate. The pipeline
verifies every candidate and checks the certificate with code that did not produce them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .parts import Certificate, Reduction


@dataclass
class Finding:
    """Candidate points in reduced coordinates (exact tuples, or None for a float candidate given only by its
    decimals in ``values``), solution sets and regions. ``equivalence``:
    the points are roots of an exact reduction equivalent to grad E = 0, so each must verify (a failure is an
    inconsistency, never a reason to drop it). ``certificate``: the proposed evidence that nothing else
    finite exists."""

    points: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # point index -> decimal strings, where evaluating it is costly
    closed_form: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    certificate: Optional[Certificate] = None
    equivalence: bool = False
    reduction: Optional[Reduction] = None
    notes: list = field(default_factory=list)
    factors: list = field(default_factory=list)  # irreducible polynomials whose roots are the points
    meaning: str = ""  # what a root of a factor is, for the obstruction's sentence


class Strategy:
    """One closed-form method: ``applies(reduced)`` says whether it is worth trying (from registry metadata),
    ``expected_seconds(reduced)`` what it would cost where that can be foreseen, ``solve(reduced, digits)``
    returns a :class:`Finding` with numbers good to ``digits`` (it runs in a worker under the time budget)."""

    name = "strategy"

    def applies(self, reduced) -> bool:
        raise NotImplementedError

    def expected_seconds(self, reduced) -> float:
        """A forecast of :meth:`solve`'s time (0: none, or cheap)."""
        return 0.0

    def runs_here(self, reduced) -> bool:
        """True when :meth:`solve` is float work that takes a third argument, a Deadline, and checks it between
        steps of small, foreseen cost: it then runs in this process, not in a forked worker."""
        return False

    def solve(self, reduced, digits: int) -> Finding:
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"
