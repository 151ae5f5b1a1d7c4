"""The pipeline's stages, each a small object with one verb, ``run(state)``, over one :class:`.state.State`:

    Separable     a loss that is a sum over coordinate blocks: each block solved by the pipeline itself
    Strategies    closed forms propose points and certificates; every point is verified, every certificate
                  checked (modules :mod:`.verify`, :mod:`.checks`), before the next strategy is skipped
    Witness       a cheap float search over the box, always: a verified point outside an accepted "complete"
                  list makes the answer inconsistent
    Convexity     a strictly convex loss proves one verified point complete
    BoxProof      interval branch and bound proves a list complete on the box (r <= 3)
    Classify      kinds: the Hessian's eigenvalues against an error bound, one-sided models at kinks
    Continua      rank-deficient data: each point of the reduced problem is an affine set of weights
    Obstruction   the Galois group of the polynomial carrying the points
    Infinity      the zeros at infinity
Adding a stage is a class here and an entry in :data:`STAGES`."""
from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from mpmath import iv

from ..budget import Deadline, cores, run_here, run_with_budget
from ..kinds import CertificateKind, Finish, Kind, RegionKind, Scope
from ..model.activations import registered
from ..model.neuron import Neuron
from ..model.numbers import to_mpf
from .blocks import block_neuron, coordinate_blocks, separates
from .asymptotics import MAX_REPORTED, face_ray, faces, known, remember, symbolic_limits, zeros_at_infinity
from .certify import IntervalModel, NotCertifiable, certify_point, interval_digits
from .checks import check, check_face_ray, remember_tail_limits, tail_limits
from .classify import classify, classify_float, interval_radius, precision_radius
from .convexnewton import ConvexNewton, strict_convexity
from .exclusion import MAX_BOXES, box_search
from .separation import load_linprog
from .expsub import ExpSubstitution
from .expsystem import ExpSystemStrategy
from .galois import obstruction
from .generic import Generic
from .kink import classify_kink, kink_units
from .linear import Linear, PiecewiseLinear
from .numeric import MP_HESSIAN_WORK, box_ladder, default_box, newton_search, polish, progress_bar, scale_decades
from .onepoint import OnePoint
from .parts import Certificate, ClosedForm, Region, StationaryPoint
from .polynomial import Polynomial
from .signs import SignSeparation
from .state import Proposal, Verified
from .verify import MAX_SYMBOLIC, exactly_stationary, interval_model, is_rational_point, verify, working_hessian
from ..printing import text

MAX_BOX_DIM = 3
MAX_BOX_WORK = 2e6  # samples x variables^2 beyond which the box search (float64, vectorised) is skipped
STRATEGY_SHARE = 0.5  # of the time left, for all closed forms together: the rest is the search's
SEPARABLE_SHARE = 0.8  # of the time left, for the blocks of a separable loss (their answers are the whole answer)
HOPELESS = 2.0  # a strategy forecast to need this many times the time left is not started
SEARCH_SHARE = 0.7  # of the time left: the float search and the box proof leave time to classify
POLISH_CHUNK = 16  # witness candidates polished per worker: the deadline keeps the batches done before it
FACE_SHARE = 5.0  # seconds at most for one restricted problem on a face (half of what is left, if less)
FACE_MINIMUM = 0.5  # seconds left below which the faces still unsolved are only counted
WITNESS_DISTANCE = 1e-6  # float candidates this close (relative) to a verified point are that point


class Stage:
    name = "stage"

    def run(self, state) -> None:
        raise NotImplementedError

    def __repr__(self):
        return f"<stage {self.name}>"


def bounded(state, what: str, function, *args, share: float = 1.0, until: Deadline = None, here: bool = False):
    """``function(*args)`` in a worker, within ``share`` of what is left of ``until`` (by default the run's
    deadline), so that work that does not finish leaves time to the stages after it; its value, or None with a
    note (and the state marked timed out) when time or an error stops it. ``here``: the function watches a
    deadline passed as its last argument and runs in this process (:func:`~closedform.budget.run_here`)."""
    seconds = share * (until or state.deadline).left()
    if seconds <= 0:
        state.timed_out = True
        state.notes.append(f"{what}: not run, no time left of the {state.deadline.seconds:g} s for the whole run")
        return None
    if not here:
        state.neuron.fns.compile()  # forked workers inherit the evaluators instead of each compiling its own
    outcome = (run_here if here else run_with_budget)(function, *args, seconds=seconds)
    if outcome.status is Finish.DONE:
        return outcome.value
    if outcome.status is Finish.TIMEOUT:
        state.timed_out = True
        state.notes.append(f"{what}: stopped after {seconds:.3g} s, its share of the {state.deadline.seconds:g} s "
                           f"for the whole run")
    else:
        state.notes.append(f"{what}: failed ({outcome.message.splitlines()[0]})")
    return None


