"""Separable losses. When the reduced coordinates split into blocks B_1, ..., B_m such that every datapoint's z_i
is zero outside one block (and the L2 term, diagonal, penalises whole blocks alike), E(c) = sum_k E_k(c_{B_k}) +
const: grad E = 0 iff every block's gradient vanishes, so the stationary points are the products of the blocks'
stationary points, and the Hessian is block diagonal. Each block is a smaller problem of the same neuron, solved
by the pipeline itself (the Auer-Herbster-Warmuth construction is the example: floor(n/d) points per axis)."""
from __future__ import annotations

import numpy as np

from ..model.neuron import Neuron


def _supports(reduced):
    """Each row's nonzero coordinates. For numbers from the float64 copy (a nonzero datum is at least 1e-300 in
    magnitude, so its float is nonzero): one vectorised comparison instead of n r SymPy ones."""
    if reduced.neuron.data.symbolic:
        return [[j for j in range(reduced.r) if z[j] != 0] for z in reduced.z]
    nonzero = reduced.model.Z != 0
    if reduced.r < 63:  # the support as the bits of one int64
        codes = np.unique(nonzero.astype(np.int64) @ (np.int64(1) << np.arange(reduced.r, dtype=np.int64)))
    else:
        codes = np.unique(nonzero.astype(object) @ [1 << j for j in range(reduced.r)])
    return [[j for j in range(reduced.r) if code >> j & 1] for code in codes.tolist()]


def coordinate_blocks(reduced) -> list:
    """The finest partition of range(r) in which every nonzero row's support lies in one block (connected
    components of the coordinates that share a row), sorted; one block when nothing separates."""
    r = reduced.r
    parent = list(range(r))

    def root(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for support in _supports(reduced):
        for j in support[1:]:
            parent[root(j)] = root(support[0])
    blocks = {}
    for j in range(r):
        blocks.setdefault(root(j), []).append(j)
    return sorted(blocks.values())


def separates(reduced, blocks) -> bool:
    """Does every nonzero row lie in one block, with the L2 term penalising each block wholly or not at all?
    (Checked from the exact data itself, not from :func:`coordinate_blocks`' float copy.)"""
    where = {j: k for k, block in enumerate(blocks) for j in block}
    if sorted(where) != list(range(reduced.r)):
        return False
    for z in reduced.z:
        if len({where[j] for j in range(reduced.r) if z[j] != 0}) > 1:
            return False
    regularised = reduced.regularised if reduced.neuron.l2 else [False] * reduced.r
    return all(len({bool(regularised[j]) for j in block}) == 1 for block in blocks)


def block_neuron(reduced, block):
    """The problem of one block: the rows supported in it, restricted to its coordinates (rows that are 0 there
    only add a constant to E); None for a block no row touches (only an L2 term, or nothing, acts on it)."""
    neuron = reduced.neuron
    rows = [(tuple(z[j] for j in block), t) for z, t in zip(reduced.z, neuron.data.t) if any(z[j] != 0 for j in block)]
    if not rows:
        return None
    data = [(x[0] if len(block) == 1 else x, t) for x, t in rows]
    penalised = neuron.l2 != 0 and reduced.regularised[block[0]]
    return Neuron(neuron.activation, neuron.criterion, dim=len(block), data=data, l2=neuron.l2 if penalised else 0)
