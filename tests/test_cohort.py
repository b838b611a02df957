"""Cohort tables: golden counts on a hand-made file, disclosure control against an
attacker who solves every relation the published table offers, and the CLI's refusals."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

import profdiag
from profdiag._cohort.disclosure import PRIMARY, CountTable, protect
from profdiag.cli._main import main

DATA = Path(__file__).parent / "data" / "cohort"
TWENTY = DATA / "twenty.csv"
SURVEY = "profdiag-intentions-9-11"
NOMINAL = ("route", "field", "place")
MULTIPLE = ("sources", "events", "help")
SUPPRESSED = "disclosure"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def published(folder: Path) -> list[dict[str, str]]:
    with (folder / "cohort.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("cohort")
    code, _, err = run("cohort", SURVEY, TWENTY, "--by", "school", "--out", out, "--no-pdf")
    assert code == 0, err
    return published(out)


def cell(rows: list[dict[str, str]], school: str, measure: str, category: str) -> tuple[str, ...]:
    [row] = [
        r for r in rows if (r["school"], r["measure"], r["category"]) == (school, measure, category)
    ]
    return row["n"], row["share"], row["value"], row["suppressed"]


# twenty.csv, year 2025: school A 9 pupils (university 5, college 4; sources
# family;teachers 5, family 4; all d = 4), B 7 (college; friends; d = 2), C 4 (work 2,
# university 2; sources empty 2, family 2; d = 3). C (4 < 5) merges into "other", which
# is then still below 5, so the smallest remaining group, B, joins it: other = 11.


def test_golden_groups_and_totals(twenty: list[dict[str, str]]) -> None:
    assert [
        r["school"] for r in twenty if r["measure"] == "route" and r["category"] == "total"
    ] == [
        "A",
        "other",
        "total",
    ]
    assert cell(twenty, "A", "route", "total") == ("9", "1.0000", "", "")
    assert cell(twenty, "other", "route", "total") == ("11", "1.0000", "", "")
    assert cell(twenty, "total", "route", "total") == ("20", "1.0000", "", "")
    assert {r["year"] for r in twenty} == {"2025"}


def test_golden_route_suppression(twenty: list[dict[str, str]]) -> None:
    # Primary: A college 4, other university 2 and work 2, total work 2.
    assert cell(twenty, "A", "route", "college") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "other", "route", "university") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "other", "route", "work") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "total", "route", "work") == ("", "", "", SUPPRESSED)
    # Complementary: A university (else 9 - 5 gives A's college), other college (else
    # 11 - 7 gives it from the column), total university (else 20 - 11 - 7 gives work).
    assert cell(twenty, "A", "route", "university") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "other", "route", "college") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "total", "route", "university") == ("", "", "", SUPPRESSED)
    # Published: college overall 11 of 20 answered; zeros stay published.
    assert cell(twenty, "total", "route", "college") == ("11", "0.5500", "", "")
    assert cell(twenty, "A", "route", "military") == ("0", "0.0000", "", "")
    assert cell(twenty, "total", "route", "no_answer") == ("0", "0.0000", "", "")


def test_golden_multiple_select(twenty: list[dict[str, str]]) -> None:
    # other: friends 7 of 11, but 2 did not answer (suppressed), so its shares (whose
    # denominator, the 9 who answered, would reveal them) are withheld.
    assert cell(twenty, "other", "sources", "friends") == ("7", "", "", "")
    assert cell(twenty, "other", "sources", "no_answer") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "other", "sources", "family") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "total", "sources", "family") == ("11", "", "", "")
    # A: teachers 5 of 9 means 4 did not choose it, a count below 5 derivable from
    # teachers and the total: teachers is suppressed, and family with it.
    assert cell(twenty, "A", "sources", "teachers") == ("", "", "", SUPPRESSED)
    assert cell(twenty, "A", "sources", "family")[3] == SUPPRESSED


def test_golden_scale_means(twenty: list[dict[str, str]]) -> None:
    # decidedness = mean of d1..d8 with d2, d5, d7 reversed (6 - x): all 4 -> 3.25,
    # all 2 -> 2.75, all 3 -> 3.
    assert cell(twenty, "A", "scale:decidedness", "mean") == ("9", "", "3.250", "")
    assert cell(twenty, "A", "scale:decidedness", "sd") == ("9", "", "0.000", "")
    other = (7 * 2.75 + 4 * 3.0) / 11
    assert cell(twenty, "other", "scale:decidedness", "mean") == ("11", "", f"{other:.3f}", "")
    overall = (9 * 3.25 + 7 * 2.75 + 4 * 3.0) / 20
    assert cell(twenty, "total", "scale:decidedness", "mean")[2] == f"{overall:.3f}"
    values = [3.25] * 9 + [2.75] * 7 + [3.0] * 4
    assert cell(twenty, "total", "scale:decidedness", "sd")[2] == f"{np.std(values, ddof=1):.3f}"


def test_every_respondent_counted_once_per_measure(twenty: list[dict[str, str]]) -> None:
    measures = {r["measure"] for r in twenty}
    assert measures == {*NOMINAL, *MULTIPLE, "scale:decidedness"}
    for measure in measures:
        totals = [
            int(r["n"]) for r in twenty if r["measure"] == measure and r["category"] == "total"
        ]
        assert totals[-1] == 20 and sum(totals[:-1]) == 20


def test_no_published_count_below_k(twenty: list[dict[str, str]]) -> None:
    counts = [int(r["n"]) for r in twenty if r["n"]]
    assert all(n == 0 or n >= 5 for n in counts)
    assert all(not r["share"] and not r["n"] for r in twenty if r["suppressed"])


# --- the attacker -------------------------------------------------------------------


def attack(
    counts: dict[tuple[int, str], int | None],
    reasons: dict[tuple[int, str], str],
    n_rows: int,
    categories: list[str],
    kind: str,
    k: int,
) -> list[tuple[int, str, int]]:
    """Every suppressed cell (row, category, true value unknown to us) whose value the
    published cells pin down: integer min and max of each unknown under all relations a
    reader can form. Rows 0..n_rows-2 are groups, the last is the overall row.
    Returns the pinned cells with the value they are pinned to."""
    total = {row: counts[(row, "total")] for row in range(n_rows)}
    assert all(t is not None for t in total.values())
    unknowns: list[tuple[int, str]] = [cell for cell, n in counts.items() if n is None]
    if kind == "multiple":  # who did not choose an option: never published
        unknowns += [(row, "not:" + c) for row in range(n_rows) for c in categories]
    index = {cell: i for i, cell in enumerate(unknowns)}

    def term(row: int, column: str) -> tuple[int | None, float]:
        if (row, column) in index:
            return index[(row, column)], 0.0
        value = counts[(row, column)]
        assert value is not None
        return None, float(value)

    equations: list[tuple[dict[int, float], float]] = []

    def equation(terms: list[tuple[int, str, float]]) -> None:
        coefficients: dict[int, float] = {}
        constant = 0.0
        for row, column, sign in terms:
            position, value = term(row, column)
            if position is None:
                constant += sign * value
            else:
                coefficients[position] = coefficients.get(position, 0.0) + sign
        if coefficients:
            equations.append((coefficients, -constant))

    overall = n_rows - 1
    row_sets = (
        [[*categories, "no_answer"]]
        if kind == "single"
        else [[c, "not:" + c, "no_answer"] for c in categories]
    )
    columns = [*categories, "no_answer"] + (
        ["not:" + c for c in categories] if kind == "multiple" else []
    )
    for row in range(n_rows):
        for members in row_sets:
            equation([(row, c, 1.0) for c in members] + [(row, "total", -1.0)])
    for column in columns:
        equation([(row, column, 1.0) for row in range(overall)] + [(overall, column, -1.0)])
    # The table does not say which suppressions are primary: 0..row total for each.
    low = np.zeros(len(unknowns))
    high = np.array([float(total[cell[0]]) for cell in unknowns])
    matrix = np.zeros((len(equations), len(unknowns)))
    for e, (coefficients, _) in enumerate(equations):
        for position, coefficient in coefficients.items():
            matrix[e, position] = coefficient
    rhs = np.array([value for _, value in equations])
    constraints = [LinearConstraint(matrix, rhs, rhs)] if equations else []
    pinned = []
    for cell, position in index.items():
        if cell not in reasons and not cell[1].startswith("not:"):
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(unknowns))
            objective[position] = sign
            solved = milp(
                objective,
                constraints=constraints,
                integrality=np.ones(len(unknowns)),
                bounds=Bounds(low, high),
            )
            assert solved.status == 0, solved.message
            ends.append(round(sign * solved.fun))
        if ends[0] == ends[1]:
            pinned.append((cell[0], cell[1], ends[0]))
    return pinned


def _protected_virtual(pinned: list[tuple[int, str, int]], k: int) -> list[tuple[int, str, int]]:
    """Pinned cells that matter: a suppressed cell, or a never-published count 1..k-1."""
    return [p for p in pinned if not p[1].startswith("not:") or 1 <= p[2] < k]


def _published_view(
    table: CountTable, reasons: np.ndarray, columns: list[str]
) -> tuple[dict[tuple[int, str], int | None], dict[tuple[int, str], str]]:
    counts: dict[tuple[int, str], int | None] = {}
    why: dict[tuple[int, str], str] = {}
    for row in range(table.counts.shape[0]):
        for c, name in enumerate(columns):
            if table.virtual[c]:
                continue
            counts[(row, name)] = None if reasons[row, c] else int(table.counts[row, c])
            if reasons[row, c]:
                why[(row, name)] = str(reasons[row, c])
    return counts, why


def _single_table(groups: list[list[int]]) -> tuple[CountTable, list[str]]:
    body = np.array(groups, dtype=np.int64)  # categories then no_answer
    counts = np.column_stack([body, body.sum(axis=1)])
    counts = np.vstack([counts, counts.sum(axis=0)])
    n_columns = counts.shape[1]
    categories = [f"c{i}" for i in range(n_columns - 2)]
    relations = np.array([[1] * (n_columns - 1) + [-1]], dtype=np.int64)
    table = CountTable(counts, relations, np.zeros(n_columns, dtype=bool), n_columns - 1)
    return table, [*categories, "no_answer", "total"]


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(3, 5),
    groups=st.integers(2, 4).flatmap(
        lambda g: st.integers(2, 3).flatmap(
            lambda c: st.lists(
                st.lists(st.integers(0, 7), min_size=c + 1, max_size=c + 1),
                min_size=g,
                max_size=g,
            )
        )
    ),
)
def test_attacker_cannot_recover_a_suppressed_nominal_cell(k: int, groups: list[list[int]]) -> None:
    groups = [row for row in groups if sum(row) >= k]  # groups under k are merged first
    if len(groups) < 2:
        return
    table, columns = _single_table(groups)
    reasons = protect(table, k)
    published = table.counts[reasons == ""]
    assert not ((published >= 1) & (published < k)).any()
    counts, why = _published_view(table, reasons, columns)
    categories = columns[:-2]
    pinned = attack(counts, why, table.counts.shape[0], categories, "single", k)
    assert pinned == []


def _multiple_table(groups: list[list[int]]) -> tuple[CountTable, list[str]]:
    """Each group: [answered, no_answer, chosen_1, ..., chosen_K] with chosen <= answered."""
    rows = []
    for answered, no_answer, *chosen in groups:
        rows.append([*chosen, no_answer, answered + no_answer, *(answered - c for c in chosen)])
    counts = np.array(rows, dtype=np.int64)
    counts = np.vstack([counts, counts.sum(axis=0)])
    n = len(groups[0]) - 2
    relations = np.zeros((n, 2 * n + 2), dtype=np.int64)
    for c in range(n):
        relations[c, [c, n, n + 2 + c]] = 1
        relations[c, n + 1] = -1
    virtual = np.zeros(2 * n + 2, dtype=bool)
    virtual[n + 2 :] = True
    categories = [f"c{i}" for i in range(n)]
    columns = [*categories, "no_answer", "total", *(f"not:{c}" for c in categories)]
    return CountTable(counts, relations, virtual, n + 1), columns


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(3, 5),
    groups=st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 3), st.data()), min_size=2, max_size=3
    ),
)
def test_attacker_cannot_recover_a_suppressed_multiple_select_cell(
    k: int, groups: list[tuple[int, int, st.DataObject]]
) -> None:
    rows = []
    for answered, no_answer, data in groups:
        if answered + no_answer < k:
            continue
        chosen = data.draw(st.lists(st.integers(0, answered), min_size=2, max_size=2))
        rows.append([answered, no_answer, *chosen])
    if len(rows) < 2:
        return
    table, columns = _multiple_table(rows)
    reasons = protect(table, k)
    counts, why = _published_view(table, reasons, columns)
    categories = [c for c in columns if c.startswith("c")]
    pinned = attack(counts, why, table.counts.shape[0], categories, "multiple", k)
    assert _protected_virtual(pinned, k) == []


def test_attacker_finds_an_unprotected_cell() -> None:
    """The attacker can fail: with primary suppression only, 9 - 5 gives A's college."""
    table, columns = _single_table([[4, 5, 0], [7, 0, 0]])
    reasons = np.full(table.counts.shape, "", dtype=object)
    reasons[0, 0] = PRIMARY
    counts, why = _published_view(table, reasons, columns)
    assert attack(counts, why, 3, ["c0", "c1"], "single", 5) == [(0, "c0", 4)]