def admit(state, c, exact, source, digits, must_hold=False, intervals=None, proof=False, verdict=None):
    """Verify a candidate (unless ``verdict`` comes from a worker that did) and add it (or its source) to the
    verified points; returns the Verified or None. A point that must hold (a root of an exact equivalence) and
    fails is tried again at twice the digits, then recorded as an inconsistency."""
    existing = state.find(c)
    if existing is not None:
        existing.sources.add(source)
        return existing
    verdict = verdict or verify(state.reduced, c, digits, exact, intervals, proof)
    if not verdict.holds and must_hold:
        sharper = _sharpen(state, c, exact, 2 * digits)
        if sharper is not None:
            c, digits = sharper, 2 * digits
            verdict = verify(state.reduced, c, digits, exact, intervals)
        if not verdict.holds:
            state.inconsistencies.append(f"{source}: the exact root at {mpmath.nstr(c[0], 15)} fails verification "
                                         f"(residual {mpmath.nstr(verdict.residual, 5)}, allowed "
                                         f"{mpmath.nstr(verdict.tolerance, 5)})")
    if not verdict.holds:
        return None
    entry = Verified(list(c), exact, {source}, verdict)
    state.verified.append(entry)
    return entry


def _sharpen(state, c, exact, digits):
    """The candidate to more digits: from its exact form, else by Newton from it at higher precision."""
    if exact is not None:
        return [to_mpf(v, digits + 10) for v in exact]
    point = polish(state.reduced.model, c, digits)
    return None if point is None else list(point)


class Separable(Stage):
    """A loss that is a sum over coordinate blocks (:mod:`.blocks`): each block solved by the pipeline itself; when
    every block's list is complete on its whole space, the products of their points are verified one by one in
    the whole problem and proposed as complete."""

    name = "separable"

    def run(self, state) -> None:
        reduced = state.reduced
        parts = coordinate_blocks(reduced)
        if state.solver is None or len(parts) < 2 or not separates(reduced, parts):
            return
        problems = [block_neuron(reduced, block) for block in parts]
        if None in problems:
            return  # a coordinate no datapoint touches (an L2 term alone, with a bias and x = 0): solved as one
        lists, solved = [], {}
        for number, (block, problem) in enumerate(zip(parts, problems)):
            key = (problem.data.x, problem.data.t, problem.l2)  # equal blocks (AHW: every axis alike) solved once
            if key not in solved:
                solved[key] = state.solver(problem, stages=FINITE_STAGES, timeout=Deadline(
                    SEPARABLE_SHARE * state.deadline.left() / (len(parts) - number)))
            inner = solved[key]
            if not (inner.complete and inner.certificate.scope is Scope.GLOBAL and inner.reduced.is_full
                    and not inner.regions):
                state.notes.append(f"separable: the block of coordinates {[j + 1 for j in block]} was not solved "
                                   f"completely on its whole space; the problem is solved as one")
                return
            lists.append((block, inner.verified, inner.certificate))
        for combination in itertools.product(*(entries for _, entries, _ in lists)):
            c, exact = [None] * reduced.r, [None] * reduced.r
            for (block, _, _), entry in zip(lists, combination):
                for position, j in enumerate(block):
                    c[j] = entry.c[position]
                    exact[j] = entry.exact[position] if entry.exact is not None else None
            admit(state, c, tuple(exact) if None not in exact else None, self.name, state.digits, must_hold=True)
        counts = [len(entries) for _, entries, _ in lists]
        details = (f"the loss is a sum of functions of the coordinate blocks "
                   f"{', '.join(str([j + 1 for j in block]) for block, _, _ in lists)}; each block's stationary "
                   f"points are complete on its whole space ({'; '.join(f'{c.kind.value}: {c.checked_by}' for _, _, c in lists)}), "
                   f"so the stationary points are their {' x '.join(map(str, counts))} = {math.prod(counts)} "
                   f"products")
        accept(state, Proposal(Certificate(CertificateKind.SEPARABLE, Scope.GLOBAL, details,
                                           facts={"blocks": [block for block, _, _ in lists], "counts": counts}),
                               self.name))


