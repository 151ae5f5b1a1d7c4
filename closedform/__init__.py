"""closedform: where does the gradient of a neuron's loss vanish, and can that place be written down?"""
from . import examples
from .errors import InputError, UnsafeExpressionError
from .model.activations import ACTIVATIONS, Activation, get_activation
from .model.gradcheck import GradientCheck, check_gradient
from .model.losses import LOSSES, Loss, get_loss
from .model.teacher import GaussianTeacher
from .network import BackpropCheck
from .problem import (LocalModel, Network, Neuron, SharedWeightRecursion, StationarySet, local_model,
                      shared_weight_recursion)
from .kinds import CertificateKind, Kind, RegionKind, Scope, Status
from .result import (Asymptote, Certificate, ClosedForm, Infimum, Obstruction, Reduction, Region,
                     StationaryPoint)

__all__ = [
    "ACTIVATIONS", "Activation", "Asymptote", "BackpropCheck", "Certificate", "CertificateKind", "ClosedForm",
    "GaussianTeacher", "GradientCheck", "Infimum", "InputError", "Kind", "LOSSES", "LocalModel", "Loss", "Network", "Neuron",
    "Obstruction", "Reduction", "Region", "RegionKind", "Scope", "SharedWeightRecursion", "StationaryPoint",
    "StationarySet", "Status", "UnsafeExpressionError", "check_gradient", "examples", "get_activation", "get_loss",
    "local_model", "shared_weight_recursion",
]
__version__ = "0.1.0"
