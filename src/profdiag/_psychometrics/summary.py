"""From the accumulated sums to the analysis: covariances, per-scale alpha and item
statistics, response frequencies and scale intercorrelations."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from profdiag._psychometrics.alpha import (
    alpha_statistics,
    cov_to_cor,
    feldt_interval,
    item_total,
)
from profdiag._psychometrics.moments import Moments, TotalsLayout
from profdiag._psychometrics.omega import omega
from profdiag._psychometrics.result import (
    ITEM_STATISTICS,
    SCALE_STATISTICS,
    ConfidenceInterval,
    Intercorrelations,
    ItemAnalysis,
    ScaleAnalysis,
    number,
)
from profdiag._psychometrics.variables import AnalysisPlan, Entry, FloatArray

OMEGA_MIN_ITEMS = 6


@dataclass(frozen=True)
class Pairwise:
    """Pairwise-complete statistics of the analysed variables (K x K)."""

    n: FloatArray  # respondents who answered both
    cov: FloatArray  # covariance over them (NaN where fewer than two)
    cor: FloatArray  # correlation over them, sds over them too (R's cor(use = "pairwise"))
    sums: FloatArray  # sums[k, l]: sum of shifted variable k over those who answered l too
    products: FloatArray  # sum of products of the shifted variables
    mean: FloatArray  # (K,) mean of each variable over its respondents

    @classmethod
    def of(cls, moments: Moments, shifts: FloatArray) -> Pairwise:
        k = shifts.shape[0]
        gram = moments.gram
        n = gram[k:, k:]
        sums = gram[:k, k:]
        products = gram[:k, :k]
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = (products - sums * sums.T / n) / (n - 1)
            mean = shifts + np.diag(sums) / np.diag(n)
            spread = (moments.squares - sums * sums / n) / (n - 1)  # var of k given l
            cor = cov / np.sqrt(spread * spread.T)
        cov[n < 2] = np.nan
        cor[n < 2] = np.nan
        np.fill_diagonal(cor, np.where(np.diag(n) < 2, np.nan, 1.0))
        return cls(n, cov, cor, sums, products, mean)


def varying_entries(plan: AnalysisPlan, pairwise: Pairwise, moments: Moments) -> list[list[bool]]:
    """Per scale and entry: whether the keyed item has variance (two or more answers
    that are not all the same). psych's `alpha()` leaves the others out."""
    counted = {int(item): row for row, item in enumerate(plan.counted_items)}
    free = {int(item): column for column, item in enumerate(plan.free_items)}
    decided: dict[int, bool] = {}
    for v, variable in enumerate(plan.variables):
        if pairwise.n[v, v] < 2:
            decided[v] = False
        elif variable.item in counted:
            seen = moments.counts[counted[variable.item]] > 0
            values = plan.counted_values[seen]
            if variable.points is not None:
                values = np.asarray(variable.points)[values.astype(np.intp)]
            decided[v] = np.unique(values).size > 1
        else:
            column = free[variable.item]
            decided[v] = bool(moments.low[column] < moments.high[column])
    return [[decided[entry.variable] for entry in layout.entries] for layout in plan.scales]


def scale_analyses(
    plan: AnalysisPlan,
    pairwise: Pairwise,
    moments: Moments,
    totals: Moments,
    layout: TotalsLayout,
    varying: list[list[bool]],
    n_rows: int,
    level: float,
) -> tuple[ScaleAnalysis, ...]:
    return tuple(
        _scale(plan, pairwise, moments, totals, layout, s, varying[s], n_rows, level)
        for s in range(len(plan.scales))
    )


