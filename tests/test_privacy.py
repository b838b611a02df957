"""Pseudonymised exports (152-ФЗ): keyed pseudonyms, key files, identifier columns."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag import generate_key, looks_like_direct_identifier, pseudonymise
from profdiag._io import read_table
from profdiag._privacy.keys import read_key
from profdiag.cli import main
from profdiag.errors import ArgumentError, OutputError, ResponseDataError

KEY = bytes(range(32))
# Computed independently of profdiag: the hmac module on the same bytes.
GOLDEN = hmac.new(KEY, b"pupil-0017", hashlib.sha256).hexdigest()


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def key_file(folder: Path, key: bytes = KEY) -> Path:
    path = folder / "study.key"
    path.write_text(key.hex() + "\n")
    path.chmod(0o600)
    return path


# --- pseudonyms -----------------------------------------------------------------------


def test_pseudonym_is_the_truncated_hmac_sha256_hex_of_the_trimmed_id() -> None:
    table = {"id": ["pupil-0017", "  pupil-0017\t", "PUPIL-0017"], "R1": ["1", "2", "3"]}
    result = pseudonymise(table, KEY, "id")
    ids = result.columns["id"]
    assert ids[0] == GOLDEN[:16]
    assert ids[1] == GOLDEN[:16]  # trimmed
    assert ids[2] == hmac.new(KEY, b"PUPIL-0017", hashlib.sha256).hexdigest()[:16]
    assert ids[2] != ids[0]  # case is kept
    assert pseudonymise(table, KEY, "id", length=64).columns["id"][0] == GOLDEN


def test_whole_numbers_and_their_digits_get_the_same_pseudonym() -> None:
    table = {"id": [1234, "1234", 1234.0, None, float("nan"), "  "]}
    ids = pseudonymise(table, KEY, "id").columns["id"]
    expected = hmac.new(KEY, b"1234", hashlib.sha256).hexdigest()[:16]
    assert ids == [expected, expected, expected, None, None, None]


def test_the_same_key_gives_the_same_pseudonyms_in_another_file_and_year(tmp_path: Path) -> None:
    key = key_file(tmp_path)
    (tmp_path / "2025.csv").write_text("id,R1\npupil-0017,5\nother,3\n")
    (tmp_path / "2026.json").write_text(json.dumps([{"id": "x"}, {"id": "pupil-0017 "}]))
    first = pseudonymise(tmp_path / "2025.csv", key, "id").columns["id"]
    second = pseudonymise(tmp_path / "2026.json", key, "id").columns["id"]
    assert first[0] == second[1] == GOLDEN[:16]
    other = pseudonymise(tmp_path / "2025.csv", bytes(32), "id").columns["id"]
    assert other[0] != first[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(-(10**12), 10**12))),
    st.integers(12, 64),
)
def test_rows_in_equal_rows_out_and_equal_ids_equal_pseudonyms(
    ids: list[object], length: int
) -> None:
    table = {"id": ids, "other": list(range(len(ids)))}
    if not ids:
        table = {"id": [], "other": []}
    result = pseudonymise(table, KEY, "id", length=length)
    out = result.columns["id"]
    assert len(out) == result.n_rows == len(ids)
    assert list(result.columns["other"]) == list(range(len(ids)))
    for cell, made in zip(ids, out, strict=True):
        text = None if cell is None else str(cell).strip() or None
        if text is None:
            assert made is None
        else:
            assert made == hmac.new(KEY, text.encode(), hashlib.sha256).hexdigest()[:length]


def test_a_collision_names_rows_and_never_the_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    import profdiag._privacy.export as module

    monkeypatch.setattr(module, "pseudonym", lambda key, identifier, length: "0" * length)
    with pytest.raises(ResponseDataError) as caught:
        pseudonymise({"id": ["secret-a", "secret-a", "secret-b"]}, KEY, "id")
    message = str(caught.value)
    assert "data row 1" in message and "collide" in message
    assert "secret" not in message
    assert caught.value.problems[0].row == 2


def test_ids_that_are_not_text_or_whole_numbers_are_refused_without_their_value() -> None:
    with pytest.raises(ResponseDataError) as caught:
        pseudonymise({"id": ["a", 3.5, True]}, KEY, "id")
    assert [p.row for p in caught.value.problems] == [1, 2]
    assert "3.5" not in str(caught.value)


# --- identifiers, dropping, keeping, coarsening ----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "ФИО",
        "Фамилия",
        "имя",
        "Отчество",
        "Name",
        "last_name",
        "LastName",
        "birthDate",
        "Дата рождения",
        "дата_рождения",
        "Phone",
        "Телефон",
        "parent phone",
        "E-mail",
        "email",
        "СНИЛС",
        "snils",
        "passport_no",
        "Адрес",
        "home address",
        "student_name",
        "Фамилия ученика",
        "Ф.И.О.",
    ],
)
def test_names_of_direct_identifiers_are_recognised(name: str) -> None:
    assert looks_like_direct_identifier(name)


@pytest.mark.parametrize(
    "name", ["school", "grade", "R1", "school_name", "municipality", "class", "sex", "age"]
)
def test_ordinary_column_names_are_not_identifiers(name: str) -> None:
    assert not looks_like_direct_identifier(name)


def test_exact_identifier_names_are_dropped_and_declared_drops_too() -> None:
    table = {
        "id": ["a", "b"],
        "Фамилия": ["И", "П"],
        "E-Mail": ["x@y", "z@w"],
        "school": ["1", "2"],
        "note": ["n", "m"],
    }
    result = pseudonymise(table, KEY, "id", drop=["note"])
    assert list(result.columns) == ["id", "school"]
    assert result.dropped == ("Фамилия", "E-Mail", "note")


def test_a_column_that_looks_like_an_identifier_is_refused_until_dropped_or_kept() -> None:
    table = {"id": ["a"], "parent_phone": ["+7"], "R1": ["1"]}
    with pytest.raises(ArgumentError, match="parent_phone"):
        pseudonymise(table, KEY, "id")
    assert list(pseudonymise(table, KEY, "id", drop=["parent_phone"]).columns) == ["id", "R1"]
    kept = pseudonymise(table, KEY, "id", keep=["parent_phone"])
    assert list(kept.columns) == ["id", "parent_phone", "R1"]
    assert kept.kept_identifiers == ("parent_phone",)
    exact = pseudonymise({"id": ["a"], "ФИО": ["x"]}, KEY, "id", keep=["ФИО"])
    assert list(exact.columns) == ["id", "ФИО"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"drop": ["nope"]}, "no column 'nope'"),
        ({"keep": ["R1"], "drop": ["R1"]}, "dropped and kept"),
        ({"drop": ["id"]}, "the id column"),
        ({"coarsen": {"R1": "decade"}}, "cannot coarsen"),
        ({"coarsen": {"R1": "band:1"}}, "cannot coarsen"),
        ({"length": 8}, "12 to 64"),
        ({"length": 65}, "12 to 64"),
    ],
)
def test_unusable_arguments_are_refused(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ArgumentError, match=fragment):
        pseudonymise({"id": ["a"], "R1": ["1"]}, KEY, "id", **kwargs)  # type: ignore[arg-type]


def test_a_missing_id_column_and_a_short_key_are_refused() -> None:
    with pytest.raises(ArgumentError, match="no column 'pupil'"):
        pseudonymise({"id": ["a"]}, KEY, "pupil")
    with pytest.raises(ArgumentError, match="at least 32 bytes"):
        pseudonymise({"id": ["a"]}, b"short", "id")


def test_birth_dates_coarsen_to_years_and_ages_to_bands() -> None:
    import datetime as dt

    table = {
        "id": ["a", "b", "c", "d"],
        "birth_date": ["2010-05-01", "01.05.2009", dt.date(2011, 2, 3), ""],
        "age": ["15", 16, "14,5", None],
    }
    result = pseudonymise(table, KEY, "id", coarsen={"birth_date": "year", "age": "band"})
    assert result.columns["birth_date"] == [2010, 2009, 2011, None]
    assert result.columns["age"] == ["15-19", "15-19", "10-14", None]
    two = pseudonymise(table, KEY, "id", coarsen={"birth_date": "year", "age": "band:2"})
    assert two.columns["age"] == ["14-15", "16-17", "14-15", None]


def test_a_cell_that_cannot_be_coarsened_is_reported_without_its_value() -> None:
    table = {"id": ["a", "b"], "birth_date": ["31.02.2010", "2010-13-01"]}
    with pytest.raises(ResponseDataError) as caught:
        pseudonymise(table, KEY, "id", coarsen={"birth_date": "year"})
    assert [p.row for p in caught.value.problems] == [0, 1]
    assert "2010" not in str(caught.value)


# --- files --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".json"])
def test_every_format_round_trips_with_rows_in_equal_rows_out(tmp_path: Path, suffix: str) -> None:
    data = tmp_path / "in.csv"
    data.write_text(
        "id,ФИО,birth_date,school,comment\n"
        'p1,Иванов,2010-05-01,12,"a, b"\n'
        ',Петров,,12,"tab\there"\n'
        "p1,Иванов,2010-05-01,7,\n"
    )
    out = tmp_path / f"out{suffix}"
    result = pseudonymise(data, key_file(tmp_path), "id", out, coarsen={"birth_date": "year"})
    assert result.path == out
    back = read_table(out)
    assert back.n_rows == 3
    assert list(back.columns) == ["id", "birth_date", "school", "comment"]
    ids = [None if cell in ("", None) else cell for cell in back.columns["id"]]
    expected = hmac.new(KEY, b"p1", hashlib.sha256).hexdigest()[:16]
    assert ids == [expected, None, expected]
    assert [str(c) if c is not None else "" for c in back.columns["birth_date"]] == [
        "2010",
        "",
        "2010",
    ]
    assert list(back.columns["comment"])[:2] == ["a, b", "tab\there"]
    written = out.read_bytes()
    assert "Иванов".encode() not in written and b"p1" not in written
    assert KEY.hex().encode() not in written


def test_the_output_may_not_replace_the_data_or_the_key(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id\na\n")
    key = key_file(tmp_path)
    for out in (data, key):
        with pytest.raises(OutputError, match="is the input file"):
            pseudonymise(data, key, "id", out)
    assert data.read_text() == "id\na\n" and read_key(key) == KEY


def test_output_is_atomic_and_a_failure_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    with pytest.raises(ArgumentError):
        pseudonymise({"id": ["a"], "mobile phone": ["1"]}, KEY, "id", out)
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# --- keys ---------------------------------------------------------------------------


def test_generate_key_writes_256_random_bits_readable_by_the_owner_only(tmp_path: Path) -> None:
    first = generate_key(tmp_path / "a.key")
    second = generate_key(tmp_path / "b.key")
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    assert len(read_key(first)) == 32
    assert read_key(first) != read_key(second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.key", "b.key"]  # no temp files


def test_generate_key_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.key"
    path.write_text("old")
    with pytest.raises(OutputError, match="exists already"):
        generate_key(path)
    assert path.read_text() == "old"
    (tmp_path / "link.key").symlink_to(tmp_path / "missing")
    with pytest.raises(OutputError, match="exists already"):
        generate_key(tmp_path / "link.key")
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.key", "link.key"]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644, 0o660])
def test_a_key_file_others_may_read_or_change_is_refused(tmp_path: Path, mode: int) -> None:
    path = key_file(tmp_path)
    path.chmod(mode)
    with pytest.raises(ArgumentError, match="readable by its owner only"):
        pseudonymise({"id": ["a"]}, path, "id")


@pytest.mark.parametrize("content", ["", "abc\n", "zz" * 32, KEY.hex() * 2])
def test_a_file_without_a_key_is_refused_without_showing_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(ArgumentError, match="does not hold a key") as caught:
        read_key(path)
    if content:
        assert content.strip() not in str(caught.value)


# --- command line -------------------------------------------------------------------


def test_cli_keygen_and_pseudonymise(tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    assert_clean(run("keygen", "--out", key), 0, "mode 0600")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert_clean(run("keygen", "--out", key), 1, "exists already")
    data = tmp_path / "d.csv"
    data.write_text("id,Фамилия,age,school_name\n ид-9917 ,Иванов,15,A\nид-9917,Петров,16,A\n")
    out = tmp_path / "o.csv"
    result = run(
        "pseudonymise",
        data,
        "--key",
        key,
        "--id-column",
        "id",
        "--out",
        out,
        "--coarsen",
        "age=band:2",
    )
    assert_clean(result, 0, "2 row(s)", "dropped 'Фамилия'", "coarsened 'age'")
    lines = out.read_text().splitlines()
    assert lines[0] == "id,age,school_name"
    expected = hmac.new(read_key(key), "ид-9917".encode(), hashlib.sha256).hexdigest()[:16]
    assert lines[1] == f"{expected},14-15,A" and lines[2] == f"{expected},16-17,A"
    assert "9917" not in result.stderr + result.output and "Иванов" not in result.stderr


def test_cli_refusals_are_messages_without_traceback(tmp_path: Path) -> None:
    key = key_file(tmp_path)
    data = tmp_path / "d.csv"
    data.write_text("id,parent_phone,birth_date\nsecret-id,+7 900,2010-02-30\n")
    out = tmp_path / "o.csv"
    base = ("pseudonymise", data, "--key", key, "--id-column", "id", "--out", out)
    assert_clean(run(*base), 1, "--drop parent_phone", "--keep parent_phone")
    assert_clean(
        run(*base, "--drop", "parent_phone", "--coarsen", "birth_date=year"),
        1,
        "data row 1, column 'birth_date'",
        "nothing was written",
    )
    assert_clean(run(*base, "--coarsen", "birth_date"), 2, "COLUMN=RULE")
    assert_clean(run(*base[:-1], data), 1, "is the input file")
    assert_clean(run(*base[:-1], key), 1, "is the input file")
    assert_clean(run(*base[:5], "nope", "--out", out, "--drop", "parent_phone"), 1, "no column")
    key.chmod(0o644)
    assert_clean(run(*base, "--drop", "parent_phone"), 1, "chmod 600")
    assert not out.exists()
    for result in (run(*base), run(*base, "--drop", "parent_phone")):
        assert "secret-id" not in result.output + result.stderr


def test_public_api_exports() -> None:
    assert profdiag.pseudonymise is pseudonymise
    assert profdiag.generate_key is generate_key
