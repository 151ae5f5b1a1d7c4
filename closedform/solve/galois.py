"""Is a root expressible in radicals? Decided by the Galois group of its irreducible polynomial f of degree n.

- n <= 4: every subgroup of S4 is solvable: radicals exist.
- n = 5, 6: SymPy's ``galois_group`` names the group.
- any n >= 5: the certificate of Dedekind and Frobenius. For a prime p dividing neither the discriminant nor the
  leading coefficient, the degrees of the irreducible factors of f mod p are the cycle type of an element of the
  group G. If one prime gives type (n-1, 1) (an (n-1)-cycle) and another a type whose only even part is a single
  2 (some power of it is a transposition), then G, transitive because f is irreducible, is S_n: not solvable for
  n >= 5. For large n a single prime usually suffices (Jordan): a type with a part l that is prime, n/2 < l <= n - 3
  (every other part is shorter, hence coprime to l, so a power of the element is an l-cycle); a transitive group
  with such a cycle is primitive and contains A_n, not solvable. The primes and factor degrees are recorded so
  that anyone can re-check the proof.
Only a proof becomes an obstruction; otherwise the answer is "not decided"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import flint
import sympy as sp

from .parts import Obstruction
from ..printing import text

MAX_PRIME = 5000


@dataclass(frozen=True)
class GaloisVerdict:
    """``solvable`` True / False / None (not decided), the group's name and how that was established."""

    solvable: Optional[bool]
    group: str
    reason: str


def cycle_type(poly: sp.Poly, p: int) -> Optional[tuple]:
    """Degrees of the irreducible factors of ``poly`` mod p (descending), or None if p is not a good prime."""
    coefficients = [int(c) for c in reversed(poly.all_coeffs())]
    if coefficients[-1] % p == 0:
        return None
    _, factors = flint.nmod_poly(coefficients, p).factor()
    if any(m > 1 for _, m in factors):  # p divides the discriminant
        return None
    return tuple(sorted((f.degree() for f, _ in factors), reverse=True))


def symmetric_certificate(poly: sp.Poly, max_prime: int = MAX_PRIME) -> Optional[list]:
    """[(p, cycle type), (q, cycle type)] proving Gal(poly) = S_n, or [(p, cycle type)] proving it contains A_n
    (Jordan), or None if neither was found below ``max_prime``."""
    n = poly.degree()
    long_cycle = transposition = None
    for p in sp.primerange(2, max_prime):
        shape = cycle_type(poly, p)
        if shape is None:
            continue
        if long_cycle is None and shape == (n - 1, 1):
            long_cycle = (p, shape)
        evens = [k for k in shape if k % 2 == 0]
        if transposition is None and evens == [2]:
            transposition = (p, shape)
        if long_cycle and transposition:
            return [long_cycle, transposition]
        if n / 2 < shape[0] <= n - 3 and sp.isprime(shape[0]):
            return [(p, shape)]
    return None


def galois_verdict(poly: sp.Poly) -> GaloisVerdict:
    """The verdict for an irreducible polynomial with integer coefficients."""
    n = poly.degree()
    if n <= 4:
        return GaloisVerdict(True, f"a subgroup of S{n}", f"every subgroup of S{n} (n <= 4) is solvable")
    if n <= 6:
        from sympy.polys.numberfields.galoisgroups import galois_group
        group, _ = galois_group(poly, by_name=True)
        solvable = bool(group.get_perm_group().is_solvable)
        return GaloisVerdict(solvable, group.name, "SymPy's galois_group for degree <= 6")
    proof = symmetric_certificate(poly)
    if proof is None:
        return GaloisVerdict(None, "not decided", f"no S{n} or A{n} certificate among the primes below {MAX_PRIME}")
    if len(proof) == 1:
        return GaloisVerdict(False, f"A{n} or S{n}", _describe_jordan(proof[0], n))
    return GaloisVerdict(False, f"S{n}", _describe(proof, n))


def _describe_jordan(proof, n) -> str:
    p, shape = proof
    return (f"mod {p} it factors with degrees {'+'.join(map(str, shape))}: a power of that element is a cycle of "
            f"prime length {shape[0]}, with {n}/2 < {shape[0]} <= {n} - 3; a transitive group with such a cycle is "
            f"primitive and contains A{n} (Jordan), not solvable (prime {p} divides neither the discriminant nor "
            f"the leading coefficient)")


def _describe(proof, n) -> str:
    (p, long_shape), (q, short_shape) = proof
    return (f"mod {p} it factors with degrees {'+'.join(map(str, long_shape))} (a cycle of length {n - 1}) and mod {q} "
            f"with degrees {'+'.join(map(str, short_shape))} (a power of it is a transposition); a transitive "
            f"group with both is S{n}, not solvable for n >= 5 (Dedekind-Frobenius; primes {p} and {q} divide "
            f"neither the discriminant nor the leading coefficient)")


def obstruction(factors, consequence: str) -> Optional[Obstruction]:
    """The first factor whose Galois group is proved non-solvable, as an :class:`Obstruction`; ``consequence``
    says what that means for the stationary point."""
    for factor in factors:
        verdict = galois_verdict(factor)
        if verdict.solvable is False:
            explanation = (f"the irreducible factor {text(factor.as_expr())} of degree {factor.degree()} has Galois "
                           f"group {verdict.group}, which is not solvable ({verdict.reason}); so {consequence}")
            return Obstruction("galois", factor.as_expr(), verdict.group, False, explanation, verdict.reason)
    return None
