"""Typed answer sheets: any sheet written as documented reads back to exactly its answers,
and no text makes the parser fail."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_overlay_and_answer_strings import pairs_instrument

import profdiag
from profdiag._instrument import Instrument, load_bundled
from profdiag._io.answer_strings import expand_answer_strings, parse_answer_string

# Between an item number and its option (a digit option needs something there: "12" is
# item 12), and between tokens (nothing only after a letter option: "1а2б").
MARKS = ["", " ", "-", ".", ")", ":", " - ", ") ", ": ", ". ", "  "]
SEPARATORS = [" ", "  ", ",", ", ", " ,", ";", "; ", "\t", "\n", "\r\n", ",\n"]
INSTRUMENTS = {
    "klimov-ddo": load_bundled("klimov-ddo"),
    "pairs-9": pairs_instrument(9),
    "pairs-130": pairs_instrument(130),
}


def spellings(instrument: Instrument, item: int) -> list[str]:
    answer_format = instrument.response_formats[instrument.items[item].format]
    options = getattr(answer_format, "options")  # noqa: B009 - forced choice formats only
    return [spelling for option in options for spelling in (option.code, *option.aliases)]


@st.composite
def sheets(draw: st.DrawFn, instrument: Instrument) -> tuple[str, dict[str, str]]:
    n_items = len(instrument.items)
    chosen = draw(st.lists(st.integers(1, n_items), unique=True, max_size=min(n_items, 40)))
    text = draw(st.sampled_from(["", " ", "\n", ", "]))
    answers: dict[str, str] = {}
    letter_before = True
    for position, number in enumerate(chosen):
        spelling = draw(st.sampled_from(spellings(instrument, number - 1)))
        letter = spelling.isalpha()
        mark = draw(st.sampled_from(MARKS if letter else MARKS[1:]))
        separator = draw(st.sampled_from(["", *SEPARATORS] if letter_before else SEPARATORS))
        text += (separator if position else "") + f"{number}{mark}{spelling}"
        answers[instrument.items[number - 1].id] = spelling
        letter_before = letter
    text += draw(st.sampled_from(["", " ", ";", "\n", "; "]))
    return text, answers


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(INSTRUMENTS)))
def test_documented_sheets_read_back_to_their_answers(data: st.DataObject, name: str) -> None:
    instrument = INSTRUMENTS[name]
    text, answers = data.draw(sheets(instrument))
    assert parse_answer_string(instrument, text) == (answers, [])


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_sheets_score_as_the_answers_they_hold(data: st.DataObject) -> None:
    instrument = INSTRUMENTS["klimov-ddo"]
    pairs = [data.draw(sheets(instrument)) for _ in range(data.draw(st.integers(1, 4)))]
    columns, problems = expand_answer_strings(instrument, [text for text, _ in pairs], "sheet")
    assert problems == []
    from_sheets = profdiag.score(instrument, columns)
    item_ids = [item.id for item in instrument.items]
    direct = profdiag.score(
        instrument, {i: [answers.get(i) for _, answers in pairs] for i in item_ids}
    )
    np.testing.assert_array_equal(from_sheets.raw, direct.raw)
    np.testing.assert_array_equal(from_sheets.answered, direct.answered)


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("0123456789аб abАБ-.:);,\n\t٣１")),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=80,
)


@settings(max_examples=500, deadline=None)
@given(text=TEXT, name=st.sampled_from(sorted(INSTRUMENTS)))
def test_any_text_gives_answers_and_problems_never_an_exception(text: str, name: str) -> None:
    instrument = INSTRUMENTS[name]
    answers, problems = parse_answer_string(instrument, text)
    assert set(answers) <= {item.id for item in instrument.items}
    for seen, expected in problems:
        assert seen in text and expected


@pytest.mark.parametrize("digits", [5000, 100_000])
def test_an_item_number_of_thousands_of_digits_is_a_problem(digits: int) -> None:
    # int() of 5,000 digits raised ValueError (Python's integer string limit).
    instrument = INSTRUMENTS["klimov-ddo"]
    text = "1а " + "9" * digits + "б 2б " + "0" * digits + "3а"
    answers, problems = parse_answer_string(instrument, text)
    assert answers == {"1": "а", "2": "б", "3": "а"}
    assert [(len(seen), expected) for seen, expected in problems] == [
        (digits + 1, "an item number from 1 to 20")
    ]


@pytest.mark.parametrize(
    ("text", "answers", "problems"),
    [
        ("01а 002б", {"1": "а", "2": "б"}, []),
        ("٣а １б", {"3": "а", "1": "б"}, []),
        (
            "0а 21б",
            {},
            [("0а", "an item number from 1 to 20"), ("21б", "an item number from 1 to 20")],
        ),
        ("٠٠٠٢٠а", {"20": "а"}, []),
    ],
)
def test_item_numbers_in_any_digits_with_leading_zeros(
    text: str, answers: dict[str, str], problems: list[Any]
) -> None:
    assert parse_answer_string(INSTRUMENTS["klimov-ddo"], text) == (answers, problems)
