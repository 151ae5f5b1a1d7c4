"""Datasets: concrete data kept as exact rationals (plus float64 copies for the numeric path), or symbolic data.

Accepted forms: a list of ``(x, t)`` pairs (x a number or a sequence of d numbers), a tuple ``(X, t)`` of arrays,
``None`` (one symbolic datapoint) or an int n (n symbolic datapoints). Numbers go through
:func:`~closedform.model.numbers.exact_number`, so "3/10", Fraction(3, 10) and 0.3 all mean 3/10, and must be 0
or of magnitude between 1e-300 and 1e300: the numeric stages work in float64.
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import sympy as sp

from ..errors import InputError
from .numbers import decimal_literal, exact_number

MAX_SYMBOLIC_POINTS = 50
_FLOAT_RANGE = 10**300  # nonzero data lies strictly between 1/_FLOAT_RANGE and _FLOAT_RANGE in magnitude


class ExactRows(Sequence):
    """The rows of a float64 array as exact numbers, each float meaning its decimal literal (which rounds back to
    it), read when first asked for: the certified large-n routes work on the float copy and read a few rows
    exactly (an r x r minor), never paying for n d SymPy numbers. ``ones`` appends the bias coordinate 1."""

    def __init__(self, X: np.ndarray, ones: bool = False):
        self.X, self.ones = X, ones
        self._rows = None

    def with_ones(self) -> "ExactRows":
        return ExactRows(self.X, ones=True)

    def _tail(self) -> tuple:
        return (sp.Integer(1),) if self.ones else ()

    def _all(self) -> tuple:
        if self._rows is None:
            values, inverse = np.unique(self.X, return_inverse=True)  # each distinct value read once
            exact = [decimal_literal(v) for v in values.tolist()]
            tail = self._tail()
            self._rows = tuple(tuple(map(exact.__getitem__, row)) + tail
                               for row in inverse.reshape(self.X.shape).tolist())
        return self._rows

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        if self._rows is None and isinstance(i, (int, np.integer)):
            return tuple(decimal_literal(v) for v in self.X[i].tolist()) + self._tail()
        return self._all()[i]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, ExactRows):  # equal floats have equal decimal literals (-0.0 and 0.0 both mean 0)
            return self.ones == other.ones and np.array_equal(self.X, other.X)
        return isinstance(other, (tuple, list)) and self._all() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._all())


@dataclass(frozen=True)
class Dataset:
    """n datapoints in R^d. ``x`` and ``t`` are exact SymPy numbers (or symbols when ``symbolic``)."""

    x: Sequence  # n tuples of d entries (a tuple, or ExactRows read on demand from a float array)
    t: tuple
    symbolic: bool = False
    floats: Optional[tuple] = field(default=None, compare=False, repr=False)  # (X, t) float64, when given so

    def float_arrays(self) -> tuple:
        """(X, t) in float64: the arrays the data came in (a float's decimal literal rounds back to it), else
        each exact number rounded (int / int rounds correctly)."""
        if self.floats is not None:
            return self.floats
        X = np.fromiter((v.p / v.q for row in self.x for v in row), float, self.n * self.dim)
        return X.reshape(self.n, self.dim), np.fromiter((v.p / v.q for v in self.t), float, self.n)

    @property
    def n(self) -> int:
        return len(self.t)

    @property
    def dim(self) -> int:
        return len(self.x[0])

    def __repr__(self):
        kind = "symbolic" if self.symbolic else "exact"
        return f"Dataset(n={self.n}, dim={self.dim}, {kind})"


def symbolic_dataset(n: Optional[int], dim: int) -> Dataset:
    """One (n=None) or n symbolic datapoints: x (or x1..xd) and t, or x_i / x_ij and t_i."""
    if n is not None and not (1 <= n <= MAX_SYMBOLIC_POINTS):
        raise InputError(f"data = {n} symbolic datapoints; expected 1 to {MAX_SYMBOLIC_POINTS}")
    count = 1 if n is None else n
    rows, targets = [], []
    for i in range(1, count + 1):
        suffix = "" if n is None else str(i)
        names = ["x" + suffix] if dim == 1 else [f"x{suffix}{'_' if suffix else ''}{j}" for j in range(1, dim + 1)]
        rows.append(tuple(sp.Symbol(name, real=True) for name in names))
        targets.append(sp.Symbol("t" + suffix, real=True))
    return Dataset(tuple(rows), tuple(targets), symbolic=True)


def parse_data(data, dim: Optional[int], targets: sp.Set, loss_name: str) -> Dataset:
    """Validate ``data`` once at the public boundary; ``targets`` is the loss's allowed target set."""
    if data is None or (isinstance(data, (int, np.integer)) and not isinstance(data, bool)):
        return symbolic_dataset(None if data is None else int(data), dim or 1)
    arrays = _float_arrays(data, dim)
    if arrays is not None:
        try:
            return _from_arrays(*arrays, targets)
        except InputError:  # the general route below names the first bad datapoint
            pass
    xs, ts = _split(data)
    if len(xs) == 0:
        raise InputError("data is empty; give at least one (x, t) pair")
    number = _memo(data_number)  # data often repeat values (rounded measurements, 0/1 targets): read each once
    rows = [_row(x, i, number) for i, x in enumerate(xs, 1)]
    width = dim if dim is not None else len(rows[0])
    for i, row in enumerate(rows, 1):
        if len(row) != width:
            raise InputError(f"datapoint {i} has {len(row)} coordinate(s) but dim is {width}")
    exact_t = []
    for i, value in enumerate(ts, 1):
        target = number(value, f"target t of datapoint {i}")
        if not _in_set(target, targets):
            raise InputError(f"target t = {target} of datapoint {i} is outside the domain {targets} "
                             f"of loss {loss_name!r}")
        exact_t.append(target)
    return Dataset(tuple(rows), tuple(exact_t))


def _float_arrays(data, dim):
    """(X as n x d, t) in float64 for (X, t) arrays of floats or integers below 2^53 that float64 holds
    exactly, with consistent shapes; else None (the general route reads and checks them)."""
    if not (isinstance(data, tuple) and len(data) == 2 and all(isinstance(part, np.ndarray) for part in data)):
        return None
    X, t = data
    if not all(a.dtype.kind == "f" and a.dtype.itemsize <= 8 or a.dtype.kind in "iu" for a in (X, t)):
        return None
    X = np.asarray(X, dtype=float)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    t = np.asarray(t, dtype=float)
    if (X.ndim != 2 or t.ndim != 1 or len(X) != len(t) or len(t) == 0 or (dim is not None and X.shape[1] != dim)
            or not (np.all(np.abs(X) < 2.0**53) and np.all(np.abs(t) < 2.0**53))):
        return None
    return X, t


def _from_arrays(X, t, targets: sp.Set) -> Dataset:
    """Float arrays, each float meaning its decimal literal (which rounds back to it, so the arrays are also the
    data's float64 copy). The range check runs on the floats (a float is below 1e300 exactly when its literal
    is: rounding is monotone and 1e300 is its own literal); the rows are read exactly only when asked for
    (:class:`ExactRows`), the targets, usually few distinct values, now."""
    nonzero = np.abs(X[X != 0])
    if nonzero.size and not (nonzero.min() > 1e-300 and nonzero.max() < 1e300):
        raise InputError("a datum is out of range")  # the general route names it
    values, inverse = np.unique(t, return_inverse=True)
    exact = [data_number(float(v), f"the value {float(v)!r}") for v in values]
    if not all(_in_set(value, targets) for value in exact):
        raise InputError("a target is outside the loss's domain")  # the general route names it
    return Dataset(ExactRows(X), tuple(map(exact.__getitem__, inverse.tolist())), floats=(X, t))


def data_number(value, what: str) -> sp.Rational:
    """``value`` as an exact number (:func:`exact_number`) that float64 can carry: 0 or a magnitude strictly
    between 1e-300 and 1e300; ``what`` names it in errors."""
    number = exact_number(value, what)
    p, q = abs(number.p), number.q
    if p and not (q < p * _FLOAT_RANGE and p < q * _FLOAT_RANGE):
        raise InputError(f"{what} = {sp.N(number, 3)} is out of range: nonzero data must have magnitude between "
                         "1e-300 and 1e300 (the numeric stages work in float64)")
    return number


def _in_set(value, allowed: sp.Set) -> bool:
    """Membership for the target sets the losses use, without SymPy's slow general ``contains``."""
    if allowed is sp.Reals:  # a singleton: identity, not the slow Set equality
        return True
    if isinstance(allowed, sp.Interval):
        above = value > allowed.inf if allowed.left_open else value >= allowed.inf
        below = value < allowed.sup if allowed.right_open else value <= allowed.sup
        return bool(above) and bool(below)
    return allowed.contains(value) == sp.true


def _split(data):
    """(xs, ts) from a list of pairs or a tuple (X, t)."""
    if isinstance(data, tuple) and len(data) == 2 and _is_sequence(data[1]) and not _looks_like_pairs(data):
        xs, ts = list(data[0]), list(data[1])
        if len(xs) != len(ts):
            raise InputError(f"(X, t) shapes differ: X has {len(xs)} rows, t has {len(ts)} entries")
        return xs, ts
    if isinstance(data, np.ndarray) or not _is_sequence(data):
        raise InputError(f"data of type {type(data).__name__} is not understood; expected a list of (x, t) "
                         "pairs, a tuple (X, t) of arrays, None or a number of symbolic points")
    xs, ts = [], []
    for i, pair in enumerate(data, 1):
        if not _is_sequence(pair) or len(pair) != 2:
            raise InputError(f"datapoint {i} = {pair!r} is not an (x, t) pair")
        xs.append(pair[0])
        ts.append(pair[1])
    return xs, ts


def _looks_like_pairs(data) -> bool:
    """A tuple of two (x, t) pairs reads as pairs unless arrays make it (X, t)."""
    if any(isinstance(part, np.ndarray) for part in data):
        return False
    return all(_is_sequence(part) and len(part) == 2 and not _is_sequence(part[1]) for part in data)


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) or (isinstance(value, sp.MatrixBase))


