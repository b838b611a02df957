"""Building norms from a normative sample: hand-worked tables, invariants, the sample
scored against its own norms, the CLI, and what reports and describe print."""

from __future__ import annotations

import datetime
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import likert_instrument

import profdiag
from profdiag import NormError, build_norms, score, standardize
from profdiag._instrument.describe import describe_instrument
from profdiag._norms.building import percentile_ranks, smooth, table_rows
from profdiag._norms.standard import lookup_table
from profdiag.cli import main
from profdiag.errors import ArgumentError, ResponseDataError

DDO = profdiag.load_instrument("klimov-ddo")
DDO_FILE = Path(__file__).parent.parent / "instruments" / "klimov-ddo.json"


def one_item(
    codes: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6), **extra: object
) -> profdiag.Instrument:
    return likert_instrument(1, codes=codes, **extra)


def build_one(instrument: profdiag.Instrument, raws: list[int], **options: object):  # type: ignore[no-untyped-def]
    result = score(instrument, {"i1": raws})
    defaults: dict[str, object] = {"source": "hand", "year": 2020, "min_size": 1, "warn_size": 1}
    return build_norms(instrument, result, {}, **(defaults | options))  # type: ignore[arg-type]


# ---------- A tiny group worked by hand ----------


def test_hand_computed_table_for_five_people() -> None:
    """Raw scores 1, 2, 2, 3, 5 (N = 5) on a 0..6 scale.
    PR = 100 (below + 0.5 equal) / 5:  0 -> 0 (held to 50/N = 10), 1 -> 10, 2 -> 40,
    3 -> 70, 4 -> 80 (nobody: the share below), 5 -> 90, 6 -> 100 (held to 90).
    T = 50 + 10 z with z = Phi^-1(PR/100) from tables: z(.10) = -1.2815516,
    z(.40) = -0.2533471, z(.70) = 0.5244005, z(.80) = 0.8416212, z(.90) = 1.2815516.
    Stanine = floor(2z + 5.5): 2, 4, 6, 7, 8; sten = floor(2z + 6): 3, 5, 7, 7, 8."""
    built = build_one(one_item(), [1, 2, 2, 3, 5])
    group = built.instrument.norms[0]
    assert (group.id, group.sample_size, group.year, group.source) == ("all", 5, 2020, "hand")
    table = group.scales["S"].table
    assert [(row.raw_min, row.raw_max) for row in table] == [(k, k) for k in range(7)]
    assert [row.percentile for row in table] == [10, 10, 40, 70, 80, 90, 90]
    z = {10: -1.2815516, 40: -0.2533471, 70: 0.5244005, 80: 0.8416212, 90: 1.2815516}
    assert [row.t for row in table] == [
        round(50 + 10 * z[int(row.percentile or 0)], 2) for row in table
    ]
    assert [row.t for row in table] == [37.18, 37.18, 47.47, 55.24, 58.42, 62.82, 62.82]
    assert [row.stanine for row in table] == [2, 2, 4, 6, 7, 8, 8]
    assert [row.sten for row in table] == [3, 3, 5, 7, 7, 8, 8]
    # Scoring against the new norms uses the table: raw 4 (nobody had it) -> T 58.42.
    result = score(built.instrument, {"i1": [4, 0]})
    scores = standardize(built.instrument, result, norm_group="all")
    assert scores.t[:, 0].tolist() == [58.42, 37.18]
    assert scores.percentile[:, 0].tolist() == [80, 10]