def test_attacker_on_the_published_golden_file(twenty: list[dict[str, str]]) -> None:
    groups = ["A", "other", "total"]
    survey = profdiag.load_instrument(SURVEY)
    for measure in (*NOMINAL, *MULTIPLE):
        item = next(i for i in survey.items if i.id == measure)
        categories = [o.code for o in survey.format_of(item).options]
        counts: dict[tuple[int, str], int | None] = {}
        why: dict[tuple[int, str], str] = {}
        for row in twenty:
            if row["measure"] != measure:
                continue
            key = (groups.index(row["school"]), row["category"])
            counts[key] = int(row["n"]) if row["n"] else None
            if row["suppressed"]:
                why[key] = row["suppressed"]
        kind = "single" if measure in NOMINAL else "multiple"
        pinned = attack(counts, why, 3, categories, kind, 5)
        assert _protected_virtual(pinned, 5) == [], measure


# --- years, merging, the library's refusals ---------------------------------------


def _ddo_rows(n: int, seed: int) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    return [{str(k): "аб"[int(rng.integers(2))] for k in range(1, 21)} for _ in range(n)]


def test_years_are_crossed_and_changes_computed() -> None:
    ddo = profdiag.load_instrument("klimov-ddo")
    result = profdiag.score(ddo, _ddo_rows(24, 1))
    columns = {
        "school": ["A"] * 6 + ["B"] * 6 + ["A"] * 6 + ["B"] * 6,
        "year": ["2024"] * 12 + ["2025"] * 12,
    }
    tables = profdiag.cohort_tables(ddo, result, columns, by=["school"])
    means = {
        (r.group, r.year): r
        for r in tables.rows
        if r.measure == "scale:nature" and r.category == "mean"
    }
    assert set(means) == {(g, y) for g in [("A",), ("B",), ("total",)] for y in ("2024", "2025")}
    for group in [("A",), ("B",), ("total",)]:
        first, second = means[(group, "2024")], means[(group, "2025")]
        assert first.change is None
        assert first.value is not None and second.value is not None
        assert second.change == pytest.approx(second.value - first.value)
    header = tables.header()
    assert header[:2] == ["school", "year"]