class Strategies(Stage):
    """Try the closed forms in order, each under the time budget, until one's certificate is accepted."""

    name = "strategies"
    strategies = (OnePoint(), ConvexNewton(), Linear(), PiecewiseLinear(), Polynomial(), ExpSubstitution(),
                  ExpSystemStrategy(), SignSeparation(), Generic())  # the exact routes say more (P(u)) first

    def run(self, state) -> None:
        if state.certificate is not None:
            return  # the blocks of a separable loss answered
        reduced = state.reduced
        intervals = interval_model(reduced)
        until = Deadline(STRATEGY_SHARE * state.deadline.left())
        for strategy in self.strategies:
            if not strategy.applies(reduced):
                continue
            expected = strategy.expected_seconds(reduced)
            if expected > HOPELESS * until.left():
                state.notes.append(f"{strategy.name}: not tried: about {expected:.3g} s expected, {until.left():.3g} s "
                                   f"left for the closed forms")
                continue
            finding = bounded(state, strategy.name, strategy.solve, reduced, state.digits, until=until,
                              here=strategy.runs_here(reduced))
            if finding is None:
                continue
            self._take(state, strategy.name, finding, intervals)
            if finding.certificate is not None:
                proposal = Proposal(finding.certificate, strategy.name, finding.reduction)
                if accept(state, proposal):
                    return

    @staticmethod
    def _take(state, source, finding, intervals):
        with mpmath.workdps(state.digits + 10):
            for index, exact in enumerate(finding.points):
                decimals = finding.values.get(index)
                c = ([mpmath.mpf(v) for v in decimals] if decimals is not None
                     else [to_mpf(v, state.digits + 10) for v in exact])
                admit(state, c, exact, source, state.digits, finding.equivalence, intervals)
        state.regions.extend(r for r in finding.regions if all(r.expr != known.expr for known in state.regions))
        state.closed_form.extend(f for f in finding.closed_form if f not in state.closed_form)
        state.notes.extend(f"{source}: {note}" for note in finding.notes)
        if finding.reduction is not None:
            state.reduction = finding.reduction
        if finding.factors:
            state.factors, state.meaning = finding.factors, finding.meaning


def accept(state, proposal) -> bool:
    """Check a proposed certificate; on success it becomes the answer's certificate."""
    state.proposals.append(proposal)
    accepted, reason = check(state, proposal)
    if accepted:
        certificate = proposal.certificate
        state.certificate = Certificate(certificate.kind, certificate.scope, certificate.details,
                                        certificate.facts, checked_by=reason)
    else:
        state.rejected.append((proposal.source, reason))
    return accepted


class Witness(Stage):
    """Batched float Newton over the box, then an mpmath polish and verification of anything new, each candidate
    in its own worker so that the deadline keeps what was verified before it."""

    name = "witness"

    def run(self, state) -> None:
        reduced = state.reduced
        if state.certificate is not None and state.certificate.kind is CertificateKind.CONVEXITY:
            state.box = state.user_box
            return  # strict convexity (exact rank) allows one point: a float search cannot add another
        state.box = state.user_box or default_box(reduced)
        candidates = bounded(state, "witness search", newton_search, reduced.model, state.box, 100,
                             scale_decades(reduced), share=SEARCH_SHARE)
        if candidates is None:
            return
        state.stats.counts["witness candidates"] = len(candidates)
        known = [np.array([float(v) for v in entry.c]) for entry in state.verified]
        fresh = [c for c in candidates
                 if all(np.linalg.norm(c - k) > WITNESS_DISTANCE * (1 + np.linalg.norm(k)) for k in known)]
        intervals = interval_model(reduced) if fresh else None
        found = 0
        chunks = [fresh[k:k + POLISH_CHUNK] for k in range(0, len(fresh), POLISH_CHUNK)]
        for chunk in progress_bar(chunks, "polishing", state.progress, unit="batch"):
            polished = bounded(state, "witness polish", _polish_and_verify, reduced, chunk, state.precision,
                               intervals)
            if polished is None and state.deadline.expired:
                break
            for point, verdict in polished or ():
                found += self._admit(state, point, verdict)
        state.stats.counts["witness points"] = found

    @staticmethod
    def _admit(state, point, verdict) -> int:
        """1 when the polished, verified point is new (and an inconsistency if a list was declared complete)."""
        if state.find(point) is not None or _in_region(state, point):
            return 0
        if admit(state, point, None, "witness", state.precision + 8, verdict=verdict) is None:
            return 0
        if state.certificate is not None:
            state.inconsistencies.append(
                f"witness search: a verified stationary point at ({', '.join(mpmath.nstr(v, 15) for v in point)}) "
                f"is missing from the list that '{state.certificate.kind.value}' declared complete")
        return 1


