"""Response files read in record batches, score tables written batch by batch: constant
memory for files of any length.

CSV (UTF-8) is read in blocks of about `batch_bytes`; each block is cut after the last
complete record (a line end outside quoted cells, found by the same vectorised passes as
`profdiag._io.csv_format` uses), and the records are parsed by `read_csv` behind a copy
of the header line, so every check of the whole-file reader applies to every batch; line
numbers are then moved to the file's own. Parquet is read with
`ParquetFile.iter_batches`. When a batch breaks a rule of the file format (rows of the
wrong width, bad quoting, a NUL, bytes that are not UTF-8, a cell over the limit, a
damaged Parquet file) the whole file is read again by `read_table`, which raises the very
error the whole-file reader raises, naming lines as it does.

Scores go to CSV with `csv_bytes` (the header once) or to Parquet with a `ParquetWriter`,
through `streaming_atomically`: the target is renamed into place only when the last batch
is written, and removed (the temporary file) when anything fails before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from profdiag._arrow import ArrowColumn
from profdiag._io.csv_format import (
    _HEADER_SAMPLE,
    _header_delimiter,
    _line_breaks,
    _quoting,
    _Tie,
    csv_bytes,
    read_csv,
    usable_delimiter,
)
from profdiag._io.tables import Table, read_table, table_format
from profdiag._io.text_files import text_encoding
from profdiag.errors import ResponseDataError

__all__ = [
    "BATCH_BYTES",
    "BATCH_ROWS",
    "STREAM_FROM_BYTES",
    "STREAM_FROM_PARQUET_BYTES",
    "BatchedFile",
    "ScoreWriter",
    "batched_file",
]

STREAM_FROM_BYTES = 256 << 20
"""CSV files at least this large are read in batches (environment: PROFDIAG_STREAM_BYTES,
which applies to Parquet too)."""
STREAM_FROM_PARQUET_BYTES = 64 << 20
"""Parquet files whose data take at least this many bytes uncompressed (about 1.7 million
rows of 60 one-byte items) are read in batches."""
BATCH_BYTES = 64 << 20
"""CSV bytes per batch (environment: PROFDIAG_BATCH_BYTES; tests use a few hundred)."""
BATCH_ROWS = 131_072
"""Parquet rows per batch (environment: PROFDIAG_BATCH_ROWS)."""


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


class RowLines(Sequence[int]):
    """The line each data row starts on, kept only for the rows that were asked to be
    remembered (rows with problems): a file's rows need not all be held."""

    def __init__(self, n_rows: int, known: dict[int, int]) -> None:
        self.n_rows, self.known = n_rows, known

    def __len__(self) -> int:
        return self.n_rows

    def __getitem__(self, row: Any) -> Any:
        return self.known[row]


@dataclass
class BatchedFile:
    """A response file read in batches: its column names, how far reading has gone
    (`done` of `total`, in bytes for CSV and rows for Parquet, for a progress bar), and
    the batches, each a `Table` whose rows are counted from `first_row` in the file and
    whose `lines` are the file's own."""

    source: str
    names: list[str]
    total: int
    kind: str
    done: int = 0
    first_row: int = 0
    skipped_blank_lines: tuple[int, ...] = ()
    _batches: Iterator[Table] | None = None
    _closer: Callable[[], None] | None = None

    def __iter__(self) -> Iterator[Table]:
        assert self._batches is not None
        return self._batches

    def close(self) -> None:
        """Close the file (reading stops; also when not all batches were read)."""
        if isinstance(self._batches, Generator):
            self._batches.close()
        if self._closer is not None:
            self._closer()


def batched_file(
    path: Path,
    encoding: str,
    delimiter: str | None,
    file_format: str | None,
    *,
    min_bytes: int | None = None,
) -> BatchedFile | None:
    """The file read in batches, or None when it is better read whole: smaller than
    `min_bytes` (default: `STREAM_FROM_BYTES`), JSON, a text encoding other than UTF-8,
    or a header that does not end in the first block.

    Raises ArgumentError for an unusable delimiter, and the ResponseDataError that
    `read_table` raises when the file breaks a rule of its format.
    """
    kind = table_format(path, file_format)
    if min_bytes is None and "PROFDIAG_STREAM_BYTES" not in os.environ:
        limit = STREAM_FROM_PARQUET_BYTES if kind == "parquet" else STREAM_FROM_BYTES
    else:
        limit = _setting("PROFDIAG_STREAM_BYTES", 0) if min_bytes is None else min_bytes
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if kind == "json" or (size < limit and kind != "parquet"):
        return None
    if kind == "parquet":
        if delimiter is not None:
            return None  # read_table names the mistake
        return _parquet_file(path, limit)
    if text_encoding(encoding) != "UTF-8":
        return None
    if delimiter is not None:
        delimiter = usable_delimiter(delimiter)
    elif kind == "tsv":
        delimiter = "\t"
    return _csv_file(path, encoding, delimiter, size)


