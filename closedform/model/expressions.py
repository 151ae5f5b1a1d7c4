"""Safe parsing of user expression strings into SymPy, through a whitelist walk of Python's ``ast``.

Allowed: numbers, the named variables, ``+ - * / **``, unary minus and a fixed table of functions. Refused:
everything else (attributes, calls of unknown names, lambdas, comprehensions, subscripts, strings) and
exponents that are not small numbers, so ``9**9**9`` is refused before anything is computed. Nothing is ever
passed to ``eval`` or ``sympify``.
"""
from __future__ import annotations

import ast
import warnings
from fractions import Fraction

import sympy as sp

from ..errors import UnsafeExpressionError

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_EXPONENT = 64
MAX_INTEGER_DIGITS = 60


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "atan": sp.atan, "asinh": sp.asinh,
    "erf": sp.erf, "abs": sp.Abs, "sigmoid": _sigmoid,
    "max": lambda a, b: sp.Max(a, b), "min": lambda a, b: sp.Min(a, b),
}
CONSTANTS = {"pi": sp.pi, "E": sp.E}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b}


def parse_expression(text: str, variables: dict[str, sp.Symbol]) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in ``variables`` (name -> Symbol), or raise
    :class:`UnsafeExpressionError` naming the offending part."""
    if not isinstance(text, str):
        raise UnsafeExpressionError(f"expression {text!r} must be a string")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(f"expression of {len(text)} characters is longer than {MAX_LENGTH}")
    try:
        with warnings.catch_warnings():  # "1abs" is only a SyntaxWarning to Python; here it is refused
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpressionError(f"expression {text!r} is not valid syntax: {exc.msg}") from None
    return _Builder(text, variables).build(tree.body, 0)


class _Builder:
    def __init__(self, text, variables):
        self.text = text
        self.names = {**CONSTANTS, **variables}

    def refuse(self, node, why):
        part = ast.get_source_segment(self.text.strip(), node) or type(node).__name__
        return UnsafeExpressionError(f"expression {self.text!r} refused at {part!r}: {why}")

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            raise self.refuse(node, f"nested deeper than {MAX_DEPTH}")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                known = ", ".join(sorted(self.names))
                raise self.refuse(node, f"unknown name {node.id!r}; allowed names: {known}")
            return self.names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand, depth + 1)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](self.build(node.left, depth + 1), self.build(node.right, depth + 1))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base = self.build(node.left, depth + 1)
            exponent = self.build(node.right, depth + 1)
            if not (exponent.is_Rational and abs(exponent) <= MAX_EXPONENT):
                raise self.refuse(node, f"exponents must be numbers of size at most {MAX_EXPONENT}")
            return base ** exponent
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.refuse(node, f"{type(node).__name__} is not allowed; use numbers, names, + - * / ** "
                                f"and the functions {', '.join(sorted(FUNCTIONS))}")

    def number(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(node, "only real number literals are allowed")
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_INTEGER_DIGITS:
                raise self.refuse(node, f"integer literals are limited to {MAX_INTEGER_DIGITS} digits")
            return sp.Integer(value)
        return sp.Rational(Fraction(repr(value)))

    def call(self, node, depth):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise self.refuse(node, f"only the functions {', '.join(sorted(FUNCTIONS))} may be called")
        if node.keywords:
            raise self.refuse(node, "keyword arguments are not allowed")
        args = [self.build(arg, depth + 1) for arg in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except TypeError:
            raise self.refuse(node, f"wrong number of arguments ({len(args)})") from None
