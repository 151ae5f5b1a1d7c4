"""One answer to "are these two expressions equal?", shared by ``check_gradient``, the derivations and the
backpropagation check: SymPy simplification of each difference to 0 first, else agreement to ``digits``
significant digits at random rational points. "Equal" numerically means no point told them apart; "not equal"
comes with its witness: the point and both values there."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import mpmath
import sympy as sp


@dataclass(frozen=True)
class Comparison:
    """``equal``; ``method`` ("symbolic", "numeric at N random points, D digits", or "numeric" for a witness);
    ``point`` (symbol -> exact rational) with ``first`` and ``second``, the two sides' values there (one per
    component, at ``digits``): the witness when not equal, the first point tried when equal numerically (None
    when equal symbolically); ``component``: the index of the first component that differs."""

    equal: bool
    method: str
    point: Optional[dict] = None
    first: Optional[tuple] = None
    second: Optional[tuple] = None
    component: Optional[int] = None

    def __bool__(self):
        return self.equal


def cancels(expr) -> bool:
    """Over one denominator with common factors cancelled, expr is 0: an exact identity (False decides nothing)."""
    return sp.cancel(sp.together(expr)) == 0


def vanishes(expr) -> bool:
    """expr == 0 identically: :func:`cancels`, else SymPy's simplify decides (whose first call imports
    sympy.physics.units: a few tenths of a second)."""
    return cancels(expr) or sp.simplify(expr) == 0


def sample(symbol: sp.Symbol, rng: random.Random) -> sp.Rational:
    """Targets (names starting with t or y) in (0, 1), inside every loss's domain; other symbols in [-2, 2]."""
    if symbol.name.startswith(("t", "y")):
        return sp.Rational(rng.randint(1, 99), 100)
    return sp.Rational(rng.randint(-200, 200), 100)


def random_points(symbols, seed: int, draw: Callable = sample) -> Iterator[dict]:
    """The random points :func:`compare` tries, in order: {symbol: exact rational}, from ``seed``."""
    rng = random.Random(seed)
    while True:
        yield {s: draw(s, rng) for s in symbols}


def compare(a, b, *, digits: int = 40, trials: int = 6, seed: int = 0, symbolic: bool = True,
           compiled: bool = False, symbols=None, draw: Callable = sample) -> Comparison:
    """Compare ``a`` and ``b`` (SymPy expressions, matrices or sequences of the same shape) component by
    component. ``symbolic``: try :func:`vanishes` on d.rewrite(exp) first (skip it for expressions too
    large to simplify). Then ``trials`` points from :func:`random_points` over ``symbols`` (default: the free
    symbols of both, sorted by name); components agree when |a - b| <= 10^(5 - digits) (1 + max(|a|, |b|)).
    ``compiled``: evaluate through one mpmath ``lambdify`` at ``digits`` (fast, for large expressions) instead
    of exact substitution and ``evalf`` (slower, adaptive precision)."""
    shapes = [m.shape for m in (a, b) if isinstance(m, sp.MatrixBase)]
    first, second = _components(a), _components(b)
    if len(first) != len(second) or len(set(shapes)) > 1:
        raise ValueError(f"cannot compare {shapes or len(first)} with {len(second)} component(s)")
    if symbolic and all(vanishes((x - y).rewrite(sp.exp)) for x, y in zip(first, second)):
        return Comparison(True, "symbolic")
    if symbols is None:
        symbols = sorted(set().union(*(e.free_symbols for e in first + second)), key=str)
    symbols = list(symbols)
    evaluate = _compiled(symbols, first + second, digits) if compiled else _substituted(first + second, digits)
    tolerance = mpmath.mpf(10) ** (5 - digits)
    points, seen = random_points(symbols, seed, draw), None
    with mpmath.workdps(digits):
        for _ in range(trials):
            point = next(points)
            values = evaluate(point)
            ours, theirs = tuple(values[:len(first)]), tuple(values[len(first):])
            seen = seen or (point, ours, theirs)
            for index, (x, y) in enumerate(zip(ours, theirs)):
                if not abs(x - y) <= tolerance * (1 + max(abs(x), abs(y))):
                    return Comparison(False, "numeric", point, ours, theirs, index)
    return Comparison(True, f"numeric at {trials} random points, {digits} digits", *(seen or ()))


def _components(value) -> list:
    if isinstance(value, sp.MatrixBase):
        return [sp.sympify(e) for e in value]
    if isinstance(value, (list, tuple)):
        return [sp.sympify(e) for e in value]
    return [sp.sympify(value)]


def _substituted(exprs, digits):
    """Exact substitution, then ``evalf`` to ``digits`` (SymPy raises the working precision as it needs)."""
    def evaluate(point):
        return [_mpmath(sp.N(e.subs(point), digits)) for e in exprs]
    return evaluate


def _mpmath(value):
    """A SymPy number as an mpmath number at the working precision; nan when it is not a finite number (a pole
    or an undefined value at the point, which no equal partner can match)."""
    try:
        return value._to_mpmath(mpmath.mp.prec)
    except (AttributeError, TypeError, ValueError):
        return mpmath.nan


def _compiled(symbols, exprs, digits):
    function = sp.lambdify(symbols, exprs, "mpmath")

    def evaluate(point):
        return function(*as_mpf(point, symbols, digits))
    return evaluate


def as_mpf(point: dict, symbols, digits: int) -> list:
    """The point's exact rationals as mpf numbers at ``digits``, in the order of ``symbols``."""
    with mpmath.workdps(digits):
        return [mpmath.mpf(point[s].p) / point[s].q for s in symbols]
