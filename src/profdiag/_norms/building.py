"""Norms from a normative sample: a new version of an instrument with table norms per group.

Per group and scale (formulas and sources in docs/norms.md):
    PR(x) = 100 * (count below x + 0.5 * count equal to x) / N      (mid-rank)
    T(x) = 50 + 10 * Phi^-1(PR(x) / 100)                            (normalised T)
    stanine = clamp(floor(2z + 5.5), 1, 9), sten = clamp(floor(2z + 6), 1, 10), z = (T - 50) / 10
The mid-rank formula gives every raw score a PR, observed or not: one nobody had gets the
share of the sample below it. Below (above) everyone, PR is 0 (100); such PRs are held to
half a person from either end, 50 / N and 100 - 50 / N, so that T stays finite.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from profdiag._instrument.loading import parse_instrument
from profdiag._instrument.model import (
    AgeBand,
    BinaryFormat,
    ForcedChoiceFormat,
    GapHandling,
    Instrument,
    LikertFormat,
    LocalizedText,
    MultipleChoiceFormat,
    NormGroup,
    NumericFormat,
    Scale,
    ScaleNorm,
    Selector,
    TableRow,
)
from profdiag._norms.selection import attribute_columns
from profdiag._scoring.plan import FloatArray, ScaleStatus, compile_plan
from profdiag._scoring.result import ScoreResult, check_result_of
from profdiag.errors import ArgumentError, CellProblem, NormError, ResponseDataError

GROUP_ATTRIBUTES = ("sex", "grade", "age")
Smoothing = Literal["none", "moving-average"]
SMOOTHING: tuple[Smoothing, ...] = ("none", "moving-average")
DEFAULT_MIN_SIZE = 50
DEFAULT_WARN_SIZE = 200
MAX_INTEGER_ROWS = 10_000  # more attainable integers than this: interval rows instead
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
_SEX_TITLES = {"f": ("женский пол", "female"), "m": ("мужской пол", "male")}


@dataclass(frozen=True)
class GroupSummary:
    """One norm group as built: its id, selector, rows used and sample size per scale."""

    id: str
    selector: Selector
    rows: int
    scale_sizes: dict[str, int]
    years: tuple[int, int]


@dataclass(frozen=True)
class NormsBuild:
    """What `build_norms` returns: the new instrument and an account of the rows.

    ``excluded`` counts rows left out of every group, by reason; ``scale_excluded`` counts,
    per group and scale, rows of the group whose scale score did not meet the scale's
    missing-data rule. ``warnings`` are sentences about groups below the recommended size.
    """

    instrument: Instrument
    groups: tuple[GroupSummary, ...]
    rows_in: int
    excluded: dict[str, int]
    scale_excluded: dict[str, dict[str, int]]
    warnings: tuple[str, ...] = field(default=())
    replaced_groups: tuple[str, ...] = field(default=())


def parse_age_bands(text: str) -> tuple[tuple[int, int], ...]:
    """ "14-15,16-17" -> ((14, 15), (16, 17)); ArgumentError for anything else."""
    bands = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d{1,3})\s*[-\u2013]\s*(\d{1,3})\s*", part)
        if match is None:
            raise ArgumentError(
                f"age band {part.strip()!r}: expected two whole ages joined by '-', e.g. 14-15"
            )
        bands.append((int(match[1]), int(match[2])))
    return tuple(bands)


def build_norms(
    instrument: Instrument,
    result: ScoreResult,
    attributes: Mapping[str, Sequence[Any]],
    *,
    group_by: Sequence[str] = (),
    age_bands: Sequence[tuple[int, int]] = (),
    source: str,
    year: int | Sequence[Any],
    version: str | None = None,
    min_size: int = DEFAULT_MIN_SIZE,
    warn_size: int = DEFAULT_WARN_SIZE,
    smoothing: Smoothing = "none",
) -> NormsBuild:
    """Build table norms per group from a normative sample: a new instrument version.

    Each group (every combination of the `group_by` values present in the sample) gets
    a norm group whose tables map every attainable raw score of every scale to its
    percentile rank (mid-rank: ``PR = 100 (below + 0.5 equal) / N``), normalised T
    (``50 + 10 Phi^-1(PR / 100)``), stanine and sten. A row is left out of every group
    when it had invalid cells (lenient scoring) or lacks a group attribute or the year;
    it is left out of one scale's table when that scale's score did not meet the scale's
    missing-data rule. Formulas, sources and the rules for scores nobody had: docs/norms.md.

    Parameters
    ----------
    instrument
        The instrument `result` was scored with. Its norm groups, if any, are replaced.
    result
        The normative sample's scores (`score()`).
    attributes
        Per-row columns: those named in `group_by` ("sex", "grade", "age"), checked as
        `standardize` checks them.
    group_by
        Attributes that split the sample into groups; none: one group for everyone.
    age_bands
        With "age" in `group_by`: the age bands (inclusive, not overlapping), e.g.
        ``[(14, 15), (16, 17)]``; rows whose age is in no band are left out.
    source
        Where the sample comes from (a citation, a survey name), stored in each group.
    year
        The year the data were collected, or one year per row (each group then records
        its latest year, and its source says the span).
    version
        The new instrument version (default: the instrument's version without any
        ``-``/``+`` suffix, then ``+norms.<year>``, the latest year).
    min_size
        Groups with fewer usable scores than this on any scale are refused.
    warn_size
        Groups smaller than this get a warning.
    smoothing
        "none" (default) or "moving-average": each table row's PR replaced by the mean
        of its own and its neighbours' PRs (three rows; two at either end).

    Returns
    -------
    NormsBuild
        The new instrument (validated), each group's sizes, and the rows left out.

    Raises
    ------
    ArgumentError
        For a result of another instrument, an instrument with overlaid texts, an unknown
        group attribute, bad age bands, sizes, version or smoothing, or no usable row.
    ResponseDataError
        For attribute or year values that are not a sex, grade, age or year.
    NormError
        For groups below `min_size`, each named with its size.

    Examples
    --------
    >>> import profdiag
    >>> ddo = profdiag.load_instrument("klimov-ddo")
    >>> rng = __import__("numpy").random.default_rng(1)
    >>> answers = [{str(k): "аб"[rng.integers(2)] for k in range(1, 21)} for _ in range(300)]
    >>> sex = ["f", "m"] * 150
    >>> built = build_norms(ddo, profdiag.score(ddo, answers), {"sex": sex},
    ...                     group_by=["sex"], source="synthetic", year=2026, min_size=100)
    >>> built.instrument.version, [group.id for group in built.instrument.norms]
    ('1.0.0+norms.2026', ['f', 'm'])
    """
    check_result_of(instrument, result, "build_norms")
    if instrument.overlay_hash is not None:
        raise ArgumentError(
            f"{instrument.id} carries item texts from an overlay: build norms on the "
            "instrument as shipped, so that licensed texts are not written into the new version"
        )
    n_rows = len(result)
    keys = _check_options(group_by, age_bands, min_size, warn_size, smoothing)
    years = _years(year, n_rows)
    latest = int(np.nanmax(years)) if not np.isnan(years).all() else None
    new_version = _new_version(instrument.version, version, latest)
    if not isinstance(source, str) or not source.strip():
        raise ArgumentError(f"source: got {source!r}; expected the sample's source as text")
    missing = [name for name in keys if name not in attributes]
    if missing:
        raise ArgumentError(
            f"no {', '.join(map(repr, missing))} values given; the grouping needs them"
        )
    columns = attribute_columns({name: attributes[name] for name in keys}, n_rows)
    usable, band_index, excluded = _usable_rows(result, keys, columns, years, age_bands)
    ok = result.status == ScaleStatus.OK
    groups: list[NormGroup] = []
    summaries: list[GroupSummary] = []
    scale_excluded: dict[str, dict[str, int]] = {}
    small: list[str] = []
    warnings: list[str] = []
    for selector, rows in _groups(keys, columns, band_index, age_bands, usable):
        group_id, title = _name(selector)
        sizes = {sid: int(ok[rows, s].sum()) for s, sid in enumerate(result.scale_ids)}
        dropped = {sid: len(rows) - size for sid, size in sizes.items() if size < len(rows)}
        if dropped:
            scale_excluded[group_id] = dropped
        smallest = min(sizes.values())
        if smallest < min_size:
            small.append(f"{group_id} ({smallest})")
            continue
        if smallest < warn_size:
            warnings.append(
                f"norm group {group_id!r} has {smallest} scores on its smallest scale, fewer "
                f"than the {warn_size} recommended: its percentile ranks are imprecise"
            )
        group_years = years[rows]
        first, last = int(group_years.min()), int(group_years.max())
        scales = _group_tables(instrument, result, rows, smoothing)
        groups.append(
            NormGroup(
                id=group_id,
                title=title,
                source=source.strip() + (f" (collected {first}-{last})" if first < last else ""),
                sample_size=int(rows.size),
                year=last,
                selector=selector,
                scales=scales,
            )
        )
        summaries.append(GroupSummary(group_id, selector, int(rows.size), sizes, (first, last)))
    if small:
        raise NormError(
            f"norm group(s) below the minimum size of {min_size} scores per scale: "
            + ", ".join(small)
            + "; merge groups (group by fewer attributes, wider age bands), add data, "
            "or lower the minimum size"
        )
    document = instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["version"] = new_version
    document["norms"] = [
        g.model_dump(mode="json", by_alias=True, exclude_none=True) for g in groups
    ]
    normed = parse_instrument(json.dumps(document, ensure_ascii=False))
    return NormsBuild(
        instrument=normed,
        groups=tuple(summaries),
        rows_in=n_rows,
        excluded=excluded,
        scale_excluded=scale_excluded,
        warnings=tuple(warnings),
        replaced_groups=tuple(group.id for group in instrument.norms),
    )


def _usable_rows(
    result: ScoreResult,
    keys: Sequence[str],
    columns: dict[str, np.ndarray],
    years: FloatArray,
    age_bands: Sequence[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Rows that can enter a group, each row's age band (-1: none), and how many rows were
    left out for each reason (the first reason that applies to a row)."""
    n_rows = len(result)
    excluded: dict[str, int] = {}
    usable = np.ones(n_rows, dtype=bool)

    def leave_out(mask: np.ndarray, reason: str) -> None:
        count = int((usable & mask).sum())
        if count:
            excluded[reason] = count
        usable[mask] = False

    leave_out(np.asarray(result.row_has_problem, dtype=bool), "invalid cells")
    for name in keys:
        column = columns[name]
        unknown = column == None if name == "sex" else np.isnan(column)  # noqa: E711
        leave_out(np.asarray(unknown, dtype=bool), f"no {name}")
    leave_out(np.isnan(years), "no year")
    band_index = np.full(n_rows, -1)
    if "age" in keys:
        for position, (low, high) in enumerate(age_bands):
            band_index[(columns["age"] >= low) & (columns["age"] <= high)] = position
        leave_out(band_index < 0, "age in no band")
    leave_out(~(result.status == ScaleStatus.OK).any(axis=1), "no scale scored")
    if not usable.any():
        raise ArgumentError(
            f"no row of {n_rows} can be used for norms"
            + (f" ({_counts(excluded)})" if excluded else "")
        )
    return usable, band_index, excluded