def _scale(
    plan: AnalysisPlan,
    pairwise: Pairwise,
    moments: Moments,
    totals: Moments,
    layout: TotalsLayout,
    s: int,
    varying: list[bool],
    n_rows: int,
    level: float,
) -> ScaleAnalysis:
    scale = plan.scales[s]
    entries = scale.entries
    kept = [entry for entry, wanted in zip(entries, varying, strict=True) if wanted]
    notes: list[str] = []
    item_notes: dict[str, str] = {}
    for entry, wanted in zip(entries, varying, strict=True):
        if not wanted:
            item_notes[entry.item_id] = _why_left_out(plan, pairwise, moments, entry)
    left_out = [entry.item_id for entry in entries if entry.item_id in item_notes]
    if left_out:
        notes.append(
            f"left out of alpha and of the respondents' totals, as psych's alpha() leaves "
            f"out items without variance: {', '.join(left_out)} (see each item's note)"
        )
    if any(entry.weight != 1.0 for entry in entries):
        notes.append(
            "item weights are not used: the statistics are those of the unit-weighted "
            "keyed items, as psych's alpha() computes them"
        )

    statistics: dict[str, float | None] = dict.fromkeys(SCALE_STATISTICS)
    count, sum_t, sum_tt = totals.totals[:, s]
    if count > 0:
        statistics["mean"] = number(layout.shift[s] + sum_t / count)
    if count > 1:
        statistics["sd"] = number(math.sqrt(max(sum_tt - sum_t * sum_t / count, 0.0) / (count - 1)))

    per_item: dict[str, dict[str, float | None]] = {
        entry.item_id: dict.fromkeys(ITEM_STATISTICS) for entry in entries
    }
    for entry in entries:
        stats = per_item[entry.item_id]
        v = entry.variable
        if pairwise.n[v, v] > 0:
            stats["mean"] = number(entry.offset + entry.sign * pairwise.mean[v])
        if pairwise.n[v, v] > 1:
            stats["sd"] = number(math.sqrt(max(pairwise.cov[v, v], 0.0)))

    interval = None
    if len(kept) < 2:
        notes.append(
            f"alpha needs at least two items with variance; this scale has {len(kept)}"
            + ("" if len(entries) == len(kept) else f" of its {len(entries)} items")
        )
    else:
        index = np.array([entry.variable for entry in kept])
        signs = np.array([entry.sign for entry in kept])
        c = pairwise.cov[np.ix_(index, index)] * np.outer(signs, signs)
        unpaired = _unpaired(kept, pairwise)
        if unpaired:
            notes.append(
                "no alpha: these items were answered together by fewer than two "
                f"respondents, so their covariance is unknown: {unpaired}"
            )
        else:
            interval = _alpha(c, kept, statistics, per_item, n_rows, level, notes)
            _item_total_r(kept, s, len(plan.scales), pairwise, totals, layout, per_item)
            _omega(kept, pairwise, statistics, notes)
            if len(kept) == 2:
                notes.append(
                    "alpha_if_dropped is null: dropping one of two items leaves a single "
                    "item, which has no alpha"
                )
    for entry in kept:
        r_drop = per_item[entry.item_id]["r_drop"]
        # Negative as printed (three decimals): -1e-17 is rounding noise, not a keying error.
        if r_drop is not None and round(r_drop, 3) < 0:
            notes.append(
                f"{entry.item_id} correlates negatively with the rest of the scale "
                f"(r_drop {r_drop:.3f}): check its keying"
            )

    items = tuple(
        _item(plan, pairwise, moments, entry, per_item[entry.item_id], item_notes, n_rows)
        for entry in entries
    )
    return ScaleAnalysis(
        scale.scale_id, len(entries), len(kept), statistics, interval, items, tuple(notes)
    )


def _alpha(
    c: FloatArray,
    kept: list[Entry],
    statistics: dict[str, float | None],
    per_item: dict[str, dict[str, float | None]],
    n_rows: int,
    level: float,
    notes: list[str],
) -> ConfidenceInterval | None:
    r = cov_to_cor(c)
    found = alpha_statistics(c, r)
    statistics.update(
        raw_alpha=number(found.raw_alpha),
        std_alpha=number(found.std_alpha),
        g6_smc=number(found.g6_smc),
        average_r=number(found.average_r),
        signal_noise=number(found.signal_noise),
        alpha_se=number(math.sqrt(found.q / n_rows)) if found.q >= 0 else None,
        median_r=number(found.median_r),
    )
    undefined = [name for name in SCALE_STATISTICS[:7] if statistics[name] is None]
    if undefined:
        notes.append(
            f"not defined for these data (a division by zero or a negative variance term): "
            f"{', '.join(undefined)}"
        )
    by_item = item_total(c, r)
    for j, entry in enumerate(kept):
        per_item[entry.item_id].update(
            std_r=number(by_item.std_r[j]),
            r_cor=number(by_item.r_cor[j]),
            r_drop=number(by_item.r_drop[j]),
            alpha_if_dropped=number(by_item.alpha_if_dropped[j]),
        )
    alpha = statistics["raw_alpha"]
    if alpha is None:
        return None
    lower, upper = feldt_interval(alpha, n_rows, len(kept), level)
    return ConfidenceInterval("feldt", level, number(lower), number(upper))


def _omega(
    kept: list[Entry],
    pairwise: Pairwise,
    statistics: dict[str, float | None],
    notes: list[str],
) -> None:
    """omega_h and omega_total from the keyed items' pairwise correlations (psych's
    `omega()` defaults: three group factors)."""
    if len(kept) < OMEGA_MIN_ITEMS:
        notes.append(
            f"omega needs at least {OMEGA_MIN_ITEMS} items with variance (two for each of "
            f"three group factors); with {len(kept)}, psych would fit an under-identified "
            "model"
        )
        return
    index = np.array([entry.variable for entry in kept])
    signs = np.array([entry.sign for entry in kept])
    r = pairwise.cor[np.ix_(index, index)] * np.outer(signs, signs)
    try:
        found = omega(r) if np.isfinite(r).all() else None
    except (np.linalg.LinAlgError, ValueError):
        found = None
    if found is None:
        notes.append("omega could not be computed: the items' correlations admit no factor model")
        return
    statistics.update(omega_h=number(found.omega_h), omega_total=number(found.omega_total))
    if found.reversed:
        names = ", ".join(kept[i].item_id for i in found.reversed)
        notes.append(
            f"omega: reversed (as psych's omega() does) because they load negatively on "
            f"the general factor: {names}"
        )
    if not found.converged:
        notes.append("omega: the factor analysis or the rotation did not converge: use with care")
    if found.heywood:
        notes.append(
            "omega: a Heywood case in the three-factor solution (an item's uniqueness at "
            "psych's lower bound .005): the group factors are not well defined, and with "
            "little common variance omega itself depends on the optimiser (psych's too)"
        )