def test_hand_computed_interval_rows_for_a_mean_scale() -> None:
    """A mean of two 1..5 items takes halves: scores 1.5, 2, 2, 4.5 (N = 4). Between and
    around observed scores the rows are intervals whose PR is the share below:
    [1, 1.5) 0 -> 12.5, 1.5 -> 12.5, (1.5, 2) 25, 2 -> 50, (2, 4.5) 75, 4.5 -> 87.5,
    (4.5, 5] 100 -> 87.5."""
    instrument = likert_instrument(2, aggregation="mean")
    result = score(instrument, {"i1": [1, 2, 1, 4], "i2": [2, 2, 3, 5]})
    built = build_norms(instrument, result, {}, source="s", year=2020, min_size=1, warn_size=1)
    table = built.instrument.norms[0].scales["S"].table
    below, above = (
        (lambda x: float(np.nextafter(x, -np.inf))),
        (lambda x: float(np.nextafter(x, np.inf))),
    )
    assert [(row.raw_min, row.raw_max) for row in table] == [
        (1.0, below(1.5)),
        (1.5, 1.5),
        (above(1.5), below(2.0)),
        (2.0, 2.0),
        (above(2.0), below(4.5)),
        (4.5, 4.5),
        (above(4.5), 5.0),
    ]
    assert [row.percentile for row in table] == [12.5, 12.5, 25, 50, 75, 87.5, 87.5]
    # 3.0 (e.g. answers 3 and 3) falls in the gap (2, 4.5): PR 75, T = 50 + 10 * 0.6744898.
    scores = standardize(built.instrument, score(built.instrument, {"i1": 3, "i2": 3}))
    assert scores.t[0, 0] == round(50 + 10 * 0.6744898, 2)


def test_percentile_ranks_are_the_mid_rank_formula() -> None:
    sample = np.array([3.0, 1.0, 2.0, 2.0, 2.0])
    ranks = percentile_ranks(sample, np.array([0.0, 1.0, 2.0, 2.5, 3.0, 4.0]))
    assert ranks.tolist() == [0.0, 10.0, 50.0, 80.0, 90.0, 100.0]


def test_moving_average_smoothing_by_hand() -> None:
    """PRs 10, 10, 40, 70, 80, 90, 90 -> (10+10)/2, (10+10+40)/3, (10+40+70)/3, ..."""
    built = build_one(one_item(), [1, 2, 2, 3, 5], smoothing="moving-average")
    ranks = [row.percentile for row in built.instrument.norms[0].scales["S"].table]
    assert ranks == [10, 20, 40, round(190 / 3, 2), 80, round(260 / 3, 2), 90]


# ---------- Invariants ----------

samples = st.lists(st.integers(0, 12), min_size=1, max_size=60)


@given(samples, st.sampled_from(["none", "moving-average"]))
@settings(max_examples=60, deadline=None)
def test_tables_are_monotone_and_cover_every_attainable_integer(raw: list[int], how: str) -> None:
    instrument = likert_instrument(3, codes=(0, 1, 2, 3, 4))  # sums 0..12
    values = np.array(raw, dtype=float)
    table = table_rows(values, (0.0, 12.0), integer_valued=True)
    if how == "moving-average":
        table = smooth(table, values.size)
    assert [(row.raw_min, row.raw_max) for row in table] == [(k, k) for k in range(13)]
    for name in ("percentile", "t", "stanine", "sten"):
        column = [getattr(row, name) for row in table]
        assert all(math.isfinite(v) for v in column), name
        assert all(a <= b for a, b in itertools.pairwise(column)), (name, column)
    assert instrument.scales[0].id == "S"


@given(
    st.lists(
        st.tuples(st.integers(1, 5) | st.none(), st.integers(1, 5) | st.none(), st.integers(1, 5)),
        min_size=1,
        max_size=40,
    ),
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=20
    ),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_score_a_mean_scale_can_take_falls_in_one_monotone_row(
    sample: list[tuple[int | None, ...]], others: list[tuple[int, ...]]
) -> None:
    """A mean scale with gaps skipped takes thirds and halves; scores of people outside
    the sample (another draw) each find exactly one row, and PR/T never fall as raw rises."""
    instrument = likert_instrument(3, aggregation="mean")
    columns = {f"i{k + 1}": [row[k] for row in sample] for k in range(3)}
    built = build_norms(
        instrument, score(instrument, columns), {}, source="s", year=2020, min_size=1, warn_size=1
    )
    norm = built.instrument.norms[0].scales["S"]
    lows = [row.raw_min for row in norm.table]
    highs = [row.raw_max for row in norm.table]
    assert lows[0] == 1.0 and highs[-1] == 5.0
    assert all(float(np.nextafter(h, np.inf)) == lo for h, lo in zip(highs, lows[1:], strict=False))
    for name in ("percentile", "t"):
        column = [getattr(row, name) for row in norm.table]
        assert all(a <= b for a, b in itertools.pairwise(column))
    fresh = score(instrument, {f"i{k + 1}": [row[k] for row in others] for k in range(3)})
    looked_up = lookup_table(norm, fresh.raw[:, 0])
    assert not np.isnan(looked_up["t"]).any()
    order = np.argsort(fresh.raw[:, 0], kind="stable")
    assert (np.diff(looked_up["t"][order]) >= 0).all()