def _group_tables(
    instrument: Instrument, result: ScoreResult, rows: np.ndarray, smoothing: Smoothing
) -> dict[str, ScaleNorm]:
    """Each scale's table from the group's scores that meet the scale's missing rule."""
    plan = compile_plan(instrument)
    ok = result.status == ScaleStatus.OK
    scales = {}
    for s, scale in enumerate(instrument.scales):
        scores = result.raw[rows, s][ok[rows, s]]
        table = table_rows(scores, plan.scale_ranges[s], _integer_valued(instrument, scale))
        if smoothing == "moving-average":
            table = smooth(table, scores.size)
        scales[scale.id] = ScaleNorm(table=table)
    return scales


def percentile_ranks(scores: FloatArray, points: FloatArray) -> FloatArray:
    """Mid-rank PR of each value of `points` in the sample `scores` (0 to 100)."""
    ordered = np.sort(scores)
    below = np.searchsorted(ordered, points, side="left")
    not_above = np.searchsorted(ordered, points, side="right")
    ranks: FloatArray = 100.0 * (below + 0.5 * (not_above - below)) / ordered.size
    return ranks


def table_rows(
    scores: FloatArray, span: tuple[float, float], integer_valued: bool
) -> tuple[TableRow, ...]:
    """The table of one scale: a row per attainable integer, or interval rows covering
    every real number from the lowest to the highest attainable score."""
    low, high = span
    observed = np.unique(scores)
    if integer_valued and high - low < MAX_INTEGER_ROWS:
        points = np.arange(low, high + 1.0)
        bounds = [(float(p), float(p)) for p in points]
    else:
        # Scores computed in floating point may stray past the span by a rounding error.
        if observed.size:
            low, high = min(low, float(observed[0])), max(high, float(observed[-1]))
        bounds = _interval_rows(observed, low, high)
        points = np.array([a for a, _ in bounds])
    return _rows(bounds, percentile_ranks(scores, points), scores.size)


