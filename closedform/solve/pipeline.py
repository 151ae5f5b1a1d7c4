"""The solver pipeline: reduce to the data span, try the closed-form strategies in order (each under the time
budget, stopping at the first that proves its answer complete), fall back to batched Newton + mpmath polish,
classify every point, and add the zeros at infinity. Nothing unverified is reported."""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..errors import InputError
from ..model.numbers import to_mpf
from ..result import ClosedForm, Region, StationaryPoint, StationarySet
from .asymptotics import zeros_at_infinity
from .budget import run_with_budget
from .certify import MAX_WORK, IntervalModel, NotCertifiable, certify_point
from .classify import classify, classify_float
from .expsub import ExpSubstitution
from .galois import obstruction
from .generic import Generic
from .linear import Linear, PiecewiseLinear
from .exclusion import box_search
from .numeric import default_box, newton_search, polish, polish_all, scale_decades
from .onepoint import OnePoint
from .polynomial import Polynomial
from .reduction import reduce

MAX_BOX_DIM = 2
STRATEGIES = (OnePoint(), Linear(), PiecewiseLinear(), Polynomial(), ExpSubstitution(), Generic())


def _check_options(timeout, precision, box, r):
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InputError(f"timeout = {timeout!r} must be a positive number of seconds")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 15 <= precision <= 2000:
        raise InputError(f"precision = {precision!r} must be an integer number of digits from 15 to 2000")
    if box is None:
        return None
    try:
        parsed = [(float(lo), float(hi)) for lo, hi in box]
    except (TypeError, ValueError):
        raise InputError(f"box = {box!r} must be a list of (lo, hi) pairs, one per variable") from None
    if len(parsed) != r or any(not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) for lo, hi in parsed):
        raise InputError(f"box = {box!r} must hold {r} finite pairs lo < hi (one per reduced variable)")
    return parsed


def solve(neuron, timeout=10, precision=30, box=None, progress=None) -> StationarySet:
    """All stationary points of ``neuron``'s loss that can be found and verified; see :class:`StationarySet`."""
    result = StationarySet(neuron, precision=precision)
    if neuron.data.symbolic:
        _check_options(timeout, precision, None, 0)
        return _solve_symbolic(neuron, result, timeout)
    reduced = reduce(neuron)
    box = _check_options(timeout, precision, box, reduced.r)
    if reduced.r == 0:
        result.regions.append(Region("affine", "every w: all inputs are zero, the loss does not depend on w"))
        result.complete = True
        return result
    if not reduced.is_full:
        result.notes.append(f"the data spans {reduced.r} of {neuron.p} dimensions: each stationary point below "
                            f"stands for the affine set of all w with the same {', '.join(map(sp.sstr, reduced.combinations))}")
    exact, values, timed_out = [], {}, False
    factors, meaning = [], ""
    for strategy in STRATEGIES:
        if not strategy.applies(reduced):
            continue
        outcome = run_with_budget(strategy.solve, reduced, precision + 15, seconds=timeout)
        if outcome.status == "timeout":
            timed_out = True
            result.notes.append(f"{strategy.name}: timed out after {timeout:g} s")
            continue
        if outcome.status == "error":
            result.notes.append(f"{strategy.name}: failed ({outcome.message.splitlines()[0]})")
            continue
        finding = outcome.value
        for index, point in enumerate(finding.points):
            if point not in exact:
                exact.append(point)
                values[point] = finding.values.get(index)
        result.regions.extend(finding.regions)
        result.closed_form.extend(finding.closed_form)
        result.notes.extend(f"{strategy.name}: {note}" for note in finding.notes)
        if finding.factors:
            factors, meaning = finding.factors, finding.meaning
        if finding.complete:
            result.complete = True
            result.notes.append(f"{strategy.name}: complete: {finding.reason}")
            break
    if factors:
        outcome = run_with_budget(obstruction, factors, meaning, seconds=timeout)
        if outcome.status == "done":
            result.obstruction = outcome.value
            if outcome.value is None:
                result.notes.append("Galois group: every factor carrying a stationary point is solvable or not decided")
        else:
            result.notes.append(f"Galois group: {outcome.status} ({outcome.message})")
    model = reduced.model
    with mpmath.workdps(precision + 15):
        polished = [(_exact_value(c, values[c], precision + 15), c) for c in exact]
        if not result.complete:
            search_box = box or default_box(reduced)
            result.box = search_box
            candidates = newton_search(model, search_box, decades=scale_decades(reduced))
            fresh = [c for c in candidates
                     if all(np.linalg.norm(c - np.array([float(v) for v in e])) > 1e-6 for e in exact)]
            polished += [(c, None) for c in _unique(polish_all(model, fresh, precision, progress), precision)]
            _convexity_proof(reduced, result, polished)
        if not result.complete and reduced.r <= MAX_BOX_DIM:
            polished += _prove_box(reduced, result, search_box, polished, precision, timeout)
        entries = sorted(((_point(reduced, c, exact_c, precision), c, exact_c) for c, exact_c in polished),
                         key=lambda entry: [float(v) for v in entry[0].w])
    for point, c, exact_c in entries:
        result.points.append(point)
        if exact_c is not None:
            result.closed_form.append(ClosedForm(sp.And(*[sp.Eq(f, v, evaluate=False) for f, v in zip(reduced.combinations, exact_c)])))
        if not reduced.is_full:
            at = exact_c if exact_c is not None else _mp_tuple(c)
            result.regions.append(Region("affine", f"every w with {reduced.describe_set(at)} ({point.kind} "
                                                   f"along the data span, flat along the rest)"))
    asymptotes, notes = zeros_at_infinity(reduced)
    result.asymptotic, result.notes = asymptotes, result.notes + notes
    result.status = "ok" if result.complete else ("timeout" if timed_out else "partial")
    return result


