"""closedform: where does the gradient of a neuron's loss vanish, and can that place be written down?"""
from . import examples
from .errors import InputError, UnsafeExpressionError
from .local import LocalModel, local_model
from .model.activations import ACTIVATIONS, Activation, get_activation
from .model.gradcheck import GradientCheck, check_gradient
from .model.losses import LOSSES, Loss, get_loss
from .model.neuron import Neuron
from .network import BackpropCheck, Network
from .recursion import SharedWeightRecursion, shared_weight_recursion
from .result import Asymptote, ClosedForm, Obstruction, Region, StationaryPoint, StationarySet

__all__ = [
    "ACTIVATIONS", "Activation", "Asymptote", "BackpropCheck", "ClosedForm", "GradientCheck", "InputError",
    "LOSSES", "LocalModel", "Loss", "Network", "Neuron", "Obstruction", "Region", "SharedWeightRecursion",
    "StationaryPoint", "StationarySet", "UnsafeExpressionError", "check_gradient", "examples", "get_activation",
    "get_loss", "local_model", "shared_weight_recursion",
]
__version__ = "0.1.0"
