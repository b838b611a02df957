"""Pseudonymised research exports: ids replaced by keyed hashes, direct identifiers
dropped, quasi-identifiers coarsened.

A pseudonym is HMAC-SHA256(key, id) in lower-case hexadecimal, cut to its first `length`
characters (16 by default: 64 bits). The id is normalised first: text is trimmed of
leading and trailing whitespace and otherwise kept as it is (case included: "ab12" and
"AB12" are different pupils); a whole number (from Parquet or JSON, or a float with no
fraction) is written in decimal digits, so 1234 and "1234" get the same pseudonym. The
same id and the same key give the same pseudonym in every file and every year.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profdiag._privacy.coarsen import CoarsenRule, coarsen_column, parse_rules
from profdiag._privacy.identifiers import is_direct_identifier, looks_like_direct_identifier
from profdiag._privacy.keys import check_key, read_key
from profdiag.errors import ArgumentError, CellProblem, OutputError, ResponseDataError

__all__ = [
    "DEFAULT_LENGTH",
    "IdentifierColumnsError",
    "Pseudonymised",
    "pseudonym",
    "pseudonymise",
]

DEFAULT_LENGTH = 16
MIN_LENGTH, MAX_LENGTH = 12, 64
OUT_FORMATS = ("csv", "tsv", "parquet", "json")


@dataclass(frozen=True)
class Pseudonymised:
    """A pseudonymised table: its columns in order (the id column holding pseudonyms, None
    where the id was empty), what was dropped, coarsened and kept, and where it went."""

    columns: dict[str, Sequence[Any]]
    n_rows: int
    id_column: str
    length: int
    dropped: tuple[str, ...]
    coarsened: tuple[str, ...]
    kept_identifiers: tuple[str, ...]
    empty_ids: int
    path: Path | None


def pseudonym(key: bytes, identifier: str, length: int = DEFAULT_LENGTH) -> str:
    """The pseudonym of one normalised id: HMAC-SHA256 hex digest, first `length` digits."""
    return hmac.digest(key, identifier.encode("utf-8"), hashlib.sha256).hex()[:length]


def pseudonymise(
    data: str | os.PathLike[str] | Mapping[str, Sequence[Any]],
    key: bytes | str | os.PathLike[str],
    id_column: str,
    out: str | os.PathLike[str] | None = None,
    *,
    drop: Iterable[str] = (),
    keep: Iterable[str] = (),
    coarsen: Mapping[str, str] | None = None,
    length: int = DEFAULT_LENGTH,
    file_format: str | None = None,
    out_format: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
) -> Pseudonymised:
    """Replace the ids of a table by keyed pseudonyms, drop direct identifiers and coarsen
    quasi-identifiers: a pseudonymised export for research (152-ФЗ).

    Each id becomes HMAC-SHA256(key, id), hexadecimal, cut to `length` digits. Ids are
    trimmed of surrounding whitespace and otherwise kept as they are (case counts); a whole
    number is read as its decimal digits. An empty id stays empty. The same id and key
    give the same pseudonym in every file and year. Two different ids that would get the
    same pseudonym stop the export. Columns named exactly like a direct identifier (ФИО,
    name, фамилия, birth_date, телефон, email, СНИЛС, passport, ...; see
    `looks_like_direct_identifier`) are dropped unless kept; columns in `drop` are dropped;
    a remaining column whose name only looks like a direct identifier ("parent_phone",
    "student_name") stops the export until it is dropped or kept. Every other column is
    carried over unchanged, rows in the same order: rows in = rows out. Neither the key
    nor an original id is written or shown in any message.

    This is pseudonymisation, not anonymisation: the output is still personal data for
    whoever holds the key or can link it to other data (see docs/privacy.md).

    Parameters
    ----------
    data
        A response file (CSV, TSV, Parquet or JSON, read as `score` reads it) or a
        mapping of column name -> cells (every column the same length).
    key
        A key file written by `generate_key` (readable by its owner only), or the key
        itself as at least 32 bytes.
    id_column
        The column holding the ids to replace; it keeps its name.
    out
        Where to write the result (atomically), or None to only return it.
    drop
        Further columns to leave out.
    keep
        Columns to carry over although their names look like direct identifiers.
    coarsen
        Column -> rule: "year" (a birth date to its year), "band" (an age to a 5-year
        band such as "15-19") or "band:W" (bands of W years).
    length
        Hexadecimal digits kept of each pseudonym, 12 to 64 (16 = 64 bits).
    file_format
        The format of a `data` file (csv, tsv, parquet, json); None: by its extension.
    out_format
        The format of `out`; None: by its extension (.parquet, .json, .tsv/.tab, else CSV).
    encoding, delimiter
        As `score` reads CSV (and JSON) files.

    Returns
    -------
    Pseudonymised
        The output columns and what was done; `path` is the file written, if any.

    Raises
    ------
    ArgumentError
        The key is missing, too short or readable by others; `id_column`, a `drop`,
        `keep` or `coarsen` column does not exist; a column is both dropped and kept; a
        coarsening rule or `length` is unknown; a column looks like a direct identifier
        and is neither dropped nor kept.
    ResponseDataError
        The file cannot be read; an id is not text or a whole number; a cell to coarsen is
        not a date or an age; two different ids share a pseudonym (use a longer
        `length`). Problems name the row and column, never the id.
    OutputError
        `out` cannot be written, or is the data or the key file; a previous file there is
        left as it was.

    Examples
    --------
    >>> from profdiag import pseudonymise
    >>> table = {"id": ["p-17", " p-17 ", "p-18"], "ФИО": ["А", "А", "Б"],
    ...          "birth_date": ["2010-05-01", "01.05.2010", ""], "R1": ["5", "4", "3"]}
    >>> result = pseudonymise(table, bytes(32), "id", coarsen={"birth_date": "year"})
    >>> list(result.columns), result.dropped
    (['id', 'birth_date', 'R1'], ('ФИО',))
    >>> ids = result.columns["id"]
    >>> ids[0] == ids[1] != ids[2], len(ids[0]), result.columns["birth_date"]
    (True, 16, [2010, 2010, None])
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise ArgumentError(f"the pseudonym length is a whole number, not {length!r}")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ArgumentError(
            f"the pseudonym length is {MIN_LENGTH} to {MAX_LENGTH} hexadecimal digits; got {length}"
        )
    secret = check_key(key) if isinstance(key, bytes) else read_key(key)
    if out is not None and out_format is not None and out_format.lower() not in OUT_FORMATS:
        raise ArgumentError(
            f"unknown output format {out_format!r}; expected one of {', '.join(OUT_FORMATS)}"
        )
    source, columns, n_rows = _input(data, file_format, encoding, delimiter)
    plan = _plan(columns, id_column, list(drop), list(keep), parse_rules(coarsen or {}))
    problems: list[CellProblem] = []
    output: dict[str, Sequence[Any]] = {}
    pseudonyms, empty = _pseudonyms(columns[id_column], id_column, secret, length, problems)
    for name, cells in columns.items():
        if name in plan.dropped:
            continue
        if name == id_column:
            output[name] = pseudonyms
        elif name in plan.coarsen:
            output[name] = coarsen_column(name, cells, plan.coarsen[name], problems)
        else:
            output[name] = cells
    if problems:
        problems.sort(key=lambda problem: (problem.row, problem.column))
        raise ResponseDataError(source, problems)
    assert all(len(cells) == n_rows for cells in output.values())  # rows in = rows out
    path = None
    if out is not None:
        path = Path(out)
        _refuse_inputs(path, [data, key])
        _write(path, output, out_format, id_column, length)
    return Pseudonymised(
        columns=output,
        n_rows=n_rows,
        id_column=id_column,
        length=length,
        dropped=plan.dropped,
        coarsened=tuple(plan.coarsen),
        kept_identifiers=plan.kept,
        empty_ids=empty,
        path=path,
    )