def _polish_and_verify(reduced, candidates, precision, intervals):
    """[(point, verdict)] for the float candidates that polish in mpmath and verify (a Krawczyk enclosure where
    intervals apply)."""
    kept = []
    for candidate in candidates:
        point = polish(reduced.model, candidate, precision)
        if point is not None:
            verdict = verify(reduced, list(point), precision + 8, None, intervals, proof=True)
            if verdict.holds:
                kept.append((list(point), verdict))
    return kept


def _in_region(state, c) -> bool:
    """Does the reduced point c lie in a reported continuum (to 1e-9)?"""
    if not state.regions:
        return False
    w = state.reduced.to_weights([sp.Float(mpmath.nstr(v, 30), 30) for v in c])
    values = dict(zip(state.neuron.weights, w))
    return any(_holds(region.expr, values) for region in state.regions)


def _holds(expr, values, tolerance=1e-9) -> bool:
    """Does the point ``values`` satisfy the region's conditions (to ``tolerance``)? Parameters of a
    parametrised region (w2 = s1, ...) are fitted to the point by least squares over its equations first."""
    parts = expr.args if isinstance(expr, sp.And) else (expr,)
    parameters = sorted(set().union(*(part.free_symbols for part in parts)) - set(values), key=str)
    if parameters:
        equations = [(part.lhs - part.rhs).subs(values) for part in parts if isinstance(part, sp.Eq)]
        try:
            A, b = sp.linear_eq_to_matrix(equations, parameters)
        except (sp.polys.polyerrors.PolyError, ValueError):  # not linear in the parameters: not decided here
            return False
        fit = np.linalg.lstsq(np.array(A, dtype=float), np.array(b, dtype=float).ravel(), rcond=None)[0]
        values = {**values, **{p: sp.Float(v, 20) for p, v in zip(parameters, fit)}}
    for part in parts:
        if part == sp.true:
            continue
        if not isinstance(part, sp.core.relational.Relational):
            return False
        gap = float(sp.N((part.lhs - part.rhs).subs(values), 20))
        if isinstance(part, sp.Eq) and abs(gap) > tolerance:
            return False
        if isinstance(part, (sp.Le, sp.Lt)) and gap > tolerance:
            return False
        if isinstance(part, (sp.Ge, sp.Gt)) and gap < -tolerance:
            return False
    return True


class Convexity(Stage):
    """A matching loss with an increasing activation: strictly convex where the data span the space."""

    name = "convexity"

    def run(self, state) -> None:
        neuron = state.neuron
        if state.certificate is not None or not (neuron.criterion.matches(neuron.activation)
                                                 and neuron.activation.increasing):
            return
        accept(state, Proposal(strict_convexity(), "convexity"))


class BoxProof(Stage):
    """Branch and bound over the box (:mod:`.exclusion`) when no global certificate was accepted."""

    name = "box proof"

    def run(self, state) -> None:
        reduced = state.reduced
        if state.certificate is not None or reduced.r > MAX_BOX_DIM or reduced.model.Z.shape[0] * reduced.r**2 > MAX_BOX_WORK:
            return
        try:
            IntervalModel(reduced)
        except NotCertifiable as reason:
            state.notes.append(f"box search: not attempted ({reason})")
            return
        # in 1-D the far field saturates without valleys, so the default box is searched directly (49 sub-boxes
        # for [-50000, 50000] at n = 10^4); in 2-D and 3-D its size ~ n costs O(n^2) sub-boxes: climb to it
        rungs = [state.box] if state.user_box or reduced.r == 1 else box_ladder(reduced, state.box)
        proved, spent = None, None
        for box in rungs:
            if spent is not None and spent * 2 ** reduced.r > SEARCH_SHARE * state.deadline.left():
                break  # the next box, up to 2^r times the sub-boxes, would not finish in the time left
            started = time.monotonic()
            searched = bounded(state, "box search", box_search, reduced, box, MAX_BOXES, cores(), share=SEARCH_SHARE)
            spent = time.monotonic() - started
            if searched is not None:
                state.stats.counts["sub-boxes"] = searched[2]
            if searched is None or not self._settled(state, box, *searched):
                break
            proved = (box, searched)
        if proved is None:
            return
        box, (unique, _, boxes) = proved
        if self._strays(state, box, unique):  # points a larger box's search verified since are checked too
            return
        state.stats.counts["sub-boxes"] = boxes
        if box is not state.box:
            state.notes.append(f"box proof: complete in {_text(box)}; the larger boxes up to {_text(state.box)} were "
                               "not proved (time, or sub-boxes left undecided: see the notes above), so the claim is "
                               "for the smaller one")
            state.box = box
        state.certificate = Certificate(
            CertificateKind.BOX_EXCLUSION, Scope.BOX,
            f"{boxes} sub-boxes of {_text(box)} examined: each holds no zero of the gradient or exactly one, and "
            f"each of the {len(unique)} such zero(s) is a reported point", facts={"boxes": boxes, "unique": len(unique)},
            checked_by="each sub-box proved to hold one zero contains a verified point")

    @staticmethod
    def _settled(state, box, unique, undecided, boxes) -> bool:
        """Whether the search of ``box`` accounts for every zero in it: each box proved to hold one zero holds a
        verified point (polished and verified here if none is known), and no verified point lies elsewhere."""
        reduced = state.reduced
        for enclosure in unique:
            inside = [e for e in state.verified if all(lo <= v <= hi for v, (lo, hi) in zip(e.c, enclosure))]
            if inside:
                continue
            point = polish(reduced.model, [(lo + hi) / 2 for lo, hi in enclosure], state.precision)
            if point is None or not all(lo <= v <= hi for v, (lo, hi) in zip(point, enclosure)) \
                    or admit(state, list(point), None, "box search", state.precision + 8) is None:
                undecided += 1
        if undecided:
            state.notes.append(f"box search: {undecided} sub-box(es) of {_text(box)} undecided after {boxes}: "
                               "completeness not proved there")
            return False
        return not BoxProof._strays(state, box, unique)

    @staticmethod
    def _strays(state, box, unique) -> bool:
        """Whether a verified point lies in ``box`` but in no sub-box proved to hold a zero: two routes disagree
        (recorded as an inconsistency)."""
        strays = [e for e in state.verified if _within(e.c, box) and not any(_within(e.c, u) for u in unique)]
        if strays:
            state.inconsistencies.append(
                f"box search: {len(strays)} verified point(s) lie in no sub-box proved to hold a zero, e.g. at "
                f"{', '.join(mpmath.nstr(v, 12) for v in strays[0].c)} (from {', '.join(sorted(strays[0].sources))})")
        return bool(strays)


