"""Exact numbers from user input: ints, Fractions, strings like "3/10" or "0.3", and floats read as their
decimal literal (0.3 means 3/10). Nothing is passed to ``sympify``; NaN and infinities are refused."""
from __future__ import annotations

import math
import numbers
import re
from functools import lru_cache
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from ..errors import InputError

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$")
_RATIO = re.compile(r"^[+-]?\d+\s*/\s*[+-]?\d+$")
_MAX_DIGITS = 400


def exact_number(value, what: str = "value") -> sp.Rational:
    """``value`` as an exact SymPy Rational; ``what`` names it in the error message."""
    kind = type(value)
    if kind is float or kind is np.float64:  # the common case for array data: a cached decimal-literal read
        if not math.isfinite(value):
            raise InputError(f"{what} = {value!r} is not finite; expected a finite real number")
        return decimal_literal(float(value))
    if kind is int or kind is np.int64:
        return sp.Integer(int(value))
    if isinstance(value, bool):
        raise InputError(f"{what} = {value!r} is a bool; expected a number such as 3, 0.3 or '3/10'")
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, sp.Basic) and value.is_number and value.is_Float:
        return exact_number(str(value), what)
    if isinstance(value, (int, Fraction)) or (isinstance(value, numbers.Integral)):
        return sp.Rational(Fraction(int(value)) if not isinstance(value, Fraction) else value)
    if isinstance(value, numbers.Real):  # float, numpy floating
        f = float(value)
        if not math.isfinite(f):
            raise InputError(f"{what} = {value!r} is not finite; expected a finite real number")
        return exact_number(repr(f), what)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_DIGITS:
            raise InputError(f"{what} = {text[:20]!r}... has more than {_MAX_DIGITS} characters")
        if _RATIO.match(text):
            num, den = (int(part) for part in text.split("/"))
            if den == 0:
                raise InputError(f"{what} = {text!r} divides by zero")
            return sp.Rational(num, den)
        if _DECIMAL.match(text):
            return _decimal(text)
        raise InputError(f"{what} = {value!r} is not a number; expected e.g. 3, -2.5, 1e-3 or '3/10'")
    raise InputError(f"{what} = {value!r} has type {type(value).__name__}; expected a real number")


def decimal_literal(value: float) -> sp.Rational:
    """A finite float as the exact value of its shortest decimal literal (repr), which rounds back to it."""
    return _decimal(repr(value))


@lru_cache(maxsize=1 << 16)
def _decimal(text: str) -> sp.Rational:
    """A decimal literal as an exact Rational (Decimal's integer ratio in C: 2.5x faster than via Fraction)."""
    p, q = Decimal(text).as_integer_ratio()
    return sp.Integer(p) if q == 1 else sp.Rational(p, q)


def to_mpf(value, digits: int) -> mpmath.mpf:
    """An exact or symbolic real number as an mpf correct to ``digits`` digits (never through a float)."""
    with mpmath.workdps(digits):
        return mpmath.mpf(str(sp.N(value, digits)))


def shown(value, digits: int):
    """``value`` itself when it is rational (exact), else rounded to ``digits`` significant digits."""
    value = sp.sympify(value)
    return value if value.is_Rational else sp.N(value, digits)