def smooth(rows: tuple[TableRow, ...], n: int) -> tuple[TableRow, ...]:
    """The moving average of adjacent rows' PRs (3 rows, 2 at the ends): non-decreasing
    PRs stay non-decreasing."""
    ranks = np.array([row.percentile for row in rows], dtype=float)
    padded = np.concatenate([[np.nan], ranks, [np.nan]])
    windows = np.stack([padded[:-2], padded[1:-1], padded[2:]])
    averaged: FloatArray = np.nanmean(windows, axis=0)
    return _rows([(row.raw_min, row.raw_max) for row in rows], averaged, n)


def _rows(bounds: Sequence[tuple[float, float]], ranks: FloatArray, n: int) -> tuple[TableRow, ...]:
    from scipy.special import ndtri

    held = np.clip(ranks, 50.0 / n, 100.0 - 50.0 / n) if n > 1 else np.full_like(ranks, 50.0)
    percentile = np.round(held, 2)
    t = np.round(50.0 + 10.0 * ndtri(held / 100.0), 2)
    z = (t - 50.0) / 10.0
    stanine = np.clip(np.floor(np.round(2.0 * z + 5.5, 9)), 1, 9)
    sten = np.clip(np.floor(np.round(2.0 * z + 6.0, 9)), 1, 10)
    return tuple(
        TableRow(
            raw_min=a,
            raw_max=b,
            percentile=float(percentile[k]),
            t=float(t[k]),
            stanine=int(stanine[k]),
            sten=int(sten[k]),
        )
        for k, (a, b) in enumerate(bounds)
    )


