"""No stationary point anywhere, by signs (solve/signs.py, checks.check_signs): logistic regression on separable
labels. Ground truth by hand, and in 2-D by an independent route: signed points s_i x_i lie in an open half-plane
exactly when the largest angular gap between consecutive ones exceeds pi."""
import math
import os
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import closedform as cf
from closedform.kinds import CertificateKind, Scope
from closedform.solve.checks import check_signs
from closedform.solve.parts import Certificate
from closedform.solve.reduction import reduce
from closedform.solve.state import Proposal
from separability import angular_gaps, separable

THOROUGH = os.environ.get("CLOSEDFORM_THOROUGH") == "1"


def test_separable_labels_have_no_finite_stationary_point_proved():
    """x = (1.37, 0.21), (0.13, 1.29) with t = 1 and (-1.07, -0.93) with t = 0: w = s (1, 1) sends every sigmoid
    to its label as s -> oo, so the loss decreases to 0 along it and never stops (by hand: v = -(1, 1) has
    s_i x_i.v = 1.58, 1.42, 2.00 > 0 with s_i = sign(sigma - t_i) = -1, -1, +1). Two decimals, so the exact
    exponential system (degree ~ 100) is not tried first."""
    data = [(("1.37", "0.21"), 1), (("0.13", "1.29"), 1), (("-1.07", "-0.93"), 0)]
    r = cf.Neuron("sigmoid", "bce", dim=2, data=data).stationary_points()
    assert r.points == [] and r.complete and r.status is cf.Status.OK
    assert r.certificate.kind is CertificateKind.SIGNS and r.certificate.scope is Scope.GLOBAL
    infimum = r.infimum
    assert infimum.value == 0 and not infimum.attained and infimum.proved


def test_overlapping_labels_keep_their_minimum():
    """t = 1, 1, 0 at (1, 0), (0, 1), (1, 1): -v1 > 0, -v2 > 0 and v1 + v2 > 0 cannot all hold, so no sign
    certificate; the strictly convex loss has its one minimum (proved by whichever route comes first)."""
    r = cf.Neuron("sigmoid", "bce", dim=2, data=[((1, 0), 1), ((0, 1), 1), ((1, 1), 0)]).stationary_points()
    assert [p.kind for p in r.points] == [cf.Kind.MIN] and r.complete
    assert r.certificate.kind is not CertificateKind.SIGNS


def _proposal(neuron, v):
    reduced = reduce(neuron)
    state = SimpleNamespace(reduced=reduced, verified=[])
    certificate = Certificate(CertificateKind.SIGNS, Scope.GLOBAL, "test",
                              facts={"direction": tuple(Fraction(x) for x in v)})
    return state, Proposal(certificate, "test")


@pytest.mark.parametrize("data, l2, v, why", [
    ([((1, 0), 1), ((0, 1), 1), ((-1, -1), 0)], 0, (1, 1), "does not have the sign"),      # the wrong way
    ([((1, 0), 1), ((0, 1), 1), ((-1, -1), 0)], 0, (-1, 0), "does not have the sign"),     # z2.v = 0
    ([((1, 0), 1), ((0, 1), "1/2"), ((-1, -1), 0)], 0, (-1, -1), "inside f's range"),      # t = 1/2
    ([((1, 0), 1), ((0, 1), 1), ((-1, -1), 0)], "1/10", (-1, -1), "L2"),
])
def test_the_check_refuses_a_wrong_sign_certificate(data, l2, v, why):
    state, proposal = _proposal(cf.Neuron("sigmoid", "bce", dim=2, l2=l2, data=data), v)
    accepted, reason = check_signs(state, proposal)
    assert not accepted and why in reason
    good_state, good = _proposal(cf.Neuron("sigmoid", "bce", dim=2, data=[((1, 0), 1), ((0, 1), 1), ((-1, -1), 0)]),
                                 (-1, -1))
    assert check_signs(good_state, good)[0] is True


@settings(max_examples=200 if THOROUGH else 6, deadline=None, derandomize=not THOROUGH, database=None)
@given(st.integers(0, 10**6), st.integers(3, 6))
def test_sign_certificate_exactly_when_the_labels_are_separable(seed, n):
    """Random Gaussian points (2 decimals) with random 0/1 labels, no bias: 'no finite stationary point' is
    proved exactly when the angular-gap test says the labels are separable through the origin; otherwise the
    convex loss's one minimum is found (margins below 1e-6 rad are skipped: neither route is then at ease)."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, 2)), 2)
    t = rng.integers(0, 2, n)
    if (np.abs(X).sum(axis=1) == 0).any():
        return
    signs = [1 if label == 0 else -1 for label in t]
    gaps = angular_gaps(X.tolist(), signs)
    if abs(max(gaps) - math.pi) < 1e-6 or min(gaps) < 1e-9:
        return
    data = [((str(x), str(y)), int(label)) for (x, y), label in zip(X.tolist(), t)]
    r = cf.Neuron("sigmoid", "bce", dim=2, data=data).stationary_points(timeout=20)
    assert r.complete and r.status is cf.Status.OK
    if separable(X.tolist(), signs):
        assert r.points == [] and r.certificate.kind is CertificateKind.SIGNS
    else:
        assert [p.kind for p in r.points] == [cf.Kind.MIN]
