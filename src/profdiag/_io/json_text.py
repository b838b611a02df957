"""JSON text -> a Python document, with limits checked before parsing.

Python's parser recurses once per nesting level, so a document nested a few thousand levels
deep ends in a RecursionError, and an integer literal longer than Python's limit for
integer strings (4,300 digits by default) ends in a bare ValueError. `loads` checks the
nesting depth first, without recursion, and turns both cases, like any syntax error, into a
`JsonTextError` naming the line and column.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from profdiag.errors import ProfdiagError

MAX_DEPTH = 200
"""The deepest nesting of arrays and objects accepted. Instrument definitions nest about 6
levels, response files 2; 200 leaves room for any real document while keeping recursive
code that walks a document (validation, serialisation) far from Python's recursion limit."""

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STRING_OR_BRACKET = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_LINE_BREAK = re.compile(r"\r\n?|\n")


class JsonTextError(ProfdiagError, ValueError):
    """Text that is not JSON profdiag can use. ``line`` and ``column`` count from 1;
    ``expected`` says what should have been there. Callers usually re-raise it as their own
    error type (InstrumentError, ResponseDataError) with the same fields."""

    def __init__(self, source: str, line: int, column: int, expected: str) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.expected = expected
        super().__init__(f"{source}: line {line}, column {column}: expected {expected}")

    @property
    def where(self) -> str:
        """``line L, column C``, the form used as the value seen in error reports."""
        return f"line {self.line}, column {self.column}"


def loads(
    text: str,
    source: str = "<string>",
    *,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse JSON text, refusing documents that would exhaust the parser.

    Parameters
    ----------
    text
        The JSON text. A leading byte order mark is ignored (RFC 8259 allows that).
    source
        Names the text in error messages (a file path, usually).
    object_pairs_hook
        Passed on to `json.loads` (to see repeated keys, for example).

    Returns
    -------
    Any
        The document.

    Raises
    ------
    JsonTextError
        The text is not valid JSON, nests arrays and objects more than `MAX_DEPTH` levels
        deep, or holds an integer literal longer than Python converts (4,300 digits unless
        `sys.set_int_max_str_digits` changed it). The error names the line and column.
    """
    text = text.removeprefix("\ufeff")
    _check_depth(text, source)
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError as error:
        raise JsonTextError(
            source, error.lineno, error.colno, f"valid JSON ({error.msg})"
        ) from None
    except RecursionError:  # only if the caller's own stack is already nearly full
        raise JsonTextError(
            source, 1, 1, f"arrays and objects nested at most {MAX_DEPTH} levels deep"
        ) from None
    except ValueError:
        raise _long_number(text, source) from None


def position(text: str, index: int) -> tuple[int, int]:
    """Line and column (from 1) of character `index`; a line ends at \\n, \\r\\n or \\r."""
    breaks = text.count("\n", 0, index) + text.count("\r", 0, index) - text.count("\r\n", 0, index)
    line_start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    return breaks + 1, index - line_start + 1


def _check_depth(text: str, source: str) -> None:
    """Raise if arrays and objects nest deeper than MAX_DEPTH, not counting brackets inside
    strings. (A closing bracket too many makes the text invalid JSON at that point and the
    parser stops there, so the running count bounds the depth the parser reaches.)"""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    if _deepest(text) <= MAX_DEPTH:
        return
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        mark = match.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, column = position(text, match.start())
                raise JsonTextError(
                    source,
                    line,
                    column,
                    f"arrays and objects nested at most {MAX_DEPTH} levels deep",
                )
        elif mark in "]}":
            depth -= 1


def _deepest(text: str) -> int:
    """The running count of opening minus closing brackets outside strings, at its highest.

    Without an escaped quote in the text, a bracket is inside a string exactly when an odd
    number of quotes precede it: found with numpy on the UTF-8 bytes (no byte of a
    multi-byte character is ASCII). Otherwise strings are cut out with a regular expression.
    """
    if '\\"' in text:
        kept = _NOT_BRACKETS.sub("", _STRINGS.sub("", text)).encode("ascii")
        codes = np.frombuffer(kept, dtype=np.uint8)
    else:
        data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        quotes = np.flatnonzero(data == ord('"'))
        at = np.flatnonzero((data == 91) | (data == 93) | (data == 123) | (data == 125))
        codes = data[at[np.searchsorted(quotes, at) % 2 == 0]]
    if codes.size == 0:
        return 0
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


def _long_number(text: str, source: str) -> JsonTextError:
    """The error for json.loads' plain ValueError: an integer literal too long to convert."""
    limit = sys.get_int_max_str_digits()
    if limit == 0:  # no limit set: the ValueError came from elsewhere
        return JsonTextError(source, 1, 1, "valid JSON")
    expected = f"an integer of at most {limit:,} digits"
    integer = rf"(?<![-+.eE\d])-?\d{{{limit + 1},}}(?![.eE\d])"  # not a fraction or exponent
    literal = re.compile(f"{_STRING}|{integer}", re.DOTALL)
    for match in literal.finditer(text):
        if not match.group().startswith('"'):
            line, column = position(text, match.start())
            return JsonTextError(source, line, column, expected)
    return JsonTextError(source, 1, 1, expected)