def _interval_rows(observed: FloatArray, low: float, high: float) -> list[tuple[float, float]]:
    """A point row per observed score and a row for each gap between them, so that any
    score from `low` to `high` falls in exactly one row."""
    bounds: list[tuple[float, float]] = []
    below = low
    for value in (float(v) for v in observed):
        if value > below:
            bounds.append((below, float(np.nextafter(value, -np.inf))))
        bounds.append((value, value))
        below = float(np.nextafter(value, np.inf))
    if below <= high:
        bounds.append((below, high))
    return bounds


def _integer_valued(instrument: Instrument, scale: Scale) -> bool:
    """Whether every score the scale can take is a whole number."""
    if scale.aggregation != "sum":
        return False
    rule = scale.missing
    if rule.gaps == GapHandling.PRORATE and rule.required(len(scale.items)) < len(scale.items):
        return False
    if rule.gaps == GapHandling.IMPUTE and not all(
        float(v).is_integer() for v in rule.impute_values.values()
    ):
        return False
    for entry in scale.items:
        if not float(entry.weight).is_integer():
            return False
        item = instrument.items[instrument.item_index[entry.item]]
        fmt = instrument.format_of(item)
        if entry.scores is not None:
            values = list(entry.scores.values())
        elif isinstance(fmt, LikertFormat | BinaryFormat):
            values = [float(code) for code in fmt.codes]
        elif isinstance(fmt, NumericFormat):
            if not (fmt.integer and fmt.min is not None and fmt.max is not None):
                return False
            values = [fmt.min, fmt.max]
        elif isinstance(fmt, MultipleChoiceFormat):
            values = [1.0, *item.partial_credit.values()]
        elif isinstance(fmt, ForcedChoiceFormat):
            values = [0.0]
        else:
            return False
        if not all(float(v).is_integer() for v in values):
            return False
    return True


