"""Raw scores -> standard scores against a named norm group, with confidence bands.

Per metric, a norm table from a manual wins; what the table does not give is derived from
z. z comes from the table too where it can (from its T, else from its percentile as a
normalised score), so that all of a row's scores agree; else from the group's mean and sd.
    z = (raw - mean) / sd          T = 50 + 10 z          percentile = 100 * Phi(z)
    stanine = clamp(floor(2z + 5.5), 1, 9)   sten = clamp(floor(2z + 6), 1, 10)
i.e. round(2z + 5) and round(2z + 5.5) with halves rounded up (not to even).
Confidence band on T: T +- z_(1+level)/2 * SEM, SEM = 10 * sqrt(1 - reliability).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._instrument.model import Bands, Instrument, NormGroup, ScaleNorm
from profdiag._norms.selection import assign_norm_groups
from profdiag._scoring.plan import FloatArray
from profdiag._scoring.result import ScoreResult, check_result_of
from profdiag.errors import ArgumentError, NormError

METRICS = ("z", "t", "t_low", "t_high", "percentile", "stanine", "sten")


@dataclass(frozen=True)
class StandardScores:
    """Standard scores of N respondents on S scales; NaN where no norm applies."""

    scale_ids: tuple[str, ...]
    norm_group: np.ndarray  # (N,) object: the norm group id used for each row, or None
    z: FloatArray
    t: FloatArray
    t_low: FloatArray
    t_high: FloatArray
    percentile: FloatArray
    stanine: FloatArray
    sten: FloatArray
    band: np.ndarray  # (N, S) object: interpretation level code, or None
    level: float

    def metric(self, name: str) -> FloatArray:
        value: FloatArray = getattr(self, name)
        return value


def critical_z(level: float) -> float:
    if not 0 < level < 1:
        raise ArgumentError(f"a confidence level between 0 and 1 (e.g. 0.90); got {level!r}")
    from scipy.special import ndtri  # imported when needed: scipy costs ~0.2 s at start-up

    return float(ndtri(0.5 + level / 2))


def standard_error_of_measurement(reliability: float, sd: float = 10.0) -> float:
    """SEM = sd * sqrt(1 - r); by default in T units (sd 10)."""
    return sd * float(np.sqrt(1.0 - reliability))


def se_difference(instrument: Instrument, scale_a: str, scale_b: str, sd: float = 10.0) -> float:
    """Standard error of the difference between two scales' standard scores.

    .. math:: SE_{a-b} = \\sqrt{SEM_a^2 + SEM_b^2}, \\quad SEM = sd \\sqrt{1 - r}

    Parameters
    ----------
    instrument
        The instrument; both scales must declare a reliability r.
    scale_a, scale_b
        Scale ids.
    sd
        The standard deviation of the score (10 for T scores).

    Returns
    -------
    float
        The standard error of the difference, in the units of `sd`.

    Raises
    ------
    NormError
        A scale declares no reliability.

    Examples
    --------
    Two scales with reliabilities 0.84 and 0.75 (SEM 4 and 5 T points):

    >>> from profdiag import parse_instrument
    >>> import json
    >>> definition = {
    ...     "format": "profdiag-instrument/1", "id": "two", "version": "1.0",
    ...     "title": {"en": "Two"}, "description": {"en": "Two scales."},
    ...     "authors": ["us"], "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
    ...     "text_status": {"en": "original"},
    ...     "response_formats": {"f": {"type": "likert", "codes": [1, 2, 3]}},
    ...     "items": [{"id": "i1", "format": "f"}, {"id": "i2", "format": "f"}],
    ...     "scales": [
    ...         {"id": "a", "title": {"en": "A"}, "items": [{"item": "i1"}],
    ...          "reliability": {"value": 0.84, "kind": "alpha", "source": "us"}},
    ...         {"id": "b", "title": {"en": "B"}, "items": [{"item": "i2"}],
    ...          "reliability": {"value": 0.75, "kind": "alpha", "source": "us"}}]}
    >>> round(se_difference(parse_instrument(json.dumps(definition)), "a", "b"), 4)
    6.4031
    """
    sems = []
    for scale_id in (scale_a, scale_b):
        reliability = instrument.scale(scale_id).reliability
        if reliability is None:
            raise NormError(f"scale {scale_id!r} of {instrument.id} declares no reliability")
        sems.append(standard_error_of_measurement(reliability.value, sd))
    return float(np.hypot(sems[0], sems[1]))


def standardize(
    instrument: Instrument,
    result: ScoreResult,
    *,
    norm_group: str | None = None,
    attributes: Mapping[str, Sequence[Any]] | None = None,
    level: float = 0.90,
) -> StandardScores:
    """Standard scores for every row of `result`.

    Parameters
    ----------
    instrument
        The instrument `result` was scored with (checked: id, version and content hash).
    result
        What `score()` returned.
    norm_group
        The id of the norm group for every row; else each row's `attributes` select one.
    attributes
        "sex", "age" and/or "grade": one value per row, or for one respondent a single
        value (see `assign_norm_groups` for what each accepts).
    level
        The confidence level of the bands on T, between 0 and 1.

    Returns
    -------
    StandardScores
        z, T with its band, percentile, stanine, sten and interpretation level; NaN for
        rows that match no group.

    Raises
    ------
    ArgumentError
        For a result of another instrument, attributes of the wrong length or name, or a
        level outside (0, 1).
    ResponseDataError
        For attribute values that are not a sex, an age or a grade.
    NormError
        For a named norm group the instrument does not have.

    Examples
    --------
    An instrument with a norm group for girls of 14-15 (mean 20, sd 5, reliability 0.84):

    >>> import json
    >>> import profdiag
    >>> definition = {
    ...     "format": "profdiag-instrument/1", "id": "n", "version": "1.0",
    ...     "title": {"en": "N"}, "description": {"en": "Normed."}, "authors": ["us"],
    ...     "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
    ...     "text_status": {"en": "original"},
    ...     "response_formats": {"f": {"type": "numeric", "min": 0, "max": 40}},
    ...     "items": [{"id": "i", "format": "f"}],
    ...     "scales": [{"id": "s", "title": {"en": "S"}, "items": [{"item": "i"}],
    ...                 "reliability": {"value": 0.84, "kind": "alpha", "source": "us"}}],
    ...     "norms": [{"id": "girls-14-15", "title": {"en": "girls 14-15"}, "source": "us",
    ...                "sample_size": 400,
    ...                "selector": {"sex": ["f"], "age": {"min": 14, "max": 15}},
    ...                "scales": {"s": {"mean": 20, "sd": 5}}}]}
    >>> instrument = profdiag.parse_instrument(json.dumps(definition))
    >>> result = profdiag.score(instrument, {"i": 30})
    >>> scores = standardize(instrument, result, attributes={"sex": "f", "age": 15})
    >>> float(scores.t[0, 0]), scores.norm_group[0], [round(float(x), 2) for x in
    ...     (scores.t_low[0, 0], scores.t_high[0, 0])]
    (70.0, 'girls-14-15', [63.42, 76.58])
    """
    check_result_of(instrument, result, "standardize")
    n_rows, n_scales = result.raw.shape
    z_crit = critical_z(level)
    groups = assign_norm_groups(instrument, n_rows, norm_group=norm_group, attributes=attributes)
    metrics = {name: np.full((n_rows, n_scales), np.nan) for name in METRICS}
    for group in instrument.norms:
        rows = np.flatnonzero(groups == group.id)
        if rows.size:
            _fill_group(instrument, result, group, rows, metrics, z_crit)
    band = np.full((n_rows, n_scales), None, dtype=object)
    for s, scale in enumerate(instrument.scales):
        if scale.bands is not None:
            basis = (
                result.raw[:, s] if scale.bands.basis == "raw" else metrics[scale.bands.basis][:, s]
            )
            band[:, s] = band_codes(scale.bands, basis)
    return StandardScores(
        scale_ids=result.scale_ids, norm_group=groups, band=band, level=level, **metrics
    )


def _fill_group(
    instrument: Instrument,
    result: ScoreResult,
    group: NormGroup,
    rows: np.ndarray,
    metrics: dict[str, FloatArray],
    z_crit: float,
) -> None:
    for scale_id, norm in group.scales.items():
        s = result.scale_ids.index(scale_id)
        values = norm_scores(norm, result.raw[rows, s])
        for name, column in values.items():
            metrics[name][rows, s] = column
        reliability = instrument.scale(scale_id).reliability
        if reliability is not None:
            half = z_crit * standard_error_of_measurement(reliability.value)
            metrics["t_low"][rows, s] = values["t"] - half
            metrics["t_high"][rows, s] = values["t"] + half


def norm_scores(norm: ScaleNorm, raw: FloatArray) -> dict[str, FloatArray]:
    """z, T, percentile, stanine and sten of raw scores under one scale's norm."""
    from scipy.special import ndtr, ndtri

    table = lookup_table(norm, raw)
    z = (table["t"] - 50.0) / 10.0
    percentile = table["percentile"]
    usable = np.isnan(z) & (percentile > 0) & (percentile < 100)
    z[usable] = ndtri(percentile[usable] / 100.0)
    if norm.mean is not None and norm.sd is not None:
        z = np.where(np.isnan(z), (raw - norm.mean) / norm.sd, z)
    derived = {
        "t": 50.0 + 10.0 * z,
        "percentile": 100.0 * ndtr(z),
        # Rounded to 9 decimals first, so that z = 0.24999999999999994 (from 0.2 / 0.8)
        # counts as the half it stands for.
        "stanine": np.clip(np.floor(np.round(2.0 * z + 5.5, 9)), 1, 9),
        "sten": np.clip(np.floor(np.round(2.0 * z + 6.0, 9)), 1, 10),
    }
    scores = {"z": z}
    for name, formula in derived.items():
        from_table = table[name]
        scores[name] = (
            np.where(np.isnan(from_table), formula, from_table) if norm.table else formula
        )
    return scores