def _memo(read):
    """``read(value, what)`` remembered per value (the error of a bad value is raised on its first reading)."""
    seen = {}

    def remembered(value, what):
        key = (type(value), value) if isinstance(value, (str, float, int, np.floating, np.integer, sp.Rational)) else None
        if key is None:
            return read(value, what)
        if key not in seen:
            seen[key] = read(value, what)
        return seen[key]
    return remembered


def _row(x, i, number) -> tuple:
    if isinstance(x, np.ndarray) and x.ndim > 1:
        raise InputError(f"datapoint {i} has x of shape {x.shape}; expected a number or a 1-D vector")
    values = list(x) if _is_sequence(x) else [x]
    if not values:
        raise InputError(f"datapoint {i} has an empty x")
    return tuple(number(v, f"x[{j}] of datapoint {i}") for j, v in enumerate(values, 1))


def parse_data_string(text: str) -> list:
    """The CLI syntax ``"x1,...,xd:t; ..."`` as a list of (x, t) pairs of strings (numbers checked later)."""
    pairs = []
    for i, chunk in enumerate(filter(None, (c.strip() for c in text.split(";"))), 1):
        if chunk.count(":") != 1:
            raise InputError(f"datapoint {i} = {chunk!r} must look like 'x1,...,xd:t'")
        xs, t_value = chunk.split(":")
        pairs.append(([v.strip() for v in xs.split(",")], t_value.strip()))
    if not pairs:
        raise InputError(f"--data {text!r} holds no datapoint; expected e.g. '1:3/10; 2:9/10' "
                         "(leave --data out for symbolic data)")
    return pairs