@given(st.lists(st.sampled_from(["f", "m"]), min_size=2, max_size=80), st.integers(1, 60))
@settings(max_examples=60, deadline=None)
def test_groups_below_the_minimum_are_refused_by_name_and_size(
    sexes: list[str], minimum: int
) -> None:
    instrument = one_item()
    result = score(instrument, {"i1": [k % 7 for k in range(len(sexes))]})
    sizes = {sex: sexes.count(sex) for sex in ("f", "m") if sex in sexes}
    options = {"group_by": ["sex"], "source": "s", "year": 2020, "min_size": minimum}
    if min(sizes.values()) >= minimum:
        built = build_norms(instrument, result, {"sex": sexes}, **options)  # type: ignore[arg-type]
        assert {g.id: g.sample_size for g in built.instrument.norms} == sizes
        return
    with pytest.raises(NormError) as caught:
        build_norms(instrument, result, {"sex": sexes}, **options)  # type: ignore[arg-type]
    for sex, size in sizes.items():
        assert (f"{sex} ({size})" in str(caught.value)) == (size < minimum), str(caught.value)
    assert f"minimum size of {minimum}" in str(caught.value)


# ---------- The sample scored against its own norms ----------


def expected_normalised_moments(probabilities: np.ndarray) -> tuple[float, float]:
    """Mean and SD of T when every score k gets T at the normal quantile of its mid-rank,
    from the score distribution alone (independent of the code under test)."""
    from scipy.stats import norm

    below = np.cumsum(probabilities) - probabilities
    z = norm.ppf(below + probabilities / 2)
    mean = float((probabilities * z).sum())
    return 50 + 10 * mean, 10 * math.sqrt(float((probabilities * z * z).sum()) - mean**2)


def test_a_normative_sample_scored_against_its_own_norms_has_mean_50_and_sd_10() -> None:
    """Two instruments, two groups each of about 3,000 rows.

    A 12-item 1..5 sum scale (49 attainable scores): T is normalised with few ties, so
    mean T = 50 +- 0.25 and SD in [9.8, 10.02]: ties only shrink the SD (each tied block
    sits at one normal quantile; by the law of total variance its spread is lost), and
    rounding T to 0.01 moves either by at most 0.005.
    Klimov's ДДО with random answers: each type's score is Binomial(8, 1/2), 9 values,
    the largest block 27% of the sample. The SD of T is then well below 10; the mean and
    SD the mid-rank method gives for exactly that distribution are 50 and 9.575
    (`expected_normalised_moments`); the sample's block shares differ from the binomial
    ones by sampling error (about 0.8 points of PR for 3,000 rows), so +-0.1 for both.
    """
    rng = np.random.default_rng(2026)
    n = 6000
    sex = rng.choice(["f", "m"], n)
    many = likert_instrument(12)
    answers = {
        f"i{k}": np.clip(np.round(rng.normal(3 + (sex == "f") * 0.4, 1.2, n)), 1, 5)
        for k in range(1, 13)
    }
    ddo_answers = {str(k): np.where(rng.random(n) < 0.5, "а", "б") for k in range(1, 21)}
    from scipy.stats import binom

    expected_mean, expected_sd = expected_normalised_moments(binom.pmf(np.arange(9), 8, 0.5))
    assert abs(expected_mean - 50) < 1e-9 and abs(expected_sd - 9.575) < 1e-3
    for instrument, data, (mean_tolerance, low, high) in (
        (many, answers, (0.25, 9.8, 10.02)),
        (DDO, ddo_answers, (0.1, expected_sd - 0.1, expected_sd + 0.1)),
    ):
        built = build_norms(
            instrument,
            score(instrument, data),
            {"sex": sex},
            group_by=["sex"],
            source="synthetic",
            year=2026,
        )
        normed = built.instrument
        scores = standardize(normed, score(normed, data), attributes={"sex": sex})
        for group in normed.norms:
            rows = scores.norm_group == group.id
            assert rows.sum() > 2500
            t = scores.t[rows]
            assert np.abs(t.mean(axis=0) - 50).max() <= mean_tolerance, (group.id, t.mean(axis=0))
            assert (t.std(axis=0) >= low).all() and (t.std(axis=0) <= high).all(), t.std(axis=0)