def _text(box) -> str:
    return " x ".join(f"[{mpmath.nstr(mpmath.mpf(lo), 6)}, {mpmath.nstr(mpmath.mpf(hi), 6)}]" for lo, hi in box)


def _within(c, box) -> bool:
    """c in the closed box [(lo, hi), ...], widened by 1e-20 relative (c approximates a root to its digits)."""
    return all(lo - 1e-20 * (1 + abs(v)) <= v <= hi + 1e-20 * (1 + abs(v)) for v, (lo, hi) in zip(c, box))


class Classify(Stage):
    """The kind, loss, residual and enclosure of every verified point."""

    name = "classify"

    def run(self, state) -> None:
        reduced = state.reduced
        intervals = interval_model(reduced)
        entries = sorted(state.verified, key=lambda e: [float(v) for v in e.c])
        for entry in entries:
            if entry.verdict.kind is not None:  # proved by its verification: only E(c) is left, O(n), no worker
                classified = _classified(state, entry, intervals)
            else:
                classified = bounded(state, "classify", _classified, state, entry, intervals)
            point, entry.exact = classified if classified is not None else (_unclassified(state, entry), entry.exact)
            state.points.append(point)
            if entry.exact is not None:
                state.closed_form.append(ClosedForm(sp.And(*[sp.Eq(f, v, evaluate=False)
                                                             for f, v in zip(reduced.combinations, entry.exact)])))


def _classified(state, entry, intervals):
    """(the classified point, the entry's exact coordinates after snapping), computed in a worker."""
    point = _point(state, entry, intervals)
    return point, entry.exact


def _unclassified(state, entry) -> StationaryPoint:
    """A verified point the deadline left without a kind: its loss and residual in float."""
    reduced = state.reduced
    c = np.array([[float(v) for v in entry.c]])
    w = tuple(entry.c) if reduced.is_full else _to_weights_mp(reduced, entry.c, state.precision)
    exact_w = reduced.to_weights(entry.exact) if entry.exact is not None else None
    exact = (exact_w[0] if len(exact_w) == 1 else sp.Tuple(*exact_w)) if exact_w is not None else None
    return StationaryPoint(w, Kind.UNCLASSIFIED, mpmath.mpf(float(reduced.model.loss(c)[0])), entry.verdict.residual,
                           exact=exact)


