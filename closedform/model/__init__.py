"""The model layer: activations, losses, data, safe expressions, the Neuron and its evaluators."""
