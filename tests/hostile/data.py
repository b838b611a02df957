"""Small generators that write a case's input files into its folder at test time."""

from __future__ import annotations

import copy
import json
import os
import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from hostile.runner import MARKER

IPIP = "ipip-bfm-50"
IPIP_ITEMS = tuple(f"ipip{k:02d}" for k in range(1, 51))
DDO = "klimov-ddo"
RIASEC = "profdiag-riasec-72"

Setup = Callable[[Path], Any]
Record = dict[str, int | None]


def steps(*setups: Setup) -> Setup:
    """Run several setups in order."""

    def setup(folder: Path) -> None:
        for step in setups:
            step(folder)

    return setup


def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Setup:
    def setup(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)

    return setup


def mkdir(name: str) -> Setup:
    def setup(folder: Path) -> None:
        (folder / name).mkdir(parents=True, exist_ok=True)

    return setup


def symlink(name: str, target: str) -> Setup:
    """`name` -> `target` (relative to the case folder unless absolute; may dangle)."""

    def setup(folder: Path) -> None:
        link = folder / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target if os.path.isabs(target) else folder / target)

    return setup


def secret(name: str = "secret/private.txt") -> Setup:
    """A file outside every allowed folder, holding the marker no output may contain."""
    return write(name, f"{MARKER}\n")


# ---------------------------------------------------------------------------------------
# Response tables (ipip-bfm-50: 50 items coded 1-5, id column "id")


def records(n: int, seed: int = 0, blank_share: float = 0.0) -> list[Record]:
    rng = random.Random(seed)
    return [
        {item: None if rng.random() < blank_share else rng.randint(1, 5) for item in IPIP_ITEMS}
        for _ in range(n)
    ]


def cells(record: Record) -> list[str]:
    return ["" if record[item] is None else str(record[item]) for item in IPIP_ITEMS]


def table_text(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, sep: str = ",", eol: str = "\n"
) -> str:
    return "".join(sep.join(row) + eol for row in [header, *rows])


def ipip_text(
    data: Sequence[Record],
    ids: Sequence[str] | None = None,
    *,
    sep: str = ",",
    eol: str = "\n",
    id_column: str = "id",
) -> str:
    ids = ids if ids is not None else [f"r{k + 1:03d}" for k in range(len(data))]
    rows = [[ident, *cells(record)] for ident, record in zip(ids, data, strict=True)]
    return table_text([id_column, *IPIP_ITEMS], rows, sep=sep, eol=eol)


def ipip_csv(
    name: str = "data.csv",
    data: Sequence[Record] | None = None,
    ids: Sequence[str] | None = None,
    *,
    sep: str = ",",
    eol: str = "\n",
    encoding: str = "utf-8",
    prefix: bytes = b"",
    edit: Callable[[str], str] | None = None,
) -> Setup:
    """An ipip-bfm-50 response file (three respondents unless `data` says otherwise)."""
    data = data if data is not None else records(3)
    text = ipip_text(data, ids, sep=sep, eol=eol)
    if edit is not None:
        text = edit(text)
    return write(name, prefix + text.encode(encoding))


def replace_line(line: int, text: str) -> Callable[[str], str]:
    """Replace file line `line` (1 = header) of a table's text."""

    def edit(content: str) -> str:
        lines = content.split("\n")
        lines[line - 1] = text
        return "\n".join(lines)

    return edit


def insert_line(line: int, text: str) -> Callable[[str], str]:
    """Insert `text` so that it becomes file line `line`."""

    def edit(content: str) -> str:
        lines = content.split("\n")
        lines.insert(line - 1, text)
        return "\n".join(lines)

    return edit


def set_cell(line: int, column: str, value: str, sep: str = ",") -> Callable[[str], str]:
    """Set one cell (by file line and column name) of an unquoted table's text."""

    def edit(content: str) -> str:
        lines = content.split("\n")
        header = lines[0].split(sep)
        row = lines[line - 1].split(sep)
        row[header.index(column)] = value
        lines[line - 1] = sep.join(row)
        return "\n".join(lines)

    return edit


def ddo_sheets(name: str, answers: Sequence[str], sep: str = ";") -> Setup:
    """Klimov ДДО answer sheets: id and one answers string per respondent."""
    rows = [[f"d{k + 1:03d}", _quoted(text, sep)] for k, text in enumerate(answers)]
    return write(name, table_text(["id", "answers"], rows, sep=sep))


DDO_FULL = " ".join(f"{k}{'а' if k % 2 else 'б'}" for k in range(1, 21))


