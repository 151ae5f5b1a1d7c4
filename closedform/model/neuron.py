"""The single neuron y = f(w.x + b) with per-sample loss l and optional L2 term (lam/2)|w|^2 (bias not
regularised). Symbolic loss, gradient and Hessian for small or symbolic data; compiled evaluators for numbers."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property, lru_cache

import mpmath
import numpy as np
import sympy as sp

from ..errors import InputError, registry_entry
from .activations import Activation, get_activation, registered
from .compare import vanishes
from .data import Dataset, ExactRows, parse_data
from .evaluators import NumericModel, PerSample, per_sample
from .losses import Loss, check_compatible, get_loss
from .numbers import exact_number
from .population import PopulationLoss
from .quadrature import QuadraturePopulation
from .symbols import h, t
from .teacher import GaussianTeacher

MAX_SYMBOLIC_SUM = 400
POPULATION_ROUTES = {"exact": PopulationLoss, "numeric": QuadraturePopulation}  # how a Gaussian teacher's loss is had
MAX_DIM = 50
_CALL = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$", re.S)


def activation_from_spec(spec) -> Activation:
    """``"sigmoid"``, ``"leaky_relu(1/10)"``, ``"polynomial(0, 1, 1)"``, ``"custom(h**3 + h)"`` or an Activation."""
    if isinstance(spec, str) and (match := _CALL.match(spec)):
        name, inside = match.group(1), match.group(2)
        params = [inside] if name.lower() == "custom" else [p.strip() for p in inside.split(",") if p.strip()]
        return get_activation(name, *params)
    return get_activation(spec)


class Neuron:
    """A neuron problem. ``data``: None (one symbolic point), int n (n symbolic points), a list of (x, t) pairs,
    a tuple (X, t), or a :class:`GaussianTeacher` (infinitely many Gaussian datapoints: the population loss). ``dim`` defaults to the data's width (1 for symbolic data). The public
    :class:`closedform.Neuron` (:mod:`closedform.problem`) adds the verbs of the later stages: stationary_points,
    derivation and the rich display."""

    def __init__(self, activation="sigmoid", loss="mse", dim=None, bias=False, l2=0, data=None, population="exact"):
        self.activation = activation_from_spec(activation)
        self.criterion: Loss = get_loss(loss)
        check_compatible(self.criterion, self.activation)
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM):
            raise InputError(f"dim = {dim!r} must be an integer from 1 to {MAX_DIM}")
        if not isinstance(bias, bool):
            raise InputError(f"bias = {bias!r} must be True or False")
        self.bias = bias
        self.l2 = exact_number(l2, "l2")
        if self.l2 < 0:
            raise InputError(f"l2 = {self.l2} must be >= 0")
        self.population = None
        if population != "exact" and not isinstance(data, GaussianTeacher):
            raise InputError(f"population = {population!r} applies to a GaussianTeacher only; data is not one")
        if isinstance(data, GaussianTeacher):
            if dim is not None and dim != data.dim:
                raise InputError(f"dim = {dim} but the teacher v has {data.dim} coordinate(s)")
            self.population = registry_entry("population", population, POPULATION_ROUTES, {}, "exact").build(
                self.activation, self.criterion, bias, self.l2, data)
            self.data = data
        else:
            self.data: Dataset = parse_data(data, dim, self.criterion.target_domain(self.activation),
                                            self.criterion.name)
        self.dim = self.data.dim
        names = ["w"] if self.dim == 1 else [f"w{j}" for j in range(1, self.dim + 1)]
        self.weights = tuple(sp.Symbol(n, real=True) for n in names) + ((sp.Symbol("b", real=True),) if bias else ())

    # -- the per-sample form -------------------------------------------------------------------------------
    @property
    def fns(self) -> PerSample:
        return per_sample(self.activation, self.criterion)

    @property
    def p(self) -> int:
        """Number of parameters (d, plus one with a bias)."""
        return len(self.weights)

    def extended(self, row) -> tuple:
        """x~ = (x, 1) with a bias, x without."""
        return tuple(row) + ((sp.Integer(1),) if self.bias else ())

    @cached_property
    def rows(self) -> Sequence:
        """The rows x~_i (with the bias coordinate 1), exact; read on demand when the data came as floats."""
        if isinstance(self.data.x, ExactRows):
            return self.data.x.with_ones() if self.bias else self.data.x
        return tuple(self.extended(row) for row in self.data.x)

    @property
    def regularised(self) -> tuple:
        return (True,) * self.dim + ((False,) if self.bias else ())

    def pre_activation(self, row) -> sp.Expr:
        return sum((wj * xj for wj, xj in zip(self.weights, self.extended(row))), sp.Integer(0))

    # -- symbolic objects ----------------------------------------------------------------------------------
    def _check_symbolic_size(self):
        if self.data.n > MAX_SYMBOLIC_SUM:
            raise InputError(f"the symbolic loss of n = {self.data.n} datapoints is not built (limit "
                             f"{MAX_SYMBOLIC_SUM}); use the numeric evaluators or stationary_points()")

    @cached_property
    def loss(self) -> sp.Expr:
        """E(w) = sum_i l(t_i, w.x~_i) + (lam/2)|w|^2 (for a Gaussian teacher the population loss F(q, r, b))."""
        if self.population is not None:
            if not self.population.exact:
                raise InputError("population='numeric' has no closed-form loss; its values come by quadrature "
                                 "(stationary_points() reports them)")
            return self.population.loss(self.weights)
        self._check_symbolic_size()
        per = self.fns.loss
        total = sum((per.subs({t: ti, h: self.pre_activation(xi)}) for xi, ti in zip(self.data.x, self.data.t)),
                    sp.Integer(0))
        return total + self.l2 / 2 * sum(wj**2 for wj in self.weights[: self.dim])

    @cached_property
    def gradient(self) -> sp.Matrix:
        return sp.Matrix([sp.diff(self.loss, wj) for wj in self.weights])

    @cached_property
    def hessian(self) -> sp.Matrix:
        return sp.hessian(self.loss, self.weights)

    @cached_property
    def convex_matching(self) -> bool:
        """The loss is the matching loss of an increasing activation, checked, not taken from names: the
        per-sample gradient simplifies to f(h) - t and the activation is the registry's (f' > 0). Then
        Hess E = sum f'(h_i) x~_i x~_i^T (+ lam): convex, strictly where the data span."""
        return registered(self.activation) and self.activation.increasing and _output_error(self.fns, self.activation)

    # -- numbers ---------------------------------------------------------------------------------------------
    @cached_property
    def numeric(self) -> NumericModel:
        """Vectorised float64 and mpmath evaluators over the concrete data."""
        if self.data.symbolic or self.population is not None:
            raise InputError("the numeric evaluators need finite concrete data; this problem's data is "
                             + ("symbolic" if self.data.symbolic else "a Gaussian teacher (use loss, gradient, hessian)"))
        X, t = self.data.float_arrays()
        if self.bias:
            X = np.hstack([X, np.ones((len(t), 1))])
        return NumericModel(self.fns, self.rows, self.data.t, self.l2, self.regularised, floats=(X, t))

    def loss_at(self, point, digits: int):
        """E at ``point`` (exact numbers or decimals) as an mpf at ``digits`` digits."""
        with mpmath.workdps(digits):
            if self.population is not None and not self.population.exact:
                w = np.array([float(x) for x in point[: self.dim]])
                v = np.array([float(x) for x in self.data.v])
                return mpmath.mpf(self.population.values(w @ w, w @ v, float(point[self.dim]) if self.bias else 0.0)[0])
            if self.population is not None:
                zero = self.population.entry.line is not None and all(sp.sympify(x) == 0 for x in point[: self.dim])
                loss = (self.population.at_zero(point[self.dim] if self.bias else 0) if zero
                        else self.loss.subs(dict(zip(self.weights, point))))
                return mpmath.mpf(sp.N(loss, digits))
            return self.numeric.mp_loss([mpmath.mpf(sp.N(v, digits)) for v in point])

    def describe(self) -> str:
        data = ("symbolic data" if self.data.symbolic else f"n = {self.data.n}" if self.population is None
                else f"infinitely many Gaussian datapoints, {self.data.describe()}")
        extra = (", bias" if self.bias else "") + (f", l2 = {self.l2}" if self.l2 else "")
        return f"{self.activation.name} neuron, {self.criterion.name} loss, dim {self.dim}{extra}, {data}"

    def __repr__(self):
        return f"Neuron({self.describe()})"


@lru_cache(maxsize=256)
def _output_error(fns, activation) -> bool:
    """Does the per-sample gradient, differentiated afresh from the loss (``fns.g`` may already be written as
    f - t), equal f(h) - t? (Once per activation/loss pair.)"""
    return vanishes(sp.diff(fns.loss, h) - (activation.expr - t))