def test_a_whole_slice_below_k_is_withheld() -> None:
    ddo = profdiag.load_instrument("klimov-ddo")
    result = profdiag.score(ddo, _ddo_rows(8, 2))
    columns = {"school": ["A"] * 8, "year": ["2024"] * 5 + ["2025"] * 3}
    rows = profdiag.cohort_tables(ddo, result, columns, by=["school"]).rows
    late = [r for r in rows if r.year == "2025"]
    assert late and all(r.suppressed == "slice_below_k" and r.n is None for r in late)


@pytest.mark.parametrize(
    ("by", "min_cell", "message"),
    [
        (["school"], 2, "at least 3"),
        (["фамилия"], 5, "direct identifier"),
        (["class"], 5, "no column 'class'"),
        ([], 5, "at least one column"),
    ],
)
def test_library_refusals(by: list[str], min_cell: int, message: str) -> None:
    ddo = profdiag.load_instrument("klimov-ddo")
    result = profdiag.score(ddo, _ddo_rows(6, 3))
    columns = {"school": ["A"] * 6, "фамилия": ["X"] * 6}
    with pytest.raises(profdiag.ArgumentError, match=message):
        profdiag.cohort_tables(ddo, result, columns, by=by, min_cell=min_cell)


# --- the command line ------------------------------------------------------------