def _point(state, entry, intervals) -> StationaryPoint:
    reduced, precision = state.reduced, state.precision
    model = reduced.model
    if entry.verdict.kind is not None:  # the verification proved the kind (a strong-convexity ball)
        c = np.array([[float(v) for v in entry.c]])
        return StationaryPoint(_proved_digits(entry.c, entry.verdict.enclosure), entry.verdict.kind,
                               mpmath.mpf(float(model.loss(c)[0])), entry.verdict.residual, certified=True,
                               enclosure=entry.verdict.enclosure)
    kind, kink = None, False
    if entry.exact is None and reduced.neuron.activation.piecewise_linear is not None:
        entry.exact = _snap(reduced, entry.c, precision)
    if is_rational_point(entry.exact) and reduced.neuron.activation.piecewise_linear is not None:
        kink = bool(kink_units(reduced, entry.exact))
        kind = classify_kink(reduced, entry.exact) if kink else None
    with mpmath.workdps(precision + 15):
        c = [mpmath.mpf(v) for v in entry.c]
        enclosure = entry.verdict.enclosure
        if enclosure is None and intervals is not None and not kink:
            hessian = working_hessian(model, c)
            try:
                enclosure = certify_point(reduced, intervals, c, hessian, precision)
            except ZeroDivisionError:
                enclosure = None
        if kind is None:
            kind = _smooth_kind(state, c, enclosure, intervals, kink)
        residual = mpmath.norm(model.mp_gradient(c))
        loss = model.mp_loss(c)
    exact_w = reduced.to_weights(entry.exact) if entry.exact is not None else None
    exact = (exact_w[0] if len(exact_w) == 1 else sp.Tuple(*exact_w)) if exact_w is not None else None
    w = tuple(c) if reduced.is_full else _to_weights_mp(reduced, c, precision)
    if reduced.is_full and enclosure is not None and exact is None and not _residual_passed(entry.verdict):
        w = _proved_digits(c, enclosure)  # a float64 enclosure proves ~10 digits, and nothing proves more
    return StationaryPoint(w, kind, loss, residual, certified=enclosure is not None, exact=exact,
                           enclosure=None if enclosure is None or not reduced.is_full else tuple(enclosure), kink=kink)


def _residual_passed(verdict) -> bool:
    """Did the residual test at working precision support the point's digits (beyond an enclosure)?"""
    return verdict.tolerance is not None and verdict.residual is not None and verdict.residual <= verdict.tolerance


def _proved_digits(c, enclosure) -> tuple:
    """Each coordinate as the shortest decimal inside its enclosure (a float point is not known to the
    requested precision, and its further digits would be noise)."""
    rounded = []
    for v, (lo, hi) in zip(c, enclosure):
        digits = 1
        while digits < 17 and not lo <= mpmath.mpf(mpmath.nstr(v, digits)) <= hi:
            digits += 1
        rounded.append(sp.Rational(mpmath.nstr(v, digits)))  # a short decimal, printed as it is
    return tuple(rounded)


