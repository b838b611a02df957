"""Differential item functioning (DIF) screening between groups of respondents.

Each item of a scale is compared between a reference and a focal group among respondents
matched on the rest score (the scale's keyed total without the studied item). Counts come
from one bincount per scale and block over stratum x group x response, so no Python loop
runs over respondents; every statistic is then computed from the counts, for all items of
a scale at once.

Dichotomous items (two possible keyed values): the Mantel-Haenszel common odds ratio, the
ETS delta MH D-DIF = -2.35 ln(alpha_MH), its standard error from the Robins-Breslow-
Greenland variance (equal to Phillips-Holland's), the continuity-corrected MH chi-square
(as R's `mantelhaen.test`) and the ETS A/B/C class (Zwick 2012, ETS RR-12-08).
Polytomous items: the Liu-Agresti (1996) cumulative common odds ratio, the standardised
mean difference (Dorans & Schmitt 1991), Mantel's (1963) chi-square for ordered scores and
the AA/BB/CC class of Zwick, Thayer & Mazzeo (1997). Formulas: docs/analysis.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._psychometrics.variables import AnalysisPlan, FloatArray, ScaleLayout
from profdiag.errors import ArgumentError

DELTA = 2.35  # ETS delta metric: D = -2.35 ln(odds ratio)
SIGNIFICANCE = 0.05
Z_ONE_SIDED = 1.6448536269514722  # the normal 0.95 quantile: |D| significantly above 1
SMD_SMALL = 0.17  # Zwick, Thayer & Mazzeo (1997): |SMD|/SD above which BB ...
SMD_LARGE = 0.25  # ... and above which CC
DIF_ROWS = 65_536  # rows counted at once
SINGLE_PRECISION_BINS = 2**24  # float32 holds every whole number below
MAX_GROUPS = 50  # more values look like an identifier or a score, not groups

DIF_METHOD = (
    "Matched on the rest score (the scale's keyed total without the item; respondents "
    "who answered every item of the scale). Dichotomous items: Mantel-Haenszel alpha, "
    "MH D-DIF = -2.35 ln(alpha) with the Robins-Breslow-Greenland standard error, "
    "continuity-corrected MH chi-square, ETS A/B/C (Zwick 2012). Polytomous items: "
    "Liu-Agresti cumulative odds ratio, SMD (Dorans & Schmitt) over the item's SD, "
    "Mantel chi-square, AA/BB/CC (Zwick, Thayer & Mazzeo 1997); see docs/analysis.md"
)
DICHOTOMOUS_STATISTICS = (
    "alpha_mh",
    "mh_d_dif",
    "mh_d_dif_se",
    "mh_chi_square",
    "p_value",
)
POLYTOMOUS_STATISTICS = (
    "la_odds_ratio",
    "la_log_odds_ratio",
    "la_log_odds_ratio_se",
    "smd",
    "item_sd",
    "smd_over_sd",
    "mantel_chi_square",
    "p_value",
)

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ItemDif:
    """One item compared between the reference and the focal group."""

    item_id: str
    kind: str  # "dichotomous" or "polytomous"
    n_reference: int  # analysed: answered the item and every other item of the scale
    n_focal: int
    n_missing: int  # in either group, did not answer the item
    n_not_scorable: int  # answered the item, not every other item: no rest score
    n_unmatched: int  # analysed, in a stratum without the other group: no contribution
    n_strata: int  # rest-score strata with both groups
    statistics: dict[str, float | None]  # DICHOTOMOUS_ or POLYTOMOUS_STATISTICS
    dif_class: str | None  # A, B, C or AA, BB, CC; None when not computable
    favours: str | None  # "reference", "focal" or None (no difference / not computable)
    note: str | None = None

    def __getitem__(self, statistic: str) -> float | None:
        return self.statistics[statistic]

    @property
    def flagged(self) -> bool:
        return self.dif_class not in (None, "A", "AA")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.kind,
            "n_reference": self.n_reference,
            "n_focal": self.n_focal,
            "n_missing": self.n_missing,
            "n_not_scorable": self.n_not_scorable,
            "n_unmatched": self.n_unmatched,
            "n_strata": self.n_strata,
        }
        out.update(self.statistics)
        out["class"] = self.dif_class
        out["favours"] = self.favours
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class ScaleDif:
    scale_id: str
    items: tuple[ItemDif, ...]
    note: str | None = None

    def item(self, item_id: str) -> ItemDif:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"items": {item.item_id: item.as_dict() for item in self.items}}
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class DifComparison:
    """The focal group against the reference group, scale by scale."""

    reference: str
    focal: str
    scales: tuple[ScaleDif, ...]

    def scale(self, scale_id: str) -> ScaleDif:
        for scale in self.scales:
            if scale.scale_id == scale_id:
                return scale
        raise KeyError(scale_id)

    def flagged(self) -> list[tuple[str, ItemDif]]:
        """(scale id, item) of every item in class B/C (BB/CC)."""
        return [(s.scale_id, i) for s in self.scales for i in s.items if i.flagged]

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "focal": self.focal,
            "scales": {scale.scale_id: scale.as_dict() for scale in self.scales},
        }


@dataclass(frozen=True)
class DifAnalysis:
    """DIF screening by one grouping column: one comparison per focal group."""

    by: str
    groups: dict[str, int]  # group value -> respondents
    n_no_group: int  # respondents without a group value (left out)
    reference: str
    comparisons: tuple[DifComparison, ...]

    def comparison(self, focal: str) -> DifComparison:
        for comparison in self.comparisons:
            if comparison.focal == focal:
                return comparison
        raise KeyError(focal)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": DIF_METHOD,
            "by": self.by,
            "groups": dict(self.groups),
            "no_group": self.n_no_group,
            "reference": self.reference,
            "comparisons": [comparison.as_dict() for comparison in self.comparisons],
        }


# --- groups -------------------------------------------------------------------------


def group_codes(column: Any, n_rows: int, name: str) -> tuple[IntArray, list[str]]:
    """Each row's group as a code into the sorted group labels (-1: no value). Labels are
    the cells as text, trimmed; an empty cell or null has no group."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from profdiag._arrow import arrow_array

    arrow = arrow_array(column)
    if arrow is None:
        if hasattr(column, "to_numpy") and not isinstance(column, np.ndarray):
            column = column.to_numpy()  # a pandas Series
        if isinstance(column, np.ndarray) and column.dtype.kind in "USiu":
            return _codes_of_plain_array(column, n_rows, name)
        cells = column if isinstance(column, np.ndarray) else list(column)
        try:
            arrow = pa.chunked_array([pa.array(cells, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            text = [_text(cell) for cell in cells]  # mixed types: each cell as text
            arrow = pa.chunked_array([pa.array(text, pa.string())])
    if len(arrow) != n_rows:
        raise ArgumentError(
            f"the grouping column {name!r} has {len(arrow)} values; expected one per "
            f"respondent ({n_rows})"
        )
    if pa.types.is_dictionary(arrow.type):
        arrow = arrow.cast(arrow.type.value_type)
    if pa.types.is_floating(arrow.type):
        arrow = pc.if_else(pc.is_nan(arrow), pa.scalar(None, arrow.type), arrow)
    text = pc.utf8_trim_whitespace(pc.cast(arrow, pa.string()))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    encoded = text.combine_chunks().dictionary_encode()
    labels = [str(label) for label in encoded.dictionary.to_pylist()]
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    order = sorted(range(len(labels)), key=lambda i: _label_key(labels[i]))
    remap = np.full(len(labels) + 1, -1, dtype=np.int64)
    remap[np.array(order, dtype=np.int64)] = np.arange(len(labels))
    codes = remap[indices]  # -1 indexes the last entry, which stays -1
    return codes, [labels[i] for i in order]


def _codes_of_plain_array(column: np.ndarray, n_rows: int, name: str) -> tuple[IntArray, list[str]]:
    """Text or whole numbers in a numpy array: one np.unique, then the few labels."""
    if column.ndim != 1 or len(column) != n_rows:
        raise ArgumentError(
            f"the grouping column {name!r} has shape {column.shape}; expected one value per "
            f"respondent ({n_rows})"
        )
    uniques, inverse = np.unique(column, return_inverse=True)
    texts = [
        (u.decode("utf-8", "replace") if isinstance(u, bytes) else str(u)).strip()
        for u in uniques.tolist()
    ]
    labels = sorted({t for t in texts if t}, key=_label_key)
    position = {label: i for i, label in enumerate(labels)}
    remap = np.array([position.get(t, -1) for t in texts], dtype=np.int64)
    return remap[inverse.reshape(-1)], labels


def _text(cell: Any) -> str | None:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _label_key(label: str) -> tuple[int, float, str]:
    """Numbers in numeric order, before text in text order."""
    try:
        number = float(label)
    except ValueError:
        return (1, 0.0, label)
    return (0, number, label) if math.isfinite(number) else (1, 0.0, label)


def choose_reference(
    labels: Sequence[str], sizes: Sequence[int], name: str, reference: str | None
) -> int:
    """The reference group: the one named, else the larger of two groups (the first in
    order on a tie)."""
    shown = ", ".join(repr(label) for label in labels[:12]) + (", ..." if len(labels) > 12 else "")
    if len(labels) < 2:
        seen = f"only {shown}" if labels else "no values"
        raise ArgumentError(
            f"the grouping column {name!r} has {seen}; DIF compares two or more groups"
        )
    if len(labels) > MAX_GROUPS:
        raise ArgumentError(
            f"the grouping column {name!r} has {len(labels)} different values ({shown}); "
            f"DIF compares groups (at most {MAX_GROUPS}): is it an identifier or a score?"
        )
    if reference is not None:
        if str(reference) not in labels:
            raise ArgumentError(
                f"the reference group {reference!r} is not a value of the grouping column "
                f"{name!r} (values: {shown})"
            )
        return list(labels).index(str(reference))
    if len(labels) > 2:
        raise ArgumentError(
            f"the grouping column {name!r} has {len(labels)} groups ({shown}); with more "
            "than two, name the reference group each other group is compared with"
        )
    return 0 if sizes[0] >= sizes[1] else 1


# --- counting -----------------------------------------------------------------------


@dataclass(frozen=True)
class _ScaleCounting:
    """How one scale's keyed values become strata and response categories."""

    layout: ScaleLayout
    items: NDArray[np.intp]  # (m,) item positions
    sign: FloatArray  # (m,) linear entries: keyed = offset + sign * value
    offset: FloatArray
    points: tuple[FloatArray | None, ...]  # lookup entries: keyed = points[value]
    values: tuple[tuple[float, ...], ...]  # each entry's possible keyed values, sorted
    rest_low: IntArray  # (m,) lowest possible rest score
    n_strata: int
    n_categories: int
    category_of: IntArray  # (m * width,) keyed value - lowest -> category (-1: none)
    width: int
    contiguous: bool  # every item's keyed values are whole numbers lowest..highest


def _scale_counting(plan: AnalysisPlan, layout: ScaleLayout) -> _ScaleCounting | str:
    """The counting plan of a scale, or why its items cannot be matched on a rest score."""
    entries = layout.entries
    if len(entries) < 2:
        return "a scale of one item has no rest score to match on"
    values: list[tuple[float, ...]] = []
    points: list[FloatArray | None] = []
    for entry in entries:
        variable = plan.variables[entry.variable]
        if variable.points is not None:
            points.append(np.array(variable.points, dtype=np.float64))
            values.append(tuple(sorted(set(variable.points))))
            continue
        points.append(None)
        found = plan.answers[entry.item]
        if found is None:
            return f"item {entry.item_id} takes any number: no strata of rest scores"
        values.append(tuple(sorted({entry.offset + entry.sign * v for v in found.values})))
    if not all(float(v).is_integer() for vs in values for v in vs):
        return "keyed item values are not whole numbers: no strata of rest scores"
    lows = np.array([vs[0] for vs in values], dtype=np.int64)
    highs = np.array([vs[-1] for vs in values], dtype=np.int64)
    rest_low = lows.sum() - lows
    rest_high = highs.sum() - highs
    width = int((highs - lows).max()) + 1
    category_of = np.full(len(entries) * width, -1, dtype=np.int64)
    for j, vs in enumerate(values):
        for c, v in enumerate(vs):
            category_of[j * width + int(v) - int(lows[j])] = c
    return _ScaleCounting(
        layout=layout,
        items=np.array([entry.item for entry in entries], dtype=np.intp),
        sign=np.array([entry.sign for entry in entries]),
        offset=np.array([entry.offset for entry in entries]),
        points=tuple(points),
        values=tuple(values),
        rest_low=rest_low,
        n_strata=int((rest_high - rest_low).max()) + 1,
        n_categories=max(len(vs) for vs in values),
        category_of=category_of,
        width=width,
        contiguous=all(len(vs) == int(vs[-1] - vs[0]) + 1 for vs in values),
    )


@dataclass
class _Counts:
    table: IntArray  # (m, strata, groups, categories) analysed respondents
    missing: IntArray  # (m, groups) did not answer the item
    not_scorable: IntArray  # (m, groups) answered it, not every other item of the scale


def _keyed(countings: Sequence[_ScaleCounting], block: FloatArray) -> NDArray[Any]:
    """The keyed values of every scale's items, item by item: (items of all scales, rows),
    so that each scale's rows are one contiguous slice. Single precision when every bin
    number stays below 2^24 (whole numbers are exact there); it halves the memory read."""
    items = np.concatenate([c.items for c in countings])
    bins = max(len(c.values) * c.n_strata * c.n_categories * 64 for c in countings)
    dtype: type[np.floating[Any]] = np.float32 if bins < SINGLE_PRECISION_BINS else np.float64
    keyed: NDArray[np.floating[Any]] = block.T.astype(dtype)  # numpy copies this fast
    if not np.array_equal(items, np.arange(block.shape[1])):
        keyed = keyed[items]
    reverse = np.flatnonzero(np.concatenate([c.sign for c in countings]) < 0)
    if len(reverse):
        offsets = np.concatenate([c.offset for c in countings])[reverse, None]
        keyed[reverse] = np.subtract(offsets.astype(dtype), keyed[reverse])
    row = 0
    for counting in countings:
        for table in counting.points:
            if table is not None:
                column = keyed[row]  # the option positions (sign 1, offset 0)
                answered = ~np.isnan(column)
                column[answered] = table[column[answered].astype(np.intp)]
            row += 1
    return keyed


def _count_block(
    counting: _ScaleCounting, keyed: NDArray[Any], codes: IntArray, n_groups: int
) -> _Counts:
    """Counts of one block: `keyed` (items, rows), every row with a group (codes >= 0)."""
    m = len(counting.values)
    strata, categories = counting.n_strata, counting.n_categories
    answered: NDArray[np.bool_] = ~np.isnan(keyed)
    complete: NDArray[np.bool_] = np.asarray(answered.all(axis=0))
    # Per group: respondents, answers of each item (one product with the group indicators).
    members = np.bincount(codes, minlength=n_groups)
    indicators = (codes[:, None] == np.arange(n_groups)).astype(np.float32)
    answers = (answered.astype(np.float32) @ indicators).astype(np.int64)  # (m, groups)
    scored = np.bincount(codes[complete], minlength=n_groups)
    whole = keyed[:, complete]
    codes = codes[complete]
    # bin = ((item * strata + rest - rest_low) * groups + group) * categories + category,
    # rest = total - keyed: linear in the keyed value, so one multiply-add per cell.
    width = n_groups * categories
    lows = np.array([vs[0] for vs in counting.values])
    base = whole.sum(axis=0) * width + codes * categories  # (rows,)
    item = np.arange(m)
    if counting.contiguous:  # category = keyed - lowest
        constant = (item * strata - counting.rest_low) * width - lows
        index = (whole * (1 - width) + (base + constant[:, None])).astype(np.intp)
    else:
        at = (item * counting.width - lows)[:, None] + whole
        category = counting.category_of[at.astype(np.intp)]
        constant = (item * strata - counting.rest_low) * width
        index = (base - whole * width + constant[:, None]).astype(np.intp) + category
    table = np.bincount(index.ravel(), minlength=m * strata * width)
    return _Counts(
        table.reshape(m, strata, n_groups, categories).astype(np.int64),
        (members - answers).astype(np.int64),
        (answers - scored).astype(np.int64),
    )


def count_scales(
    plan: AnalysisPlan,
    read: Callable[[int, int], FloatArray],
    n_rows: int,
    block_rows: int,
    groups: IntArray,
    n_groups: int,
) -> list[_Counts | str]:
    """Per scale, the counts of every item (or why the scale cannot be analysed)."""
    countings = [_scale_counting(plan, layout) for layout in plan.scales]
    totals: list[_Counts | str] = [
        c if isinstance(c, str) else _empty(c, n_groups) for c in countings
    ]
    used = [(c, t) for c, t in zip(countings, totals, strict=True) if not isinstance(c, str)]
    if not used:
        return totals
    step = max(block_rows, DIF_ROWS // block_rows * block_rows)
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        parts = [read(s, min(stop, s + block_rows)) for s in range(start, stop, block_rows)]
        block = parts[0] if len(parts) == 1 else np.concatenate(parts)
        codes = groups[start:stop]
        grouped = codes >= 0
        if not grouped.all():
            block, codes = block[grouped], codes[grouped]
        keyed = _keyed([c for c, _ in used], block)
        row = 0
        for counting, total in used:
            assert not isinstance(counting, str) and not isinstance(total, str)
            m = len(counting.values)
            found = _count_block(counting, keyed[row : row + m], codes, n_groups)
            row += m
            total.table += found.table
            total.missing += found.missing
            total.not_scorable += found.not_scorable
    return totals


def _empty(counting: _ScaleCounting, n_groups: int) -> _Counts:
    m = len(counting.values)
    shape = (m, counting.n_strata, n_groups, counting.n_categories)
    return _Counts(
        np.zeros(shape, dtype=np.int64),
        np.zeros((m, n_groups), dtype=np.int64),
        np.zeros((m, n_groups), dtype=np.int64),
    )


# --- statistics ---------------------------------------------------------------------


def mantel_haenszel(reference: IntArray, focal: IntArray) -> dict[str, FloatArray]:
    """MH statistics of items x strata x 2 counts (category 1 = the higher keyed value).

    Strata without both groups contribute nothing."""
    a = reference[..., 1].astype(np.float64)  # reference, higher value
    b = reference[..., 0].astype(np.float64)
    c = focal[..., 1].astype(np.float64)
    d = focal[..., 0].astype(np.float64)
    n_ref, n_foc = a + b, c + d
    used = (n_ref > 0) & (n_foc > 0)
    n = np.where(used, n_ref + n_foc, 1.0)
    a, b, c, d = (np.where(used, x, 0.0) for x in (a, b, c, d))
    n_ref, n_foc = a + b, c + d
    r_k, s_k = a * d / n, b * c / n
    p_k, q_k = (a + d) / n, (b + c) / n
    r, s = r_k.sum(-1), s_k.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = r / s
        variance = (
            (p_k * r_k).sum(-1) / (2 * r**2)
            + (p_k * s_k + q_k * r_k).sum(-1) / (2 * r * s)
            + (q_k * s_k).sum(-1) / (2 * s**2)
        )
        ones = a + c
        expected = (n_ref * ones / n).sum(-1)
        var_a = (n_ref * n_foc * ones * (n - ones) / (n**2 * np.maximum(n - 1, 1))).sum(-1)
        difference = np.abs(a.sum(-1) - expected)
        # As R's mantelhaen.test: the 0.5 correction only when |difference| >= 0.5.
        correction = np.where(difference >= 0.5, 0.5, 0.0)
        chi_square = (difference - correction) ** 2 / var_a
        d_dif = -DELTA * np.log(alpha)
        d_se = DELTA * np.sqrt(variance)
    return {
        "alpha_mh": alpha,
        "mh_d_dif": d_dif,
        "mh_d_dif_se": d_se,
        "mh_chi_square": chi_square,
        "p_value": _chi2_sf(chi_square),
    }


def _chi2_sf(chi_square: FloatArray) -> FloatArray:
    """P(chi-square with 1 df > x); scipy is imported here, not when profdiag is."""
    from scipy import stats

    return np.asarray(stats.chi2.sf(chi_square, 1), dtype=np.float64)


def ets_class(d_dif: float | None, se: float | None, p_value: float | None) -> str | None:
    """ETS A/B/C (Zwick 2012): A when MH D-DIF is not significantly different from 0 (MH
    chi-square, 0.05) or |D| < 1; C when |D| >= 1.5 and |D| is significantly greater than
    1 (one-sided z test at 0.05: (|D| - 1) / SE > 1.645); B otherwise."""
    if d_dif is None or p_value is None:
        return None
    size = abs(d_dif)
    if p_value >= SIGNIFICANCE or size < 1.0:
        return "A"
    if size >= 1.5 and se is not None and se > 0 and (size - 1.0) / se > Z_ONE_SIDED:
        return "C"
    return "B"


def polytomous(reference: IntArray, focal: IntArray, scores: FloatArray) -> dict[str, FloatArray]:
    """Liu-Agresti, SMD and Mantel statistics of items x strata x categories counts;
    `scores` (items x categories) are the keyed values of the categories."""
    x = reference.astype(np.float64)
    y = focal.astype(np.float64)
    n_ref, n_foc = x.sum(-1), y.sum(-1)
    used = (n_ref > 0) & (n_foc > 0)
    x = np.where(used[..., None], x, 0.0)
    y = np.where(used[..., None], y, 0.0)
    n_ref, n_foc = x.sum(-1), y.sum(-1)
    n = np.where(used, n_ref + n_foc, 1.0)
    # Cumulative splits "above category c" between categories seen in either group.
    seen = np.asarray((x + y).sum(1) > 0)  # (items, categories)
    above = np.cumsum(seen[:, ::-1], axis=1)[:, ::-1] - seen  # seen categories above c
    split = (seen & (above > 0)).astype(np.float64)[:, None, :]  # (items, 1, categories)
    b = np.cumsum(x, -1)  # reference at or below c
    d = np.cumsum(y, -1)
    a = n_ref[..., None] - b  # reference above c
    c = n_foc[..., None] - d
    nk = n[..., None]
    r = (split * a * d / nk).sum((-1, -2))
    s = (split * b * c / nk).sum((-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = r / s
        psi_k = psi[:, None, None]
        # Delta method: T = sum (a d - psi b c) / N; response in category c' moves a_c (or
        # c_c) for every split c below c'.
        grad_x = split * (d + psi_k * c) / nk
        grad_y = -split * (a + psi_k * b) / nk
        g_x = np.cumsum(grad_x, -1) - grad_x  # splits strictly below c'
        g_y = np.cumsum(grad_y, -1) - grad_y
        safe_ref = np.where(n_ref > 0, n_ref, 1.0)
        safe_foc = np.where(n_foc > 0, n_foc, 1.0)
        var_t = (
            (x * g_x**2).sum(-1)
            - (x * g_x).sum(-1) ** 2 / safe_ref
            + (y * g_y**2).sum(-1)
            - (y * g_y).sum(-1) ** 2 / safe_foc
        )
        log_se = np.sqrt(var_t.sum(-1)) / r
        v = scores[:, None, :]
        focal_sum = (y * v).sum(-1)
        both = x + y
        expected = n_foc / n * (both * v).sum(-1)
        variance = (
            n_ref
            * n_foc
            / (n**2 * np.maximum(n - 1, 1))
            * (n * (both * v**2).sum(-1) - (both * v).sum(-1) ** 2)
        )
        chi_square = (focal_sum.sum(-1) - expected.sum(-1)) ** 2 / variance.sum(-1)
        weights = n_foc / n_foc.sum(-1, keepdims=True)
        mean_foc = focal_sum / safe_foc
        mean_ref = (x * v).sum(-1) / safe_ref
        smd = (weights * (mean_foc - mean_ref)).sum(-1)
        all_counts = (reference + focal).sum(1).astype(np.float64)  # every analysed row
        total = all_counts.sum(-1)
        mean = (all_counts * scores).sum(-1) / total
        item_sd = np.sqrt((all_counts * (scores - mean[:, None]) ** 2).sum(-1) / (total - 1))
        return {
            "la_odds_ratio": psi,
            "la_log_odds_ratio": np.log(psi),
            "la_log_odds_ratio_se": log_se,
            "smd": smd,
            "item_sd": item_sd,
            "smd_over_sd": smd / item_sd,
            "mantel_chi_square": chi_square,
            "p_value": _chi2_sf(chi_square),
        }


def zwick_class(smd_over_sd: float | None, p_value: float | None) -> str | None:
    """Zwick, Thayer & Mazzeo (1997): AA when Mantel's chi-square is not significant (0.05)
    or |SMD/SD| <= 0.17; BB when |SMD/SD| <= 0.25; CC above."""
    if smd_over_sd is None or p_value is None:
        return None
    size = abs(smd_over_sd)
    if p_value >= SIGNIFICANCE or size <= SMD_SMALL:
        return "AA"
    return "BB" if size <= SMD_LARGE else "CC"


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def compare(
    plan: AnalysisPlan,
    counts: list[_Counts | str],
    reference: int,
    focal: int,
    labels: Sequence[str],
) -> DifComparison:
    scales = []
    for layout, found in zip(plan.scales, counts, strict=True):
        if isinstance(found, str):
            scales.append(ScaleDif(layout.scale_id, (), found))
            continue
        scales.append(
            ScaleDif(layout.scale_id, _scale_items(plan, layout, found, reference, focal))
        )
    return DifComparison(labels[reference], labels[focal], tuple(scales))


def _scale_items(
    plan: AnalysisPlan, layout: ScaleLayout, found: _Counts, reference: int, focal: int
) -> tuple[ItemDif, ...]:
    counting = _scale_counting(plan, layout)
    assert not isinstance(counting, str)
    ref = found.table[:, :, reference, :]
    foc = found.table[:, :, focal, :]
    n_categories = counting.n_categories
    scores = np.array(
        [list(vs) + [vs[-1]] * (n_categories - len(vs)) for vs in counting.values],
        dtype=np.float64,
    )
    dichotomous = np.array([len(vs) == 2 for vs in counting.values])
    mh = mantel_haenszel(ref[..., :2], foc[..., :2]) if dichotomous.any() else {}
    poly = polytomous(ref, foc, scores) if (~dichotomous).any() else {}
    both = (ref.sum(-1) > 0) & (foc.sum(-1) > 0)
    items = []
    for j, entry in enumerate(layout.entries):
        n_ref, n_foc = int(ref[j].sum()), int(foc[j].sum())
        unmatched = int(ref[j][~both[j]].sum() + foc[j][~both[j]].sum())
        common = {
            "item_id": entry.item_id,
            "n_reference": n_ref,
            "n_focal": n_foc,
            "n_missing": int(found.missing[j, reference] + found.missing[j, focal]),
            "n_not_scorable": int(found.not_scorable[j, reference] + found.not_scorable[j, focal]),
            "n_unmatched": unmatched,
            "n_strata": int(both[j].sum()),
        }
        if len(counting.values[j]) < 2:
            items.append(
                ItemDif(
                    kind="constant",
                    statistics={},
                    dif_class=None,
                    favours=None,
                    note="the item has one possible keyed value",
                    **common,  # type: ignore[arg-type]
                )
            )
            continue
        if dichotomous[j]:
            values = {name: _finite(mh[name][j]) for name in DICHOTOMOUS_STATISTICS}
            d_dif = values["mh_d_dif"]
            dif_class = ets_class(d_dif, values["mh_d_dif_se"], values["p_value"])
            favours = _favours(d_dif)
            kind = "dichotomous"
        else:
            values = {name: _finite(poly[name][j]) for name in POLYTOMOUS_STATISTICS}
            dif_class = zwick_class(values["smd_over_sd"], values["p_value"])
            smd = values["smd"]
            favours = _favours(smd)  # SMD > 0: the focal group scores higher
            kind = "polytomous"
        note = None
        if dif_class is None:
            note = (
                "no stratum has both groups"
                if common["n_strata"] == 0
                else "not computable: within the strata with both groups, the answers do not "
                "vary as the statistic needs"
            )
        items.append(
            ItemDif(
                kind=kind,
                statistics=values,
                dif_class=dif_class,
                favours=favours if dif_class is not None else None,
                note=note,
                **common,  # type: ignore[arg-type]
            )
        )
    return tuple(items)


def _favours(d_dif: float | None) -> str | None:
    """Negative D-DIF: the item is harder (scores lower) for the focal group."""
    if d_dif is None or d_dif == 0:
        return None
    return "reference" if d_dif < 0 else "focal"


@dataclass(frozen=True)
class Grouping:
    """Each respondent's group (-1: none), the group labels and the reference group."""

    name: str
    codes: IntArray
    labels: list[str]
    reference: int


def grouping(column: Any, n_rows: int, name: str, reference: str | None) -> Grouping:
    """The groups of a column, checked before any counting."""
    codes, labels = group_codes(column, n_rows, name)
    sizes = np.bincount(codes[codes >= 0], minlength=len(labels))
    chosen = choose_reference(labels, sizes.tolist(), name, reference)
    return Grouping(name, codes, labels, chosen)


def dif_analysis(
    plan: AnalysisPlan,
    read: Callable[[int, int], FloatArray],
    n_rows: int,
    block_rows: int,
    groups: Grouping,
) -> DifAnalysis:
    codes, labels, chosen = groups.codes, groups.labels, groups.reference
    counts = count_scales(plan, read, n_rows, block_rows, codes, len(labels))
    comparisons = tuple(
        compare(plan, counts, chosen, focal, labels)
        for focal in range(len(labels))
        if focal != chosen
    )
    sizes = np.bincount(codes[codes >= 0], minlength=len(labels))
    return DifAnalysis(
        by=groups.name,
        groups={label: int(size) for label, size in zip(labels, sizes, strict=True)},
        n_no_group=int((codes < 0).sum()),
        reference=labels[chosen],
        comparisons=comparisons,
    )