def read_csv(path: str) -> list:
    """Rows x1,...,xd,t of a UTF-8 text CSV file as exact numbers (a header row of non-numbers is skipped);
    every error names the file and, where there is one, the row."""
    name = f"--csv {path!r}"
    if not path:
        raise InputError(f"{name} is empty; give the path of a CSV file with rows x1,...,xd,t")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not a text CSV file: byte {raw[exc.start]:#04x} at offset {exc.start} "
                         "is not UTF-8 text") from None
    if "\0" in text:
        raise InputError(f"{name} is not a text CSV file: it holds NUL bytes")
    reader = csv.reader(text.splitlines())
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"{name} row {reader.line_num} is not CSV: {exc}") from None
    if rows and not _numeric(rows[0][1][0]):
        rows = rows[1:]
    if not rows:
        raise InputError(f"{name} holds no data rows; expected rows x1,...,xd,t")
    width = max(2, len(rows[0][1]))
    pairs, number = [], _memo(data_number)
    for line, row in rows:
        if len(row) != width:
            raise InputError(f"{name} row {line} has {len(row)} column(s); expected {width} (x1,...,xd,t)")
        cells = [number(cell.strip(), f"{name} row {line} column {j}") for j, cell in enumerate(row, 1)]
        pairs.append((cells[:-1], cells[-1]))
    return pairs


def _numeric(cell: str) -> bool:
    try:
        exact_number(cell)
        return True
    except InputError:
        return False
