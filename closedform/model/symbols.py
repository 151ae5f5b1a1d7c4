"""The shared symbols of the per-sample model: pre-activation h, output y, target t, and u = exp(-k h)."""
import sympy as sp

h = sp.Symbol("h", real=True)
y = sp.Symbol("y", real=True)
t = sp.Symbol("t", real=True)
u = sp.Symbol("u", positive=True)