def _whole_file_error(path: Path, encoding: str, delimiter: str | None, kind: str) -> None:
    """Raise the error the whole-file reader raises for a file a batch found broken."""
    read_table(path, encoding=encoding, delimiter=delimiter, file_format=kind)
    raise AssertionError(f"{path}: a batch was refused, the whole file was not")  # a bug


# ---------------------------------------------------------------------- CSV


def _csv_file(path: Path, encoding: str, delimiter: str | None, size: int) -> BatchedFile | None:
    source = str(path)
    batch_bytes = max(1, _setting("PROFDIAG_BATCH_BYTES", BATCH_BYTES))
    stream = path.open("rb")
    try:
        block = stream.read(max(batch_bytes, 2 * _HEADER_SAMPLE))
        head = _csv_header(block, delimiter, path, encoding)
        if head is None:
            stream.close()
            return None
    except BaseException:
        stream.close()
        raise
    header_bytes, data_start, data_line, found = head
    batched = BatchedFile(
        source,
        [],
        size,
        "csv",
        skipped_blank_lines=tuple(range(1, data_line - _count(header_bytes))),
    )
    batches = _csv_batches(
        batched,
        stream,
        block[data_start:],
        data_start,
        data_line,
        header_bytes,
        found,
        (path, encoding, delimiter, batch_bytes),
    )
    first = next(batches, None)
    if first is None:
        stream.close()
        return None
    batched.names = list(first.columns)

    def all_batches() -> Iterator[Table]:
        yield first
        yield from batches

    batched._batches = all_batches()
    batched._closer = stream.close
    return batched


def _csv_header(
    block: bytes, delimiter: str | None, path: Path, encoding: str
) -> tuple[bytes, int, int, str | None] | None:
    """The header record with its line end, where the data starts (offset and line), and
    the delimiter; None when the header does not end within `block`."""
    start = 3 if block.startswith(b"\xef\xbb\xbf") else 0
    first = start
    while first < len(block) and block[first] in (10, 13):
        first += 1
    if first == len(block):
        return None
    found = delimiter
    if delimiter is None:
        sample = block[first : first + _HEADER_SAMPLE].decode("utf-8", errors="replace")
        try:
            found = _header_delimiter(sample, 1)
        except _Tie:
            _whole_file_error(path, encoding, delimiter, "csv")
    ends = _record_ends(block[first:], found)
    ends = ends[ends < len(block) - first]  # a line end followed by more text
    if ends.size == 0:
        return None
    end = first + int(ends[0])
    return block[first:end], end, 1 + _count(block[start:end]), found


def _count(text: bytes) -> int:
    """Line breaks in `text` (\\r\\n counted once)."""
    return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")


def _record_ends(buffer: bytes, delimiter: str | None, end: int | None = None) -> np.ndarray:
    """Offsets just after each line end outside quoted cells in buffer[:end], up to the
    first quoted cell that does not close there (it may close in the next block)."""
    end = len(buffer) if end is None else end
    body = np.frombuffer(buffer, dtype=np.uint8, count=end)
    quotes, returns = buffer.find(b'"', 0, end) >= 0, buffer.find(b"\r", 0, end) >= 0
    if not quotes and not returns:
        feeds: np.ndarray = np.flatnonzero(body == 10) + 1
        return feeds
    breaks, ends = _line_breaks(body, returns)
    if not quotes:
        return ends
    inside, error = _quoting(body, breaks, delimiter)
    outside: np.ndarray = ends[~inside]
    if error is not None and error.kind == "unterminated":
        outside = outside[outside <= error.offset]
    return outside


def _last_record_end(buffer: bytes, delimiter: str | None, end: int) -> int:
    """The offset after the last complete record of buffer[:end] that more text follows
    (a "\r" at the end may be half of a "\r\n"); 0 when there is none."""
    if buffer.find(b"\r", 0, end) < 0 and buffer.find(b'"', 0, end) < 0:
        return buffer.rfind(b"\n", 0, end - 1) + 1
    ends = _record_ends(buffer, delimiter, end)
    ends = ends[ends < end]
    return int(ends[-1]) if ends.size else 0