def _exact_value(c, decimals, digits):
    """An exact point as an mp vector: from the strategy's decimals when given (a CRootOf of high degree is
    slow to evaluate through SymPy), else by evaluating the expressions."""
    if decimals is not None:
        return mpmath.matrix([mpmath.mpf(v) for v in decimals])
    return mpmath.matrix([to_mpf(v, digits) for v in c])


def _mp_tuple(c):
    return tuple(sp.Float(mpmath.nstr(v, 20), 20) for v in c)


def _unique(points, precision):
    kept = []
    for p in points:
        if all(mpmath.norm(p - q) > mpmath.mpf(10) ** (-precision // 2) * (1 + mpmath.norm(q)) for q in kept):
            kept.append(p)
    return kept


def _point(reduced, c, exact_c, precision) -> StationaryPoint:
    model = reduced.model
    with mpmath.workdps(precision + 15):
        residual = mpmath.norm(model.mp_gradient(c))
        kind = None
        if model.Z.shape[0] * model.p ** 2 > 2e5:  # large data: the float Hessian decides clear cases
            kind = classify_float(model.hessian(np.array([[float(v) for v in c]]))[0])
        kind = kind or classify(model.mp_hessian(c), precision)
        loss = model.mp_loss(c)
        if reduced.is_full:
            w = tuple(c)
        else:
            M = reduced.basis * (reduced.basis.T * reduced.basis).inv()
            w = tuple(mpmath.matrix([[to_mpf(x, precision + 15) for x in M.row(i)] for i in range(M.rows)]) * c)
        enclosure = _certify(reduced, c, precision)
    exact_w = reduced.to_weights(exact_c) if exact_c is not None else None
    exact = (exact_w[0] if len(exact_w) == 1 else sp.Tuple(*exact_w)) if exact_w is not None else None
    return StationaryPoint(w, kind, loss, residual, certified=enclosure is not None, exact=exact,
                           enclosure=None if enclosure is None else tuple(enclosure))


def _certify(reduced, c, precision):
    """A Krawczyk enclosure of the point when the problem is full rank, small enough and not piecewise."""
    if not reduced.is_full or reduced.model.Z.shape[0] * reduced.r**2 > MAX_WORK:
        return None
    try:
        interval_model = IntervalModel(reduced)
    except NotCertifiable:
        return None
    return certify_point(reduced, interval_model, list(c), reduced.model.mp_hessian(c), precision)


def _prove_box(reduced, result, box, polished, precision, timeout) -> list:
    """Branch and bound over the box (see :mod:`.exclusion`): when every sub-box is decided and every box with
    exactly one zero holds a reported point (new ones are polished from the box), the list is complete on the
    box. Returns the new points."""
    if reduced.model.Z.shape[0] * reduced.r**2 > MAX_WORK:
        return []
    try:
        IntervalModel(reduced)
    except NotCertifiable as reason:
        result.notes.append(f"box search: not attempted ({reason})")
        return []
    outcome = run_with_budget(box_search, reduced, box, seconds=timeout)
    if outcome.status != "done":
        result.notes.append(f"box search: {outcome.status} ({outcome.message})")
        return []
    unique, undecided, boxes = outcome.value
    new = []
    for enclosure in unique:
        holds = lambda c: all(lo <= v <= hi for v, (lo, hi) in zip(c, enclosure))  # noqa: E731
        if any(holds(c) for c, _ in polished + new):
            continue
        point = polish(reduced.model, [(lo + hi) / 2 for lo, hi in enclosure], precision)
        if point is None or not holds(point):
            undecided += 1
            continue
        new.append((point, None))
    if undecided == 0:
        result.complete = True
        result.notes.append(f"box search: complete on the box: {boxes} sub-boxes examined, every zero of the gradient "
                            f"in it is one of the {len(unique)} point(s) proved unique in their sub-box")
    else:
        result.notes.append(f"box search: {undecided} sub-box(es) undecided after {boxes}: completeness not proved")
    return new


def _convexity_proof(reduced, result, polished):
    """A matching loss with f' > 0 has Hessian sum f'(h_i) z_i z_i^T + lam M, positive definite on the reduced
    problem: strictly convex, so one stationary point is all there is."""
    n = reduced.neuron
    if n.criterion.matches(n.activation) and n.activation.increasing and len(polished) == 1:
        result.complete = True
        result.notes.append("complete: matching loss with an increasing activation is strictly convex on the data "
                            "span, so its one stationary point is the global minimum")


def _solve_symbolic(neuron, result, timeout) -> StationarySet:
    outcome = run_with_budget(OnePoint().solve, reduce_symbolic(neuron), 60, seconds=timeout)
    if outcome.status != "done":
        result.status = "timeout" if outcome.status == "timeout" else "partial"
        result.notes.append(f"one datapoint: {outcome.message}")
        return result
    finding = outcome.value
    result.closed_form, result.regions = finding.closed_form, finding.regions
    result.notes.extend(finding.notes)
    result.complete = finding.complete and neuron.data.n == 1
    if result.complete:
        result.notes.append(f"complete: {finding.reason}")
    result.status = "ok" if result.complete else "partial"
    return result


def reduce_symbolic(neuron):
    from .reduction import Reduced
    return Reduced(neuron, sp.eye(neuron.p), neuron.rows, neuron.regularised)