def _quoted(cell: str, sep: str) -> str:
    if any(mark in cell for mark in (sep, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def deep_json(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def big_ipip_csv(name: str, n: int, seed: int = 1) -> Setup:
    """A large response file, written quickly (for kill-during-write cases)."""

    def setup(folder: Path) -> None:
        rng = random.Random(seed)
        choices = "12345"
        with (folder / name).open("w", encoding="utf-8", newline="") as stream:
            stream.write("id," + ",".join(IPIP_ITEMS) + "\n")
            for k in range(n):
                answers = rng.choices(choices, k=50)
                stream.write(f"r{k}," + ",".join(answers) + "\n")

    return setup


# ---------------------------------------------------------------------------------------
# Instrument definitions and keys

BASE_INSTRUMENT: dict[str, Any] = {
    "format": "profdiag-instrument/1",
    "id": "hostile",
    "version": "1.0.0",
    "title": {"ru": "Тест", "en": "Test"},
    "description": {"ru": "Для проверок.", "en": "For checks."},
    "authors": ["profdiag tests"],
    "licence": {"name": "CC0-1.0"},
    "source": {"citation": "tests/hostile"},
    "text_status": {"en": "original", "ru": "original"},
    "response_formats": {"lk": {"type": "likert", "codes": [1, 2, 3, 4, 5]}},
    "items": [{"id": f"q{k}", "format": "lk"} for k in range(1, 4)],
    "scales": [
        {
            "id": "S",
            "title": {"en": "S"},
            "aggregation": "sum",
            "items": [{"item": f"q{k}"} for k in range(1, 4)],
        }
    ],
}


def instrument_doc(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE_INSTRUMENT)
    document.update(copy.deepcopy(changes))
    return document


def instrument_file(name: str, document: Any) -> Setup:
    return write(name, json.dumps(document, ensure_ascii=False))


SMALL_CSV = "id,q1,q2,q3\nr1,1,2,3\nr2,5,4,3\n"

KEYS = {"A": ["q1", "-q2"], "B": ["q3", "q4"]}
IMPUTE_CSV = "q1,q2,q3,q4\n1,2,3,4\n5,4,3,2\n3,,3,\n"


# ---------------------------------------------------------------------------------------
# Profiles (made once per session by the CLI itself, so they match the code under test)


@lru_cache(maxsize=1)
def base_profiles_text() -> str:
    """`profdiag profile profdiag-riasec-72` on two respondents, as JSON text."""
    import tempfile

    from hostile.model import SUCCESS, Case
    from hostile.runner import run_in_process

    riasec_items = [item.id for item in _riasec().items]
    rng = random.Random(7)
    rows = [[f"p{k}", *(str(rng.randint(0, 4)) for _ in riasec_items)] for k in range(1, 3)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "answers.csv").write_text(table_text(["id", *riasec_items], rows))
        args = ["profile", RIASEC, str(folder / "answers.csv"), "--top", "3"]
        args += ["--out", str(folder / "profiles.json")]
        run = run_in_process(Case("base-profiles", "setup", tuple(args), SUCCESS), args, folder)
        if run.exit_code != 0 or run.exception is not None:
            raise RuntimeError(f"could not build the base profiles: {run.stderr[-500:]}")
        return (folder / "profiles.json").read_text(encoding="utf-8")


def _riasec() -> Any:
    import profdiag

    return profdiag.load_instrument(RIASEC)


def profile_docs(count: int = 1) -> list[dict[str, Any]]:
    """`count` valid profile documents (copies of the base ones, respondent ids r1, r2...)."""
    base = json.loads(base_profiles_text())["profiles"]
    documents = []
    for k in range(count):
        document = copy.deepcopy(base[k % len(base)])
        document["respondent"] = f"r{k + 1}"
        documents.append(document)
    return documents


def profiles_file(
    name: str = "profiles.json",
    edit: Callable[[list[dict[str, Any]]], Any] | None = None,
    count: int = 1,
) -> Setup:
    """A profiles file; `edit` may change the list in place or return a whole new document."""

    def setup(folder: Path) -> None:
        documents = profile_docs(count)
        document: Any = {"profiles": documents}
        if edit is not None:
            replaced = edit(documents)
            if replaced is not None:
                document = replaced
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    return setup


def templates(folder: str = "tpl", body: str = "", name: str = "client.html.j2") -> Setup:
    """A user template folder with one small template (`body` inside <body>)."""
    text = "<html><body><p>{{ client.id }}</p>" + body + "</body></html>\n"
    return write(f"{folder}/{name}", text)


def raw_template(folder: str, text: str | bytes, name: str = "client.html.j2") -> Setup:
    return write(f"{folder}/{name}", text)
