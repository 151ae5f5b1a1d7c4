"""Cells of a central hyperplane arrangement {v : n_k.v = 0} in R^r, r <= 3, in exact rational arithmetic.

A cell is returned as a representative direction v (rational) off every hyperplane; faces of lower dimension
(rays, the origin) are returned separately for strategies that need them (ReLU activation patterns). In 2-D the
cells are the sectors between consecutive boundary rays; in 3-D every cell on the sphere has a vertex
p = n_i x n_j, and the cells around p are the 2-D cells of the arrangement restricted to the tangent plane.
"""
from __future__ import annotations

import math
from fractions import Fraction

MAX_DIM = 3


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _primitive(v):
    """v scaled to a canonical rational representative of its ray (max |entry| = 1)."""
    m = max(abs(x) for x in v)
    return tuple(Fraction(x) / m for x in v)


def _rational_rows(rows):
    """Rows of SymPy Rationals, ints or Fractions as Fractions."""
    return [tuple(Fraction(int(x.p), int(x.q)) if hasattr(x, "q") else Fraction(x) for x in n) for n in rows]


def signs(v, normals) -> tuple:
    return tuple((_dot(n, v) > 0) - (_dot(n, v) < 0) for n in normals)


def _distinct(normals):
    """Distinct hyperplanes: normals up to (signed) scaling, zero normals dropped."""
    seen = {}
    for n in normals:
        if any(n):
            p = _primitive(n)
            first = next(x for x in p if x != 0)
            seen.setdefault(p if first > 0 else tuple(-x for x in p), None)
    return list(seen)


def rays_2d(normals):
    """Boundary rays of a 2-D arrangement, sorted by angle."""
    rays = {}
    for n in _distinct(normals):
        for d in ((-n[1], n[0]), (n[1], -n[0])):
            rays[_primitive(d)] = None
    return sorted(rays, key=lambda d: math.atan2(d[1], d[0]))


def cells_2d(normals):
    planes = _distinct(normals)
    if not planes:
        return [(Fraction(1), Fraction(0))]
    if len(planes) == 1:
        n = planes[0]
        return [tuple(n), tuple(-x for x in n)]
    rays = rays_2d(planes)
    return [_primitive(tuple(a + b for a, b in zip(r1, r2))) for r1, r2 in zip(rays, rays[1:] + rays[:1])]


def vertices_3d(normals):
    planes = _distinct(normals)
    out = {}
    for i in range(len(planes)):
        for j in range(i + 1, len(planes)):
            p = _cross(planes[i], planes[j])
            if any(p):
                out[_primitive(p)] = (planes[i], planes[j])
                out[_primitive(tuple(-x for x in p))] = (planes[i], planes[j])
    return out


def cells_3d(normals):
    planes = _distinct(normals)
    vertices = vertices_3d(planes)
    if not vertices:  # at most one plane: reduce to its sides
        return [tuple(planes[0]), tuple(-x for x in planes[0])] if planes else [(Fraction(1), 0, 0)]
    found = {}
    for p, (a, other) in vertices.items():
        b = _cross(p, a)
        local = [(_dot(n, a), _dot(n, b)) for n in planes if _dot(n, p) == 0]
        for alpha, beta in cells_2d(local):
            q = tuple(alpha * x + beta * y for x, y in zip(a, b))
            ratios = [abs(_dot(n, p)) / abs(_dot(n, q)) for n in planes if _dot(n, p) != 0 and _dot(n, q) != 0]
            eps = min([Fraction(1)] + [r / 2 for r in ratios])
            v = _primitive(tuple(x + eps * y for x, y in zip(p, q)))
            found.setdefault(signs(v, planes), v)
    return list(found.values())


def cells(normals, r: int):
    """Representative directions, one per open cell of the arrangement in R^r (r = 1, 2, 3)."""
    normals = _rational_rows(normals)
    if r == 1:
        return [(Fraction(1),), (Fraction(-1),)]
    if r == 2:
        return cells_2d(normals)
    if r == 3:
        return cells_3d(normals)
    raise ValueError(f"cell enumeration is implemented for r <= {MAX_DIM}, got r = {r}")


def lower_faces(normals, r: int):
    """Representative directions of the rays (1-D faces) of the arrangement: boundary rays in 2-D, vertices
    in 3-D; in 1-D there are none. The origin is the remaining face."""
    normals = _rational_rows(normals)
    if r == 2:
        return rays_2d(normals)
    if r == 3:
        return list(vertices_3d(normals))
    return []