class IdentifierColumnsError(ArgumentError):
    """Columns whose names look like direct identifiers were neither dropped nor kept."""

    def __init__(self, columns: tuple[str, ...], message: str) -> None:
        self.columns = columns
        super().__init__(message)


@dataclass(frozen=True)
class _Plan:
    dropped: tuple[str, ...]
    kept: tuple[str, ...]
    coarsen: dict[str, CoarsenRule]


def _input(
    data: str | os.PathLike[str] | Mapping[str, Sequence[Any]],
    file_format: str | None,
    encoding: str,
    delimiter: str | None,
) -> tuple[str, dict[str, Sequence[Any]], int]:
    if isinstance(data, Mapping):
        columns = dict(data)
        if not columns:
            raise ArgumentError("the table has no columns")
        bad = [name for name in columns if not isinstance(name, str)]
        if bad:
            raise ArgumentError(f"column names are text; got {bad[0]!r}")
        lengths = {name: len(cells) for name, cells in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ArgumentError(
                "every column has the same number of rows; got "
                + ", ".join(f"{name!r}: {n}" for name, n in lengths.items())
            )
        return "<table>", columns, next(iter(lengths.values()))
    if not isinstance(data, str | os.PathLike):
        raise ArgumentError(
            f"data is a file path or a mapping of columns, not {type(data).__name__}"
        )
    from profdiag._io.tables import read_table

    table = read_table(data, encoding=encoding, delimiter=delimiter, file_format=file_format)
    return table.source, dict(table.columns), table.n_rows


def _plan(
    columns: Mapping[str, Sequence[Any]],
    id_column: str,
    drop: list[str],
    keep: list[str],
    coarsen: dict[str, CoarsenRule],
) -> _Plan:
    named = {"the id column": [id_column], "drop": drop, "keep": keep, "coarsen": list(coarsen)}
    for what, names in named.items():
        unknown = [name for name in names if name not in columns]
        if unknown:
            raise ArgumentError(
                f"no column {unknown[0]!r} ({what}); the table's columns: "
                + ", ".join(map(repr, list(columns)[:20]))
                + (" ..." if len(columns) > 20 else "")
            )
    clashes = [
        (name, what)
        for name, what in (
            *((n, "dropped and kept") for n in drop if n in keep),
            *((n, "dropped and coarsened") for n in drop if n in coarsen),
            *((n, "the id column") for n in (*drop, *keep, *coarsen) if n == id_column),
        )
    ]
    if clashes:
        name, what = clashes[0]
        raise ArgumentError(f"column {name!r} cannot be {what}: give it one role")
    dropped = [
        name
        for name in columns
        if name in drop
        or (
            name != id_column
            and name not in keep
            and name not in coarsen
            and is_direct_identifier(name)
        )
    ]
    suspicious = [
        name
        for name in columns
        if name not in dropped
        and name != id_column
        and name not in keep
        and name not in coarsen
        and looks_like_direct_identifier(name)
    ]
    if suspicious:
        raise IdentifierColumnsError(
            tuple(suspicious),
            f"column(s) {', '.join(map(repr, suspicious))} look like direct identifiers of "
            "a person (names, birth dates, contacts, document numbers); declare each as a "
            "column to drop, or to keep if it identifies no one",
        )
    kept = tuple(name for name in keep if looks_like_direct_identifier(name))
    return _Plan(tuple(dropped), kept, coarsen)


def _pseudonyms(
    cells: Sequence[Any], column: str, key: bytes, length: int, problems: list[CellProblem]
) -> tuple[list[str | None], int]:
    """Pseudonyms per row (None for an empty id), and how many ids were empty."""
    by_id: dict[str, str] = {}
    first_row: dict[str, int] = {}
    owner: dict[str, str] = {}  # pseudonym -> the normalised id it was made from
    out: list[str | None] = []
    empty = 0
    for row, cell in enumerate(cells):
        identifier = _normalised_id(cell)
        if identifier is None:
            out.append(None)
            empty += 1
            continue
        if identifier is _NOT_AN_ID:
            problems.append(
                CellProblem(
                    row, column, f"a {type(cell).__name__}", "an id: text or a whole number"
                )
            )
            out.append(None)
            continue
        assert isinstance(identifier, str)
        made = by_id.get(identifier)
        if made is None:
            made = by_id[identifier] = pseudonym(key, identifier, length)
            first_row[identifier] = row
            earlier = owner.setdefault(made, identifier)
            if earlier != identifier:
                problems.append(
                    CellProblem(
                        row,
                        column,
                        f"pseudonym {made}",
                        f"a pseudonym unlike that of data row {first_row[earlier] + 1}, whose "
                        f"id differs (two ids collide in {length} digits: use longer "
                        "pseudonyms)",
                    )
                )
        out.append(made)
    return out, empty


_NOT_AN_ID: Any = object()


def _normalised_id(cell: Any) -> Any:
    """Text trimmed; a whole number as decimal digits; None if empty; else _NOT_AN_ID."""
    if cell is None:
        return None
    if isinstance(cell, str):
        text = cell.strip()
        return text or None
    if isinstance(cell, bool):
        return _NOT_AN_ID
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if math.isnan(cell):
            return None
        if cell.is_integer():
            return str(int(cell))
    return _NOT_AN_ID


def _refuse_inputs(out: Path, inputs: list[Any]) -> None:
    """The output must never replace the data or the key file."""
    for given in inputs:
        if not isinstance(given, str | os.PathLike):
            continue
        try:
            same = os.path.samefile(out, given)
        except OSError:
            same = os.path.realpath(out) == os.path.realpath(given)
        if same:
            raise OutputError(f"cannot write {out}: it is the input file {given}")


def _write(
    path: Path,
    columns: dict[str, Sequence[Any]],
    out_format: str | None,
    id_column: str,
    length: int,
) -> None:
    import pyarrow as pa

    from profdiag._io.atomic import write_atomically
    from profdiag._io.csv_format import csv_bytes
    from profdiag._io.parquet_format import write_parquet
    from profdiag._io.tables import table_format

    kind = (out_format or "").lower() or table_format(path)
    header = list(columns)
    if kind == "parquet":
        arrays = [_arrow(cells) for cells in columns.values()]
        metadata = {
            "pseudonymised": {
                "id_column": id_column,
                "method": "HMAC-SHA256, hexadecimal",
                "length": length,
            }
        }
        write_parquet(path, header, arrays, metadata)
    elif kind == "json":
        rows = zip(*(_cells(cells) for cells in columns.values()), strict=True)
        records = [dict(zip(header, row, strict=True)) for row in rows]
        text = json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n"
        write_atomically(path, text)
    elif kind == "tsv":
        write_atomically(path, _tsv(header, [_cells(cells) for cells in columns.values()]))
    else:
        texts = [_text_column(cells, pa) for cells in columns.values()]
        write_atomically(path, csv_bytes(header, texts))


def _cells(cells: Sequence[Any]) -> list[Any]:
    from profdiag._arrow import ArrowColumn

    return cells.cells if isinstance(cells, ArrowColumn) else list(cells)


def _arrow(cells: Sequence[Any]) -> Any:
    import pyarrow as pa

    from profdiag._arrow import arrow_array

    arrow = arrow_array(cells)
    if arrow is not None:
        return arrow
    values = list(cells)
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _text_column(cells: Sequence[Any], pa: Any) -> Any:
    """A column for CSV; one made here (pseudonyms, years, bands) as text, so that a year
    is written 2010, not 2010.0."""
    from profdiag._arrow import arrow_array

    if arrow_array(cells) is not None:
        return cells
    if all(v is None or (isinstance(v, int | str) and not isinstance(v, bool)) for v in cells):
        return pa.array([None if v is None else str(v) for v in cells], pa.string())
    return cells


def _tsv(header: list[str], columns: list[list[Any]]) -> str:
    """Tab-separated text, a cell quoted (RFC 4180 style) when it holds a tab, a quote or
    a line break, as the TSV reader reads it."""
    lines = ["\t".join(map(_tsv_cell, header))]
    lines += ["\t".join(map(_tsv_cell, row)) for row in zip(*columns, strict=True)]
    return "\n".join(lines) + "\n"


def _tsv_cell(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    text = cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False, default=str)
    if any(character in text for character in '\t"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
