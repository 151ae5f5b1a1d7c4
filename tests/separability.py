"""Homogeneous linear separability in the plane, decided without linear programming (ground truth for the sign
certificate and the census): signed points s_i x_i lie in an open half-plane through 0 exactly when the largest
angular gap between consecutive ones exceeds pi. And Cover's (1965) probability of separability."""
import math


def angular_gaps(points, signs) -> list:
    """The gaps between consecutive angles of the signed points s_i x_i, around the circle."""
    angles = sorted(math.atan2(s * float(y), s * float(x)) for (x, y), s in zip(points, signs))
    return [b - a for a, b in zip(angles, angles[1:])] + [angles[0] + 2 * math.pi - angles[-1]]


def separable(points, signs) -> bool:
    """Does some v have s_i x_i.v > 0 for every i?"""
    return max(angular_gaps(points, signs)) > math.pi


def cover(n: int, d: int) -> float:
    """P(n points in general position in R^d with fair labels are homogeneously separable) =
    2^(1-n) sum_{k<d} C(n-1, k)."""
    return 2.0 ** (1 - n) * sum(math.comb(n - 1, k) for k in range(d))
