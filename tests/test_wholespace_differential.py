"""Differential tests of whole-space answers in r = 2 and r = 3 reduced variables: ``closedform`` against the
independent reference solver (tests/reference.py).

The exact route of closedform/solve/expsystem.py (and the separable route beside it) claims "complete on the
whole space" (``r.complete`` with ``r.box is None``) for neurons whose activation and loss are rational in exp
(sigmoid with mse / bce / matching, tanh with mse / matching, exp with mse / poisson / matching), rational data
and l2 = 0, in r >= 2 reduced variables. Such a claim says more than any search can see, so here it is checked
against the reference's multi-start Newton in a box (half-width 30 for r = 2, 12 for r = 3):

- ``r.status`` is never "inconsistent";
- every reported point (or region representative) is a zero of the reference gradient: the reference's Newton
  from it at 50+ digits converges and moves it by less than 1e-10, and its kind (min / max / saddle / degenerate)
  is the reference's;
- when ``r.complete`` and ``r.box is None``: every reference point inside the box (1% away from its boundary) is
  reported (within 1e-8 relative, in the reduced coordinates), no point is reported twice, and the kinds agree.

A problem on which the reference gives up (``GaveUp``: too many candidates, too many digits, its own time) is
counted as unchecked, never as agreeing. Problems: shapes (dim, bias) in {(2, no), (1, yes), (2, yes), (3, no)}
with rank >= 2, 2 to 6 datapoints with integer inputs in [-2, 2] (no zero row), targets with small denominators in
the loss's range. Profiles: 6 examples by default (derandomized), ``CLOSEDFORM_THOROUGH=1`` 150 examples,
``CLOSEDFORM_EXAMPLES=N`` any number. The summary line is printed at the end (run with ``-s``); every disagreement
is printed with the ``closedform analyze ...`` command that reproduces it.
"""
from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from fractions import Fraction

import mpmath
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import closedform as cf
import reference as R
from test_differential import _fmt, _inside, _mpf, _same, command, neuron, profile, reported_entries, reported_in_c

THOROUGH = os.environ.get("CLOSEDFORM_THOROUGH") == "1"
EXAMPLES = int(os.environ.get("CLOSEDFORM_EXAMPLES", 150 if THOROUGH else 4))
TIMEOUT = 20
BOX = {2: 30, 3: 12}          # the reference's box half-width per number of reduced variables
MATCH = 1e-8
MOVED = 1e-10
PROGRESS_EVERY = 25

LOSSES = {"sigmoid": ["mse", "bce", "matching"], "tanh": ["mse", "matching"], "exp": ["mse", "poisson", "matching"]}
COMBINATIONS = [(a, loss) for a, losses in LOSSES.items() for loss in losses]
SHAPES = [(2, False), (1, True), (2, True), (3, False)]
SMOOTH_KINDS = ("min", "max", "saddle", "degenerate")
WHOLE_SPACE_CERTIFICATES = ("exp-polynomial-system", "separable")


# ----------------------------------------------------------------------------------------------------------------
# problems
# ----------------------------------------------------------------------------------------------------------------

def _inside_open(lo):
    """k/d strictly inside (lo, 1), lo in {0, -1}, d <= 5."""
    return st.integers(2, 5).flatmap(lambda d: st.integers(lo * d + 1, d - 1).map(lambda k: Fraction(k, d)))


def _positive():
    return st.builds(Fraction, st.integers(1, 12), st.integers(1, 3))


def targets(activation, loss):
    if loss == "bce":
        return st.integers(1, 4).flatmap(lambda d: st.integers(0, d).map(lambda k: Fraction(k, d)))
    if activation == "sigmoid" and loss == "mse":
        return st.one_of(_inside_open(0), _inside_open(0), _inside_open(0), st.sampled_from([Fraction(0), Fraction(1)]))
    if activation == "sigmoid":
        return _inside_open(0)
    if activation == "tanh":
        return _inside_open(-1)
    return _positive()            # exp: mse, poisson, matching


