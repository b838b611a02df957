"""JSON inputs: nesting is limited without recursion, huge integers and syntax errors name
the line and column, whichever reader meets them (instruments, overlays, response files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import BASE

from profdiag._instrument.loading import load_instrument, parse_instrument, read_document
from profdiag._io.json_text import MAX_DEPTH, JsonTextError, loads
from profdiag._io.tables import read_table
from profdiag.errors import DocumentError, InstrumentError, ProfdiagError, ResponseDataError


def caught(text: str) -> JsonTextError:
    with pytest.raises(JsonTextError) as error:
        loads(text, "doc.json")
    return error.value


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(deepest) == json.loads(deepest)
    objects = '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    assert loads(objects) == json.loads(objects)
    error = caught("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (error.line, error.column) == (1, MAX_DEPTH + 1)
    assert error.expected == "arrays and objects nested at most 200 levels deep"
    assert isinstance(error, ProfdiagError)


def test_nesting_five_thousand_deep_is_an_error_not_a_recursion_error() -> None:
    # json.loads raised RecursionError here.
    error = caught('{"x": [\n' + "[{" * 2500 + "}]" * 2500 + "]}")
    assert (error.line, error.column) == (2, 199)
    assert str(error) == (
        "doc.json: line 2, column 199: expected arrays and objects nested at most 200 levels deep"
    )


@pytest.mark.parametrize("escaped", [False, True])
def test_brackets_inside_strings_do_not_count(escaped: bool) -> None:
    # Strings are found two ways: by counting quotes, or (once the text holds an escaped
    # quote) with a regular expression; both must skip what the strings hold.
    items = ['"' + "]" * 5000 + '"', '"' + "[" * 5000 + '"', '"' + "{" * 300 + '"']
    if escaped:
        items.append(r'"a\"[[[\\"')
    text = "[" + ", ".join(items) + "]"
    assert loads(text) == json.loads(text)
    nested = "[" * (MAX_DEPTH - 1) + text + "]" * (MAX_DEPTH - 1)
    assert loads(nested) == json.loads(nested)
    # Closing brackets inside a string cannot hide nesting that follows it.
    deep = '["' + "]" * 5000 + '", ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + ", " + text + "]"
    assert caught(deep).column == 5000 + 5 + MAX_DEPTH


def test_an_integer_too_long_to_convert_names_its_place() -> None:
    # json.loads raised a bare ValueError (Python's limit on integer string conversion).
    text = '[1, "' + "9" * 6000 + '",\n  1.' + "5" * 6000 + ",\n    -" + "7" * 5000 + "]"
    error = caught(text)
    assert (error.line, error.column) == (3, 5)
    assert error.expected == "an integer of at most 4,300 digits"


def test_syntax_errors_name_line_and_column() -> None:
    error = caught('{"a": 1,\n "b": }')
    assert (error.line, error.column, error.where) == (2, 7, "line 2, column 7")
    assert error.expected.startswith("valid JSON (Expecting value")


def test_a_byte_order_mark_is_ignored() -> None:
    assert loads('\ufeff{"a": [1]}') == {"a": [1]}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(document=JSON_VALUES, indent=st.sampled_from([None, 0, 2]))
def test_loads_agrees_with_the_json_module(document: Any, indent: int | None) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    assert loads(text) == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('[]{}"\\:,1a -e.\n')), max_size=300))
def test_any_text_is_parsed_or_refused_cleanly(text: str) -> None:
    try:
        expected: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        expected = JsonTextError
    try:
        got: Any = loads(text)
    except JsonTextError:
        got = JsonTextError
    assert got == expected or (got is JsonTextError and _depth(text) > MAX_DEPTH)


def _depth(text: str) -> int:
    return text.count("[") + text.count("{")


# ------------------------------------------------------------------ through the readers


def test_instrument_files_nested_too_deep_are_instrument_errors(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"id":\n' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    with pytest.raises(InstrumentError) as error:
        load_instrument(path)
    (problem,) = error.value.problems
    assert (problem.path, problem.value) == ("$", "line 2, column 200")
    assert "nested at most 200 levels" in problem.expected
    assert error.value.source == str(path)


def test_instrument_with_a_huge_integer_is_an_instrument_error() -> None:
    document = dict(BASE, version="1.0.0")
    text = json.dumps(document)[:-1] + ', "extra":\n' + "1" * 5000 + "}"
    with pytest.raises(InstrumentError) as error:
        parse_instrument(text, source="big.json")
    (problem,) = error.value.problems
    assert (problem.value, problem.expected) == (
        "line 2, column 1",
        "an integer of at most 4,300 digits",
    )


def test_repeated_keys_are_still_found(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text('{"a": {"b": 1, "b": 2}}', encoding="utf-8")
    with pytest.raises(
        DocumentError, match=r"\$\.a\.b: got \"b\"; expected each key once"
    ) as error:
        read_document(path)
    assert type(error.value) is DocumentError  # any JSON document, not only a definition


def test_documents_in_another_encoding_or_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_bytes('{"шкала": ["x"]}'.encode("cp1251"))
    with pytest.raises(DocumentError) as error:
        read_document(path)
    assert type(error.value) is DocumentError
    (problem,) = error.value.problems
    assert problem.value == "byte 0xf8 at offset 2 (line 1, column 3)"
    assert "it may be in another encoding such as cp1251" in problem.expected
    path.write_bytes('\ufeff{"шкала": ["x"]}'.encode())
    assert read_document(path) == {"шкала": ["x"]}
    with pytest.raises(DocumentError, match='got "a folder"'):
        read_document(tmp_path)


def test_response_files_in_json(tmp_path: Path) -> None:
    path = tmp_path / "responses.json"
    path.write_text("[" + "[" * 5000 + "]" * 5000 + "]", encoding="utf-8")
    with pytest.raises(ResponseDataError) as error:
        read_table(path)
    (problem,) = error.value.problems
    assert (problem.row, problem.column, problem.value) == (-1, "(file)", "line 1, column 201")
    path.write_text('[{"id": 1, "q1": ' + "5" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(ResponseDataError, match="an integer of at most 4,300 digits"):
        read_table(path)
    path.write_text('[{"id": "a", "q1": 1}, {"id": "b"}]', encoding="utf-8")
    table = read_table(path)
    assert table.columns == {"id": ["a", "b"], "q1": [1, None]}
    path.write_text("[]", encoding="utf-8")
    assert read_table(path).n_rows == 0
