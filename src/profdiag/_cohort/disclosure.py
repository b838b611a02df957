"""Disclosure control of one count table: primary and complementary cell suppression.

A table is G group rows plus the overall row (the sum of the groups) by C columns. Each
row satisfies the same linear relations among its columns (`relations`, one coefficient
vector per relation, e.g. options + no answer - total = 0), and each column's overall
cell is the sum of its group cells. Some columns are *virtual*: never published but
derivable (the respondents who did not choose an option of a multiple-select item).

Rules (docs/cohort.md):

1. primary: a cell counting 1 to k-1 respondents is suppressed ("below_k");
2. complementary: while the relations, with what is published (a suppressed cell lies
   anywhere in 0..its row total: the published table does not tell primary and
   complementary suppressions apart, since "this cell is 1..k-1" next to a total can
   itself pin a cell, e.g. three such cells in a group of 3), pin a protected cell (a
   suppressed cell, or a virtual one below k) to a single value,
   the smallest positive published cell in a relation with it is suppressed too
   ("complementary"; a zero when no positive cell is left, as in a group where everyone
   gave the same answer). Totals (group sizes, never below k) are never suppressed: they
   are repeated in every measure.

Whether a cell is pinned is decided with linear programming (the relations are those of
a two-way table, whose vertices are integral, so the LP bounds are the integer bounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

PRIMARY = "below_k"
COMPLEMENTARY = "complementary"
PUBLISHED_REASON = "disclosure"
"""What cohort.csv says of both kinds of suppressed cell."""


@dataclass(frozen=True)
class CountTable:
    """`counts[g, c]`, the last row the overall one; `relations` (E, C) hold in every row."""

    counts: IntArray
    relations: IntArray
    virtual: NDArray[np.bool_]
    total_column: int


def protect(table: CountTable, k: int) -> NDArray[np.object_]:
    """The reason each cell is not published ("" where it is), (G+1, C)."""
    counts = table.counts
    reasons = np.full(counts.shape, "", dtype=object)
    small = (counts >= 1) & (counts < k)
    small[:, table.total_column] = False
    reasons[small & ~table.virtual[None, :]] = PRIMARY
    protected = small.copy()
    # Withholding more cells only widens what the others may be, so a cell found free once
    # stays free: each is checked until it is, not again after every new suppression.
    free: set[tuple[int, int]] = set()
    while True:
        unknown = (reasons != "") | table.virtual[None, :]
        pinned = _pinned(table, unknown, reasons, protected, free)
        if not pinned:
            return reasons
        # One complement per pinned cell, skipping a cell whose row or column has just
        # had one (it may be free now; the next round checks it again).
        touched_rows: set[int] = set()
        touched_columns: set[int] = set()
        added = False
        for cell in pinned:
            if cell[0] in touched_rows or cell[1] in touched_columns:
                continue
            complement = _complement_for(table, cell, unknown)
            if complement is None:  # every cell but the totals is withheld
                continue
            reasons[complement] = COMPLEMENTARY
            unknown[complement] = True
            touched_rows.update((cell[0], complement[0]))
            touched_columns.update((cell[1], complement[1]))
            added = True
        if not added:
            return reasons


def _pinned(
    table: CountTable,
    unknown: NDArray[np.bool_],
    reasons: NDArray[np.object_],
    protected: NDArray[np.bool_],
    free: set[tuple[int, int]],
) -> list[tuple[int, int]]:
    """The protected cells the relations pin, in table order (a cheap pass first: a
    relation with a single unknown pins it without any LP)."""
    cells = [(int(r), int(c)) for r, c in np.argwhere(unknown)]
    targets = [
        cell
        for cell in cells
        if cell not in free
        and (protected[cell] or (reasons[cell] != "" and not table.virtual[cell[1]]))
    ]
    alone = [cell for cell in targets if _alone_in_a_relation(table, unknown, cell)]
    if alone or not targets:
        return alone
    equations, rhs = _equations(table, unknown, cells)
    bounds = [_bounds(table, cell) for cell in cells]
    position = {cell: i for i, cell in enumerate(cells)}
    # Every solution an LP returns is a point the relations allow: a cell seen at two
    # whole values apart is free without an LP of its own (most are, after the first two).
    seen = _Seen(len(cells))
    directions = np.random.default_rng(0).standard_normal((4, len(cells)))
    for objective in (np.ones(len(cells)), -np.ones(len(cells)), *directions):
        seen.add(_solve(equations, rhs, bounds, objective))
    pinned = []
    for cell in targets:
        i = position[cell]
        if not seen.free(i):
            objective = np.zeros(len(cells))
            objective[i] = 1.0
            seen.add(_solve(equations, rhs, bounds, objective))
            seen.add(_solve(equations, rhs, bounds, -objective))
            if not seen.free(i):
                pinned.append(cell)
                continue
        free.add(cell)
    return pinned


class _Seen:
    """The lowest and highest value each unknown took in the solutions found so far."""

    def __init__(self, n: int) -> None:
        self.low = np.full(n, np.inf)
        self.high = np.full(n, -np.inf)

    def add(self, solution: NDArray[np.float64] | None) -> None:
        if solution is not None:
            self.low = np.minimum(self.low, solution)
            self.high = np.maximum(self.high, solution)

    def free(self, i: int) -> bool:
        """Two whole values lie within what the cell was seen to take."""
        return bool(np.floor(self.high[i] + 1e-6) - np.ceil(self.low[i] - 1e-6) >= 1)


def _alone_in_a_relation(
    table: CountTable, unknown: NDArray[np.bool_], cell: tuple[int, int]
) -> bool:
    row, column = cell
    if unknown[:, column].sum() == 1:
        return True
    for relation in table.relations:
        if relation[column] and (unknown[row] & (relation != 0)).sum() == 1:
            return True
    return False


def _equations(
    table: CountTable, unknown: NDArray[np.bool_], cells: list[tuple[int, int]]
) -> tuple[Any, NDArray[np.float64]]:
    """The relations over the unknown cells: a sparse (E, len(cells)) matrix and the
    right-hand sides from the published cells."""
    from scipy.sparse import csr_array

    counts = table.counts.astype(float)
    n_rows, n_columns = counts.shape
    index = np.full(counts.shape, -1, dtype=np.int64)
    for i, cell in enumerate(cells):
        index[cell] = i
    entries: list[tuple[int, int, float]] = []
    rhs: list[float] = []

    def add(members: list[tuple[int, int, float]]) -> None:
        known = 0.0
        mine = []
        for row, column, sign in members:
            if unknown[row, column]:
                mine.append((len(rhs), int(index[row, column]), sign))
            else:
                known += sign * counts[row, column]
        if mine:
            entries.extend(mine)
            rhs.append(-known)

    relations = [
        [(int(c), float(relation[c])) for c in np.flatnonzero(relation)]
        for relation in table.relations
    ]
    for row in range(n_rows):
        for relation in relations:
            add([(row, column, sign) for column, sign in relation])
    overall = n_rows - 1
    for column in range(n_columns):
        add([(row, column, -1.0 if row == overall else 1.0) for row in range(n_rows)])
    rows, columns, values = zip(*entries, strict=True) if entries else ((), (), ())
    matrix = csr_array((values, (rows, columns)), shape=(len(rhs), len(cells)))
    return matrix, np.array(rhs)


def _bounds(table: CountTable, cell: tuple[int, int]) -> tuple[float, float]:
    return 0.0, float(table.counts[cell[0], table.total_column])


def _solve(
    equations: Any,
    rhs: NDArray[np.float64],
    bounds: list[tuple[float, float]],
    objective: NDArray[np.float64],
) -> NDArray[np.float64] | None:
    """A point the relations allow that minimises `objective` (None: none found, which
    leaves the cells unproven, i.e. treated as pinned)."""
    from scipy.optimize import linprog

    solved = linprog(
        objective,
        A_eq=equations if equations.shape[0] else None,
        b_eq=rhs if equations.shape[0] else None,
        bounds=bounds,
        method="highs",
    )
    return np.asarray(solved.x, dtype=float) if solved.status == 0 else None


def _complement_for(
    table: CountTable, cell: tuple[int, int], unknown: NDArray[np.bool_]
) -> tuple[int, int] | None:
    """The smallest positive published cell sharing a relation with `cell`; failing that,
    a published zero sharing one (a row whose only positive cell is its total); failing
    that, the smallest published cell anywhere in the table (totals excepted)."""
    row, column = cell
    counts = table.counts
    near: set[tuple[int, int]] = {(other, column) for other in range(counts.shape[0])}
    for relation in table.relations:
        if relation[column]:
            near.update((row, int(c)) for c in np.flatnonzero(relation))
    everywhere = {(int(r), int(c)) for r, c in np.argwhere(np.ones_like(unknown))}
    for pool, positive in ((near, True), (near, False), (everywhere, True), (everywhere, False)):
        candidates = [
            candidate
            for candidate in pool
            if not unknown[candidate]
            and candidate[1] != table.total_column
            and (counts[candidate] > 0 or not positive)
        ]
        if candidates:
            return min(candidates, key=lambda c: (int(counts[c]), c[1], c[0]))
    return None
