"""The one typed state that the pipeline's stages read and extend: candidates as strategies propose them,
verified points with the verdict that admitted each, proposed and accepted certificates, the parts of the answer,
and what went wrong (timeouts, inconsistencies)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import mpmath

from ..kinds import Status
from .parts import Certificate, Reduction, Stats
from .verify import Verdict


@dataclass
class Proposal:
    """A certificate a strategy proposes, with the strategy's name (its points are the ones it counts)."""

    certificate: Certificate
    source: str
    reduction: Optional[Reduction] = None


@dataclass
class Verified:
    """A point in reduced coordinates that passed :func:`.verify.verify`; ``sources`` name who proposed it."""

    c: list
    exact: Optional[tuple]
    sources: set
    verdict: Verdict

    @property
    def source(self) -> str:
        return next(iter(sorted(self.sources)))


@dataclass
class State:
    neuron: object
    reduced: object
    precision: int
    deadline: object  # budget.Deadline: the end of the whole run
    user_box: Optional[list] = None
    progress: Optional[bool] = None  # a progress bar on long polishing (None: on a terminal only)
    verified: list = field(default_factory=list)
    proposals: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # (source, reason) of each certificate its check turned down
    infinity_complete: bool = False  # every zero at infinity found (cells decided, faces solved; r <= 3)
    solver: Optional[Callable] = None  # solve(neuron, timeout=...) -> State: the pipeline, for restricted problems
    certificate: Optional[Certificate] = None
    points: list = field(default_factory=list)
    closed_form: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    asymptotic: list = field(default_factory=list)
    obstruction: object = None
    reduction: Optional[Reduction] = None
    factors: list = field(default_factory=list)
    meaning: str = ""
    box: Optional[list] = None
    notes: list = field(default_factory=list)
    inconsistencies: list = field(default_factory=list)
    timed_out: bool = False
    status: Status = Status.PARTIAL
    stats: Stats = field(default_factory=Stats)

    @property
    def digits(self) -> int:
        """Digits the candidates are computed to (the working precision's margin over the requested one)."""
        return self.precision + 15

    @property
    def complete(self) -> bool:
        return self.certificate is not None and not self.inconsistencies

    def find(self, c) -> Optional[Verified]:
        """The verified point equal to ``c`` (mp numbers) up to half the working digits, if any."""
        tolerance = mpmath.mpf(10) ** (-(self.precision // 2))
        for v in self.verified:
            if max(abs(a - b) for a, b in zip(v.c, c)) <= tolerance * (1 + max(abs(a) for a in v.c)):
                return v
        return None