def _check_options(
    group_by: Sequence[str],
    age_bands: Sequence[tuple[int, int]],
    min_size: int,
    warn_size: int,
    smoothing: str,
) -> list[str]:
    if isinstance(group_by, str):
        group_by = [part.strip() for part in group_by.split(",") if part.strip()]
    keys = list(group_by)
    unknown = [name for name in keys if name not in GROUP_ATTRIBUTES]
    if unknown:
        raise ArgumentError(
            f"cannot group norms by {', '.join(map(repr, unknown))}: a norm group's "
            f"selector knows {', '.join(GROUP_ATTRIBUTES)} (docs/norms.md says why)"
        )
    if len(set(keys)) != len(keys):
        raise ArgumentError(f"group_by names an attribute twice: {keys}")
    if ("age" in keys) != bool(age_bands):
        raise ArgumentError(
            "grouping by age needs age bands, and age bands need grouping by age"
            if "age" in keys
            else "age bands were given but the norms are not grouped by age"
        )
    ordered = sorted(age_bands)
    for low, high in ordered:
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 120):
            raise ArgumentError(
                f"age band {low}-{high}: expected whole ages from 0 to 120, the lower first"
            )
    for (_, high), (low, _) in itertools.pairwise(ordered):
        if low <= high:
            raise ArgumentError(f"age bands overlap at {low}-{high}: a respondent must fit one")
    for name, value in (("min_size", min_size), ("warn_size", warn_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ArgumentError(f"{name}: got {value!r}; expected a whole number from 1")
    if smoothing not in SMOOTHING:
        raise ArgumentError(f"smoothing: got {smoothing!r}; expected one of {SMOOTHING}")
    return keys


def _new_version(current: str, version: str | None, year: int | None) -> str:
    if version is None:
        base = re.split(r"[-+]", current, maxsplit=1)[0]
        version = f"{base}+norms.{year if year is not None else 'sample'}"
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ArgumentError(
            f"version: got {version!r}; expected e.g. 1.0.0+norms.tyumen2026 "
            "(numbers joined by dots, then optionally - or + and letters, digits, dots)"
        )
    if version == current:
        raise ArgumentError(
            f"version: {version!r} is the instrument's current version; a normed instrument "
            "is a new version"
        )
    return version


def _years(year: int | Sequence[Any], n_rows: int) -> FloatArray:
    if isinstance(year, bool | str | bytes) or (
        not isinstance(year, int | np.integer) and not isinstance(year, Iterable)
    ):
        raise ArgumentError(
            f"year: got {year!r}; expected a year such as 2026, or one year per row"
        )
    if isinstance(year, int | np.integer):
        year = int(year)
        if not 1900 <= year <= 2100:
            raise ArgumentError(f"year: got {year}; expected a year from 1900 to 2100")
        return np.full(n_rows, float(year))
    from profdiag._instrument.semantics import parse_number
    from profdiag._scoring.encode import is_no_answer

    cells = list(year)
    if len(cells) != n_rows:
        raise ArgumentError(f"year has {len(cells)} values for {n_rows} rows; one per row")
    values = np.full(n_rows, np.nan)
    problems = []
    for row, cell in enumerate(cells):
        if is_no_answer(cell) or (isinstance(cell, str) and not cell.strip()):
            continue
        number = parse_number(cell) if isinstance(cell, str) else cell
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float | np.integer | np.floating)
            or not math.isfinite(number)
            or not float(number).is_integer()
            or not 1900 <= number <= 2100
        ):
            problems.append(CellProblem(row, "year", cell, "a year from 1900 to 2100"))
            continue
        values[row] = float(number)
    if problems:
        raise ResponseDataError("year column", problems)
    return values


def _groups(
    keys: Sequence[str],
    columns: dict[str, np.ndarray],
    band_index: np.ndarray,
    age_bands: Sequence[tuple[int, int]],
    usable: np.ndarray,
) -> list[tuple[Selector, np.ndarray]]:
    """(selector, row indices) of every combination of group values present, ordered by
    the values of the first key, then the second, ..."""
    rows = np.flatnonzero(usable)
    combined = np.zeros(rows.size, dtype=np.int64)
    levels: list[np.ndarray] = []
    for name in keys:
        column = {"age": band_index, "grade": columns.get("grade"), "sex": columns.get("sex")}
        values, codes = np.unique(np.asarray(column[name])[rows], return_inverse=True)
        combined = combined * len(values) + codes.reshape(-1)
        levels.append(values)
    result = []
    for code in np.unique(combined):
        members = rows[combined == code]
        selection: dict[str, Any] = {}
        rest = int(code)
        for name, values in zip(reversed(keys), reversed(levels), strict=True):
            rest, position = divmod(rest, len(values))
            value = values[position]
            if name == "sex":
                selection["sex"] = (str(value),)
            elif name == "grade":
                selection["grade"] = (int(value),)
            else:
                low, high = age_bands[int(value)]
                selection["age"] = AgeBand(min=low, max=high)
        result.append((Selector(**selection), members))
    return result


def _name(selector: Selector) -> tuple[str, LocalizedText]:
    parts: list[str] = []
    ru: list[str] = []
    en: list[str] = []
    if selector.sex is not None:
        parts.append(selector.sex[0])
        ru.append(_SEX_TITLES[selector.sex[0]][0])
        en.append(_SEX_TITLES[selector.sex[0]][1])
    if selector.grade is not None:
        parts.append(f"grade-{selector.grade[0]}")
        ru.append(f"{selector.grade[0]} класс")
        en.append(f"grade {selector.grade[0]}")
    if selector.age is not None:
        parts.append(f"age-{selector.age.min}-{selector.age.max}")
        ru.append(f"{selector.age.min}-{selector.age.max} лет")
        en.append(f"age {selector.age.min}-{selector.age.max}")
    if not parts:
        return "all", LocalizedText(ru="вся выборка", en="whole sample")
    return "-".join(parts), LocalizedText(ru=", ".join(ru), en=", ".join(en))


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in counts.items())
