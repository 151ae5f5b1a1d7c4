"""The public objects, at the top of the flow specification -> model -> solve -> result -> present.

Each is a model-level computation (:mod:`closedform.model.neuron`, :mod:`closedform.local`,
:mod:`closedform.recursion`, :mod:`closedform.network`) plus the verbs that hand it to a later stage: the solver
(``Neuron.stationary_points``) or a presenter (``derivation``, ``plot``, the rich display). The lower modules
never import the stages above them; this module (with the CLI) is the only place that sees every layer, and
:mod:`closedform` re-exports what it defines."""
from __future__ import annotations

import dataclasses
from typing import Optional

from . import local as _local
from . import network as _network
from . import recursion as _recursion
from .model import neuron as _neuron
from .present.backprop import derive_backprop, derive_shared_recursion
from . import result as _result
from .present.derivation import Derivation, derive
from .present.latex import neuron_latex
from .present.step import derive_step, plot_step


class StationarySet(_result.StationarySet):
    __doc__ = _result.StationarySet.__doc__

    def plot(self):
        """A matplotlib Figure (1 or 2 reduced variables)."""
        from .present.plotting import plot  # matplotlib loads only when a plot is asked for
        return plot(self)

    def derivation(self, given=None) -> Derivation:
        """The checked step-by-step derivation of this result (``given``: a gradient to check, see
        :meth:`Neuron.derivation`)."""
        return derive(self.problem, self, given=given)

    def _repr_latex_(self):
        return self.derivation()._repr_latex_()


class Neuron(_neuron.Neuron):
    __doc__ = _neuron.Neuron.__doc__

    def stationary_points(self, timeout=10, precision=30, box=None, progress=None):
        """Run the solver pipeline and return its :class:`StationarySet`."""
        return _promote(StationarySet, _result.stationary_points(self, timeout=timeout, precision=precision, box=box,
                                                                 progress=progress))

    def derivation(self, given=None, timeout=10) -> Derivation:
        """The checked step-by-step derivation, from the loss and the chain rule to the answer (the stationary
        points, their certificate, the zeros at infinity); ``given``, a gradient you derived (a SymPy expression
        or a string in the problem's symbols), is checked against the true one."""
        return derive(self, self.stationary_points(timeout=timeout), given=given)

    def _repr_latex_(self):
        return "$\\displaystyle " + neuron_latex(self) + "$"


class LocalModel(_local.LocalModel):
    __doc__ = _local.LocalModel.__doc__

    def plot(self):
        """Loss along the steepest-descent step with the linear and quadratic models."""
        return plot_step(self)

    def derivation(self) -> Derivation:
        """The checked derivation of the step (see :mod:`closedform.present.step`)."""
        return derive_step(self)


def local_model(problem, at, threshold: float = 0.1, steps=None) -> LocalModel:
    """The local models of ``problem`` (a Neuron with concrete data) around ``at`` (exact numbers)."""
    return _promote(LocalModel, _local.local_model(problem, at, threshold=threshold, steps=steps))


class SharedWeightRecursion(_recursion.SharedWeightRecursion):
    __doc__ = _recursion.SharedWeightRecursion.__doc__

    def derivation(self) -> Derivation:
        """The checked derivation of the closed form (see :mod:`closedform.present.backprop`)."""
        return derive_shared_recursion(self)


def shared_weight_recursion(W, timeout: float = 10.0) -> SharedWeightRecursion:
    """The closed form of (W^T)^k for a square matrix W (exact entries), computed within ``timeout`` seconds."""
    return _promote(SharedWeightRecursion, _recursion.shared_weight_recursion(W, timeout=timeout))


class Network(_network.Network):
    __doc__ = _network.Network.__doc__

    def derivation(self, check: Optional[_network.BackpropCheck] = None) -> Derivation:
        """The checked derivation of the recursion (see :mod:`closedform.present.backprop`); pass the result of
        :meth:`check_backprop` when it is already at hand."""
        return derive_backprop(self, check)


def _promote(cls, base):
    """The model-level dataclass ``base`` as the public subclass ``cls``: the same fields, the added verbs."""
    return cls(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)})