def _csv_batches(
    batched: BatchedFile,
    stream: BinaryIO,
    pending: bytes,
    offset: int,
    line: int,
    header_bytes: bytes,
    delimiter: str | None,
    whole: tuple[Path, str, str | None, int],
) -> Iterator[Table]:
    batch_bytes = whole[3]
    header_lines = 1 + _count(header_bytes)
    done = offset
    eof = False
    try:
        while True:
            while not eof and len(pending) < batch_bytes:
                more = stream.read(batch_bytes)
                eof = not more
                pending += more
            if eof and len(pending) <= batch_bytes:
                cut = len(pending)
            else:
                cut = _last_record_end(
                    pending, delimiter, min(batch_bytes, len(pending))
                ) or _last_record_end(pending, delimiter, len(pending))
                if cut == 0 and not eof:  # one record longer than a batch: read on
                    more = stream.read(batch_bytes)
                    eof = not more
                    pending += more
                    continue
                cut = cut or len(pending)
            text = b"".join((header_bytes, memoryview(pending)[:cut]))  # one copy
            pending = pending[cut:]
            done += cut
            h, first_line = len(header_bytes), line
            line += text.count(b"\n", h) + text.count(b"\r", h) - text.count(b"\r\n", h)
            if cut:
                batch = _csv_batch(batched, text, first_line - header_lines, whole)
                del text  # parsed: its memory can hold the next block
                yield batch
            batched.done = done
            if eof and not pending:
                return
    finally:
        stream.close()


def _csv_batch(
    batched: BatchedFile, text: bytes, shift: int, whole: tuple[Path, str, str | None, int]
) -> Table:
    path, encoding, delimiter, _ = whole
    try:
        table = read_csv(text, 0, batched.source, encoding, delimiter)
    except ResponseDataError:
        _whole_file_error(path, encoding, delimiter, "csv")
        raise
    lines = table.lines
    moved: Sequence[int] = (
        range(lines.start + shift, lines.stop + shift)
        if isinstance(lines, range)
        else [line + shift for line in lines]
    )
    blank = tuple(line + shift for line in table.skipped_blank_lines)
    batched.skipped_blank_lines += blank
    columns: dict[str, Sequence[Any]] = dict(table.columns)
    return Table(batched.source, columns, table.n_rows, moved, blank, table.delimiter)


# ---------------------------------------------------------------------- Parquet


def _parquet_file(path: Path, limit: int) -> BatchedFile | None:
    """Batches of a Parquet file whose data take at least `limit` bytes uncompressed (the
    file itself may be several times smaller); None for a smaller one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        rows = parquet.metadata.num_rows
        groups = range(parquet.metadata.num_row_groups)
        size = sum(parquet.metadata.row_group(k).total_byte_size for k in groups)
    except (pa.ArrowException, OSError, ValueError):
        _whole_file_error(path, "utf-8", None, "parquet")
        raise
    if size < limit:
        parquet.close()
        return None
    if len(set(names)) != len(names) or not all(name.strip() for name in names):
        _whole_file_error(path, "utf-8", None, "parquet")
    batched = BatchedFile(str(path), list(names), rows, "parquet")
    batched._batches = _parquet_batches(batched, parquet, path)
    batched._closer = parquet.close
    return batched


def _parquet_batches(batched: BatchedFile, parquet: Any, path: Path) -> Iterator[Table]:
    import pyarrow as pa

    batch_rows = max(1, _setting("PROFDIAG_BATCH_ROWS", BATCH_ROWS))
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, use_threads=True):
            for column in batch.columns:
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                    column.validate(full=True)
            columns: dict[str, Sequence[Any]] = {
                name: ArrowColumn(pa.chunked_array([batch.column(i)], batch.schema.field(i).type))
                for i, name in enumerate(batched.names)
            }
            yield Table(batched.source, columns, batch.num_rows, None)
            batched.done += batch.num_rows
    except (pa.ArrowException, OSError, ValueError):
        _whole_file_error(path, "utf-8", None, "parquet")
        raise
    finally:
        parquet.close()


# ---------------------------------------------------------------------- writing


class ScoreWriter:
    """Score tables written batch after batch to a stream: CSV (the header once) or
    Parquet (one schema, taken from the first batch, with the provenance metadata)."""

    def __init__(self, stream: BinaryIO, kind: str, metadata: dict[str, Any]) -> None:
        self.stream, self.kind, self.metadata = stream, kind, metadata
        self.started = False
        self.parquet: Any = None

    def write(self, header: list[str], columns: Sequence[Any]) -> None:
        if self.kind == "parquet":
            self._write_parquet(header, columns)
            return
        parts = csv_bytes(header, columns)
        first = next(parts)
        if not self.started:
            self.stream.write(first)
            self.started = True
        for part in parts:
            self.stream.write(part)

    def _write_parquet(self, header: list[str], columns: Sequence[Any]) -> None:
        import pyarrow.parquet as pq

        from profdiag._io.parquet_format import arrow_table

        table = arrow_table(header, columns, self.metadata)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.stream, table.schema)
        elif not table.schema.equals(self.parquet.schema):
            table = table.cast(self.parquet.schema)
        self.parquet.write_table(table)

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