# ---------- Grouping, exclusions, versions ----------


def test_groups_by_sex_grade_and_age_band_with_rows_left_out_counted() -> None:
    n = 400
    rng = np.random.default_rng(5)
    instrument = one_item()
    raws = rng.integers(0, 7, n).astype(object)
    raws[:3] = None  # no answer: the scale's missing rule is not met
    sexes = np.array(["ж", "м"] * (n // 2), dtype=object)
    sexes[3:8] = None
    ages = rng.integers(14, 18, n).astype(object)
    ages[8] = 19  # in no band
    grades = np.where(np.arange(n) % 4 < 2, 9, 11)
    result = score(instrument, {"i1": list(raws)})
    built = build_norms(
        instrument,
        result,
        {"sex": list(sexes), "grade": list(grades), "age": list(ages)},
        group_by=["sex", "grade", "age"],
        age_bands=[(14, 15), (16, 17)],
        source="Tyumen survey",
        year=2026,
        min_size=10,
    )
    ids = [group.id for group in built.instrument.norms]
    assert ids == [
        f"{sex}-grade-{grade}-age-{band}"
        for sex in ("f", "m")
        for grade in (9, 11)
        for band in ("14-15", "16-17")
    ]
    assert built.excluded == {"no sex": 5, "age in no band": 1, "no scale scored": 3}
    assert sum(group.rows for group in built.groups) == n - 9
    assert built.instrument.version == "1.0.0+norms.2026"
    assert built.warnings and all("fewer than the 200 recommended" in w for w in built.warnings)
    first = built.instrument.norms[0]
    assert first.selector.model_dump(exclude_none=True) == {
        "sex": ("f",),
        "grade": (9,),
        "age": {"min": 14, "max": 15},
    }
    assert first.title.ru == "женский пол, 9 класс, 14-15 лет"
    # each respondent of the sample finds their own group again
    scores = standardize(
        built.instrument,
        score(built.instrument, {"i1": list(raws)}),
        attributes={"sex": list(sexes), "grade": list(grades), "age": list(ages)},
    )
    assert (scores.norm_group[9:] != None).all()  # noqa: E711


def test_years_per_row_give_the_latest_year_and_the_span() -> None:
    instrument = one_item()
    result = score(instrument, {"i1": [k % 7 for k in range(60)]})
    years = ["2024"] * 30 + [2025] * 29 + [""]
    built = build_norms(
        instrument, result, {}, source="survey", year=years, version="1.0.0+norms.t"
    )
    assert (
        build_norms(instrument, result, {}, source="s", year=np.int64(2021))
        .instrument.norms[0]
        .year
        == 2021
    )
    group = built.instrument.norms[0]
    assert (group.year, group.source, group.sample_size) == (
        2025,
        "survey (collected 2024-2025)",
        59,
    )
    assert built.excluded == {"no year": 1}
    assert built.instrument.version == "1.0.0+norms.t"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"group_by": ["municipality"]}, "cannot group norms by 'municipality'"),
        ({"group_by": ["age"]}, "needs age bands"),
        ({"group_by": ["age"], "age_bands": [(14, 16), (16, 17)]}, "overlap"),
        ({"version": "new"}, "version: got 'new'"),
        ({"version": "1.0.0"}, "current version"),
        ({"min_size": 0}, "min_size"),
        ({"smoothing": "splines"}, "smoothing"),
        ({"year": 1800}, "year from 1900"),
        ({"year": "2020"}, "one year per row"),
        ({"year": [2020, 2021]}, "year has 2 values for 3 rows"),
        ({"group_by": ["sex"]}, "no 'sex' values given"),
    ],
)
def test_bad_options_are_argument_errors(options: dict[str, object], message: str) -> None:
    instrument = one_item()
    result = score(instrument, {"i1": [1, 2, 3]})
    arguments: dict[str, object] = {"source": "s", "year": 2020, "min_size": 1} | options
    with pytest.raises(ArgumentError, match=message):
        build_norms(instrument, result, {}, **arguments)  # type: ignore[arg-type]


