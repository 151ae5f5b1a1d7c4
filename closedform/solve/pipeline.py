"""The solver pipeline: check the options, reduce to the data span, run the stages of :mod:`.stages` over one
state, and settle the status. A strategy only proposes; every point is verified and every certificate checked
by code that did not produce it, and a verified point outside a "complete" list makes the answer inconsistent."""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import InputError
from ..kinds import CertificateKind, Finish, RegionKind, Scope, Status
from .checks import check_one_point
from .onepoint import OnePoint
from .population_answer import answer as exact_population, run as population_run
from .population_numeric import answer as numeric_population
from .parts import Certificate, Region
from .reduction import Reduced, reduce
from ..budget import Deadline, run_with_budget
from .stages import STAGES, run_stages
from .state import Proposal, State
from ..printing import text


def deadline_for(timeout) -> Deadline:
    """The run's deadline: ``timeout`` seconds from now (a finite positive number), or a Deadline already
    running (the command line starts it before it reads the data)."""
    if isinstance(timeout, Deadline):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
        raise InputError(f"timeout = {timeout!r} must be a finite positive number of seconds")
    return Deadline(float(timeout))


def _check_precision(precision):
    if isinstance(precision, bool) or not isinstance(precision, int) or not 15 <= precision <= 2000:
        raise InputError(f"precision = {precision!r} must be an integer number of digits from 15 to 2000")


def _solve_population(neuron, deadline, precision) -> State:
    """A Gaussian teacher: the reduction to the line through v and the off-line system (:mod:`.population`)."""
    if neuron.population.exact:
        found, status = population_run(exact_population, neuron, deadline, precision + 15)
    else:
        found, status = population_run(numeric_population, neuron, deadline)
    state = State(neuron, None, precision, deadline)
    state.points, state.regions, state.asymptotic = found.points, found.regions, found.asymptotic
    state.notes, state.infinity_complete, state.certificate = found.notes, found.infinity_complete, found.certificate
    state.inconsistencies = found.inconsistencies
    state.status = (Status.INCONSISTENT if found.inconsistencies else status if status is not Status.OK else
                    Status.OK if found.certificate is not None else Status.PARTIAL)
    if found.inconsistencies:
        state.notes.extend(f"inconsistent: {i}" for i in found.inconsistencies)
    return state


def _check_box(box, r):
    if box is None:
        return None
    try:
        parsed = [(float(lo), float(hi)) for lo, hi in box]
    except (TypeError, ValueError):
        raise InputError(f"box = {box!r} must be a list of (lo, hi) pairs, one per variable") from None
    if len(parsed) != r or any(not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) for lo, hi in parsed):
        raise InputError(f"box = {box!r} must hold {r} finite pairs lo < hi (one per reduced variable)")
    return parsed


def solve(neuron, timeout=10, precision=30, box=None, progress=None, stages=STAGES) -> State:
    """Everything that can be found and checked about the stationary points of ``neuron``'s loss, within
    ``timeout`` seconds for the whole call (or by a running :class:`~closedform.budget.Deadline`); ``stages``:
    the stages to run (a restricted problem on a face at infinity needs only its finite points)."""
    deadline = deadline_for(timeout)
    _check_precision(precision)
    if neuron.population is not None:
        return _solve_population(neuron, deadline, precision)
    if neuron.data.symbolic:
        return _solve_symbolic(neuron, deadline, precision)
    reduced = reduce(neuron)
    state = State(neuron, reduced, precision, deadline, _check_box(box, reduced.r), progress, solver=solve)
    if reduced.r == 0:
        state.regions.append(Region(RegionKind.AFFINE, "every w: all inputs are zero, the loss does not depend on w"))
        state.certificate = Certificate(CertificateKind.CONSTANT, Scope.GLOBAL, CertificateKind.CONSTANT.message,
                                        checked_by="every row of the data is zero (exact)")
        return _settle(state)
    if not reduced.is_full:
        state.notes.append(f"the data spans {reduced.r} of {neuron.p} dimensions: each stationary set below is "
                           f"an affine set of w with the same {', '.join(map(text, reduced.combinations))}")
    return _settle(run_stages(state, stages))


def _settle(state) -> State:
    state.status = (Status.INCONSISTENT if state.inconsistencies else Status.OK if state.complete
                    else Status.TIMEOUT if state.timed_out else Status.PARTIAL)
    state.notes.extend(f"inconsistent: {message}" for message in state.inconsistencies)
    state.notes.extend(f"{source}: certificate not accepted ({reason})" for source, reason in state.rejected)
    return state


def _solve_symbolic(neuron, deadline, precision) -> State:
    reduced = Reduced(neuron, sp.eye(neuron.p), neuron.rows, neuron.regularised)
    state = State(neuron, reduced, precision, deadline)
    outcome = run_with_budget(OnePoint().solve, reduced, 60, seconds=deadline.left())
    if outcome.status is not Finish.DONE:
        state.timed_out = outcome.status is Finish.TIMEOUT
        state.notes.append(f"one datapoint: {outcome.message}")
        return _settle(state)
    finding = outcome.value
    state.closed_form, state.regions = finding.closed_form, finding.regions
    state.notes.extend(finding.notes)
    if finding.certificate is not None:
        accepted, reason = check_one_point(state, Proposal(finding.certificate, OnePoint.name))
        if accepted:
            certificate = finding.certificate
            state.certificate = Certificate(certificate.kind, certificate.scope, certificate.details,
                                            certificate.facts, checked_by=reason)
        else:
            state.rejected.append((OnePoint.name, reason))
    return _settle(state)

