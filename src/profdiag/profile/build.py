"""Build Profiles for a batch: scores, standard scores, codes, indices, flags, matches.

Everything numeric is computed for the whole batch at once; only the final step turns each
row into a Profile object.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from profdiag.instrument.model import Instrument, Scale
from profdiag.norms.standard import (
    StandardScores,
    critical_z,
    standard_error_of_measurement,
    standardize,
)
from profdiag.profile import holland
from profdiag.profile.matching import holland_fit, klimov_fit, rank_occupations
from profdiag.profile.model import (
    Band,
    CatalogueRef,
    Comparison,
    HollandIndices,
    InstrumentProfile,
    NormInfo,
    OccupationMatch,
    Profile,
    ScaleResult,
    SubtestTiming,
    ValidityFlag,
)
from profdiag.profile.occupations import DDO_TYPES, OccupationCatalogue
from profdiag.profile.validity import FLAG_TEXTS, ValidityFlags, ValidityThresholds, validity_flags
from profdiag.scoring.plan import FloatArray, compile_plan, option_points
from profdiag.scoring.result import ScoreResult
from profdiag.scoring.score import score_with_values
from profdiag.scoring.timing import SpeedAccuracy, speed_accuracy, timed_scales

_CONSISTENCY: dict[int, Literal["high", "medium", "low", "undetermined"]] = {
    1: "high",
    2: "medium",
    3: "low",
}


@dataclass(frozen=True)
class ProfileInput:
    """One instrument's data for a batch of respondents (rows in the same order for every
    instrument of a profile)."""

    instrument: Instrument
    data: Any
    norm_group: str | None = None
    attributes: Mapping[str, Sequence[Any]] | None = None
    total_seconds: Sequence[Any] | None = None
    subtest_seconds: Mapping[str, Sequence[Any]] | None = None  # timed scale id -> seconds
    id_column: str | None = None
    other_columns: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Scored:
    instrument: Instrument
    result: ScoreResult
    standard: StandardScores
    flags: ValidityFlags
    holland_scores: FloatArray | None  # (N, 6) in hexagon order for riasec code rules
    holland_ranked: holland.RankedScores | None  # those, ranked with the rule's tie margin
    spans: list[tuple[float, float]]  # each scale's possible raw range
    timing: SpeedAccuracy | None


def build_profiles(
    inputs: Sequence[ProfileInput],
    *,
    catalogue: OccupationCatalogue | None = None,
    top: int = 10,
    level: float = 0.90,
    strict: bool = True,
    thresholds: ValidityThresholds | None = None,
    names: Sequence[str | None] | None = None,
) -> list[Profile]:
    from profdiag import __version__

    scored = [_score(part, level, strict, thresholds) for part in inputs]
    n_rows = len(scored[0].result)
    if any(len(part.result) != n_rows for part in scored):
        raise ValueError("every instrument of a profile needs the same respondents, in order")
    sections = [_sections(part, level) for part in scored]
    matches = _matches(scored, catalogue, top) if catalogue is not None else [[]] * n_rows
    catalogue_ref = (
        CatalogueRef(id=catalogue.id, version=catalogue.version, region=catalogue.region)
        if catalogue is not None
        else None
    )
    ids = scored[0].result.row_ids
    return [
        Profile(
            respondent=str(ids[row]),
            name=names[row] if names is not None else None,
            profdiag_version=__version__,
            instruments=[section[row] for section in sections],
            catalogue=catalogue_ref,
            matches=matches[row],
        )
        for row in range(n_rows)
    ]


def _score(
    part: ProfileInput, level: float, strict: bool, thresholds: ValidityThresholds | None
) -> _Scored:
    instrument = part.instrument
    other = [*part.other_columns, *(part.attributes or {})]
    result, values = score_with_values(
        instrument, part.data, strict=strict, id_column=part.id_column, other_columns=other
    )
    standard = standardize(
        instrument, result, norm_group=part.norm_group, attributes=part.attributes, level=level
    )
    holland_scores = _holland_scores(instrument, result)
    spans = [scale_range(instrument, scale) for scale in instrument.scales]
    share = ranked = None
    if holland_scores is not None:
        assert instrument.code_rule is not None
        ranked = holland.rank(_nan_low(holland_scores), instrument.code_rule.tie_margin)
        widest = max(high for _, high in spans) - min(low for low, _ in spans)
        share = holland.differentiation_holland(holland_scores) / widest
    flags = validity_flags(
        values, differentiation_share=share, total_seconds=part.total_seconds, thresholds=thresholds
    )
    timing = None
    if timed_scales(instrument):
        timing = speed_accuracy(instrument, result, part.subtest_seconds)
    return _Scored(instrument, result, standard, flags, holland_scores, ranked, spans, timing)


def _holland_scores(instrument: Instrument, result: ScoreResult) -> FloatArray | None:
    rule = instrument.code_rule
    if rule is None or rule.kind != "riasec":
        return None
    by_letter: dict[str, str] = {letter: scale_id for scale_id, letter in rule.letters.items()}
    columns = [result.scale_ids.index(by_letter[letter]) for letter in holland.HEXAGON]
    return result.raw[:, columns]


def scale_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    """The lowest and highest raw score the scale can take."""
    plan = compile_plan(instrument)
    low = high = weights = 0.0
    for entry in scale.items:
        position = instrument.item_index[entry.item]
        points = option_points(instrument, instrument.items[position], entry.scores)
        if points is None:  # a linear entry: reverse keying maps the range onto itself
            span = (plan.codings[position].low, plan.codings[position].high)
        else:
            span = (min(points), max(points))
        low += entry.weight * span[0]
        high += entry.weight * span[1]
        weights += entry.weight
    if scale.aggregation == "mean":
        return low / weights, high / weights
    return low, high


def _sections(part: _Scored, level: float) -> list[InstrumentProfile]:
    instrument, result, standard = part.instrument, part.result, part.standard
    ranked = holland.rank(
        _nan_low(result.raw), instrument.code_rule.tie_margin if instrument.code_rule else 0.0
    )
    codes: list[str | None] = [None] * len(result)
    indices: list[HollandIndices | None] = [None] * len(result)
    if part.holland_scores is not None and part.holland_ranked is not None:
        assert instrument.code_rule is not None
        scores, letters = part.holland_scores, part.holland_ranked
        complete = np.asarray(~np.isnan(scores).any(axis=1))
        codes = [
            code if complete[row] else None
            for row, code in enumerate(holland.code_notation(letters, instrument.code_rule.length))
        ]
        indices = _holland_indices(scores, letters, codes, instrument.code_rule.length)
    elif instrument.code_rule is not None:  # leading types
        codes = [" = ".join(_leading(instrument, ranked, row)) for row in range(len(result))]
    comparisons = _comparisons(instrument, standard, level)
    labels = result.status_labels()
    bands = {scale.id: scale.bands for scale in instrument.scales if scale.bands}
    spans = part.spans
    norms = {
        group.id: NormInfo(
            id=group.id,
            title=group.title,
            source=group.source,
            sample_size=group.sample_size,
            year=group.year,
        )
        for group in instrument.norms
    }
    sections = []
    for row in range(len(result)):
        scales = [
            _scale_result(instrument, scale, result, standard, labels, bands, row, s, spans[s])
            for s, scale in enumerate(instrument.scales)
        ]
        sections.append(
            InstrumentProfile(
                instrument_id=result.instrument.id,
                instrument_version=result.instrument.version,
                content_hash=result.instrument.content_hash,
                overlay_hash=result.instrument.overlay_hash,
                title=instrument.title,
                measures=instrument.measures,
                notice=instrument.licence.notice,
                norm_group=standard.norm_group[row],
                norm=norms.get(standard.norm_group[row]),
                confidence_level=level,
                scales=scales,
                leading=_leading(instrument, ranked, row),
                code=codes[row],
                holland=indices[row],
                comparisons=comparisons[row],
                flags=_raised_flags(part.flags, row),
                timing=_timing(instrument, part.timing, row),
                row_status="problems" if result.row_has_problem[row] else "ok",
            )
        )
    return sections


def _nan_low(scores: FloatArray) -> FloatArray:
    """Unscored scales sort last."""
    return np.where(np.isnan(scores), -np.inf, scores)


def _leading(instrument: Instrument, ranked: holland.RankedScores, row: int) -> list[str]:
    if not np.isfinite(ranked.sorted_scores[row, 0]):
        return []
    members = ranked.order[row][ranked.tie_group[row] == 0]
    return [instrument.scales[int(s)].id for s in sorted(members)]


def _holland_indices(
    scores: FloatArray, ranked: holland.RankedScores, codes: list[str | None], length: int
) -> list[HollandIndices | None]:
    consistency = holland.consistency(ranked)
    tied = holland.code_is_tied(ranked, length)
    spread = holland.differentiation_holland(scores)
    iachan = holland.differentiation_iachan(ranked)
    total = holland.elevation(scores)
    complete = np.asarray(~np.isnan(scores).any(axis=1))
    return [
        HollandIndices(
            code=str(codes[row]),
            scores={letter: float(scores[row, k]) for k, letter in enumerate(holland.HEXAGON)},
            tied=bool(tied[row]),
            consistency=_CONSISTENCY.get(int(consistency[row]), "undetermined"),
            differentiation_holland=float(spread[row]),
            differentiation_iachan=float(iachan[row]),
            elevation=float(total[row]),
            elevation_mean=float(total[row]) / 6.0,
        )
        if complete[row]
        else None
        for row in range(scores.shape[0])
    ]


def _comparisons(
    instrument: Instrument, standard: StandardScores, level: float
) -> list[list[Comparison]]:
    """Adjacent leading scales by T score: is each higher than the next beyond chance?"""
    n_rows = standard.t.shape[0]
    reliable = [scale.reliability is not None for scale in instrument.scales]
    if not instrument.norms or not all(reliable):
        return [[] for _ in range(n_rows)]
    z = critical_z(level)
    sems = [
        standard_error_of_measurement(scale.reliability.value)
        for scale in instrument.scales
        if scale.reliability is not None
    ]
    length = instrument.code_rule.length if instrument.code_rule else 3
    order = np.argsort(-np.nan_to_num(standard.t, nan=-np.inf), axis=1, kind="stable")
    result = []
    for row in range(n_rows):  # at most `length` pairs per row, each a few floats
        pairs = []
        for k in range(min(length, len(instrument.scales) - 1)):
            a, b = int(order[row, k]), int(order[row, k + 1])
            t_a, t_b = standard.t[row, a], standard.t[row, b]
            if math.isnan(t_a) or math.isnan(t_b):
                break
            se = math.hypot(sems[a], sems[b])  # as norms.se_difference
            pairs.append(
                Comparison(
                    higher=instrument.scales[a].id,
                    lower=instrument.scales[b].id,
                    difference_t=float(t_a - t_b),
                    se_difference_t=se,
                    critical_difference_t=z * se,
                    distinct=bool(t_a - t_b > z * se),
                )
            )
        result.append(pairs)
    return result


def _scale_result(
    instrument: Instrument,
    scale: Scale,
    result: ScoreResult,
    standard: StandardScores,
    labels: np.ndarray,
    bands: Mapping[str, Any],
    row: int,
    s: int,
    span: tuple[float, float],
) -> ScaleResult:
    def number(value: float) -> float | None:
        return None if math.isnan(value) else float(value)

    def whole(value: float) -> int | None:
        return None if math.isnan(value) else int(value)

    band = None
    code = standard.band[row, s]
    if code is not None:
        level = next(level for level in bands[scale.id].levels if level.code == code)
        band = Band(code=code, label=level.label)
    starts = []
    if scale.bands is not None and scale.bands.basis == "raw":
        starts = [level.from_ for level in scale.bands.levels]
    return ScaleResult(
        id=scale.id,
        title=scale.title,
        description=scale.description,
        minimum=span[0],
        maximum=span[1],
        raw=number(result.raw[row, s]),
        answered=int(result.answered[row, s]),
        items=len(scale.items),
        status=str(labels[row, s]),
        z=number(standard.z[row, s]),
        t=number(standard.t[row, s]),
        t_low=number(standard.t_low[row, s]),
        t_high=number(standard.t_high[row, s]),
        percentile=number(standard.percentile[row, s]),
        stanine=whole(standard.stanine[row, s]),
        sten=whole(standard.sten[row, s]),
        band=band,
        band_starts=starts,
    )


def _timing(instrument: Instrument, timing: SpeedAccuracy | None, row: int) -> list[SubtestTiming]:
    if timing is None:
        return []

    def number(value: float) -> float | None:
        return None if math.isnan(value) else float(value)

    result = []
    for t, scale_id in enumerate(timing.scale_ids):
        scale = instrument.scale(scale_id)
        assert scale.time_limit_seconds is not None
        result.append(
            SubtestTiming(
                scale=scale_id,
                attempted=int(timing.attempted[row, t]),
                items=len(scale.items),
                accuracy=number(timing.accuracy[row, t]),
                completion=float(timing.completion[row, t]),
                items_per_minute=number(timing.items_per_minute[row, t]),
                time_used=number(timing.time_used[row, t]),
                time_limit_seconds=scale.time_limit_seconds,
            )
        )
    return result


def _raised_flags(flags: ValidityFlags, row: int) -> list[ValidityFlag]:
    values = {
        "missing": (flags.missing_share[row], None),
        "identical_run": (float(flags.longest_identical_run[row]), None),
        "too_fast": (flags.seconds_per_item[row], None),
    }
    raised = []
    for code in flags.raised(row):
        value, threshold = values.get(code, (None, None))
        raised.append(
            ValidityFlag(
                code=code,
                value=None if value is None or math.isnan(value) else float(value),
                threshold=threshold,
                explanation=FLAG_TEXTS[code],
            )
        )
    return raised


def _matches(
    scored: Sequence[_Scored], catalogue: OccupationCatalogue, top: int
) -> list[list[OccupationMatch]]:
    n_rows = len(scored[0].result)
    fits: list[FloatArray] = []
    c_index = m_index = similarity = klimov = None
    for part in scored:
        if part.holland_scores is not None and part.holland_ranked is not None and c_index is None:
            fit = holland_fit(part.holland_scores, part.holland_ranked, catalogue)
            complete = np.asarray(~np.isnan(part.holland_scores).any(axis=1))
            fits.append(np.where(complete[:, None], fit.fit, np.nan))
            c_index, m_index, similarity = fit.brown_gore_c, fit.iachan_m, fit.similarity
        elif _is_klimov(part.instrument) and klimov is None:
            columns = [part.result.scale_ids.index(t) for t in DDO_TYPES]
            klimov = klimov_fit(part.result.raw[:, columns], catalogue)
            fits.append(klimov)
    if not fits:
        return [[] for _ in range(n_rows)]
    with np.errstate(invalid="ignore"):
        stacked = np.stack(fits)
        available = (~np.isnan(stacked)).sum(axis=0)
        combined = np.where(
            available > 0, np.nansum(stacked, axis=0) / np.maximum(available, 1), np.nan
        )
    order = rank_occupations(combined, catalogue, top)
    occupations = catalogue.occupations

    def value(array: FloatArray | None, row: int, m: int) -> float | None:
        if array is None or math.isnan(array[row, m]):
            return None
        return float(array[row, m])

    return [
        [
            OccupationMatch(
                id=occupations[m].id,
                title=occupations[m].title,
                riasec=occupations[m].riasec,
                ddo=list(occupations[m].ddo),
                education=list(occupations[m].education),
                regional_demand=occupations[m].regional_demand,
                fit=float(combined[row, m]),
                brown_gore_c=value(c_index, row, m),
                iachan_m=value(m_index, row, m),
                similarity=value(similarity, row, m),
                klimov_fit=value(klimov, row, m),
            )
            for m in order[row]
            if not math.isnan(combined[row, m])
        ]
        for row in range(n_rows)
    ]


def _is_klimov(instrument: Instrument) -> bool:
    return (
        instrument.code_rule is not None
        and instrument.code_rule.kind == "leading"
        and set(DDO_TYPES) <= set(instrument.scale_index)
    )