def test_bad_attribute_values_are_reported_with_their_rows() -> None:
    instrument = one_item()
    result = score(instrument, {"i1": [1, 2, 3]})
    with pytest.raises(ResponseDataError) as caught:
        build_norms(
            instrument, result, {"sex": ["f", "x", "m"]}, group_by=["sex"], source="s", year=2020
        )
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [(1, "sex", "x")]


# ---------- describe, validate and reports ----------


@pytest.fixture(scope="module")
def normed_ddo() -> profdiag.Instrument:
    rng = np.random.default_rng(11)
    n = 600
    answers = {str(k): np.where(rng.random(n) < 0.5, "а", "б") for k in range(1, 21)}
    sex = ["f", "m"] * (n // 2)
    return build_norms(
        DDO,
        score(DDO, answers),
        {"sex": sex},
        group_by=["sex"],
        source="synthetic Tyumen sample",
        year=2012,
    ).instrument


def test_describe_lists_norm_groups_and_warns_when_they_are_old(
    normed_ddo: profdiag.Instrument,
) -> None:
    text = describe_instrument(normed_ddo, "en", as_of=datetime.date(2026, 11, 30), max_norm_age=10)
    assert "f: female; for sex f; n = 300, 2012; source: synthetic Tyumen sample" in text
    assert text.count("warning: these norms are 14 years old") == 2
    fresh = describe_instrument(normed_ddo, "en", as_of=datetime.date(2022, 1, 1), max_norm_age=10)
    assert "warning" not in fresh and "n = 300, 2012" in fresh
    assert "warning" not in describe_instrument(
        normed_ddo, "en", as_of=datetime.date(2026, 1, 1), max_norm_age=14
    )


def test_reports_show_the_norm_group_and_warn_counsellors_about_old_norms(
    normed_ddo: profdiag.Instrument,
) -> None:
    from profdiag import ReportOptions, build_profiles, render_html

    sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
    result = score(normed_ddo, sheet)
    standard = standardize(normed_ddo, result, attributes={"sex": "f"})
    profile = build_profiles([profdiag.ScoredInput(normed_ddo, result, standard)])[0]
    assert profile.instruments[0].norm is not None
    old = datetime.date(2026, 11, 30)
    counsellor = render_html(
        profile, ReportOptions(audience="counsellor", language="en", as_of=old)
    )
    assert "female (n = 300, 2012; synthetic Tyumen sample)" in counsellor
    assert (
        "these norms were collected in 2012, 14\u00a0years ago "
        "(more than the 10\u00a0years allowed)" in counsellor
    )
    for t in standard.t[0]:
        assert f"{t:.1f}".rstrip("0").rstrip(".") in counsellor
    russian = render_html(profile, ReportOptions(audience="counsellor", language="ru", as_of=old))
    assert "нормы собраны в 2012 году, 14\u00a0лет назад (больше допустимых 10\u00a0лет)" in russian
    client = render_html(profile, ReportOptions(audience="client", language="en", as_of=old))
    assert "female (n = 300, 2012)" in client
    assert "collected in 2012" not in client
    later = ReportOptions(audience="counsellor", language="en", as_of=old, norms_max_age=20)
    assert "collected in 2012" not in render_html(profile, later)
    with pytest.raises(ArgumentError):
        ReportOptions(norms_max_age=-1)


# ---------- The command line ----------


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write_sample(path: Path, n: int, *, year: bool = True) -> Path:
    rng = np.random.default_rng(3)
    header = ["id", "sex", "grade", *(["year"] if year else []), "school", *map(str, range(1, 21))]
    lines = [",".join(header)]
    for row in range(n):
        sex = "" if row < 4 else "жм"[row % 2]
        cells = [
            f"p{row}",
            sex,
            str(9 + 2 * (row % 3 == 0)),
            *(["2026"] if year else []),
            "school 1",
        ]
        lines.append(",".join(cells + [rng.choice(["а", "б"]) for _ in range(20)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_builds_a_normed_instrument_that_validates(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "sample.csv", 404)
    out = tmp_path / "ddo-normed.json"
    code, _, err = run(
        "norms",
        "build",
        "klimov-ddo",
        data,
        "--group-by",
        "sex",
        "--out",
        out,
        "--source",
        "synthetic",
    )
    assert code == 0, err
    assert "404 rows, 400 used in 2 norm group(s)" in err
    assert "left out of every group, no sex: 4 row(s)" in err
    assert "warning: norm group 'f' has 200" not in err and "'f'" not in err
    written = profdiag.load_instrument(out)
    assert written.version == "1.0.0+norms.2026" and [g.id for g in written.norms] == ["f", "m"]
    assert json.loads(out.read_text(encoding="utf-8"))["norms"][0]["year"] == 2026
    code, stdout, _ = run("validate", out)
    assert code == 0 and "f: female; for sex f; n = 200, 2026; source: synthetic" in stdout
    code, stdout, _ = run(
        "describe", out, "--lang", "en", "--as-of", "2040-01-01", "--norms-max-age", "5"
    )
    assert code == 0 and stdout.count("warning: these norms are 14 years old") == 2


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--group-by", "grade,school"], 2, "norms can be grouped by sex, grade, age only"),
        (["--group-by", "age", "--age-bands", "14-15"], 2, "has no column 'age'"),
        (["--group-by", "age"], 2, "needs --age-bands"),
        (["--group-by", "sex", "--age-bands", "14-15"], 2, "--age-bands needs --group-by age"),
        (["--group-by", "sex", "--min-size", "1000"], 1, "below the minimum size of 1000"),
        (["--version", "next"], 2 - 1, "version: got 'next'"),
        (["--smoothing", "spline"], 2, "'spline' is not one of"),
    ],
)
def test_cli_errors_are_one_message_without_traceback(
    tmp_path: Path, arguments: list[str], code: int, message: str
) -> None:
    data = write_sample(tmp_path / "sample.csv", 120)
    out = tmp_path / "x.json"
    got, stdout, err = run(
        "norms", "build", "klimov-ddo", data, "--out", out, "--source", "s", *arguments
    )
    assert got == code, err
    assert message in err, err
    assert "Traceback" not in err + stdout
    assert not out.exists()


def test_cli_needs_a_year(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "sample.csv", 120, year=False)
    out = tmp_path / "x.json"
    code, _, err = run("norms", "build", "klimov-ddo", data, "--out", out, "--source", "s")
    assert code == 2 and "no 'year' column" in err
    code, _, err = run(
        "norms", "build", "klimov-ddo", data, "--out", out, "--source", "s", "--year", "2025"
    )
    assert code == 0, err
    assert profdiag.load_instrument(out).norms[0].year == 2025
    assert "fewer than the 200 recommended" in err


def test_cli_reports_bad_group_values_with_row_and_column(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "sample.csv", 120)
    text = data.read_text(encoding="utf-8").replace("\np7,м,", "\np7,boy,", 1)
    data.write_text(text, encoding="utf-8")
    out = tmp_path / "x.json"
    code, _, err = run(
        "norms", "build", "klimov-ddo", data, "--group-by", "sex", "--out", out, "--source", "s"
    )
    assert code == 1
    assert "column 'sex': got \"boy\"; expected f or m" in err and "line 9" in err
    assert "--lenient" not in err  # leniency is for answers, not group values
    assert "Traceback" not in err and not out.exists()


def test_norms_agree_with_r() -> None:
    """Each person's PR, T, stanine and sten within their group as base R computes them
    from ranks (tests/data/norms-r/make_reference.R: `rank(ties = "average")`, `qnorm`,
    `findInterval` on the z cut points), against the tables built here and looked up by
    `standardize`. The tables hold PR and T to 0.01, hence the 0.005 tolerance."""
    import csv

    folder = Path(__file__).parent / "data" / "norms-r"
    with (folder / "responses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (folder / "expected.csv").open(encoding="utf-8") as handle:
        expected = {row["id"]: row for row in csv.DictReader(handle)}
    instrument = one_item(codes=tuple(range(13)))
    raws = [row["raw"] for row in rows]
    sex = [row["sex"] for row in rows]
    built = build_norms(
        instrument,
        score(instrument, {"i1": raws}),
        {"sex": sex},
        group_by=["sex"],
        source="R reference",
        year=2026,
        min_size=50,
    )
    assert built.excluded == {"no scale scored": 20}
    normed = built.instrument
    scores = standardize(normed, score(normed, {"i1": raws}), attributes={"sex": sex})
    compared = 0
    for position, row in enumerate(rows):
        reference = expected.get(row["id"])
        if reference is None:
            assert row["raw"] == "" and math.isnan(scores.t[position, 0])
            continue
        assert abs(scores.percentile[position, 0] - float(reference["pr"])) <= 0.005 + 1e-9
        assert abs(scores.t[position, 0] - float(reference["t"])) <= 0.005 + 1e-9
        assert scores.stanine[position, 0] == int(reference["stanine"])
        assert scores.sten[position, 0] == int(reference["sten"])
        compared += 1
    assert compared == 680


@pytest.mark.parametrize("command", ["describe", "report"])
def test_cli_refuses_a_reference_date_that_is_not_a_date(tmp_path: Path, command: str) -> None:
    target = "klimov-ddo" if command == "describe" else tmp_path / "profiles.json"
    (tmp_path / "profiles.json").write_text('{"profiles": []}', encoding="utf-8")
    extra = [] if command == "describe" else ["--out", tmp_path / "reports"]
    code, _, err = run(command, target, *extra, "--as-of", "31.02.2026")
    assert code == 2 and "'31.02.2026': expected a date such as 2025-03-14" in err
    code, _, err = run(command, target, *extra, "--norms-max-age", "-1")
    assert code == 2 and "--norms-max-age" in err


def test_an_instrument_with_overlaid_texts_is_refused() -> None:
    """Licensed item texts from an overlay must not be written into the new version."""
    from tests.test_overlay_and_answer_strings import overlay, overlay_document, pairs_instrument

    merged = profdiag.apply_overlay(pairs_instrument(), overlay(overlay_document()))
    result = score(merged, {"1": ["а"] * 60, "2": ["б"] * 60, "3": ["а"] * 60, "4": ["б"] * 60})
    with pytest.raises(ArgumentError, match="overlay"):
        build_norms(merged, result, {}, source="s", year=2020)


def test_cli_never_writes_over_the_instrument_it_reads(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "sample.csv", 120)
    definition = tmp_path / "ddo.json"
    definition.write_bytes(Path(DDO_FILE).read_bytes())
    before = definition.read_bytes()
    code, _, err = run("norms", "build", definition, data, "--out", definition, "--source", "s")
    assert code == 1 and "is the input file" in err and "Traceback" not in err
    assert definition.read_bytes() == before
