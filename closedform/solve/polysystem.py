"""Real solutions of a zero-dimensional polynomial system with rational coefficients, with an independent count.

A = Q[x]/I has finite dimension N (the standard monomials b of a grevlex Groebner basis) iff I is zero-dimensional;
N is the number of complex solutions with multiplicity. M_f, multiplication by f on A, has the values f(p) at the
solutions p as eigenvalues (Stickelberger), and the row vector (b_k(p))_k is a left eigenvector of every M_f.

- Count (Hermite): the form Q_ij = Tr(M_{b_i b_j}) has rank #distinct solutions and signature #distinct REAL
  solutions. Exact over Q; the signature from the characteristic polynomial by Descartes' rule of signs, which is
  exact because a symmetric matrix has only real eigenvalues.
- Points (a different route): the radical sqrt(I) = I + <squarefree part of charpoly(M_{x_j})(x_j)> (Seidenberg),
  a random rational form l = sum a_j x_j checked to separate the solutions (charpoly of M_l on A/sqrt(I) is
  squarefree), the eigenvectors of M_l^T, coordinates x_j(p) as Rayleigh quotients of M_{x_j}^T, then complex
  Newton on the equations (with the squarefree eliminants when I is not radical, so multiple roots converge
  quadratically) at digits + 20. The eigenvectors come from LAPACK in double precision, or from mpmath at
  digits + 20 when those do not lead Newton to all N' = dim A/sqrt(I) distinct solutions. A separating l has l(p)
  real iff p is real; after the polish a real point's imaginary parts are zero to the working precision, so the
  real ones are those below 10^-(digits + 10).
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from sympy import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.orderings import grevlex


@dataclass(frozen=True)
class SystemSolution:
    """``dimension`` is -1 for no solution at all; the counts are None unless ``zero_dimensional``."""
    zero_dimensional: bool
    dimension: int
    complex_count: int | None        # dim_Q Q[x]/I: complex solutions with multiplicity
    distinct_count: int | None       # rank of Hermite's form: distinct complex solutions
    real_count: int | None           # signature of Hermite's form: distinct real solutions
    points: list[tuple] = field(default_factory=list)   # real solutions (mpf), sorted, from the eigen route
    basis: sp.GroebnerBasis | None = None
    notes: list[str] = field(default_factory=list)


def solve_system(equations, variables, digits: int = 30) -> SystemSolution:
    """All real solutions of ``equations = 0`` (rational coefficients) to ``digits`` digits, and their count."""
    variables = tuple(variables)
    G = sp.groebner(equations, *variables, order="grevlex", domain=QQ)
    if G.exprs == [1]:
        return SystemSolution(True, -1, 0, 0, 0, [], G, ["the equations have no common complex solution"])
    if not G.is_zero_dimensional:   # dimension: the most variables free of every leading monomial
        leading = [max(p.monoms(), key=grevlex) for p in G.polys]
        free = max((s for k in range(len(variables) + 1) for s in itertools.combinations(range(len(variables)), k)
                    if not any(all(e == 0 or j in s for j, e in enumerate(m)) for m in leading)), key=len)
        return SystemSolution(False, len(free), None, None, None, [], G,
                              [f"the solution set has dimension {len(free)}: no finite list of points"])
    monomials, mult = _quotient(G, variables)
    count = len(monomials)
    positive, negative, rank = _hermite(monomials, mult)
    notes = []
    eliminants = [_charpoly(M, x).sqf_part().as_expr() for M, x in zip(mult, variables)]
    radical = all(_vanishes(s, M, x) for s, M, x in zip(eliminants, mult, variables))
    if not radical:
        notes.append("the system has multiple roots; the points come from the radical ideal")
        monomials, mult = _quotient(sp.groebner(G.exprs + eliminants, *variables, order="grevlex", domain=QQ),
                                    variables)
    if len(monomials) != rank:
        notes.append(f"BUG: the radical has {len(monomials)} solutions, Hermite's form has rank {rank}")
    points = _eigen_points(mult, variables, list(equations) + ([] if radical else eliminants), digits, notes)
    if len(points) != positive - negative:
        notes.append(f"the eigenvalue route found {len(points)} real points, Hermite's count is "
                     f"{positive - negative}")
    return SystemSolution(True, 0, count, rank, positive - negative, points, G, notes)


def _quotient(G, variables):
    """Standard monomials (1 first) of a zero-dimensional basis and the matrices of M_{x_j}: column k = NF(x_j b_k)."""
    leading = [max(p.monoms(), key=grevlex) for p in G.polys]
    bound = [min(m[j] for m in leading if sum(m) == m[j]) for j in range(len(variables))]
    monomials = [e for e in itertools.product(*map(range, bound))
                 if not any(all(a >= b for a, b in zip(e, m)) for m in leading)]
    index = {m: k for k, m in enumerate(monomials)}
    mult = []
    for j, x in enumerate(variables):
        columns = []
        for b in monomials:
            shifted = tuple(e + (i == j) for i, e in enumerate(b))
            if shifted in index:
                columns.append({index[shifted]: QQ(1)})
            else:
                remainder = sp.Poly(G.reduce(sp.Mul(*(v ** e for v, e in zip(variables, shifted))))[1], *variables)
                columns.append({index[m]: QQ.convert(c) for m, c in remainder.terms() if c})
        n = len(monomials)
        mult.append(DomainMatrix([[columns[k].get(i, QQ(0)) for k in range(n)] for i in range(n)], (n, n), QQ))
    return monomials, mult


def _hermite(monomials, mult):
    """(#positive, #negative eigenvalues, rank) of Q_ij = Tr(M_{b_i b_j}) = sum_k Tr(M_{b_k}) NF(b_i b_j)_k."""
    n = len(monomials)
    matrices = {monomials[0]: DomainMatrix.eye(n, QQ)}
    for b in sorted(monomials, key=sum)[1:]:
        j = next(i for i, e in enumerate(b) if e)
        matrices[b] = mult[j] * matrices[tuple(e - (i == j) for i, e in enumerate(b))]
    traces = DomainMatrix([[sum(matrices[b].diagonal(), QQ(0)) for b in monomials]], (1, n), QQ)
    Q = DomainMatrix([(traces * matrices[b]).to_list()[0] for b in monomials], (n, n), QQ)
    chi = Q.charpoly()   # highest degree first; all roots real, so Descartes' count is exact
    changes = lambda cs: sum(1 for a, b in zip(cs, cs[1:]) if a * b < 0)
    nonzero = [c for c in chi if c]
    alternated = [c * (-1) ** (n - k) for k, c in enumerate(chi) if c]
    zero = next(k for k, c in enumerate(reversed(chi)) if c)
    return changes(nonzero), changes(alternated), n - zero


def _vanishes(f, M, x):
    """f(x) in I iff NF(f) = f(M_x) 1 = 0 (1 is the first standard monomial); Horner with matrix-vector products."""
    one = DomainMatrix([[QQ(1)]] + [[QQ(0)]] * (M.shape[0] - 1), (M.shape[0], 1), QQ)
    value = one * QQ(0)
    for c in sp.Poly(f, x).all_coeffs():
        value = M * value + one * QQ.convert(c)
    return value.is_zero_matrix


def _charpoly(M, x):
    return sp.Poly([sp.Rational(int(QQ.numer(c)), int(QQ.denom(c))) for c in M.charpoly()], x)


def _separating_form(mult, rng):
    """M_l for a random l = sum a_j x_j with pairwise distinct values l(p): charpoly(M_l) squarefree (A radical)."""
    for _ in range(50):
        a = [QQ(rng.randint(-97, 97), rng.randint(1, 97)) for _ in mult]
        M = sum((c * m for c, m in zip(a[1:], mult[1:])), a[0] * mult[0])
        if _charpoly(M, sp.Symbol("t")).is_sqf:
            return M
    raise RuntimeError("no separating linear form found")


def _double_seeds(M, mult):
    """(x_j(p))_j for every eigenvector v = (b_k(p))_k of M_l^T, as Rayleigh quotients v^H M_{x_j}^T v / v^H v."""
    floats = [np.array(m.to_list(), dtype=float).T for m in mult]
    vectors = np.linalg.eig(np.array(M.to_list(), dtype=float).T)[1]
    return [[complex(v.conj() @ T @ v / (v.conj() @ v)) for T in floats] for v in vectors.T]


def _mp_seeds(M, mult):
    """The same in mpmath at the current precision."""
    convert = lambda m: mpmath.matrix([[mpmath.mpf(int(QQ.numer(c))) / int(QQ.denom(c)) for c in row]
                                       for row in m.to_list()]).T
    vectors, transposed = mpmath.eig(convert(M))[1], [convert(m) for m in mult]
    columns = [vectors[:, k] for k in range(vectors.cols)]
    return [[(v.H * T * v)[0] / (v.H * v)[0] for T in transposed] for v in columns]


def _eigen_points(mult, variables, equations, digits, notes):
    """Real solutions of the radical ideal: Newton at digits + 20 from the eigenvectors of M_l^T, in double precision
    first (LAPACK), in mpmath at digits + 20 if that does not give all N distinct complex solutions."""
    work = digits + 20
    F = sp.lambdify(variables, equations, "mpmath")
    J = sp.lambdify(variables, sp.Matrix(equations).jacobian(variables), "mpmath")
    size = sp.lambdify(variables, [sum(abs(c) * sp.Mul(*(sp.Abs(v) ** e for v, e in zip(variables, m)))
                                       for m, c in sp.Poly(f, *variables).terms()) for f in equations], "mpmath")
    M = _separating_form(mult, random.Random(0))
    n = M.shape[0]
    with mpmath.workdps(work):
        tol = mpmath.mpf(10) ** -(digits + 10)
        for seeds in (_double_seeds, _mp_seeds):
            roots = []
            try:
                starts = seeds(M, mult)
            except (ArithmeticError, ValueError):   # entries beyond double range, or LAPACK failed
                continue
            for z in starts:
                z, ok = _newton(F, J, size, [mpmath.mpc(c) for c in z], tol)
                if ok and not any(max(abs(a - c) for a, c in zip(z, q)) <= tol * (1 + max(map(abs, q)))
                                  for q in roots):
                    roots.append(z)
            if len(roots) == n:
                break
        else:
            notes.append(f"Newton from the eigenvectors reached {len(roots)} of the {n} distinct complex solutions")
        points = [tuple(mpmath.re(c) for c in z) for z in roots
                  if all(abs(mpmath.im(c)) <= tol * (1 + abs(c)) for c in z)]
    with mpmath.workdps(digits):
        return sorted((tuple(+c for c in p) for p in points), key=lambda p: tuple(map(float, p)))


def _newton(F, J, size, z, tol, steps=60):
    """Gauss-Newton (least squares when there are more equations than unknowns) in the unknowns z_j / (1 + |z_j|),
    each equation divided by the larger of the size of its terms and of its gradient at z (neither vanishes at every
    root); True when the step fell below tol 10^-5."""
    for _ in range(steps):
        scale = [1 + abs(c) for c in z]
        A, r = mpmath.matrix(J(*z)), mpmath.matrix(F(*z))
        for i, terms in enumerate(size(*z)):
            s = max([abs(terms)] + [abs(A[i, j]) * scale[j] for j in range(A.cols)]) or 1
            r[i] /= s
            for j in range(A.cols):
                A[i, j] *= scale[j] / s
        if A.rows > A.cols:
            A, r = A.H * A, A.H * r
        try:
            step = mpmath.lu_solve(A, -r)
        except ZeroDivisionError:   # singular Jacobian
            return z, False
        z = [c + u * d for c, u, d in zip(z, step, scale)]
        if max(abs(u) for u in step) <= tol * mpmath.mpf(10) ** -5:
            return z, True
    return z, False