def lookup_table(norm: ScaleNorm, raw: FloatArray) -> dict[str, FloatArray]:
    """Per metric, the table's value for each raw score (NaN when the table has none)."""
    columns = ("t", "percentile", "stanine", "sten")
    if not norm.table:
        return {name: np.full(raw.shape, np.nan) for name in columns}
    lows = np.array([row.raw_min for row in norm.table])
    highs = np.array([row.raw_max for row in norm.table])
    position = np.searchsorted(lows, raw, side="right") - 1
    inside = (position >= 0) & (raw <= highs[np.clip(position, 0, None)])
    position = np.clip(position, 0, None)
    looked_up = {}
    for name in columns:
        values = np.array(
            [np.nan if getattr(row, name) is None else getattr(row, name) for row in norm.table],
            dtype=float,
        )
        looked_up[name] = np.where(inside, values[position], np.nan)
    return looked_up


def band_codes(bands: Bands, scores: FloatArray) -> np.ndarray:
    """The interpretation level each score falls in (None below the first, or for NaN)."""
    starts = np.array([level.from_ for level in bands.levels])
    codes = np.array([level.code for level in bands.levels] + [None], dtype=object)
    position = np.searchsorted(starts, scores, side="right") - 1
    position[(position < 0) | np.isnan(scores)] = -1
    return codes[position]
