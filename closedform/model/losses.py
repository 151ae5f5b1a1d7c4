"""Per-sample losses: a registry, one entry each, with each loss's valid target domain.

A loss gives the per-sample l(t, h) for an activation f (h the pre-activation). Ordinary losses are functions
l(t, y) of the output y = f(h); the matching loss of f (Auer, Herbster & Warmuth 1995) is
l(t, h) = int_{f^-1(t)}^{h} (f(z) - t) dz, whose h-derivative is f(h) - t.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from ..errors import InputError, registry_entry
from .activations import Activation
from .symbols import h, t, y


@dataclass(frozen=True)
class Loss:
    """One loss. ``of_output`` is l(t, y); None for the matching loss, which is defined through f itself.
    ``targets`` is the set of allowed t; ``outputs`` the set the activation's range must lie in."""

    name: str
    of_output: Optional[sp.Expr]
    targets: sp.Set
    outputs: sp.Set = sp.Reals
    matching_activation: Optional[str] = None  # the activation this loss matches (convex pair)
    quadratic: bool = False  # l = (t - y)^2 / 2: dl/dy = y - t, linear in the output
    nonnegative: bool = False  # l >= 0 for every allowed t and y (a lower bound the analysis at infinity uses)

    @property
    def is_matching(self) -> bool:
        """The matching loss of the activation itself: dl/dh = f(h) - t."""
        return self.of_output is None

    def output_power(self, activation: Activation) -> Optional[int]:
        """For an activation f(h) = s h on each piece, g = s^p (s h - t): p = 1 for the squared loss, p = 0
        for the matching loss; None when g is not of that form."""
        return 1 if self.quadratic else 0 if self.is_matching else None

    def per_sample(self, activation: Activation) -> sp.Expr:
        """l(t, h) for ``activation``."""
        if self.of_output is not None:
            return self.of_output.subs(y, activation.expr)
        return matching_loss(activation)

    def target_domain(self, activation: Activation) -> sp.Set:
        """Allowed targets: the loss's own domain, or the open range of f for the matching loss."""
        if self.of_output is None:
            if activation.inverse is None or activation.range is None:
                raise InputError(f"the matching loss needs an invertible activation with a known range; "
                                 f"{activation.name!r} has none")
            return activation.range
        return self.targets

    def matches(self, activation: Activation) -> bool:
        """True for a matching pair (g = f(h) - t, convex): mse-identity, bce-sigmoid, poisson-exp, matching-f."""
        return self.is_matching or self.matching_activation == activation.name

    def __repr__(self):
        return f"Loss({self.name!r}: l(t, y) = {self.of_output if self.of_output is not None else 'matching'})"


def matching_loss(activation: Activation) -> sp.Expr:
    """int_{f^-1(t)}^{h} (f(z) - t) dz = F(h) - F(f^-1(t)) - t (h - f^-1(t)), F an antiderivative of f."""
    if activation.inverse is None:
        raise InputError(f"the matching loss needs an invertible activation; {activation.name!r} is not")
    antiderivative = sp.integrate(activation.expr, h)
    if antiderivative.has(sp.Integral):
        raise InputError(f"the matching loss of {activation.name!r} needs an elementary antiderivative of f; "
                         f"SymPy finds none (softplus integrates to the dilogarithm -Li2(-e^h))")
    h_t = activation.inverse(t)
    return antiderivative - antiderivative.subs(h, h_t) - t * (h - h_t)


LOSSES: dict[str, Callable[[], Loss]] = {
    "mse": lambda: Loss("mse", (t - y) ** 2 / 2, sp.Reals, matching_activation="identity", quadratic=True,
                        nonnegative=True),
    "bce": lambda: Loss("bce", -(t * sp.log(y) + (1 - t) * sp.log(1 - y)), sp.Interval(0, 1),
                        outputs=sp.Interval.open(0, 1), matching_activation="sigmoid", nonnegative=True),
    "poisson": lambda: Loss("poisson", y - t * sp.log(y), sp.Interval(0, sp.oo),
                            outputs=sp.Interval.open(0, sp.oo), matching_activation="exp"),
    "logcosh": lambda: Loss("logcosh", sp.log(sp.cosh(y - t)), sp.Reals, nonnegative=True),
    "matching": lambda: Loss("matching", None, sp.Reals),
}
ALIASES = {"squared": "mse", "cross_entropy": "bce", "crossentropy": "bce", "log_cosh": "logcosh"}


def get_loss(spec) -> Loss:
    """A :class:`Loss` by name (``mse``, ``bce``, ``poisson``, ``logcosh``, ``matching``) or passed through."""
    if isinstance(spec, Loss):
        return spec
    return registry_entry("loss", spec, LOSSES, ALIASES, "mse")()


def check_compatible(loss: Loss, activation: Activation) -> None:
    """Refuse pairs whose loss is undefined on the activation's outputs (bce needs outputs in (0, 1)), and
    matching losses that cannot be built."""
    if loss.of_output is None:
        matching_loss(activation)
        return
    if loss.outputs == sp.Reals or activation.range is None:
        return
    if not activation.range.is_subset(loss.outputs):
        raise InputError(f"loss {loss.name!r} needs outputs in {loss.outputs}; activation "
                         f"{activation.name!r} has range {activation.range}")