def _row(dim):
    return st.tuples(*[st.integers(-2, 2) for _ in range(dim)]).filter(any).map(
        lambda x: tuple(Fraction(v) for v in x))


def reduced_rank(problem) -> int:
    return R.RefProblem(problem["activation"], problem["loss"], problem["data"], problem["bias"], problem["l2"]).r


@st.composite
def problems(draw):
    activation, loss = draw(st.sampled_from(COMBINATIONS))
    dim, bias = draw(st.sampled_from(SHAPES))
    n = draw(st.integers(2, 6))
    xs = [draw(_row(dim)) for _ in range(n)]
    ts = [draw(targets(activation, loss)) for _ in range(n)]
    problem = {"activation": activation, "loss": loss, "dim": dim, "bias": bias, "l2": Fraction(0),
               "data": list(zip(xs, ts))}
    assume(reduced_rank(problem) >= 2)
    return problem


# ----------------------------------------------------------------------------------------------------------------
# one problem
# ----------------------------------------------------------------------------------------------------------------

class Record:
    """Counts, disagreements and unchecked problems over a run."""

    def __init__(self):
        self.counts = Counter()
        self.disagreements = []      # (kind, command, detail)
        self.unchecked = []          # (command, reason)
        self.slowest = []            # (seconds, command)

    def disagree(self, kind, problem, detail):
        self.counts["disagreements"] += 1
        self.disagreements.append((kind, command(problem), detail))

    def give_up(self, problem, reason):
        self.counts["unchecked"] += 1
        self.unchecked.append((command(problem), reason))

    def line(self) -> str:
        c = self.counts
        keys = ["problems", "whole-space complete claims checked", "points checked", "reference points matched",
                "disagreements", "unchecked"]
        extra = sorted(k for k in c if k not in keys)
        return "whole-space differential: " + ", ".join(f"{k}: {c[k]}" for k in keys + extra)

    def report(self) -> str:
        lines = [f"[{kind}] {cmd}\n    {detail}" for kind, cmd, detail in self.disagreements]
        lines += [f"[unchecked] {cmd}\n    {reason}" for cmd, reason in self.unchecked]
        lines += [f"[slow {s:.1f} s] {cmd}" for s, cmd in sorted(self.slowest, reverse=True)[:3]]
        return "\n".join(lines)


def solve_reference(ref):
    """The reference's points in its box for ``ref.r`` variables (GaveUp propagates)."""
    return ref.solve(BOX[ref.r])[0]


