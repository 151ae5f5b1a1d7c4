"""closedform: where does the gradient of a neuron's loss vanish, and can that place be written down?"""
from . import examples
from .errors import InputError, UnsafeExpressionError
from .model.activations import ACTIVATIONS, Activation, get_activation
from .model.gradcheck import GradientCheck, check_gradient
from .model.losses import LOSSES, Loss, get_loss
from .model.neuron import Neuron
from .result import Asymptote, ClosedForm, Obstruction, Region, StationaryPoint, StationarySet

__all__ = [
    "ACTIVATIONS", "Activation", "Asymptote", "ClosedForm", "GradientCheck", "InputError", "LOSSES", "Loss",
    "Neuron", "Obstruction", "Region", "StationaryPoint", "StationarySet", "UnsafeExpressionError",
    "check_gradient", "examples", "get_activation", "get_loss",
]
__version__ = "0.1.0"