def _snap(reduced, c, precision):
    """A piecewise-linear problem's numeric point as the exact rational it approximates, when that rational is
    within 10^-(precision/2) and exactly stationary (so a point on a kink gets the exact one-sided analysis)."""
    if len(reduced.z) > MAX_SYMBOLIC:
        return None
    exact = tuple(sp.Rational(Fraction(mpmath.nstr(v, precision)).limit_denominator(10**6)) for v in c)
    close = all(abs(mpmath.mpf(e.p) / e.q - v) <= mpmath.mpf(10) ** (-(precision // 2)) for e, v in zip(exact, c))
    return exact if close and exactly_stationary(reduced, exact) else None


def _smooth_kind(state, c, enclosure, intervals, kink):
    if kink:  # beyond the exact one-sided analysis (r > 2): not decided
        return Kind.DEGENERATE
    model = state.reduced.model
    if model.Z.shape[0] * model.p ** 2 > MP_HESSIAN_WORK:  # large data: the float Hessian decides clear cases
        point = np.array([[float(v) for v in c]])
        scale = float(np.abs(model.fns.numpy("g_h", model.T, point @ model.Z.T)[0]) @ (np.abs(model.Z).max(axis=1) ** 2))
        kind = classify_float(model.hessian(point)[0], scale + float(model.l2))
        if kind is not None:
            return kind
    hessian = model.mp_hessian(c)
    if enclosure is not None and intervals is not None:
        with interval_digits(state.precision + 15):
            radius = interval_radius(intervals.hessian([iv.mpf([lo, hi]) for lo, hi in enclosure]))
    else:
        radius = precision_radius(model.mp_hessian_scale(c), state.precision)
    return classify(hessian, radius)


def _to_weights_mp(reduced, c, precision):
    M = reduced.basis * (reduced.basis.T * reduced.basis).inv()
    return tuple(mpmath.matrix([[to_mpf(x, precision + 15) for x in M.row(i)] for i in range(M.rows)]) * mpmath.matrix(c))


class Continua(Stage):
    """Points that are not isolated become regions. Rank-deficient data: a point c* of the reduced problem is the
    affine set {w : B^T w = c*} (its kind along the data span, flat along the rest). An activation with a dead
    side (relu: f' = 0 for h <= 0): where the active units' rows (and, with l2, the regularised coordinates) do
    not span the space, moving along their null space changes no active pre-activation and keeps every
    inactive unit off, so the gradient stays 0: the point lies on the polyhedron {z_i.c = h_i active,
    z_j.c <= 0 inactive}. Region representatives are given in the weights."""

    name = "continua"

    def run(self, state) -> None:
        reduced = state.reduced
        state.regions = [Region(r.kind, r.description, r.expr,
                                None if r.representative is None else tuple(reduced.to_weights(r.representative)),
                                r.along_span) for r in state.regions]
        isolated, seen = [], set()
        for point, entry in zip(state.points, sorted(state.verified, key=lambda e: [float(v) for v in e.c])):
            region = _rank_deficient(reduced, point, entry) if not reduced.is_full else _dead_continuum(state, point, entry)
            if region is None:
                isolated.append(point)
            elif region.description not in seen:
                seen.add(region.description)
                state.regions.append(region)
        state.points = isolated


def _rank_deficient(reduced, point, entry) -> Region:
    at = entry.exact if entry.exact is not None else tuple(sp.Float(mpmath.nstr(v, 20), 20) for v in entry.c)
    expr = sp.And(*[sp.Eq(f, v) for f, v in zip(reduced.combinations, at)])
    return Region(RegionKind.AFFINE, f"every w with {reduced.describe_set(at)} ({point.kind.value} along the data "
                                     f"span, flat along the rest)",
                  expr, representative=point.exact if point.exact is not None else point.w, along_span=point.kind)


def _dead_continuum(state, point, entry):
    """The polyhedron of stationary points through a point whose active units leave a null direction, or None."""
    reduced = state.reduced
    slopes = reduced.neuron.activation.piecewise_linear
    if slopes is None or slopes[0] != 0 or point.kink:
        return None
    c = entry.exact if entry.exact is not None else tuple(sp.Float(mpmath.nstr(v, 15), 15) for v in entry.c)
    values = [sum(a * b for a, b in zip(zi, c)) for zi in reduced.z]
    values = values if entry.exact is not None else [sp.Float(mpmath.nstr(v, 12), 12) for v in values]
    active = [i for i, v in enumerate(values) if any(reduced.z[i]) and v > 0]
    rows = [list(reduced.z[i]) for i in active]
    fixed = [j for j, m in enumerate(reduced.regularised) if m] if reduced.neuron.l2 else []
    rows += [[1 if k == j else 0 for k in range(reduced.r)] for j in fixed]
    if rows and sp.Matrix(rows).rank() == reduced.r:
        return None
    variables = sp.Matrix(reduced.combinations)
    forms = [sp.expand((sp.Matrix(zi).T * variables)[0]) for zi in reduced.z]
    equations = [sp.Eq(forms[i], values[i]) for i in active] + [sp.Eq(variables[j], c[j]) for j in fixed]
    off = sorted({forms[i] for i, zi in enumerate(reduced.z) if any(zi) and i not in active}, key=sp.sstr)
    description = ("every w with " + " and ".join([f"{text(e.lhs)} = {text(e.rhs)}" for e in equations]
                                                  + [f"{text(e)} <= 0" for e in off])
                   + f" (a continuum: the active units fix only these combinations, the others are off; "
                     f"{reduced.neuron.activation.convention})")
    return Region(RegionKind.AFFINE, description, sp.And(*equations, *[e <= 0 for e in off]),
                  representative=point.exact if point.exact is not None else point.w, along_span=point.kind)


class Obstruction(Stage):
    """Is the polynomial carrying the points solvable in radicals? (:mod:`.galois`)"""

    name = "obstruction"

    def run(self, state) -> None:
        if not state.factors:
            return
        outcome = run_with_budget(obstruction, state.factors, state.meaning, seconds=state.deadline.left())
        if outcome.status is Finish.DONE:
            state.obstruction = outcome.value
            if outcome.value is None:
                state.notes.append("Galois group: every factor carrying a stationary point is solvable or not decided")
        else:
            state.notes.append(f"Galois group: {outcome.status} ({outcome.message})")


class Infinity(Stage):
    name = "zeros at infinity"

    def run(self, state) -> None:
        if state.points and state.certificate is not None and state.certificate.kind is CertificateKind.CONVEXITY:
            state.notes.append("zeros at infinity: none, a strictly convex loss with a minimum grows in every direction")
            state.infinity_complete = True
            return
        activation, loss = state.neuron.activation, state.neuron.criterion
        if state.neuron.l2 == 0 and registered(activation):  # a custom f's limits may not end: workers compute them
            if not known(activation, loss):
                remember(activation, loss, bounded(state, "zeros at infinity", symbolic_limits, activation, loss) or {})
            load_linprog()  # SciPy's import (0.85 s) once here, not in every worker forked below
        found = bounded(state, "zeros at infinity", zeros_at_infinity, state.reduced)
        if found is not None:
            state.asymptotic, notes, cells_complete = found
            state.notes.extend(notes)
            faces_complete = self._faces(state) if state.reduced.r in (2, 3) else state.reduced.r < 2
            state.infinity_complete = cells_complete and faces_complete

    @staticmethod
    def _faces(state) -> bool:
        """2-D and 3-D: the rays inside the faces z_i.v = 0 (:func:`.asymptotics.faces`), each face's restricted
        problem solved once by the pipeline itself, each zero at infinity it gives checked
        (:func:`.checks.check_face_ray`); True when every restricted problem was solved completely and every ray
        passed its check."""
        if state.solver is None or state.neuron.l2 != 0:
            return state.neuron.l2 != 0 and all(state.reduced.regularised)
        enumerated = bounded(state, "faces at infinity", faces, state.reduced)
        if enumerated is None:  # out of time: noted
            return False
        found, unfinished = enumerated
        if unfinished is None:
            state.notes.append("rays inside the faces z_i.v = 0: too many faces to enumerate, not analysed")
            return False
        if found:
            remember_tail_limits(bounded(state, "faces at infinity", tail_limits, state.neuron, share=0.25) or {})
        rays, offsets, solved = [], 0, {}
        for face in found:
            limits = sorted(float(a.limit_loss) for a in state.asymptotic + rays)
            if (state.neuron.criterion.nonnegative and len(limits) >= MAX_REPORTED
                    and float(face.saturated_loss) > limits[MAX_REPORTED - 1]):
                state.notes.append(f"rays inside the faces: the {MAX_REPORTED} lowest limits are listed, the "
                                   "other faces' limits are higher (their saturated rows alone exceed them)")
                break  # faces come lowest saturated loss first, and with l >= 0 a ray's loss is at least that
            if any(face.offset):
                offsets += 1
                continue
            if face.rows not in solved and state.deadline.left() >= FACE_MINIMUM:
                restricted = Neuron(state.neuron.activation, state.neuron.criterion, data=face.restricted_data())
                solved[face.rows] = state.solver(restricted, stages=FINITE_STAGES, timeout=Deadline(
                    min(state.deadline.left() / 2, FACE_SHARE)))
            inner = solved.get(face.rows)
            if inner is None:
                unfinished += 1
                continue
            whole_space = inner.complete and inner.certificate.scope is Scope.GLOBAL  # a box-only proof leaves gaps
            unfinished += not whole_space or bool(inner.regions)
            checked = bounded(state, "faces at infinity", _face_rays, state.reduced, face, inner.points,
                              inner.precision)
            rays += checked[0] if checked is not None else []
            unfinished += checked[1] if checked is not None else 1
        state.asymptotic = sorted(state.asymptotic + rays, key=lambda a: float(a.limit_loss))[:MAX_REPORTED]
        state.notes.append("rays inside the faces z_i.v = 0: each restricted problem " + (
            "solved completely" if not unfinished else f"solved, {unfinished} of them not completely (time, a "
                                                       "continuum of stationary points, a cell with opposite infinite "
                                                       "limits, or a ray that failed its check)"))
        if offsets:
            state.notes.append(f"{offsets} face ray(s) where the saturated rows leave a constant gradient inside the "
                               "face: that shifted restricted problem is not solved")
        return not unfinished and not offsets


def _face_rays(reduced, face, points, precision):
    """(the rays the restricted problem's ``points`` give on ``face`` that pass their independent check, the
    number that do not); run under the deadline, as SymPy's limits and algebra can be slow."""
    rays = [face_ray(reduced, face, point, precision) for point in points]
    passed = [ray for ray in rays if check_face_ray(reduced, face, ray)]
    return passed, len(rays) - len(passed)


STAGES = (Separable(), Strategies(), Witness(), Convexity(), BoxProof(), Classify(), Continua(), Obstruction(), Infinity())
FINITE_STAGES = STAGES[:-2]  # the finite stationary points only: no Galois obstruction, no zeros at infinity


def run_stages(state, stages=STAGES):
    for stage in stages:
        started = time.perf_counter()
        stage.run(state)
        state.stats.seconds[stage.name] = time.perf_counter() - started
    return state