def check_problem(problem, record: Record, timeout=TIMEOUT, answer=None):
    """Solve ``problem`` both ways (closedform's ``answer`` may be given); record every disagreement (and whether
    the problem could be checked)."""
    record.counts["problems"] += 1
    ref = R.RefProblem(problem["activation"], problem["loss"], problem["data"], problem["bias"], problem["l2"])
    record.counts[f"r = {ref.r}"] += 1
    try:
        start = time.perf_counter()
        r = answer if answer is not None else neuron(problem).stationary_points(timeout=timeout)
        seconds = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001
        record.disagree("crash", problem, f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=-2)!r}")
        return
    record.slowest.append((seconds, command(problem)))
    if r.status is cf.Status.INCONSISTENT:
        record.disagree("inconsistent status", problem, "r.status is inconsistent:\n" + r.summary())
    whole = r.complete and r.box is None
    certificate = r.certificate.kind.value if r.certificate is not None else None
    if whole:
        record.counts[f"whole-space claims by {certificate}"] += 1
    elif r.complete:
        record.counts["complete in a box only"] += 1
    else:
        record.counts[f"not complete ({r.status.value})"] += 1
    if r.box is not None and len(r.box) != ref.r:
        record.disagree("box dimension", problem, f"r.box has {len(r.box)} pairs, the reference has r = {ref.r}")
        return
    unchecked = []

    # 1. every reported point is a reference zero with the reference's kind
    reported = reported_in_c(r, ref)
    for w, c, kind, source in reported:
        try:
            with mpmath.workdps(60):
                _, moved, _, my_kind, ok = ref.polish(w)
        except R.GaveUp as exc:
            unchecked.append(f"polishing {_fmt(w)}: {exc}")
            continue
        record.counts["points checked"] += 1
        if not ok or moved > MOVED * (1 + max(abs(v) for v in c)):
            record.disagree("not a root", problem, f"reported {kind or source} at {_fmt(w)}: reference Newton "
                            f"{'did not converge' if not ok else f'moved {mpmath.nstr(moved, 3)}'}")
            continue
        _compare_kind(record, problem, w, kind, my_kind)

    # 2. a whole-space claim: every reference point in the box is reported, once, with its kind
    if whole and not unchecked:
        try:
            ref_points = solve_reference(ref)
        except R.GaveUp as exc:
            unchecked.append(f"reference solve: {exc}")
            ref_points = None
        if ref_points is not None:
            record.counts["whole-space complete claims checked"] += 1
            box = [(-BOX[ref.r], BOX[ref.r])] * ref.r
            for q in ref_points:
                cq = ref.to_c(q.w)
                if not _inside(cq, box):
                    continue
                record.counts["reference points in the box"] += 1
                hits = [(w, kind) for w, c, kind, source in reported if _same(c, cq, MATCH)]
                if not hits:
                    record.disagree("missed point (false whole-space complete)", problem,
                                    f"reference {q.kind} at {_fmt(q.w)} is not reported (certificate {certificate}; "
                                    f"reported: {[(_fmt(w), kind) for w, c, kind, source in reported]})")
                    continue
                record.counts["reference points matched"] += 1
                if len(hits) > 1:
                    record.disagree("reported twice", problem, f"{len(hits)} reported entries at {_fmt(q.w)}")
                _compare_kind(record, problem, hits[0][0], hits[0][1], q.kind, count=False)
            for w, c, kind, source in reported:   # verified points the reference's starts did not reach
                if _inside(c, box) and not any(_same(c, ref.to_c(q.w), MATCH) for q in ref_points):
                    record.counts["reported points the reference missed"] += 1
    if unchecked:
        record.give_up(problem, "; ".join(unchecked))


def _compare_kind(record, problem, w, kind, my_kind, count=True):
    if kind is None:
        return
    if kind == cf.Kind.UNCLASSIFIED.value:       # the deadline came first: no claim about the kind
        record.counts["kinds left unclassified"] += 1
        return
    if count:
        record.counts["kinds compared"] += 1
    if kind != my_kind:
        record.disagree("kind", problem, f"at {_fmt(w)}: reported {kind}, reference {my_kind}")


# ----------------------------------------------------------------------------------------------------------------
# the random test
# ----------------------------------------------------------------------------------------------------------------

@profile(EXAMPLES)
@given(problem=problems())
def _explore(problem, record):
    check_problem(problem, record)
    if THOROUGH and record.counts["problems"] % PROGRESS_EVERY == 0:   # a run cut short still reports
        print(f"[{record.counts['problems']} problems] {record.line()}", flush=True)


def test_wholespace_differential():
    record = Record()
    start = time.perf_counter()
    _explore(record=record)
    seconds = time.perf_counter() - start
    print("\n" + record.line() + f", seconds: {seconds:.0f}")
    if record.disagreements or record.unchecked:
        print(record.report())
    assert record.counts["problems"] >= EXAMPLES
    assert record.counts["points checked"] > 0
    assert not record.disagreements, record.report() + "\n" + record.line()


# ----------------------------------------------------------------------------------------------------------------
# fixed cases, checkable by hand
# ----------------------------------------------------------------------------------------------------------------

def _data(pairs):
    return [(tuple(Fraction(v) for v in x), Fraction(t)) for x, t in pairs]