def _item_total_r(
    kept: list[Entry],
    s: int,
    n_scales: int,
    pairwise: Pairwise,
    totals: Moments,
    layout: TotalsLayout,
    per_item: dict[str, dict[str, float | None]],
) -> None:
    """raw_r: the correlation of the keyed item with the respondents' totals, over the
    respondents who answered the item (R's cor(total, x, use = "pairwise"))."""
    k = pairwise.n.shape[0]
    cross = totals.cross
    for entry in kept:
        v = entry.variable
        n = pairwise.n[v, v]
        sum_t, sum_tt = cross[s, k + v], cross[n_scales + s, k + v]
        sum_ty, sum_y = cross[s, v], pairwise.sums[v, v]
        cov_ty = (sum_ty - sum_t * sum_y / n) / (n - 1)
        var_t = (sum_tt - sum_t * sum_t / n) / (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = entry.sign * cov_ty / math.sqrt(var_t * pairwise.cov[v, v]) if var_t > 0 else None
        per_item[entry.item_id]["raw_r"] = number(r)


def _unpaired(kept: list[Entry], pairwise: Pairwise) -> str:
    pairs = [
        f"{a.item_id} and {b.item_id}"
        for i, a in enumerate(kept)
        for b in kept[i + 1 :]
        if pairwise.n[a.variable, b.variable] < 2
    ]
    shown = "; ".join(pairs[:5])
    return shown + (f"; ... ({len(pairs)} pairs)" if len(pairs) > 5 else "")


def _why_left_out(plan: AnalysisPlan, pairwise: Pairwise, moments: Moments, entry: Entry) -> str:
    n = int(pairwise.n[entry.variable, entry.variable])
    if n == 0:
        return "no respondent answered this item: left out of alpha and of the totals"
    if n == 1:
        return "only one respondent answered this item: left out of alpha and of the totals"
    mean = entry.offset + entry.sign * pairwise.mean[entry.variable]
    return f"no variance (every keyed answer is {mean:g}): left out of alpha and of the totals"


def _item(
    plan: AnalysisPlan,
    pairwise: Pairwise,
    moments: Moments,
    entry: Entry,
    statistics: dict[str, float | None],
    notes: dict[str, str],
    n_rows: int,
) -> ItemAnalysis:
    n = int(pairwise.n[entry.variable, entry.variable])
    answers = plan.answers[entry.item]
    frequencies = difficulty = distractors = None
    note = notes.get(entry.item_id)
    if answers is not None and n > 0:
        row = int(np.searchsorted(plan.counted_items, entry.item))
        columns = np.searchsorted(plan.counted_values, answers.values)
        shares = moments.counts[row, columns] / n
        frequencies = dict(zip(answers.labels, map(float, shares), strict=True))
        if answers.credit is not None and answers.correct is not None:
            difficulty = float(np.dot(shares, answers.credit))
            distractors = {
                label: share for label, share in frequencies.items() if label not in answers.correct
            }
    elif answers is None and note is None:
        note = "a numeric item: no response frequencies"
    return ItemAnalysis(
        entry.item_id,
        entry.reverse,
        n,
        statistics,
        frequencies,
        1.0 - n / n_rows,
        difficulty,
        distractors,
        note,
    )


def intercorrelations(
    plan: AnalysisPlan,
    pairwise: Pairwise,
    varying: list[list[bool]],
    scales: tuple[ScaleAnalysis, ...],
) -> Intercorrelations:
    """Correlations of the unit-weighted keyed composites from the item covariances, and
    the same corrected for attenuation by each scale's raw alpha."""
    n_scales = len(plan.scales)
    keys = np.zeros((plan.n_variables, n_scales))
    for s, (layout, use) in enumerate(zip(plan.scales, varying, strict=True)):
        for entry, wanted in zip(layout.entries, use, strict=True):
            if wanted:
                keys[entry.variable, s] += entry.sign
    used = np.flatnonzero(np.abs(keys).sum(axis=1) > 0)
    weights = keys[used]
    composite = weights.T @ pairwise.cov[np.ix_(used, used)] @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = cov_to_cor(composite) if n_scales else composite
        alphas = np.array([_or_nan(scale["raw_alpha"]) for scale in scales])
        corrected = raw / np.sqrt(np.outer(alphas, alphas))
    empty = ~(np.abs(keys).sum(axis=0) > 0)
    raw[empty, :] = raw[:, empty] = np.nan
    np.fill_diagonal(raw, np.where(empty, np.nan, 1.0))
    np.fill_diagonal(corrected, np.where(np.isnan(alphas), np.nan, 1.0))
    return Intercorrelations(tuple(layout.scale_id for layout in plan.scales), raw, corrected)


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value