def test_cli_refuses_k_below_three(tmp_path: Path) -> None:
    code, _, err = run(
        "cohort", SURVEY, TWENTY, "--by", "school", "--out", tmp_path, "--min-cell", "2"
    )
    assert code == 2 and "at least 3" in err and "Traceback" not in err
    assert not (tmp_path / "cohort.csv").exists()


def test_cli_refuses_a_missing_by_column(tmp_path: Path) -> None:
    code, _, err = run("cohort", SURVEY, TWENTY, "--by", "school,klass", "--out", tmp_path)
    assert code == 2 and "'klass'" in err and "Traceback" not in err


def test_cli_refuses_grouping_by_an_identifier(tmp_path: Path) -> None:
    code, _, err = run("cohort", SURVEY, TWENTY, "--by", "ФИО", "--out", tmp_path)
    assert code == 2 and "direct identifier" in err and "Traceback" not in err


def test_cli_refuses_data_with_identifiers_unless_allowed(tmp_path: Path) -> None:
    text = TWENTY.read_text(encoding="utf-8").splitlines()
    lines = [text[0] + ",surname"] + [line + ",Иванов" for line in text[1:]]
    data = tmp_path / "named.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(
        "cohort", SURVEY, data, "--by", "school", "--out", tmp_path / "o", "--no-pdf"
    )
    assert code == 1 and "'surname'" in err and "--allow-identifiers" in err
    assert not (tmp_path / "o" / "cohort.csv").exists()
    code, _, err = run(
        "cohort",
        SURVEY,
        data,
        "--by",
        "school",
        "--out",
        tmp_path / "o",
        "--no-pdf",
        "--allow-identifiers",
    )
    assert code == 0, err
    output = (tmp_path / "o" / "cohort.csv").read_text(encoding="utf-8")
    assert "Иванов" not in output and "surname" not in output and "p01" not in output


