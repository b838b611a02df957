"""Seeded random CSV files for `profdiag score ipip-bfm-50`, each with its own oracle.

The generator writes every record itself, so it knows how many there are, which cells are
invalid, what each valid answer is, and whether the file as a whole is malformed (a
ragged line, an unterminated quote, bytes that are not UTF-8). The oracle then demands:

- exit 0: the file was acceptable (well-formed; no invalid cell unless --lenient), rows
  out = rows in, ids as written, every raw score equal to `profdiag.score` on the known
  answers, and with --lenient each row's row_status says whether it had a bad cell;
- exit 1: stderr names the file and a row, line, column or byte; a file with nothing
  wrong in it must not be refused;
- never a traceback, never another exit code.

A few constructs may go either way (a quote inside an unquoted field, a NUL in an id, a
200,000-character id, blank lines, a table with no rows): accepted, they must come out
exactly as written; refused, the message must say where.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from hostile.checks import column_values, score_output
from hostile.data import IPIP, IPIP_ITEMS, write
from hostile.model import SILENT, WRONG_ERROR, Case, Problem
from hostile.runner import Run

CATEGORY = "fuzz"
FILE = "data.csv"
OUT = "{d}/scores.csv"
WHERE = re.compile(r"\b(row|line|column|byte)\b", re.IGNORECASE)

INVALID = [
    # "nan" and "NaN" stay in the draw (so that seeds give the files they always gave) but
    # are judged as no answer.
    "0", "6", "-1", "3.5", "abc", "1e999", "inf", "-inf", "nan", "NaN", "Infinity",
    "1" + "0" * 400, "9" * 5000, "\x00", "3\x003", "½", "3 4", "--", "TRUE", "0x3",
]  # fmt: skip
ID_PIECES = [
    "r", "7", "001", "Иванов", "Ёж", " ", "'", '"', ",", ";", "\t", "|", "\n", "=1+1",
    "NA", "School \u201cLyceum\u201d", "a/b", "é",
]  # fmt: skip


@dataclass
class FuzzRecord:
    ident: str
    answers: dict[str, int | None]
    invalid: list[str] = field(default_factory=list)


@dataclass
class FuzzFile:
    seed: int
    content: bytes
    records: list[FuzzRecord]
    has_id: bool
    lenient: bool
    malformed: str | None = None  # why the whole file must be refused
    optional: list[str] = field(default_factory=list)  # may be accepted or refused

    @property
    def invalid_cells(self) -> int:
        return sum(len(record.invalid) for record in self.records)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _field(cell: str, sep: str, rng: random.Random) -> str:
    """A cell as RFC 4180 writes it: quoted when it must be, sometimes when it need not."""
    if isinstance(cell, _Verbatim):
        return str(cell)
    if any(mark in cell for mark in (sep, '"', "\n", "\r")) or rng.random() < 0.1:
        return _quote(cell)
    return cell


def _ident(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"'{rng.randint(0, 999):03d}'"  # the ids csv.Sniffer mistook for quoting
    pieces = rng.choices(ID_PIECES, k=rng.randint(1, 5))
    return "".join(pieces).strip() or "x"


def generate(seed: int) -> FuzzFile:
    rng = random.Random(seed)
    sep = rng.choice([",", ";", "\t", "|"])
    eol = rng.choice(["\n", "\r\n"])
    has_id = rng.random() < 0.85
    lenient = rng.random() < 0.3
    items = list(IPIP_ITEMS)
    if rng.random() < 0.3:
        rng.shuffle(items)
    columns = [*items]
    if has_id:
        columns.insert(0 if rng.random() < 0.8 else rng.randint(0, len(items)), "id")
    n = rng.choice([0, 1, 2, 3, 3, 5, 8, 13, 21, 34])
    p_invalid = rng.choice([0.0, 0.0, 0.0, 0.01, 0.05])
    p_blank = rng.choice([0.0, 0.1, 0.3])
    fuzz = FuzzFile(seed, b"", [], has_id, lenient)

    rows: list[dict[str, str]] = []
    for k in range(n):
        record, cells = _record(k, columns, items, has_id, p_invalid, p_blank, rng)
        fuzz.records.append(record)
        rows.append(cells)

    _odd_ids(fuzz, rows, rng)
    lines = [sep.join(_field(name, sep, rng) for name in columns)]
    lines += [sep.join(_field(cells[name], sep, rng) for name in columns) for cells in rows]
    _damage(fuzz, lines, sep, rng)
    text = eol.join(lines)
    if rng.random() < 0.9:
        text += eol
    if rng.random() < 0.1:
        text += eol * rng.randint(1, 3)  # blank lines at the end are fine
    data = text.encode("utf-8")
    if rng.random() < 0.05:
        data = b"\xef\xbb\xbf" + data
    fuzz.content = _bytes_damage(fuzz, data, rng)
    if b"\x00" in fuzz.content and not fuzz.malformed:  # cli.md: refused as binary
        fuzz.malformed = "a NUL character"
    if not fuzz.records:
        fuzz.optional.append("a table with no rows")
    return fuzz


def _record(
    k: int,
    columns: list[str],
    items: list[str],
    has_id: bool,
    p_invalid: float,
    p_blank: float,
    rng: random.Random,
) -> tuple[FuzzRecord, dict[str, str]]:
    """One respondent: what they answered, and the cells that write it."""
    record = FuzzRecord(str(k), dict.fromkeys(IPIP_ITEMS))
    if rng.random() < 0.06:
        if has_id:
            record.ident = ""
        return record, dict.fromkeys(columns, "")  # a line of empty cells: no answers
    cells: dict[str, str] = {}
    if has_id:
        record.ident = cells["id"] = _ident(rng)
    for item in items:
        draw = rng.random()
        if draw < p_invalid:
            cells[item] = rng.choice(INVALID)
            if cells[item].upper() != "NAN":  # "NaN" is a missing value, as "NA" (cli.md)
                record.invalid.append(item)
        elif draw < p_invalid + p_blank:
            cells[item] = rng.choice(["", "", "NA"])
        else:
            value = rng.randint(1, 5)
            record.answers[item] = value
            cells[item] = str(value)
    return record, cells


def _odd_ids(fuzz: FuzzFile, rows: list[dict[str, str]], rng: random.Random) -> None:
    """At most one id that a reader may keep or refuse (but never change)."""
    candidates = [k for k, record in enumerate(fuzz.records) if record.ident and fuzz.has_id]
    if not candidates:
        return
    k = rng.choice(candidates)
    draw = rng.random()
    if draw < 0.03:
        odd, why = 'School "Lyceum 5"', "a quote inside an unquoted field"
        rows[k]["id"] = _Verbatim(odd)
    elif draw < 0.05:
        odd, why = fuzz.records[k].ident + "\x00", "a NUL byte in an id"
        rows[k]["id"] = odd
    elif draw < 0.06:
        odd, why = "x" * 200_000, "a 200,000-character id"
        rows[k]["id"] = odd
    else:
        return
    fuzz.records[k].ident = odd
    fuzz.optional.append(why)


class _Verbatim(str):
    """A cell written exactly as it is, never quoted (to put a quote in an unquoted field)."""

    __slots__ = ()


def _damage(fuzz: FuzzFile, lines: list[str], sep: str, rng: random.Random) -> None:
    """At most one structural fault, or blank lines that may go either way."""
    draw = rng.random()
    rows = len(lines) - 1
    if not rows:
        return
    k = rng.randint(1, rows)
    if draw < 0.05:
        lines[k] = lines[k] + sep + "5" if rng.random() < 0.5 else lines[k].rsplit(sep, 1)[0]
        fuzz.malformed = f"ragged line {k + 1}"
    elif draw < 0.08:
        lines[k] = '"' + lines[k].replace('"', "")
        fuzz.malformed = f"unterminated quote from line {k + 1}"
    elif draw < 0.15:
        lines.insert(k, "")
        fuzz.optional.append(f"a blank line {k + 1}")


def _bytes_damage(fuzz: FuzzFile, data: bytes, rng: random.Random) -> bytes:
    draw = rng.random()
    if not fuzz.records or fuzz.malformed:
        return data
    if draw < 0.04:
        fuzz.malformed = "cp1251 bytes in a UTF-8 file"
        return data + "Ж".encode("cp1251")
    if draw < 0.06:
        fuzz.malformed = "a byte that is not UTF-8"
        position = rng.randint(len(data) // 2, len(data) - 1)
        return data[:position] + b"\xff" + data[position:]
    return data


def _oracle(fuzz: FuzzFile) -> tuple[object, ...]:
    answers = [record.answers for record in fuzz.records]
    ids = [record.ident for record in fuzz.records]
    status = ["problems" if record.invalid else "ok" for record in fuzz.records]

    def verdict(run: Run) -> list[Problem]:
        if not run.ended_normally:
            return []
        if run.exit_code == 0:
            if fuzz.malformed:
                return [Problem(SILENT, f"accepted a malformed file: {fuzz.malformed}")]
            if fuzz.invalid_cells and not fuzz.lenient:
                return [Problem(SILENT, f"accepted {fuzz.invalid_cells} invalid cell(s)")]
            return []
        if run.exit_code == 1:
            acceptable = fuzz.lenient or not fuzz.invalid_cells
            if not fuzz.malformed and acceptable and not fuzz.optional:
                return [Problem(WRONG_ERROR, "refused a file with nothing wrong in it")]
        return []

    checks: list[object] = [
        verdict,
        score_output(
            OUT,
            answers=answers,
            ids=ids if fuzz.has_id else [str(k) for k in range(len(ids))],
            id_column="id" if fuzz.has_id else "row",
        ),
    ]
    if fuzz.lenient:
        checks.append(column_values(OUT, "row_status", status))
    return tuple(checks)


def fuzz_case(seed: int) -> Case:
    fuzz = generate(seed)
    extra = ("--lenient",) if fuzz.lenient else ()
    notes = [f"{len(fuzz.records)} records", f"{fuzz.invalid_cells} invalid cells"]
    if fuzz.malformed:
        notes.append(f"malformed: {fuzz.malformed}")
    notes += fuzz.optional
    return Case(
        f"fuzz-{seed:04d}",
        CATEGORY,
        ("score", IPIP, "{d}/" + FILE, "--out", OUT, *extra),
        frozenset({0, 1}),
        setup=write(FILE, fuzz.content),
        stderr=(FILE, WHERE),
        checks=_oracle(fuzz),  # type: ignore[arg-type]
        out=OUT,
        note="; ".join(notes),
    )


def fuzz_cases(count: int, start: int = 0) -> list[Case]:
    return [fuzz_case(seed) for seed in range(start, start + count)]
