"""Datasets that show a phenomenon on purpose.

``auer_herbster_warmuth(n, d)``: a sigmoid neuron with squared loss whose loss has floor(n/d)^d local minima
(Auer, Herbster & Warmuth 1996, "Exponentially many local minima for single neurons"). The idea: terms that
saturate on very different scales. Along each coordinate k put m = floor(n/d) points x = (-10)^j e_k,
j = 0..m-1, all with target 9/10. Term j dips to 0 at w_k = logit(9/10) / (-10)^j; there every term of a larger
scale sits on a saturated plateau (|h| >= 10 logit(9/10) = 22) and every term of a smaller scale is nearly flat,
so each dip is a local minimum of that coordinate's loss: m minima per coordinate. The coordinates separate,
E(w) = sum_k E_k(w_k), so the minima multiply: m^d. The n - m d remaining points sit at x = 0, where they only
add a constant to the loss."""
from __future__ import annotations

from .errors import InputError
from .model.generators import auer_herbster_warmuth as _ahw_data
from .problem import Neuron


def auer_herbster_warmuth(n: int, d: int, **options) -> Neuron:
    """A sigmoid + squared-loss :class:`Neuron` in dimension d with n datapoints and floor(n/d)^d local minima."""
    if isinstance(n, bool) or isinstance(d, bool) or not isinstance(n, int) or not isinstance(d, int):
        raise InputError(f"n = {n!r} and d = {d!r} must be integers")
    return Neuron("sigmoid", "mse", dim=d, data=_ahw_data(n, d), **options)
