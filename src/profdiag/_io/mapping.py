"""Mapping files: how an archive's columns and values become an instrument's items.

A mapping (format ``profdiag-mapping/1``, see docs/mapping.md) renames archive columns
(``columns``), names the id column (``id_column``) and recodes values (``recode``: named
tables of value -> number or null, ``apply``: which items each table recodes, ``"*"`` for
every item no other table names).

Values are matched after trimming spaces, joining runs of spaces into one and ignoring
case; a key that spells a number also matches a numeric cell (or a text cell spelling the
same number) of that value; an SPSS code also matches by its value label. An empty cell is
no answer without a rule; any other value with no rule is an error naming its row, column
and value. Each column is recoded through its distinct values (Arrow dictionary encoding):
the rules run once per distinct value, never once per cell.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag.errors import (
    ArgumentError,
    CellProblem,
    DefinitionProblem,
    MappingError,
    ResponseDataError,
    json_path,
    show_value,
)

if TYPE_CHECKING:
    from profdiag._instrument import Instrument
    from profdiag._io.tables import Table

FORMAT: Literal["profdiag-mapping/1"] = "profdiag-mapping/1"
MAX_PROBLEMS = 1000
_SPACES = re.compile(r"\s+")
_NO_ANSWER = ("", "na", "nan")  # as everywhere in profdiag: empty, NA and NaN are no answer

Value = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]


class ResponseMapping(BaseModel):
    """A validated mapping file: archive columns -> items, and value recodings.

    ``source`` names the file in error messages.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "description": "How an archive's columns and values become an instrument's "
            "items: renamed columns, the id column, value recodings (docs/mapping.md)."
        },
    )

    format: Literal["profdiag-mapping/1"] = Field(
        FORMAT, description="The format of this file: profdiag-mapping/1."
    )
    id_column: str | None = Field(
        None,
        min_length=1,
        description="The archive column identifying respondents (kept as text, as typed).",
    )
    columns: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Archive column name -> the name profdiag uses (an item id, or an "
        "attribute such as sex, age, grade). Columns not listed keep their names.",
    )
    recode: dict[str, dict[str, Value | None]] = Field(
        default_factory=dict,
        description="Named value tables: a value as it appears in the archive (text, a "
        "number, or an SPSS value label) -> the value the item gets, or null for no answer.",
    )
    apply: dict[str, Literal["*"] | list[Annotated[str, Field(min_length=1)]]] = Field(
        default_factory=dict,
        description='Name of a table in "recode" -> the item ids it recodes (names after '
        'renaming), or "*" for every item that no other table names.',
    )
    _source: str = PrivateAttr("<mapping>")

    @property
    def source(self) -> str:
        return self._source


