"""The checked derivation of backpropagation for a :class:`~closedform.network.Network`: forward pass,
delta_L (with the cross-entropy cancellation where it happens), the recursion pulling delta back through W^T and
f', and dJ/dW_i = delta_i z_(i-1)^T. The output delta is checked symbolically per sample; the recursion's
gradients are checked against direct differentiation of J (and finite differences) at 40 digits by
:meth:`Network.check_backprop` before anything is written."""
from __future__ import annotations

import sympy as sp

from ..model.evaluators import per_sample
from ..model.symbols import h, t
from ..recursion import k
from .derivation import Derivation, DerivationError, assert_equal


def derive_backprop(network, check=None) -> Derivation:
    """``check``: a :class:`BackpropCheck` already computed for ``network`` (else it is run here)."""
    check = network.check_backprop() if check is None else check
    if not check.equal:
        raise DerivationError(f"backpropagation does not check at {check.first}: {check.recursion} != {check.direct}")
    d = Derivation(f"Backpropagation through a {'-'.join(map(str, network.widths))} network of "
                   f"{network.activation.name} units, {network.criterion.name} loss"
                   + (", with biases" if network.bias else ""))
    L = network.layers
    g = per_sample(network.activation, network.criterion).g
    Z = [sp.MatrixSymbol(f"z_{i}", network.widths[i], 1) for i in range(0, L + 1)]
    delta = [sp.MatrixSymbol(rf"\delta_{i}", network.widths[i], 1) for i in range(1, L + 1)]
    y = sp.MatrixSymbol("y", network.widths[-1], 1)
    plus_b = " + b_i" if network.bias else ""
    d.statement("The forward pass, layer by layer, from z_0 = x.", sp.Symbol("h_i"), rf"W_i z_{{i-1}}{plus_b}")
    d.statement("Each layer applies the activation elementwise.", sp.Symbol("z_i"),
                sp.Function("f")(sp.Symbol("h_i")))
    d.statement(f"The loss sums the per-output {network.criterion.name} loss over the {network.widths[-1]} "
                f"output(s).", sp.Symbol("J"), rf"\sum_{{k}} \ell(y_k, h_{{{L},k}})")
    if network.criterion.name == "bce" and network.activation.name == "sigmoid":
        d.equation("The output delta: the sigmoid's derivative z(1 - z) cancels the 1/(z(1 - z)) of the "
                   "cross-entropy, so there is no division by zero.", delta[-1], Z[-1] - y,
                   check=(g, network.activation.expr - t))
    else:
        d.statement("The output delta is the per-sample factor g(y, h) = dl/dh at each output h = h_L.",
                    delta[-1], g.subs({t: sp.Symbol("y"), h: sp.Symbol("h_L")}))
    for i in range(L - 1, 0, -1):
        d.statement(f"Layer {i}: the delta of layer {i + 1} pulled back through the transpose of layer {i + 1}'s "
                    f"weights, times f' at layer {i}; the gradient of layer {i + 1} itself never enters.", delta[i - 1],
                    rf"\left(W_{{{i + 1}}}^{{T}} \delta_{{{i + 1}}}\right) \circ f'(h_{{{i}}})")
    for i in range(L):
        d.statement(f"The gradient of the weights of layer {i + 1}.", sp.Symbol(rf"\partial J / \partial W_{i + 1}"),
                    delta[i] * Z[i].T)
        if network.bias:
            d.statement(f"The gradient of the bias of layer {i + 1} is its delta.",
                        sp.Symbol(rf"\partial J / \partial b_{i + 1}"), delta[i])
    d.statement(f"Every gradient above agrees with direct differentiation of J at 40 digits: all {check.checked} "
                f"parameters checked at random points.", sp.Symbol(r"\text{checked}"),
                rf"\text{{{check.checked} of {check.checked} parameters}}")
    return d


def derive_shared_recursion(recursion, check_up_to: int = 6) -> Derivation:
    """delta_i = (W^T)^(L-i) delta_L for linear layers sharing W, and (W^T)^k in closed form, checked against the
    explicit matrix power for k = 0..check_up_to."""
    d = Derivation("Backpropagation through linear layers sharing one matrix W")
    Wt = sp.MatrixSymbol("W", *recursion.W.shape).T
    delta_L = sp.MatrixSymbol(r"\delta_L", recursion.W.rows, 1)
    d.statement("With identity activations f' = 1, so each step of the recursion only multiplies by the transpose "
                "of W; after k = L - i steps:", sp.MatrixSymbol(r"\delta_{L-k}", recursion.W.rows, 1),
                sp.MatPow(Wt, k) * delta_L)
    d.statement("The shared matrix.", sp.Symbol("W"), recursion.W)
    if recursion.diagonalisable:
        P, D = recursion.W.diagonalize()
        d.statement("W is diagonalisable:", sp.Symbol("W"),
                    rf"P D P^{{-1}}, \quad P = {sp.latex(P)}, \quad D = {sp.latex(D)}")
        sentence = ("So the power of the transpose is (P^-1)^T D^k P^T, made of the k-th powers of the eigenvalues "
                    f"(checked for k = 0..{check_up_to} against the explicit power).")
    else:
        d.statement("W is not diagonalisable; its Jordan form is", sp.Symbol("J"), recursion.jordan)
        sentence = f"So the k-th power of the transpose comes from the Jordan blocks (checked for k = 0..{check_up_to})."
    for power in range(check_up_to + 1):
        assert_equal(recursion.power.subs(k, power), recursion.W.T ** power, sentence)
    d.statement(sentence, sp.MatPow(Wt, k), recursion.power)
    return d
