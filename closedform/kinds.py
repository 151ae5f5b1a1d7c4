"""The enums every layer shares: what kind a stationary point or set is, how sure an answer is, and what kind
of evidence stands behind "complete". Each member carries its JSON value and a sentence for people (the
Optimistix ``RESULTS`` habit); nothing else in the package compares these as strings."""
from __future__ import annotations

from enum import Enum


class _Described(str, Enum):
    """A string-valued enum whose members carry a message: ``Kind.MIN.value == "min"``, ``.message``."""

    def __new__(cls, value: str, message: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member

    def __str__(self):
        return self.value


class Kind(_Described):
    """An isolated stationary point by the signs of the Hessian (or of the one-sided models at a kink)."""

    MIN = "min", "a strict local minimum: the loss rises in every direction"
    MAX = "max", "a strict local maximum: the loss falls in every direction"
    SADDLE = "saddle", "a saddle: the loss rises in some directions and falls in others"
    DEGENERATE = "degenerate", "not decided by second order: zero lies inside an eigenvalue's enclosure"
    UNCLASSIFIED = "unclassified", "a verified stationary point whose kind was not decided before the deadline"


class RegionKind(_Described):
    """A continuum of stationary points."""

    AFFINE = "affine", "an affine set: the data span fewer dimensions than the weights, or a linear system is singular"
    FLAT = "flat", "a flat region where f' = 0 (ReLU's dead region), the loss constant there"
    ORBIT = "orbit", "an orbit of a symmetry (a sphere of stationary points)"


class Status(_Described):
    """How far the answer goes."""

    OK = "ok", "every reported claim was checked, and the list is complete where it says so"
    PARTIAL = "partial", "every reported point was checked, but completeness is not proved"
    TIMEOUT = "timeout", "a stage ran out of time; the answer holds what was found and checked before that"
    INCONSISTENT = "inconsistent", ("an independent check contradicts a claim (a verified point outside a "
                                    "'complete' list, or an exact root that fails verification): please report it")


class Scope(_Described):
    """Where a completeness certificate holds."""

    GLOBAL = "global", "on the whole space"
    BOX = "box", "on the search box only"


class CertificateKind(_Described):
    """The evidence behind "complete"; each kind has its own checker in :mod:`closedform.solve.checks`."""

    EXACT_ROOTS = "exact-roots", ("grad E = 0 is equivalent to P(u) = 0, u > 0; the positive roots of P are "
                                  "counted by Descartes' rule with bisection and each is a verified point")
    ONE_POINT = "one-point", "one datapoint: g(t, h) = 0 iff f(h) = t or f'(h) = 0, each solved exactly"
    LINEAR_SYSTEM = "linear-system", "a linear system with an exactly non-singular matrix: its one solution"
    PATTERNS = "activation-patterns", ("every activation pattern of a piecewise-linear neuron solved exactly and "
                                       "re-enumerated independently")
    POLYNOMIAL_SYSTEM = "polynomial-system", ("a zero-dimensional polynomial system whose number of distinct real "
                                              "solutions (Hermite's trace form) equals the verified points")
    EXP_SYSTEM = "exp-polynomial-system", ("grad E = 0 is equivalent to an integer polynomial system P(u) = 0 with "
                                           "u = exp(-k c / q) > 0; msolve isolates its real solutions twice (in u "
                                           "and after a random unimodular change of variables), the two agree, and "
                                           "the positive ones are the verified points")
    SEPARABLE = "separable", ("the loss is a sum of functions of disjoint coordinate blocks, each block's list "
                              "complete on its whole space: the stationary points are their products")
    CONVEXITY = "convexity", "a strictly convex loss has at most one stationary point: the one found"
    SIGNS = "sign-separation", ("every term's g(t_i, h) keeps one strict sign s_i for all h and a direction v has "
                                "s_i z_i.v > 0 for every row (no L2 term): v.grad E > 0 everywhere, so the "
                                "gradient never vanishes")
    BOX_EXCLUSION = "box-exclusion", ("interval branch and bound: every sub-box of the search box holds no zero or "
                                      "exactly one, and each of those is a reported point")
    CONSTANT = "constant", "every input is zero: the loss does not depend on the weights"
    POPULATION = "population-reduction", ("a Gaussian teacher: every stationary point is on the teacher's line or "
                                          "solves F_q = F_r = 0, and each reduced system is solved completely")


class Finish(_Described):
    """How a budgeted piece of work ended (:func:`closedform.budget.run_with_budget`)."""

    DONE = "done", "the work finished and returned its value"
    TIMEOUT = "timeout", "the work ran out of time and was stopped"
    ERROR = "error", "the work raised an error, reported with its message"