FIXED = [
    # sigmoid matching, x = 0, 1, 2 with a bias: grad E = sum_i (sigmoid(h_i) - t_i) (x_i, 1) vanishes where
    # h_i = logit(t_i) = 0, log 3, log 9 for every i, which w = log 3, b = 0 satisfies; the loss is convex in h.
    {"id": "dim1-bias-sigmoid-matching-exact", "activation": "sigmoid", "loss": "matching", "dim": 1, "bias": True,
     "data": [((0,), "1/2"), ((1,), "3/4"), ((2,), "9/10")], "kinds": ["min"],
     "points": lambda: [(mpmath.log(3), 0)]},
    # exp poisson, three independent rows and a fourth consistent one: h_i = log t_i for every i, i.e.
    # w1 + w2 = w2 + w3 = log 2, w1 + w3 = 0 (and w1 + w2 + w3 = log 2): w = (0, log 2, 0); convex in h.
    {"id": "dim3-exp-poisson-exact", "activation": "exp", "loss": "poisson", "dim": 3, "bias": False,
     "data": [((1, 1, 0), "2"), ((0, 1, 1), "2"), ((1, 0, 1), "1"), ((1, 1, 1), "2")], "kinds": ["min"],
     "points": lambda: [(0, mpmath.log(2), 0)]},
    # sigmoid mse with a target 1 (its infimum is also approached at infinity): a minimum and a saddle.
    {"id": "dim1-bias-sigmoid-mse-min-saddle", "activation": "sigmoid", "loss": "mse", "dim": 1, "bias": True,
     "data": [((0,), "1/2"), ((1,), "1"), ((2,), "1/4")], "kinds": ["min", "saddle"]},
    # sigmoid mse in three variables: two minima and a saddle between them.
    {"id": "dim3-sigmoid-mse-two-minima", "activation": "sigmoid", "loss": "mse", "dim": 3, "bias": False,
     "data": [((0, 1, -1), "1/4"), ((1, -1, -1), "3/4"), ((1, -1, 0), "0"), ((-1, 0, 0), "1/4"), ((0, -1, 0), "3/4")],
     "kinds": ["min", "min", "saddle"], "timeout": 40},  # 14-16 s of work: 20 s flaked on a slow CI run
]


@pytest.mark.parametrize("case", FIXED, ids=[c["id"] for c in FIXED])
def test_fixed_case(case):
    problem = {"activation": case["activation"], "loss": case["loss"], "dim": case["dim"], "bias": case["bias"],
               "l2": Fraction(0), "data": _data(case["data"])}
    ref = R.RefProblem(problem["activation"], problem["loss"], problem["data"], problem["bias"])
    truth = solve_reference(ref)
    assert sorted(q.kind for q in truth) == sorted(case["kinds"]), truth
    with mpmath.workdps(60):
        for expected in case.get("points", list)():   # the hand-derived points (60 digits) are found
            assert any(_same(q.w, tuple(_mpf(v) for v in expected), 1e-40) for q in truth), (expected, truth)
    r = neuron(problem).stationary_points(timeout=case.get("timeout", TIMEOUT))
    cmd = command(problem)
    assert r.status is not cf.Status.INCONSISTENT, cmd
    assert r.complete and r.box is None, (cmd, r.summary())
    assert r.certificate.kind.value in WHOLE_SPACE_CERTIFICATES + ("convexity",), (cmd, r.certificate)
    with mpmath.workdps(60):
        got = [(tuple(_mpf(v) for v in w), kind) for w, kind, source in reported_entries(r)]
    assert len(got) == len(truth), (cmd, got, truth)
    for q in truth:
        hits = [kind for w, kind in got if _same(w, q.w, 1e-15)]
        assert hits == [q.kind], (cmd, q, got)
    record = Record()                          # and the differential check itself finds nothing to report
    check_problem(problem, record, answer=r)
    assert not record.disagreements and not record.unchecked, record.report()
    assert record.counts["whole-space complete claims checked"] == 1
    assert record.counts["reference points matched"] == len(truth)