def mapping_schema() -> dict[str, Any]:
    """The JSON Schema of mapping files (published as docs/mapping-schema.json)."""
    schema = ResponseMapping.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "profdiag-mapping-1.schema.json",
        "title": f"profdiag mapping file ({FORMAT})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def mapping_schema_text() -> str:
    import json

    return json.dumps(mapping_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load_mapping(path: str | os.PathLike[str]) -> ResponseMapping:
    """Read and validate a mapping file (format ``profdiag-mapping/1``, docs/mapping.md).

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    ResponseMapping
        The mapping; give it to `apply_mapping`.

    Raises
    ------
    MappingError
        The file cannot be read, is not JSON, or breaks the format; every problem is named
        by its JSON path, e.g. ``$.recode.likert5['Совершенно согласен']``.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "map.json").write_text(json.dumps({"recode": {"ab": {"а": 1}},
    ...     "apply": {"ab": "*"}}), encoding="utf-8")
    >>> load_mapping(folder / "map.json").recode
    {'ab': {'а': 1.0}}
    """
    from profdiag._instrument.loading import read_document

    source = str(path)
    return parse_mapping(read_document(Path(path), error=MappingError), source)


def parse_mapping(document: Any, source: str = "<mapping>") -> ResponseMapping:
    """Validate a parsed JSON document as a mapping (see `load_mapping`)."""
    import json

    from profdiag._instrument.loading import problems_from_validation

    try:
        mapping = ResponseMapping.model_validate_json(json.dumps(document), strict=True)
    except ValidationError as error:
        problems = _reworded(problems_from_validation(error))
        raise MappingError(source, problems) from None
    except ValueError:  # NaN or infinity in the document
        raise MappingError(
            source, [DefinitionProblem("$", "NaN or Infinity", "finite numbers")]
        ) from None
    problems = _cross_checks(mapping)
    if problems:
        raise MappingError(source, problems)
    mapping._source = source
    return mapping


def _reworded(problems: list[DefinitionProblem]) -> list[DefinitionProblem]:
    """pydantic's wording, made to speak of the mapping format."""
    out: list[DefinitionProblem] = []
    for problem in problems:
        path, expected = problem.path, problem.expected
        if path.startswith("$.apply.") and ("literal[" in path or "list[" in path):
            path = path[: path.index("[")]
            expected = '"*" or an array of item ids'
        elif (
            path.startswith("$.recode.")
            and path.count("[") + path.count(".") >= 3
            and not expected.startswith("this field")
        ):
            bounds = "greater" in expected or "less" in expected
            expected = "a number or null" + (" within ±1e9" if bounds else "")
        reworded = DefinitionProblem(path, problem.value, expected)
        if reworded not in out:
            out.append(reworded)
    return out


def _cross_checks(mapping: ResponseMapping) -> list[DefinitionProblem]:
    problems = []
    taken: dict[str, str] = {}
    for archive, name in mapping.columns.items():
        if name in taken:
            problems.append(
                DefinitionProblem(
                    json_path(("columns", archive)),
                    name,
                    f"a name no other column takes ({json_path(('columns', taken[name]))} "
                    "has it already)",
                )
            )
        taken.setdefault(name, archive)
    for table, rules in mapping.recode.items():
        seen: dict[str, str] = {}
        for key in rules:
            normal = normalised(key)
            path = json_path(("recode", table, key))
            if not normal:
                problems.append(
                    DefinitionProblem(
                        path, key, "a value that is not empty (empty cells are always no answer)"
                    )
                )
            elif normal in seen:
                problems.append(
                    DefinitionProblem(
                        path,
                        key,
                        "each value once, ignoring case and spaces "
                        f"({json_path(('recode', table, seen[normal]))} is the same)",
                    )
                )
            seen.setdefault(normal, key)
    owner: dict[str, str] = {}
    everything = [name for name, items in mapping.apply.items() if items == "*"]
    for name in everything[1:]:
        problems.append(
            DefinitionProblem(
                json_path(("apply", name)),
                "*",
                f'"*" for one table only ({json_path(("apply", everything[0]))} has it)',
            )
        )
    for name, items in mapping.apply.items():
        if name not in mapping.recode:
            problems.append(
                DefinitionProblem(
                    json_path(("apply", name)),
                    name,
                    "the name of a table in $.recode"
                    + (f" ({', '.join(mapping.recode)})" if mapping.recode else " (it has none)"),
                )
            )
        if items == "*":
            continue
        for position, item in enumerate(items):
            if item in owner:
                problems.append(
                    DefinitionProblem(
                        json_path(("apply", name, position)),
                        item,
                        f"an item recoded by one table only ({owner[item]} recodes it too)",
                    )
                )
            owner.setdefault(item, name)
    return problems


def normalised(text: str) -> str:
    """Text as rules compare it: trimmed, inner runs of spaces as one, case ignored."""
    return _SPACES.sub(" ", text).strip().casefold()


def apply_mapping(
    data: Any,
    mapping: ResponseMapping,
    *,
    instrument: Instrument | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    source: str = "data",
) -> dict[str, Sequence[Any]]:
    """Rename and recode an archive's columns as a mapping says.

    Parameters
    ----------
    data
        Columns by name: a dict of sequences, a pandas DataFrame or a pyarrow Table.
    mapping
        From `load_mapping`.
    instrument
        The instrument the data will be scored on: ``"*"`` in ``apply`` then means its
        items (present after renaming) that no other table names; without it, the renamed
        columns that no other table names.
    value_labels
        SPSS value labels by archive column (code -> label text), so that rules can name
        labels instead of codes.
    source
        Names the data in error messages.

    Returns
    -------
    dict
        The columns in their order, renamed; recoded columns hold numbers (None for no
        answer), others are as they were.

    Raises
    ------
    ArgumentError
        `data` is not columns by name.
    ResponseDataError
        A column the mapping names is not in the data, a renamed column clashes with
        another, or cells have no rule (each named by row, column and value, with the
        table the mapping expected them in).

    Examples
    --------
    >>> mapping = parse_mapping({"columns": {"В1": "1"},
    ...     "recode": {"ab": {"а": 1, "Б": 2, "нет ответа": None}}, "apply": {"ab": "*"}})
    >>> list(apply_mapping({"В1": ["а", " б", "Нет  ответа"]}, mapping)["1"])
    [1.0, 2.0, None]
    >>> apply_mapping({"В1": ["в"]}, mapping)
    Traceback (most recent call last):
      ...
    profdiag.errors.ResponseDataError: data: 1 problem(s) in the response data
      row 0, column 'В1': got "в"; expected a value listed in $.recode.ab of <mapping> ...
    """
    items = None if instrument is None else list(instrument.item_index)
    return _mapped(_as_columns(data), mapping, items, value_labels or {}, source)


def _mapped(
    columns: Mapping[str, Any],
    mapping: ResponseMapping,
    items: Sequence[str] | None,
    labels: Mapping[str, Mapping[Any, str]],
    source: str,
) -> dict[str, Sequence[Any]]:
    renamed, problems = _renamed(columns, mapping)
    if problems:
        raise ResponseDataError(source, problems)
    targets = _targets(mapping, renamed, items)
    missing = [
        CellProblem(
            -1,
            item,
            "no such column",
            f"a column named in {json_path(('apply', name))} of {mapping.source}",
        )
        for item, name in targets.items()
        if item not in renamed
    ]
    if missing:
        raise ResponseDataError(source, missing)
    total = 0
    problems = []
    out: dict[str, Sequence[Any]] = {}
    for name, (archive, column) in renamed.items():
        table = targets.get(name)
        if table is None:
            out[name] = column
            continue
        rules = _Rules(mapping, table)
        recoded, bad_rows, bad_values = _recode(column, rules, labels.get(archive, {}))
        total += len(bad_rows)
        for row, value in zip(bad_rows[: MAX_PROBLEMS - len(problems)], bad_values, strict=False):
            problems.append(CellProblem(int(row), archive, value, rules.expected))
        out[name] = recoded
    if total:
        raise ResponseDataError(source, problems, total=total)
    return out


def map_table(table: Table, mapping: ResponseMapping, items: Sequence[str] | None) -> Table:
    """A table renamed and recoded (see `apply_mapping`, `items` standing for the
    instrument's item ids); rows and lines as they were, value labels by new name."""
    from dataclasses import replace

    columns = _mapped(table.columns, mapping, items, table.value_labels, table.source)
    labels = {
        mapping.columns.get(name, name): value_labels
        for name, value_labels in table.value_labels.items()
    }
    return replace(table, columns=columns, value_labels=labels)


def _as_columns(data: Any) -> dict[str, Any]:
    names = getattr(data, "column_names", None)  # pyarrow Table
    if names is not None:
        return {str(name): data.column(name) for name in names}
    if hasattr(data, "keys") and hasattr(data, "__getitem__"):
        return {name: data[name] for name in data.keys()}  # noqa: SIM118 (DataFrames too)
    raise ArgumentError(
        f"expected columns by name (a dict, a pandas DataFrame or a pyarrow Table), "
        f"got {type(data).__name__}"
    )


def _renamed(
    columns: Mapping[str, Any], mapping: ResponseMapping
) -> tuple[dict[str, tuple[str, Any]], list[CellProblem]]:
    problems = [
        CellProblem(
            -1, archive, "no such column", f"a column named in $.columns of {mapping.source}"
        )
        for archive in mapping.columns
        if archive not in columns
    ]
    if mapping.id_column is not None and mapping.id_column not in columns:
        problems.append(
            CellProblem(
                -1, mapping.id_column, "no such column", f"the $.id_column of {mapping.source}"
            )
        )
    renamed: dict[str, tuple[str, Any]] = {}
    for archive, column in columns.items():
        name = mapping.columns.get(archive, archive)
        if name in renamed:
            problems.append(
                CellProblem(
                    -1,
                    archive,
                    f"renamed to {name!r}, as column {renamed[name][0]!r} is",
                    "each name once after renaming",
                )
            )
            continue
        renamed[name] = (archive, column)
    return renamed, problems


def _targets(
    mapping: ResponseMapping, renamed: dict[str, Any], items: Sequence[str] | None
) -> dict[str, str]:
    """Item (after renaming) -> the recode table applied to it."""
    targets: dict[str, str] = {}
    everything = None
    for name, listed in mapping.apply.items():
        if listed == "*":
            everything = name
        else:
            targets.update(dict.fromkeys(listed, name))
    if everything is not None:
        if items is not None:
            candidates = [item for item in items if item in renamed]
        else:
            candidates = list(mapping.columns.values())
        id_name = (
            None
            if mapping.id_column is None
            else mapping.columns.get(mapping.id_column, mapping.id_column)
        )
        for item in candidates:
            if item != id_name:
                targets.setdefault(item, everything)
    return targets


class _Rules:
    """One recode table, ready for lookups."""

    def __init__(self, mapping: ResponseMapping, table: str) -> None:
        from profdiag._instrument.semantics import parse_number

        rules = mapping.recode[table]
        self.text = {normalised(key): _target(value) for key, value in rules.items()}
        self.numbers: dict[float, float] = {}
        for key, value in rules.items():
            number = parse_number(key)
            if number is not None and math.isfinite(number):
                self.numbers.setdefault(number, _target(value))
        shown = ", ".join(show_value(key) for key in list(rules)[:8])
        more = ", ..." if len(rules) > 8 else ""
        self.expected = (
            f"a value listed in {json_path(('recode', table))} of {mapping.source} ({shown}{more})"
            if rules
            else f"no value ({json_path(('recode', table))} of {mapping.source} is empty)"
        )

    def value(self, cell: Any, labels: Mapping[Any, str]) -> float | None:
        """The cell's value (NaN: no answer), or None when no rule covers it."""
        from profdiag._instrument.semantics import parse_number

        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            return math.nan
        label = labels.get(cell) if labels and isinstance(cell, str | int | float) else None
        if label is not None:
            found = self.text.get(normalised(label))
            if found is not None:
                return found
        if isinstance(cell, str):
            normal = normalised(cell)
            found = self.text.get(normal)
            if found is not None:
                return found
            if normal in _NO_ANSWER:
                return math.nan
            number = parse_number(cell)
            return None if number is None else self.numbers.get(number)
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            return None
        return self.numbers.get(float(cell))


def _target(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _recode(
    column: Any, rules: _Rules, labels: Mapping[Any, str]
) -> tuple[Sequence[Any], np.ndarray, list[Any]]:
    """The recoded column, the rows without a rule and their values."""
    import pyarrow as pa

    codes, distinct = _dictionary(column)
    lookup = np.empty(len(distinct) + 1, dtype=np.float64)
    unmatched = np.zeros(len(distinct) + 1, dtype=bool)
    lookup[-1] = math.nan  # code -1: null
    for code, cell in enumerate(distinct):
        value = rules.value(cell, labels)
        unmatched[code] = value is None
        lookup[code] = math.nan if value is None else value
    values = lookup[codes]
    bad = np.flatnonzero(unmatched[codes])
    bad_values = [distinct[codes[row]] for row in bad[:MAX_PROBLEMS]]
    array = pa.array(values, mask=np.isnan(values))
    return ArrowColumn(pa.chunked_array([array])), bad, bad_values


def _dictionary(column: Any) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for null) into the column's distinct cells."""
    import pyarrow as pa

    arrow = arrow_array(column)
    if arrow is None:
        to_numpy = getattr(column, "to_numpy", None)
        cells = to_numpy(dtype=object) if to_numpy is not None else column
        try:
            arrow = pa.chunked_array([pa.array(cells, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            return _python_dictionary(list(cells))
    combined = arrow.combine_chunks()
    if not pa.types.is_dictionary(combined.type):
        combined = combined.dictionary_encode()
    indices = combined.indices.to_numpy(zero_copy_only=False)
    codes = np.where(combined.indices.is_null().to_numpy(zero_copy_only=False), -1, indices)
    return codes.astype(np.int64), combined.dictionary.to_pylist()


def _python_dictionary(cells: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """Cells of mixed kinds (JSON, Excel): 5 and "5" and True stay distinct."""
    seen: dict[Any, int] = {}
    distinct: list[Any] = []
    codes = np.empty(len(cells), dtype=np.int64)
    for row, cell in enumerate(cells):
        key = (type(cell), cell) if _hashable(cell) else (type(cell), repr(cell))
        code = seen.get(key)
        if code is None:
            code = seen[key] = len(distinct)
            distinct.append(cell)
        codes[row] = code
    return codes, distinct


def _hashable(cell: Any) -> bool:
    try:
        hash(cell)
    except TypeError:
        return False
    return True
