"""Text overlays (licensed texts added to a key-only instrument) and typed answer sheets."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import BASE, build

from profdiag import DocumentError, InstrumentError, score
from profdiag._instrument import Instrument
from profdiag._instrument.overlay import TextOverlay, apply_overlay, load_overlay
from profdiag._io.answer_strings import parse_answer_string
from profdiag.cli import main

OPTIONS = [{"code": "а", "aliases": ["a", "1"]}, {"code": "б", "aliases": ["b", "2"]}]


def pairs_instrument(n_pairs: int = 4) -> Instrument:
    """Key-only pairs: option а of odd pairs and б of even pairs score for X; the rest for Y."""
    return build(
        id="pairs",
        text_status={"ru": "not_shipped", "en": "not_shipped"},
        response_formats={"pair": {"type": "forced_choice", "options": OPTIONS}},
        items=[{"id": str(k), "format": "pair"} for k in range(1, n_pairs + 1)],
        scales=[
            {
                "id": "X",
                "title": {"en": "X"},
                "items": [
                    {"item": str(k), "scores": {"а" if k % 2 else "б": 1}}
                    for k in range(1, n_pairs + 1)
                ],
            },
            {
                "id": "Y",
                "title": {"en": "Y"},
                "items": [
                    {"item": str(k), "scores": {"б" if k % 2 else "а": 1}}
                    for k in range(1, n_pairs + 1)
                ],
            },
        ],
    )


def overlay_document(n_pairs: int = 4) -> dict[str, Any]:
    # Our own placeholder statements: the point is the mechanism, not anyone's texts.
    return {
        "format": "profdiag-overlay/1",
        "instrument": "pairs",
        "instrument_version": "1.0.0",
        "source": {"citation": "test placeholder texts"},
        "licence": {"name": "CC0-1.0"},
        "text_status": {"ru": "original"},
        "items": {
            str(k): {
                "options": {"а": {"ru": f"Утверждение {k}а"}, "б": {"ru": f"Утверждение {k}б"}}
            }
            for k in range(1, n_pairs + 1)
        },
    }


def overlay(document: dict[str, Any]) -> TextOverlay:
    return TextOverlay.model_validate(document)


def test_overlay_adds_texts_and_is_recorded_with_scores() -> None:
    base = pairs_instrument()
    merged = apply_overlay(base, overlay(overlay_document()))
    assert merged.items[2].option_texts["б"].ru == "Утверждение 3б"
    assert merged.text_status["ru"] == "original"
    assert merged.scoring_hash == base.content_hash
    assert merged.overlay_hash is not None and merged.overlay_hash.startswith("sha256:")
    result = score(merged, {"1": "а", "2": "а", "3": "б", "4": "б"})
    # X: 1а yes, 2б no, 3а no, 4б yes = 2; Y = 4 - 2 = 2
    assert result.raw.tolist() == [[2.0, 2.0]]
    assert result.instrument.content_hash == base.content_hash
    assert result.instrument.overlay_hash == merged.overlay_hash
    # the base is untouched and scores the same
    assert score(base, {"1": "а", "2": "а", "3": "б", "4": "б"}).instrument.overlay_hash is None


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        (lambda d: d["items"].pop("4"), "$.items", "an entry for item '4'"),
        (
            lambda d: d["items"].update({"9": d["items"]["1"]}),
            "$.items['9']",
            "an item of the instrument",
        ),
        (
            lambda d: d["items"]["2"]["options"].pop("б"),
            "$.items['2'].options",
            "a text for each option",
        ),
        (
            lambda d: d.update(text_status={"ru": "original", "en": "unvalidated_translation"}),
            "$.items['1'].options['а']",
            "missing: en",
        ),
        (lambda d: d.update(instrument_version="2.0.0"), "$.instrument_version", "'1.0.0'"),
        (lambda d: d.update(instrument="other"), "$.instrument", "'pairs'"),
        (lambda d: d["items"].update({"3": {}}), "$.items['3']", "a text, option texts or both"),
    ],
)
def test_overlay_that_does_not_fit_is_refused(change: Any, path: str, expected: str) -> None:
    document = copy.deepcopy(overlay_document())
    change(document)
    with pytest.raises(DocumentError) as caught:
        apply_overlay(pairs_instrument(), overlay(document), source="my-overlay.json")
    assert type(caught.value) is DocumentError  # an overlay is not a definition
    assert caught.value.source == "my-overlay.json"
    assert any(p.path == path and expected in p.expected for p in caught.value.problems), (
        caught.value
    )


def test_overlay_file_is_read_strictly(tmp_path: Path) -> None:
    path = tmp_path / "overlay.json"
    path.write_text(json.dumps(overlay_document()), encoding="utf-8")
    assert load_overlay(path).instrument == "pairs"
    path.write_text('{"format": "profdiag-overlay/1", "format": "x"}', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"\$\.format") as caught:
        load_overlay(path)
    assert type(caught.value) is DocumentError


def test_key_only_texts_cannot_sneak_in_without_a_status() -> None:
    document = copy.deepcopy({**BASE, "text_status": {"ru": "not_shipped", "en": "not_shipped"}})
    document.update(
        response_formats={"pair": {"type": "forced_choice", "options": OPTIONS}},
        items=[{"id": "1", "format": "pair", "option_texts": {"а": {"ru": "текст"}}}],
        scales=[{"id": "X", "title": {"en": "X"}, "items": [{"item": "1", "scores": {"а": 1}}]}],
    )
    from profdiag._instrument import instrument_from_document

    with pytest.raises(InstrumentError, match=r"\$\.items\[0\]\.option_texts\['а'\]\.ru"):
        instrument_from_document(document)


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("1а 2б 3а 4б", {"1": "а", "2": "б", "3": "а", "4": "б"}),
        ("1а2б3а4б", {"1": "а", "2": "б", "3": "а", "4": "б"}),
        ("1-a, 2-b; 3.a 4) b", {"1": "a", "2": "b", "3": "a", "4": "b"}),
        ("1 2 2 1", {"1": "2", "2": "1"}),
    ],
)
def test_answer_strings(text: str, answers: dict[str, str]) -> None:
    assert parse_answer_string(pairs_instrument(), text) == (answers, [])


def test_answer_string_problems_name_the_token() -> None:
    parsed, problems = parse_answer_string(pairs_instrument(), "1а 5б 1б ??")
    assert parsed == {"1": "а"}
    assert problems == [
        ("5б", "an item number from 1 to 4"),
        ("1б", "one answer for item 1"),
        ("??", "answers written as <item number><option>, e.g. 1а 2б"),
    ]


def test_cli_scores_answer_strings_with_overlay(tmp_path: Path) -> None:
    instrument_file = tmp_path / "pairs.json"
    instrument_file.write_text(
        json.dumps(pairs_instrument().model_dump(mode="json", by_alias=True, exclude_none=True)),
        encoding="utf-8",
    )
    overlay_file = tmp_path / "overlay.json"
    overlay_file.write_text(json.dumps(overlay_document()), encoding="utf-8")
    data = tmp_path / "sheets.csv"
    data.write_text("id,answers\nA,1а 2а 3б 4б\nB,1б 2б 3а 4а\nC,1а 2x\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    args = [
        "score",
        str(instrument_file),
        str(data),
        "--answers-column",
        "answers",
        "--overlay",
        str(overlay_file),
        "--out",
        str(out),
    ]
    strict = CliRunner().invoke(main, args)
    assert strict.exit_code == 1 and "data row 3 (line 4), column '2': got \"x\"" in strict.stderr
    lenient = CliRunner().invoke(main, [*args, "--lenient"])
    assert lenient.exit_code == 0, lenient.stderr
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,X,Y,X.answered,X.status") and header.endswith("overlay_hash")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # X is keyed 1а 2б 3а 4б, Y the other options.
    # A (1а 2а 3б 4б): X = 1а + 4б = 2, Y = 2а + 3б = 2; B (1б 2б 3а 4а): X = 2б + 3а = 2, Y = 2
    # C (1а 2x): 2x is not an answer, so only item 1 counts: X = 1, Y = 0, 1 answered each
    got = [(r["id"], r["X"], r["Y"], r["X.answered"], r["row_status"]) for r in rows]
    assert got == [
        ("A", "2.0", "2.0", "4", "ok"),
        ("B", "2.0", "2.0", "4", "ok"),
        ("C", "1.0", "0.0", "1", "problems"),
    ]
    assert rows[0]["instrument_overlay_hash"].startswith("sha256:")


def test_klimov_ddo_paper_sheet_typed_as_one_string(tmp_path: Path) -> None:
    # All «а»: the а-keyed entries per type are nature 1а 6а 10а 11а 16а 20а = 6,
    # technique 4а 9а 14а 19а = 4, human 2а 8а 12а 18а = 4, sign 5а 15а = 2,
    # art 3а 7а 13а 17а = 4 (20 in all).
    all_a = " ".join(f"{k}а" for k in range(1, 21))
    # Latin letters, no separators: «б» everywhere gives 8 minus each of the above.
    all_b = "".join(f"{k}b" for k in range(1, 21))
    data = tmp_path / "sheets.csv"
    data.write_text(f"id;answers\n1;{all_a}\n2;{all_b}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["score", "klimov-ddo", str(data), "--answers-column", "answers"]
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    types = ("nature", "technique", "human", "sign", "art")
    assert [[row[t] for t in types] for row in rows] == [
        ["6.0", "4.0", "4.0", "2.0", "4.0"],
        ["2.0", "4.0", "4.0", "6.0", "4.0"],
    ]
    assert [row["sign.band"] for row in rows] == ["low", "medium"]
