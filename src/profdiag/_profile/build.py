"""Build Profiles for a batch: scores, standard scores, codes, indices, flags, matches.

Everything numeric is computed for the whole batch at once; only the final step turns each
row into a Profile object.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from profdiag._instrument.model import Instrument, LocalizedText, Scale
from profdiag._norms.standard import (
    StandardScores,
    critical_z,
    se_difference,
    standardize,
)
from profdiag._profile import holland
from profdiag._profile.matching import (
    FIT_LEVELS,
    STAGES,
    TIE_RULE,
    WITHHELD_TEXTS,
    fit_levels,
    holland_fit,
    klimov_fit,
    klimov_on_fit_scale,
    rank_occupations,
    route_for,
    tie_ranks,
)
from profdiag._profile.model import (
    DATE_EXPECTED,
    Band,
    CatalogueRef,
    Comparison,
    HollandIndices,
    InstrumentProfile,
    Matching,
    NormInfo,
    OccupationMatch,
    Profile,
    ScaleResult,
    Session,
    SubtestTiming,
    ValidityFlag,
    parse_testing_date,
)
from profdiag._profile.occupations import DDO_TYPES, Occupation, OccupationCatalogue

if TYPE_CHECKING:
    from profdiag._profile.next_steps import NextStepsFile
from profdiag._profile.validity import (
    FLAG_TEXTS,
    ValidityFlags,
    ValidityThresholds,
    validity_flags,
)
from profdiag._scoring.plan import FloatArray, compile_plan
from profdiag._scoring.result import ScoreResult
from profdiag._scoring.score import score_with_values
from profdiag._scoring.timing import SpeedAccuracy, speed_accuracy, timed_scales
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError

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
    answers_column: str | None = None  # typed paper answer sheets, see score()
    seconds_column: str = "seconds"  # how errors name the column of total_seconds


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


@dataclass(frozen=True)
class ScoredInput:
    """One instrument's results, already scored, for a batch of respondents.

    `standard` defaults to `standardize(instrument, result)` without attributes;
    `item_values` (from `score_with_values`) feeds the item-level validity flags (missing,
    identical run, all the same); without it only the profile-level flags are computed.
    """

    instrument: Instrument
    result: ScoreResult
    standard: StandardScores | None = None
    item_values: FloatArray | None = None
    total_seconds: Sequence[Any] | None = None
    subtest_seconds: Mapping[str, Sequence[Any]] | None = None  # timed scale id -> seconds
    seconds_column: str = "seconds"  # how errors name the column of total_seconds


def build_profiles(
    inputs: Sequence[ProfileInput | ScoredInput],
    *,
    catalogue: OccupationCatalogue | None = None,
    top: int = 10,
    level: float = 0.90,
    strict: bool = True,
    thresholds: ValidityThresholds | None = None,
    names: Sequence[str | None] | None = None,
    stage: str | Sequence[str | None] | None = None,
    given_names: Sequence[str | None] | None = None,
    ages: Sequence[Any] | None = None,
    sessions: Session | Sequence[Session | None] | None = None,
    next_steps: NextStepsFile | None = None,
) -> list[Profile]:
    """One Profile per respondent from one or more instruments' data or results.

    Parameters
    ----------
    inputs
        Per instrument, raw data (`ProfileInput`, scored here with the threaded kernel) or
        results already scored (`ScoredInput`), rows in the same respondent order.
    catalogue
        Occupations to match; None gives profiles without matches.
    top
        The most occupations listed per profile (fewer where fits fall below the lowest
        fit level; none where the profile gives no direction, with the reason).
    level
        Confidence level of T bands and of the comparisons of leading scales.
    strict
        For raw data: stop on any invalid cell (ResponseDataError) instead of flagging it.
    thresholds
        Validity flag thresholds (defaults: `ValidityThresholds()`).
    names
        Client names for the reports, one per row (or None). Personal data: they go into
        the profiles and reports only, never into messages or file names.
    stage
        The person's stage of education, for all rows or one per row: "grade9",
        "grade11", "adult_without_profession", "adult_with_profession" (or None). Each
        match then names the route that suits the stage, and among equal fits the
        occupations the person can start directly come first.
    given_names
        How each report greets its client (e.g. a pupil's first name), one per row.
    ages
        Age in completed years, one per row (None, NaN or empty: unknown); by default the
        "age" attribute of the first `ProfileInput` that has one. With the stage, it
        decides whom the report speaks to (a minor and their parents, or an adult).
    sessions
        The testing session's facts (date, counsellor, organisation, contacts): one
        `Session` for every row, or one per row (see `sessions_per_row`).
    next_steps
        A region's next steps (`load_next_steps()` for the bundled Tyumen file); each
        profile keeps those that suit the person. None: no next steps.

    Returns
    -------
    list of Profile
        In row order.

    Raises
    ------
    ResponseDataError
        Invalid cells in strict mode, or invalid answering times.
    ArgumentError
        Inputs of different lengths, or a result that did not come from its instrument.

    Examples
    --------
    >>> import profdiag
    >>> from profdiag._profile.build import ScoredInput, build_profiles
    >>> onet = profdiag.load_instrument("onet-ip-sf-60")
    >>> areas = "RRIIAASSEECC"  # the inventory's items cycle through the areas like this
    >>> likes = {"S": 4, "A": 3, "E": 2}
    >>> answers = {f"ip{k + 1:02d}": likes.get(areas[k % 12], 0) for k in range(60)}
    >>> from profdiag._scoring.score import score_with_values
    >>> result, values = score_with_values(onet, answers)
    >>> profile = build_profiles([ScoredInput(onet, result, item_values=values)])[0]
    >>> profile.instruments[0].code
    'SAE'
    """
    from profdiag import __version__

    scored = [
        _from_scores(part, level, thresholds)
        if isinstance(part, ScoredInput)
        else _score(part, level, strict, thresholds)
        for part in inputs
    ]
    if not scored:
        raise ArgumentError("build_profiles needs at least one instrument's data or results")
    n_rows = len(scored[0].result)
    if any(len(part.result) != n_rows for part in scored):
        raise ArgumentError(
            "every instrument of a profile needs the same respondents, in order; got "
            + ", ".join(f"{len(part.result)} rows of {part.instrument.id}" for part in scored)
        )
    name_rows = _person_texts(names, n_rows, "names", "name")
    given_rows = _person_texts(given_names, n_rows, "given names", "given name")
    person_ages = _ages(ages, inputs, n_rows)
    session_rows = _sessions(sessions, n_rows)
    stages = _stages(stage, n_rows)
    sections = [_sections(part, level) for part in scored]
    matches: list[list[OccupationMatch]] = [[] for _ in range(n_rows)]
    notes: list[Matching | None] = [None] * n_rows
    if catalogue is not None:
        matches, listed_notes = _matches(scored, catalogue, top, stages)
        notes = list(listed_notes)
    catalogue_ref = (
        CatalogueRef(
            id=catalogue.id,
            version=catalogue.version,
            region=catalogue.region,
            attribution=(
                LocalizedText(ru=catalogue.attribution.ru, en=catalogue.attribution.en)
                if catalogue.attribution is not None
                else None
            ),
        )
        if catalogue is not None
        else None
    )
    ids = scored[0].result.row_ids
    profiles = [
        Profile(
            respondent=str(ids[row]),
            name=name_rows[row],
            given_name=given_rows[row],
            age=person_ages[row],
            session=session_rows[row],
            stage=stages[row],
            profdiag_version=__version__,
            instruments=[section[row] for section in sections],
            catalogue=catalogue_ref,
            matches=matches[row],
            matching=notes[row],
        )
        for row in range(n_rows)
    ]
    if next_steps is not None:
        profiles = [
            profile.model_copy(update={"next_steps": next_steps.for_profile(profile)})
            for profile in profiles
        ]
    return profiles


_NAME_LIMIT = 300


def _person_texts(
    values: Sequence[str | None] | None, n_rows: int, what: str, column: str
) -> list[str | None]:
    """Names as given (blank: none). A name is personal data: a problem names its row and
    length, never the name itself."""
    if values is None:
        return [None] * n_rows
    if len(values) != n_rows:
        raise ArgumentError(f"{len(values)} {what} for {n_rows} respondents")
    texts: list[str | None] = []
    problems = []
    for row, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            texts.append(None)
            continue
        if not isinstance(value, str):
            problems.append(CellProblem(row, column, type(value).__name__, "a text"))
            continue
        text = " ".join(value.split())
        if len(text) > _NAME_LIMIT:
            problems.append(
                CellProblem(
                    row,
                    column,
                    f"a text of {len(text)} characters",
                    f"at most {_NAME_LIMIT} characters",
                )
            )
        texts.append(text or None)
    if problems:
        raise ResponseDataError(what, problems)
    return texts


def _ages(
    ages: Sequence[Any] | None, inputs: Sequence[ProfileInput | ScoredInput], n_rows: int
) -> list[int | None]:
    """Whole ages (None where unknown), checked like the norm attribute "age"."""
    from profdiag._norms.selection import attribute_columns

    if ages is None:
        ages = next(
            (
                part.attributes["age"]
                for part in inputs
                if isinstance(part, ProfileInput) and part.attributes and "age" in part.attributes
            ),
            None,
        )
    if ages is None:
        return [None] * n_rows
    column = attribute_columns({"age": ages}, n_rows)["age"]
    return [None if math.isnan(age) else int(age) for age in column]


def _sessions(
    sessions: Session | Sequence[Session | None] | None, n_rows: int
) -> list[Session | None]:
    if sessions is None or isinstance(sessions, Session):
        return [sessions] * n_rows
    rows = list(sessions)
    if len(rows) != n_rows:
        raise ArgumentError(f"{len(rows)} sessions for {n_rows} respondents")
    return rows


def sessions_per_row(
    session: Session | None,
    dates: Sequence[Any] | None,
    n_rows: int,
    column: str = "date",
) -> list[Session | None]:
    """One session per row: `session`'s facts, with each row's own date of testing from
    `dates` where the cell is not blank (2025-03-14 or 14.03.2025).

    Raises
    ------
    ResponseDataError
        Each cell that is not such a date, with its row and `column`.
    ArgumentError
        `dates` of another length than `n_rows`.
    """
    if dates is None:
        return [session] * n_rows
    if len(dates) != n_rows:
        raise ArgumentError(f"{len(dates)} dates for {n_rows} respondents")
    base = session or Session()
    rows: list[Session | None] = []
    problems = []
    for row, cell in enumerate(dates):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            rows.append(session)
            continue
        try:
            if isinstance(cell, datetime.date):
                date: str | None = cell.isoformat()[:10]
            else:
                date = parse_testing_date(cell) if isinstance(cell, str) else None
        except ValueError:
            date = None
        if date is None:
            problems.append(CellProblem(row, column, cell, DATE_EXPECTED))
            continue
        rows.append(base.model_copy(update={"date": date}))
    if problems:
        raise ResponseDataError("dates of testing", problems)
    return rows


def _score(
    part: ProfileInput, level: float, strict: bool, thresholds: ValidityThresholds | None
) -> _Scored:
    other = list(dict.fromkeys([*part.other_columns, *(part.attributes or {})]))
    result, values = score_with_values(
        part.instrument,
        part.data,
        strict=strict,
        id_column=part.id_column,
        other_columns=other,
        answers_column=part.answers_column,
    )
    standard = standardize(
        part.instrument,
        result,
        norm_group=part.norm_group,
        attributes=part.attributes,
        level=level,
    )
    scored = ScoredInput(
        part.instrument,
        result,
        standard,
        values,
        part.total_seconds,
        part.subtest_seconds,
        part.seconds_column,
    )
    return _from_scores(scored, level, thresholds)


def _from_scores(part: ScoredInput, level: float, thresholds: ValidityThresholds | None) -> _Scored:
    instrument, result = part.instrument, part.result
    if result.instrument.content_hash != compile_plan(instrument).content_hash:
        raise ArgumentError(
            f"the scores come from {result.instrument.id} {result.instrument.version}, "
            f"not from {instrument.id} {instrument.version} (content hashes differ)"
        )
    standard = part.standard or standardize(instrument, result, level=level)
    holland_scores = _holland_scores(instrument, result, standard)
    spans = list(compile_plan(instrument).scale_ranges)
    share = ranked = None
    if holland_scores is not None:
        assert instrument.code_rule is not None
        ranked = holland.rank(_nan_low(holland_scores), instrument.code_rule.tie_margin)
    if instrument.code_rule is not None:
        share = _differentiation_share(result, standard, spans)
    flags = _flags(
        part.item_values, len(result), share, part.total_seconds, thresholds, part.seconds_column
    )
    timing = None
    if timed_scales(instrument):
        timing = speed_accuracy(instrument, result, part.subtest_seconds)
    return _Scored(instrument, result, standard, flags, holland_scores, ranked, spans, timing)


def _flags(
    values: FloatArray | None,
    n_rows: int,
    share: FloatArray | None,
    seconds: Any,
    thresholds: ValidityThresholds | None,
    seconds_column: str,
) -> ValidityFlags:
    """Validity flags; without item values, the item-level ones stay down (unknown)."""
    if values is not None:
        return validity_flags(
            values,
            differentiation_share=share,
            total_seconds=seconds,
            thresholds=thresholds,
            seconds_column=seconds_column,
        )
    profile_level = validity_flags(
        np.zeros((n_rows, 1)),
        differentiation_share=share,
        total_seconds=None,
        thresholds=thresholds,
    )
    unknown = np.zeros(n_rows, dtype=bool)
    item_level = {"missing", "identical_run", "all_same", "too_fast"}
    flags = {
        code: unknown if code in item_level else raised
        for code, raised in profile_level.flags.items()
    }
    return ValidityFlags(
        np.full(n_rows, np.nan), np.zeros(n_rows, dtype=np.int64), np.full(n_rows, np.nan), flags
    )


def _holland_scores(
    instrument: Instrument, result: ScoreResult, standard: StandardScores
) -> FloatArray | None:
    """(N, 6) scores in hexagon order, from which codes, indices and matches are all built:
    T scores in rows that have them on all six scales (normed instruments), else raw."""
    rule = instrument.code_rule
    if rule is None or rule.kind != "riasec":
        return None
    by_letter: dict[str, str] = {letter: scale_id for scale_id, letter in rule.letters.items()}
    columns = [result.scale_ids.index(by_letter[letter]) for letter in holland.HEXAGON]
    return _comparable_scores(result, standard)[:, columns]


def _comparable_scores(result: ScoreResult, standard: StandardScores) -> FloatArray:
    """Scores on which the scales of one row can be compared: T where the row has a T score
    on every scale, raw scores otherwise (one scale or the other, never a mix in a row)."""
    normed = np.asarray(~np.isnan(standard.t).any(axis=1))
    scores: FloatArray = np.where(normed[:, None], standard.t, result.raw)
    return scores


def _differentiation_share(
    result: ScoreResult, standard: StandardScores, spans: Sequence[tuple[float, float]]
) -> FloatArray:
    """(highest - lowest) of a row's comparable scores, as a share of what is possible:
    the raw range for raw scores, 60 T points (T 20-80) for T scores. NaN where a scale is
    unscored: flatness is not judged from part of a profile."""
    scores = _comparable_scores(result, standard)
    normed = np.asarray(~np.isnan(standard.t).any(axis=1))
    widest = max(high for _, high in spans) - min(low for low, _ in spans)
    spread = scores.max(axis=1) - scores.min(axis=1)  # NaN (not judged) if a scale is unscored
    share: FloatArray = spread / np.where(normed, 60.0, widest)
    return share


def _sections(part: _Scored, level: float) -> list[InstrumentProfile]:
    instrument, result, standard = part.instrument, part.result, part.standard
    ranked = holland.rank(
        _nan_low(_comparable_scores(result, standard)),
        instrument.code_rule.tie_margin if instrument.code_rule else 0.0,
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
        liked = _liked_letters(instrument, result, part.spans)
        indices = _holland_indices(scores, letters, codes, instrument.code_rule.length, liked)
    elif instrument.code_rule is not None:  # leading types
        codes = [" = ".join(_leading(instrument, ranked, row)) for row in range(len(result))]
    comparisons = _comparisons(instrument, standard, level, ranked.order)
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
                tie_margin=instrument.code_rule.tie_margin if instrument.code_rule else 0.0,
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


def _liked_letters(
    instrument: Instrument, result: ScoreResult, spans: Sequence[tuple[float, float]]
) -> np.ndarray:
    """(N, 6) in hexagon order: the letter's raw score is above the middle of its possible
    range, i.e. its activities were liked more than not (whatever the norms say)."""
    assert instrument.code_rule is not None
    by_letter: dict[str, str] = {
        letter: scale_id for scale_id, letter in instrument.code_rule.letters.items()
    }
    columns = [result.scale_ids.index(by_letter[letter]) for letter in holland.HEXAGON]
    middle = np.array([(spans[c][0] + spans[c][1]) / 2 for c in columns])
    with np.errstate(invalid="ignore"):
        liked: np.ndarray = result.raw[:, columns] > middle
    return liked


def _holland_indices(
    scores: FloatArray,
    ranked: holland.RankedScores,
    codes: list[str | None],
    length: int,
    liked: np.ndarray,
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
            liked=[letter for k, letter in enumerate(holland.HEXAGON) if liked[row, k]],
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
    instrument: Instrument, standard: StandardScores, level: float, order: np.ndarray
) -> list[list[Comparison]]:
    """Adjacent leading scales, in `order` (the ranking the code and leading scales use):
    is each higher than the next beyond chance?"""
    n_rows = standard.t.shape[0]
    reliable = [scale.reliability is not None for scale in instrument.scales]
    if not instrument.norms or not all(reliable):
        return [[] for _ in range(n_rows)]
    z = critical_z(level)
    ids = [scale.id for scale in instrument.scales]
    se_of_pair: dict[tuple[int, int], float] = {}
    length = instrument.code_rule.length if instrument.code_rule else 3
    result = []
    for row in range(n_rows):  # at most `length` pairs per row, each a few floats
        pairs = []
        for k in range(min(length, len(instrument.scales) - 1)):
            a, b = int(order[row, k]), int(order[row, k + 1])
            t_a, t_b = standard.t[row, a], standard.t[row, b]
            if math.isnan(t_a) or math.isnan(t_b):
                break
            if (a, b) not in se_of_pair:
                se_of_pair[a, b] = se_difference(instrument, ids[a], ids[b])
            se = se_of_pair[a, b]
            pairs.append(
                Comparison(
                    higher=ids[a],
                    lower=ids[b],
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


def _stages(stage: str | Sequence[str | None] | None, n_rows: int) -> list[Any]:
    stages = [stage] * n_rows if stage is None or isinstance(stage, str) else list(stage)
    if len(stages) != n_rows:
        raise ArgumentError(f"{len(stages)} stages for {n_rows} respondents")
    problems = [
        CellProblem(row, "stage", value, "one of " + ", ".join(STAGES))
        for row, value in enumerate(stages)
        if value is not None and value not in STAGES
    ]
    if problems:
        raise ResponseDataError("stages of education", problems)
    return stages


def _route_preference(
    catalogue: OccupationCatalogue, stages: Sequence[str | None]
) -> tuple[np.ndarray, list[dict[int, tuple[str, bool]]]]:
    """(N, M) 0 where the occupation's best route can be started directly at the row's
    stage, 1 where a step comes first; and per row the (route, direct) of each occupation."""
    preference = np.zeros((len(stages), len(catalogue.occupations)), dtype=np.int64)
    routes: list[dict[int, tuple[str, bool]]] = []
    by_stage: dict[str, dict[int, tuple[str, bool]]] = {}
    for row, stage in enumerate(stages):
        if stage is None:
            routes.append({})
            continue
        if stage not in by_stage:
            by_stage[stage] = {
                m: route_for(stage, occupation.education)
                for m, occupation in enumerate(catalogue.occupations)
            }
        routes.append(by_stage[stage])
        preference[row] = [0 if direct else 1 for _, direct in by_stage[stage].values()]
    return preference, routes


def _matches(
    scored: Sequence[_Scored],
    catalogue: OccupationCatalogue,
    top: int,
    stages: Sequence[str | None],
) -> tuple[list[list[OccupationMatch]], list[Matching]]:
    """Matching occupations per row, and how the list was made. An instrument's fit counts
    only where its profile gives a direction (scored, not flat, not all one answer); a row
    where no instrument does gets no list, with the reason."""
    n_rows = len(scored[0].result)
    fits: list[FloatArray] = []
    blocked: list[tuple[str, np.ndarray]] = []  # (reason, rows) in order of precedence
    c_index = congruence = m_index = similarity = klimov = None
    for part in scored:
        if part.holland_scores is not None and part.holland_ranked is not None and c_index is None:
            fit = holland_fit(part.holland_scores, part.holland_ranked, catalogue)
            scored_rows = np.asarray(~np.isnan(part.holland_scores).any(axis=1))
            c_index, congruence = fit.brown_gore_c, fit.congruence
            m_index, similarity = fit.iachan_m, fit.similarity
            fits.append(_usable(fit.fit, part, scored_rows, blocked))
        elif (types := _klimov_types(part.instrument)) and klimov is None:
            by_type = {kind: scale for scale, kind in types.items()}
            columns = [part.result.scale_ids.index(by_type[t]) for t in DDO_TYPES]
            type_scores = part.result.raw[:, columns]
            klimov = klimov_fit(type_scores, catalogue)
            scored_rows = np.asarray(~np.isnan(type_scores).any(axis=1))
            fits.append(_usable(klimov_on_fit_scale(klimov), part, scored_rows, blocked))
    rule = dict(FIT_LEVELS)
    if not fits:
        return [[] for _ in range(n_rows)], [
            Matching(tie_rule=TIE_RULE, fit_levels=rule) for _ in range(n_rows)
        ]
    with np.errstate(invalid="ignore"):
        stacked = np.stack(fits)
        available = (~np.isnan(stacked)).sum(axis=0)
        combined = np.where(
            available > 0, np.nansum(stacked, axis=0) / np.maximum(available, 1), np.nan
        )
    levels = fit_levels(combined)
    preference, routes = _route_preference(catalogue, stages)
    catalogue_size = len(catalogue.occupations)
    order = rank_occupations(combined, catalogue, catalogue_size, preference)
    sorted_fit = np.take_along_axis(combined, order, axis=1)
    ranks = tie_ranks(sorted_fit)
    listed = np.take_along_axis(levels, order, axis=1) != None  # noqa: E711 (object array)
    occupations = catalogue.occupations
    withheld = np.full(n_rows, None, dtype=object)
    nothing = np.isnan(combined).all(axis=1)
    for reason, rows in reversed(blocked):  # the first reason listed wins
        withheld[nothing & rows] = reason

    def value(array: FloatArray | None, row: int, m: int) -> float | None:
        if array is None or math.isnan(array[row, m]):
            return None
        return float(array[row, m])

    all_matches, notes = [], []
    for row in range(n_rows):
        shown = [k for k in range(min(top, catalogue_size)) if listed[row, k]]
        matches = [
            OccupationMatch(
                id=occupations[m].id,
                title=occupations[m].title,
                riasec=occupations[m].riasec,
                ddo=list(occupations[m].ddo),
                education=list(occupations[m].education),
                regional_demand=occupations[m].regional_demand,
                fit=float(combined[row, m]),
                fit_level=levels[row, m],
                rank=int(ranks[row, k]),
                brown_gore_c=value(c_index, row, m),
                congruence=value(congruence, row, m),
                iachan_m=value(m_index, row, m),
                similarity=value(similarity, row, m),
                klimov_fit=value(klimov, row, m),
                route=routes[row][m][0] if routes[row] else None,
                route_direct=routes[row][m][1] if routes[row] else None,
                demand_year=_demand_year(occupations[m]),
                interests_from_onet=occupations[m].interests is not None,
            )
            for k in shown
            for m in [int(order[row, k])]
        ]
        more_tied = 0
        if shown:
            last = shown[-1]
            beyond = listed[row, last + 1 :] & (ranks[row, last + 1 :] == ranks[row, last])
            more_tied = int(beyond.sum())
        reason = withheld[row]
        notes.append(
            Matching(
                withheld=reason,
                explanation=WITHHELD_TEXTS[reason] if reason is not None else None,
                more_tied=more_tied,
                tie_rule=TIE_RULE,
                fit_levels=rule,
            )
        )
        all_matches.append(matches)
    return all_matches, notes


def _demand_year(occupation: Occupation) -> int | None:
    demand = occupation.demand
    return demand.year if demand is not None else None


def _usable(
    fit: FloatArray,
    part: _Scored,
    scored_rows: np.ndarray,
    blocked: list[tuple[str, np.ndarray]],
) -> FloatArray:
    """`fit` with the rows whose profile gives no direction set to NaN; records why."""
    all_same = part.flags.flags["all_same"]
    flat = part.flags.flags.get("flat_profile", np.zeros_like(all_same))
    blocked += [("not_scored", ~scored_rows), ("all_same", all_same), ("flat_profile", flat)]
    usable = scored_rows & ~all_same & ~flat
    return np.where(usable[:, None], fit, np.nan)


def _klimov_types(instrument: Instrument) -> dict[str, str]:
    """Scale id -> Klimov type, where the instrument's code rule declares them."""
    return dict(instrument.code_rule.klimov_types) if instrument.code_rule else {}
