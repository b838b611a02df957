"""Nominal, multiple-select and text items, with the bundled intentions survey
(profdiag-intentions-9-11): validated and kept as categories, never scored."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import BASE

import profdiag
from profdiag._instrument import instrument_from_document
from profdiag._io import read_table
from profdiag._scoring.plan import compile_plan
from profdiag.cli import main
from profdiag.errors import InstrumentError, ResponseDataError

ROOT = Path(__file__).resolve().parents[1]
SURVEY = profdiag.load_instrument("profdiag-intentions-9-11")
DOCUMENT = json.loads((ROOT / "instruments" / "profdiag-intentions-9-11.json").read_text())
DECIDED = [f"d{k}" for k in range(1, 9)]
REVERSED = {"d2", "d5", "d7"}
SOURCES = [option.code for option in SURVEY.response_formats["sources"].options]
HELP = [option.code for option in SURVEY.response_formats["help"].options]

# The content hashes of the instruments bundled before survey items existed: the new
# formats must not change them (new optional fields are never dumped for old files).
HASHES = {
    "ipip-bfm-50": "sha256:b8cf4b515dd2e1c547a255b2d1153b47596c5a2bb2cf77420c90a6e7c134a13e",
    "klimov-ddo": "sha256:399f898168aa394e8d55ad4280bf3b6064390da78d3daeeb5b096df6cf6d72e1",
    "onet-ip-sf-60": "sha256:217b19c0776da3f70e32fffea076ee7fdf1d7edd73497a6dab819c75c24ca533",
    "profdiag-aptitude-sampler": (
        "sha256:c8f2aa6f4a9e43f8ad9b7bbb18004f359da619135f8a310136fb931f8bf8e546"
    ),
    "profdiag-riasec-72": "sha256:ba3a84f6bfcd89db00b71385b2e543b0c45ebab121f22621a3a19b305fe9d916",
}


def respondent(**answers: Any) -> dict[str, Any]:
    """A complete valid answer sheet, with `answers` replacing cells."""
    row: dict[str, Any] = {
        "route": "college",
        "route_other": "",
        "field": "it",
        "field_other": "",
        "place": "tyumen",
        **dict.fromkeys(DECIDED, 3),
        "sources": "family",
        "sources_other": "",
        "events": "none",
        "help": "testing",
        "help_other": "",
    }
    row.update(answers)
    return row


def with_document(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    change(document)
    return document


# --- the instrument ------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", sorted(HASHES))
def test_existing_instruments_keep_their_content_hashes(instrument_id: str) -> None:
    assert profdiag.load_instrument(instrument_id).content_hash == HASHES[instrument_id]


def test_the_survey_is_ours_unnormed_and_says_how_the_english_was_made() -> None:
    assert SURVEY.text_status == {"ru": "original", "en": "unvalidated_translation"}
    assert SURVEY.norms == ()
    notes = SURVEY.notes
    assert notes is not None and "reliability" in (notes.en or "")
    assert "translation" in (notes.en or "") and "pilot" in (notes.en or "")
    assert [scale.id for scale in SURVEY.scales] == ["decidedness"]
    scale = SURVEY.scales[0]
    assert scale.reliability is None and scale.bands is None
    assert {entry.item for entry in scale.items if entry.reverse} == REVERSED
    for item in SURVEY.items:
        assert item.text is not None and item.text.ru and item.text.en


def test_field_options_use_the_catalogues_notation() -> None:
    catalogue = profdiag.load_catalogue()
    klimov = {t for occupation in catalogue.occupations for t in occupation.ddo}
    for option in SURVEY.response_formats["field"].options:
        if option.code in ("other", "undecided"):
            assert option.riasec is None and option.klimov_types == ()
        else:
            assert option.riasec and set(option.klimov_types) <= klimov, option.code


def test_every_other_option_points_to_its_text_item() -> None:
    for fmt in SURVEY.response_formats.values():
        for option in getattr(fmt, "options", ()):
            if option.code == "other":
                assert option.specify is not None
                target = SURVEY.items[SURVEY.item_index[option.specify]]
                assert SURVEY.format_of(target).type == "text"


# --- the decidedness scale, by hand ---------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (dict.fromkeys(DECIDED, 4), (5 * 4 + 3 * 2) / 8),
        (dict.fromkeys(DECIDED, 5), (5 * 5 + 3 * 1) / 8),
        (dict.fromkeys(DECIDED, 1), (5 * 1 + 3 * 5) / 8),
        ({"d1": 5, "d2": 1, "d3": 5, "d4": 5, "d5": 1, "d6": 5, "d7": 1, "d8": 5}, 5.0),
        ({"d1": 2, "d2": 4, "d3": 1, "d4": 3, "d5": 5, "d6": 2, "d7": 3, "d8": 4}, 18 / 8),
        # two gaps: the mean of the six answered keyed items
        ({"d1": 5, "d2": "", "d3": 4, "d4": None, "d5": 2, "d6": 3, "d7": 1, "d8": 4}, 25 / 6),
    ],
)
def test_decidedness_golden_values(answers: dict[str, Any], expected: float) -> None:
    result = profdiag.score(SURVEY, respondent(**answers))
    assert result.raw[0, 0] == pytest.approx(expected)


def test_three_gaps_leave_decidedness_unscored() -> None:
    result = profdiag.score(SURVEY, respondent(d1="", d2="", d3=9))  # 9: no answer
    assert np.isnan(result.raw[0, 0])
    assert result.status_labels()[0, 0] == "too_few_answered"
    assert int(result.answered[0, 0]) == 5


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=8, max_size=8))
def test_reverse_keying_property(values: list[int]) -> None:
    answers = dict(zip(DECIDED, values, strict=True))
    keyed = [6 - v if item in REVERSED else v for item, v in answers.items()]
    result = profdiag.score(SURVEY, respondent(**answers))
    assert result.raw[0, 0] == pytest.approx(sum(keyed) / 8)
    flipped = profdiag.score(SURVEY, respondent(**{k: 6 - v for k, v in answers.items()}))
    assert flipped.raw[0, 0] == pytest.approx(6 - result.raw[0, 0])


# --- nominal, multiple select, text ---------------------------------------------------


def test_categorical_answers_are_returned_and_counted() -> None:
    rows = [
        respondent(route="2", field="4", sources="1;3;family", place="north"),
        respondent(route="other", route_other="  кадетский корпус ", sources=" 9 ; 10 "),
        respondent(route="", field=None, place="99", sources="", events="", help="99"),
    ]
    result = profdiag.score(SURVEY, rows)
    route = result.categorical["route"]
    assert route.kind == "nominal"
    assert route.chosen_codes() == ["college", "other", None]
    assert route.counts()["college"] == 1 and route.counts()["other"] == 1
    assert sum(route.counts().values()) == 2
    assert result.categorical["route_other"].chosen_codes() == [None, "кадетский корпус", None]
    assert result.categorical["field"].chosen_codes() == ["it", "it", None]
    assert result.categorical["place"].chosen_codes() == ["north", "tyumen", None]
    sources = result.categorical["sources"]
    assert sources.values.shape == (3, len(SOURCES))
    assert sources.chosen_codes() == ["family;teachers", "social_media;employers", None]
    assert list(sources.answered()) == [True, True, False]
    assert sources.counts()["family"] == 1 and sources.counts()["employers"] == 1
    assert result.categorical["help"].chosen_codes() == ["testing", "testing", None]
    assert not result.row_has_problem.any()


def test_one_dict_and_an_object_array_give_the_same_answers() -> None:
    row = respondent(sources="2;4", route="university")
    one = profdiag.score(SURVEY, row)
    matrix = np.array([[row[item.id] for item in SURVEY.items]], dtype=object)
    other = profdiag.score(SURVEY, matrix)
    for item_id, answers in one.categorical.items():
        assert answers.chosen_codes() == other.categorical[item_id].chosen_codes(), item_id
    assert one.raw[0, 0] == other.raw[0, 0]


def test_a_long_table_scores_in_blocks_with_the_same_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n_rows = 9_000  # more than one block of rows
    picks = [
        ";".join(SOURCES[k] for k in sorted(set(rng.choice(11, size=rng.integers(1, 4)))))
        for _ in range(n_rows)
    ]
    columns: dict[str, Any] = {
        name: [value] * n_rows for name, value in respondent().items() if name != "sources"
    }
    columns["sources"] = picks
    columns["d1"] = rng.integers(1, 6, n_rows).astype(float)
    result = profdiag.score(SURVEY, columns)
    assert result.categorical["sources"].chosen_codes() == picks
    keyed = (columns["d1"] + 3 * 4 + 3 * 3) / 8  # d2..d8 all 3: four straight, three reversed
    assert np.allclose(result.raw[:, 0], keyed)
    # The same table read from CSV: Arrow columns, scored block by block on threads.
    path = tmp_path / "long.csv"
    names = list(columns)
    lines = [",".join(names)]
    for row in range(n_rows):
        cells = [columns[name][row] for name in names]
        lines.append(",".join(str(int(c)) if isinstance(c, float) else str(c) for c in cells))
    path.write_text("\n".join(lines) + "\n")
    table = read_table(path)
    from profdiag._scoring.inputs import Columns
    from profdiag._scoring.score import _sliceable
    from profdiag._scoring.survey import split_survey_items

    plan = compile_plan(SURVEY)
    shape, _, _ = split_survey_items(plan, Columns(table.columns, table.n_rows))
    assert isinstance(shape, Columns) and _sliceable(plan, shape)
    from_file = profdiag.score(SURVEY, table.columns)
    assert from_file.categorical["sources"].chosen_codes() == picks
    assert np.array_equal(from_file.raw, result.raw)


def multi_select_answers() -> st.SearchStrategy[list[set[str]]]:
    plain = [code for code in SOURCES if code != "none"]
    subset = st.one_of(st.sets(st.sampled_from(plain), min_size=1), st.just({"none"}))
    return st.lists(subset, min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(multi_select_answers(), st.randoms(use_true_random=False))
def test_multi_select_indicators_are_membership_in_either_form(
    chosen: list[set[str]], rnd: Any
) -> None:
    aliases = {
        option.code: option.aliases[0] for option in SURVEY.response_formats["sources"].options
    }

    def spelled(codes: set[str]) -> str:
        tokens = [aliases[c] if rnd.random() < 0.5 else c for c in codes]
        rnd.shuffle(tokens)
        return " ; ".join(tokens + tokens[:1])  # order, repeats and spaces do not matter

    rows = [respondent(sources=spelled(codes)) for codes in chosen]
    delimited = profdiag.score(SURVEY, rows).categorical["sources"].values
    expected = np.array([[code in codes for code in SOURCES] for codes in chosen], dtype=float)
    assert np.array_equal(delimited, expected)
    columns: dict[str, Any] = {
        name: [row[name] for row in rows] for name in rows[0] if name != "sources"
    }
    for k, code in enumerate(SOURCES):
        columns[f"sources.{code}"] = [str(int(flag)) for flag in expected[:, k]]
    indicators = profdiag.score(SURVEY, columns)
    assert np.array_equal(indicators.categorical["sources"].values, expected)
    assert indicators.raw[0, 0] == pytest.approx(3.0)


def test_the_count_of_options_chosen_is_the_items_value() -> None:
    from profdiag._scoring.score import score_with_values

    result, values = score_with_values(SURVEY, respondent(sources="1;2;3", route="work"))
    assert values[0, SURVEY.item_index["sources"]] == 3.0
    assert values[0, SURVEY.item_index["route"]] == 4.0  # the option's position
    assert (
        values[0, SURVEY.item_index["route_other"]] != values[0, SURVEY.item_index["route_other"]]
    )
    assert result.categorical["route"].chosen_codes() == ["work"]


# --- errors in the data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "column", "value", "fragment"),
    [
        ({"route": "college2"}, "route", "college2", "one of the options grade10 (1)"),
        ({"route": 9}, "route", 9, "one of the options"),
        ({"field": True}, "field", True, "one of the options"),
        ({"sources": "1;3;77"}, "sources", "1;3;77", "separated by ';'"),
        ({"sources": "family,friends"}, "sources", "family,friends", "family (1)"),
        ({"events": "none;1"}, "events", "none;1", "none only alone"),
        ({"help": "1;2;3;4"}, "help", "1;2;3;4", "at most 3"),
        ({"help": False}, "help", False, "option codes"),
        ({"help_other": "я" * 301}, "help_other", "я" * 301, "at most 300 characters"),
        ({"route_other": {"a": 1}}, "route_other", {"a": 1}, "text of at most"),
    ],
)
def test_invalid_cells_are_problems_with_row_column_value_and_expectation(
    answers: dict[str, Any], column: str, value: Any, fragment: str
) -> None:
    rows = [respondent(), respondent(**answers)]
    with pytest.raises(ResponseDataError) as caught:
        profdiag.score(SURVEY, rows)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (1, column, value)
    assert fragment in problem.expected
    lenient = profdiag.score(SURVEY, rows, strict=False)
    assert list(lenient.row_has_problem) == [False, True]
    assert lenient.categorical[column].answered()[1] == False  # noqa: E712
    assert lenient.raw[1, 0] == lenient.raw[0, 0]  # the scale is not touched


def test_indicator_columns_are_checked_cell_by_cell_and_as_a_combination() -> None:
    base = {name: [value] * 3 for name, value in respondent().items() if name != "sources"}
    flags = {f"sources.{code}": ["0", "0", "0"] for code in SOURCES}
    flags["sources.family"] = ["1", "2", "1"]
    flags["sources.none"] = ["0", "0", "1"]
    result = profdiag.score(SURVEY, {**base, **flags}, strict=False)
    shown = [(p.row, p.column, p.value) for p in result.problems]
    assert (1, "sources.family", "2") in shown
    assert (2, "sources", "family;none") in shown
    assert result.categorical["sources"].answered().tolist() == [True, True, False]


def test_both_forms_or_neither_form_of_a_multi_select_item_is_a_column_problem() -> None:
    both = {**respondent(), "sources.family": 1}
    with pytest.raises(ResponseDataError, match="not both"):
        profdiag.score(SURVEY, [both])
    neither = respondent()
    del neither["sources"]
    with pytest.raises(ResponseDataError) as caught:
        profdiag.score(SURVEY, [neither])
    (problem,) = caught.value.problems
    assert problem.row == -1 and problem.column == "sources"
    assert "sources.family" in problem.expected
    partial = {**respondent(), "sources.family": 1}
    del partial["sources"]
    with pytest.raises(ResponseDataError, match=r"sources\.friends"):
        profdiag.score(SURVEY, [partial])


# --- errors in definitions -------------------------------------------------------------


def survey_document(**formats: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document.update(
        response_formats={
            "lk": {"type": "likert", "codes": [1, 2, 3]},
            "one": {"type": "nominal", "options": [{"code": "a"}, {"code": "b"}]},
            "many": {"type": "multiple_select", "options": [{"code": "a"}, {"code": "b"}]},
            "free": {"type": "text"},
            **formats,
        },
        items=[
            {"id": "x", "format": "lk"},
            {"id": "pick", "format": "one"},
            {"id": "several", "format": "many"},
            {"id": "say", "format": "free"},
        ],
        scales=[{"id": "S", "title": {"en": "S"}, "items": [{"item": "x"}]}],
    )
    return document


def problems_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InstrumentError) as caught:
        instrument_from_document(document)
    return [(p.path, p.expected) for p in caught.value.problems]


def test_a_minimal_survey_definition_loads() -> None:
    instrument = instrument_from_document(survey_document())
    kinds = [item.kind for item in compile_plan(instrument).survey_items]
    assert kinds == ["nominal", "multiple_select", "text"]


@pytest.mark.parametrize("item_id", ["pick", "several", "say"])
def test_a_scale_may_not_include_survey_items(item_id: str) -> None:
    document = survey_document()
    document["scales"][0]["items"].append({"item": item_id})
    (path, expected), *_ = problems_of(document)
    assert path == "$.scales[0].items[1].item" and "never summed into a scale" in expected


@pytest.mark.parametrize(
    ("formats", "path", "fragment"),
    [
        (
            {
                "one": {
                    "type": "nominal",
                    "options": [{"code": "a", "exclusive": True}, {"code": "b"}],
                }
            },
            "$.response_formats.one.options[0].exclusive",
            "only in a multiple-select",
        ),
        (
            {"many": {"type": "multiple_select", "options": [{"code": "a;b"}, {"code": "c"}]}},
            "$.response_formats.many.options[0]",
            "without the delimiter",
        ),
        (
            {
                "many": {
                    "type": "multiple_select",
                    "options": [{"code": "a"}, {"code": "b"}],
                    "max_selected": 3,
                }
            },
            "$.response_formats.many.max_selected",
            "at most the number of options",
        ),
        (
            {
                "many": {
                    "type": "multiple_select",
                    "options": [{"code": "a"}, {"code": "b"}],
                    "delimiter": "x",
                }
            },
            "$.response_formats.many.delimiter",
            "not a letter or digit",
        ),
        (
            {"one": {"type": "nominal", "options": [{"code": "a", "specify": "x"}, {"code": "b"}]}},
            "$.response_formats.one.options[0].specify",
            "the id of a text item",
        ),
        (
            {"one": {"type": "nominal", "options": [{"code": "a"}, {"code": "a"}]}},
            "$.response_formats.one.options[0]",
            "unique within the format",
        ),
    ],
)
def test_survey_format_errors_name_their_json_path(
    formats: dict[str, Any], path: str, fragment: str
) -> None:
    found = problems_of(survey_document(**formats))
    assert any(p == path and fragment in e for p, e in found), found


def test_option_columns_may_not_clash_with_item_ids() -> None:
    document = survey_document()
    document["items"].append({"id": "several.a", "format": "lk"})
    found = problems_of(document)
    assert any("'several.a' is the id of another item" in e for _, e in found), found


def test_reverse_on_a_text_item_and_correct_on_a_nominal_item_are_refused() -> None:
    document = survey_document()
    document["items"][1]["correct"] = ["a"]
    found = problems_of(document)
    assert any(p == "$.items[1].correct" for p, _ in found), found


# --- command line and files ------------------------------------------------------------


def test_cli_validate_describe_and_score(tmp_path: Path) -> None:
    runner = CliRunner()
    path = ROOT / "instruments" / "profdiag-intentions-9-11.json"
    validated = runner.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0 and SURVEY.content_hash in validated.output
    described = runner.invoke(main, ["describe", "profdiag-intentions-9-11", "--lang", "en"])
    assert "recorded, not scored" in described.output
    assert "at most 3" in described.output and "none (alone)" in described.output
    data = tmp_path / "survey.csv"
    header = ["id", *respondent()]
    rows = [
        ["p1", *respondent(sources="1;3", field="16", field_other="сварка, но не знаю").values()],
        ["p2", *respondent(events="1;2", route="8").values()],
    ]
    data.write_text(
        "\n".join(",".join(f'"{cell}"' for cell in map(str, row)) for row in [header, *rows]) + "\n"
    )
    out = tmp_path / "scores.csv"
    result = runner.invoke(
        main,
        ["score", "profdiag-intentions-9-11", str(data), "--id-column", "id", "--out", str(out)],
    )
    assert result.exit_code == 0, result.stderr
    table = read_table(out)
    assert list(table.columns["route"]) == ["college", "undecided"]
    assert list(table.columns["field_other"]) == ["сварка, но не знаю", ""]
    assert list(table.columns["sources.teachers"]) == ["1", "0"]
    assert list(table.columns["events.bilet"]) == ["0", "1"]
    assert list(table.columns["decidedness"]) == ["3.0", "3.0"]
    bad = tmp_path / "bad.csv"
    bad.write_text(data.read_text().replace('"1;3"', '"1;3;77"'))
    failed = runner.invoke(
        main, ["score", "profdiag-intentions-9-11", str(bad), "--id-column", "id"]
    )
    assert failed.exit_code == 1
    assert "column 'sources': got \"1;3;77\"" in failed.stderr
    assert "Traceback" not in failed.stderr