def test_cli_output_matches_the_library(tmp_path: Path) -> None:
    code, _, err = run(
        "cohort", SURVEY, TWENTY, "--by", "municipality,school", "--out", tmp_path, "--no-pdf"
    )
    assert code == 0, err
    survey = profdiag.load_instrument(SURVEY)
    table = list(csv.DictReader(io.StringIO(TWENTY.read_text(encoding="utf-8"))))
    columns = {name: [row[name] for row in table] for name in table[0]}
    result = profdiag.score(
        survey, columns, id_column="id", other_columns=["year", "municipality", "school"]
    )
    expected = profdiag.cohort_tables(survey, result, columns, by=["municipality", "school"])
    assert (tmp_path / "cohort.csv").read_text(encoding="utf-8") == expected.to_csv()
    header = expected.to_csv().splitlines()[0]
    assert header == "municipality,school,year,measure,category,n,share,value,change,suppressed"
    assert list(itertools.islice((r.group for r in expected.rows), 1)) == [("North", "A")]


# --- the PDF -----------------------------------------------------------------------


def test_pdf_renders_published_cells_only(tmp_path: Path) -> None:
    import pypdf

    code, _, err = run(
        "cohort", SURVEY, TWENTY, "--by", "municipality,school", "--out", tmp_path, "--lang", "en"
    )
    assert code == 0, err
    pdf = (tmp_path / "cohort.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "North / A (9)" in text and "other (11)" in text and "all (20)" in text
    rows = published(tmp_path)
    suppressed = [r for r in rows if r["suppressed"] and r["measure"] == "route"]
    assert suppressed
    # The legend lists the overall row: university (7) and work (2) are suppressed there,
    # so their lines say "hidden" and carry no number; college (11 of 20) is published.
    lines = text.splitlines()
    assert "Enter a university (higher education) hidden" in lines
    assert "Start work hidden" in lines
    assert any(line.endswith(" 11 55%") for line in lines)


# --- the sample cohort -----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cohort-intentions.csv"
TITLES = {
    "ru": "Юг Тюменской области: профессиональные намерения 9–11 классов",
    "en": "South of the Tyumen region: career intentions, grades 9–11",
}


def test_sample_cohort_is_what_its_generator_writes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_cohort", ROOT / "examples" / "make_cohort.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.OUT = tmp_path / "cohort.csv"
    module.main()
    assert module.OUT.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_committed_cohort_samples_are_current(tmp_path: Path, lang: str) -> None:
    import pypdf

    code, _, err = run(
        "cohort",
        SURVEY,
        SAMPLE,
        "--by",
        "municipality,school",
        "--out",
        tmp_path,
        "--lang",
        lang,
        "--title",
        TITLES[lang],
    )
    assert code == 0, err

    def text(pdf: bytes) -> str:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    fresh = text((tmp_path / "cohort.pdf").read_bytes())
    assert fresh == text((ROOT / "docs" / "samples" / f"cohort-{lang}.pdf").read_bytes()), (
        "see docs/samples/README.md"
    )
    # The schools with fewer than 5 pupils in every year are never named, only merged.
    assert "Малая школа" not in fresh and "Хуторская школа" not in fresh
    assert "Лицей 1 (64)" in fresh
    rows = published(tmp_path)
    assert {r["school"] for r in rows} >= {"other", "total", "Лицей 1"}
    assert "Малая школа" not in {r["school"] for r in rows}
    for year, pupils in (("2025", 311), ("2026", 327)):
        totals = [
            int(r["n"])
            for r in rows
            if r["year"] == year and r["measure"] == "route" and r["category"] == "total"
        ]
        assert totals[-1] == pupils and sum(totals[:-1]) == pupils


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=5),
    seed=st.integers(0, 2**16),
    k=st.integers(3, 5),
)
def test_attacker_on_random_tiny_schools(sizes: list[int], seed: int, k: int) -> None:
    """End to end: tiny schools (some merged into "other"), the ДДО's leading type; every
    published count is 0 or >= k, totals add up, and no suppressed cell is pinned."""
    ddo = profdiag.load_instrument("klimov-ddo")
    n = sum(sizes)
    result = profdiag.score(ddo, _ddo_rows(n, seed))
    schools = [f"S{i}" for i, size in enumerate(sizes) for _ in range(size)]
    tables = profdiag.cohort_tables(ddo, result, {"school": schools}, by=["school"], min_cell=k)
    rows = [r for r in tables.rows if r.measure == "leading_type"]
    if n < k:
        assert all(r.suppressed == "slice_below_k" for r in rows)
        return
    assert all(r.n is None or r.n == 0 or r.n >= k for r in tables.rows)
    groups = list(dict.fromkeys(r.group for r in rows))
    totals = [r.n for r in rows if r.category == "total"]
    assert totals[-1] == n and sum(t or 0 for t in totals[:-1]) == n
    counts = {(groups.index(r.group), r.category): r.n for r in rows}
    why = {(groups.index(r.group), r.category): r.suppressed for r in rows if r.suppressed}
    categories = [
        c for c in dict.fromkeys(r.category for r in rows) if c not in ("no_answer", "total")
    ]
    assert attack(counts, why, len(groups), categories, "single", k) == []


def test_cli_refuses_the_year_column_among_by(tmp_path: Path) -> None:
    code, _, err = run("cohort", SURVEY, TWENTY, "--by", "school,year", "--out", tmp_path)
    assert code == 1 and "year column" in err and "Traceback" not in err
    assert not (tmp_path / "cohort.csv").exists()


def test_the_output_folder_never_replaces_the_data(tmp_path: Path) -> None:
    data = tmp_path / "cohort.csv"  # the name cohort writes, in the folder it writes to
    data.write_bytes(TWENTY.read_bytes())
    code, _, err = run("cohort", SURVEY, data, "--by", "municipality", "--out", tmp_path)
    assert code == 1 and "is the input file" in err and "Traceback" not in err
    assert data.read_bytes() == TWENTY.read_bytes()
    assert not (tmp_path / "cohort.pdf").exists()
