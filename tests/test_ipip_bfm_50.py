"""The bundled IPIP Big-Five Factor Markers, 50-item version (Goldberg, 1992; ipip.ori.org).

Every expected score below is worked out by hand from the IPIP scoring key, with the
arithmetic in a comment: reverse keying on the 1..5 format is 6 - x, and a scale score is
the mean of the keyed answers to its answered items (at least 7 of 10 must be answered).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conftest import answer_sheet

import profdiag
from profdiag import ScaleStatus

EXAMPLE_CSV = Path(__file__).resolve().parents[1] / "examples" / "ipip-bfm-50-sample.csv"

ITEM_IDS = [f"ipip{n:02d}" for n in range(1, 51)]
SCALE_IDS = (
    "extraversion",
    "agreeableness",
    "conscientiousness",
    "emotional_stability",
    "intellect",
)

# The IPIP key (https://ipip.ori.org/newBigFive5broadKey.htm), written out by item number:
# the factors cycle E, A, C, ES, I; "-" marks a minus-keyed (reverse-scored) item.
# fmt: off
EXPECTED_KEY: dict[str, dict[int, str]] = {
    "extraversion": {1: "+", 6: "-", 11: "+", 16: "-", 21: "+",
                     26: "-", 31: "+", 36: "-", 41: "+", 46: "-"},
    "agreeableness": {2: "-", 7: "+", 12: "-", 17: "+", 22: "-",
                      27: "+", 32: "-", 37: "+", 42: "+", 47: "+"},
    "conscientiousness": {3: "+", 8: "-", 13: "+", 18: "-", 23: "+",
                          28: "-", 33: "+", 38: "-", 43: "+", 48: "+"},
    "emotional_stability": {4: "-", 9: "+", 14: "-", 19: "+", 24: "-",
                            29: "-", 34: "-", 39: "-", 44: "-", 49: "-"},
    "intellect": {5: "+", 10: "-", 15: "+", 20: "-", 25: "+",
                  30: "-", 35: "+", 40: "+", 45: "+", 50: "+"},
}
# fmt: on


@pytest.fixture(scope="module")
def instrument() -> profdiag.Instrument:
    return profdiag.load_instrument("ipip-bfm-50")


def respondent(default: int | None, **answers: int | None) -> dict[str, Any]:
    """One respondent: every item answered `default`, except the given item ids."""
    return answer_sheet(ITEM_IDS, default, **answers)


# --- the definition -----------------------------------------------------------------


def test_file_loads_with_identity_and_text_status(instrument: profdiag.Instrument) -> None:
    assert "ipip-bfm-50" in profdiag.bundled_ids()
    assert instrument.id == "ipip-bfm-50"
    assert instrument.version == "1.0.1"
    assert instrument.format == "profdiag-instrument/1"
    assert instrument.licence.name == "Public domain"
    assert {lang: status.value for lang, status in instrument.text_status.items()} == {
        "en": "original",
        "ru": "unvalidated_translation",
    }
    assert instrument.norms == ()
    assert instrument.notes is not None
    assert instrument.notes.ru is not None
    assert instrument.notes.en is not None


def test_fifty_items_in_order_with_en_and_ru_texts(instrument: profdiag.Instrument) -> None:
    assert [item.id for item in instrument.items] == ITEM_IDS
    for item in instrument.items:
        assert item.text is not None, item.id
        assert item.text.en, item.id
        assert item.text.ru, item.id
    assert instrument.items[0].text is not None
    assert instrument.items[0].text.en == "Am the life of the party."
    assert instrument.items[-1].text is not None
    assert instrument.items[-1].text.en == "Am full of ideas."


# The Russian wordings revised in 1.0.1 (our unvalidated translation), with the English items.
REVISED_RU = {
    "ipip18": (
        "Make a mess of things.",
        "Я навожу беспорядок в делах и вещах.",
        "Я многое делаю кое-как.",
    ),
    "ipip27": ("Have a soft heart.", "У меня мягкое сердце.", "У меня доброе сердце."),
    "ipip45": (
        "Spend time reflecting on things.",
        "Я провожу время, размышляя о разных вещах.",
        "Я часто размышляю о разном.",
    ),
}


def test_revised_russian_wordings(instrument: profdiag.Instrument) -> None:
    texts = {item.id: item.text for item in instrument.items if item.text is not None}
    for item_id, (english, before, after) in REVISED_RU.items():
        assert texts[item_id].en == english, item_id  # the English item is unchanged
        assert texts[item_id].ru == after, item_id
        assert before not in {text.ru for text in texts.values()}, item_id
    # one statement each: no "и" joining two, no participle clause
    for _, _, after in REVISED_RU.values():
        assert " и " not in after and "," not in after
    # the notes record the change
    assert instrument.notes is not None and instrument.notes.ru and instrument.notes.en
    for _, before, after in REVISED_RU.values():
        assert f"«{before}» → «{after}»" in instrument.notes.ru
    assert "Version 1.0.1" in instrument.notes.en
    # the keying of the three items is untouched: 18 minus (C), 27 plus (A), 45 plus (I)
    keyed = {e.item: e.reverse for scale in instrument.scales for e in scale.items}
    assert (keyed["ipip18"], keyed["ipip27"], keyed["ipip45"]) == (True, False, False)


def test_five_scales_of_ten_cover_every_item_once(instrument: profdiag.Instrument) -> None:
    assert tuple(scale.id for scale in instrument.scales) == SCALE_IDS
    seen: list[str] = []
    for scale in instrument.scales:
        assert len(scale.items) == 10, scale.id
        assert scale.aggregation == "mean"
        assert scale.missing.min_answered == 7
        assert scale.missing.gaps.value == "skip"
        assert scale.title.ru and scale.title.en
        assert scale.description is not None
        assert scale.description.ru and scale.description.en
        seen += [entry.item for entry in scale.items]
    assert sorted(seen) == ITEM_IDS  # 50 entries, each item exactly once


def test_keying_matches_the_ipip_key(instrument: profdiag.Instrument) -> None:
    for scale in instrument.scales:
        actual = {int(entry.item[4:]): "-" if entry.reverse else "+" for entry in scale.items}
        assert actual == EXPECTED_KEY[scale.id], scale.id
        assert all(entry.weight == 1.0 and entry.scores is None for entry in scale.items)


def test_response_format_is_five_point_likert(instrument: profdiag.Instrument) -> None:
    formats = {instrument.format_of(item).model_dump_json() for item in instrument.items}
    assert len(formats) == 1
    fmt = instrument.format_of(instrument.items[0])
    assert fmt.type == "likert"
    assert fmt.codes == (1, 2, 3, 4, 5)
    assert sorted(fmt.labels) == ["1", "2", "3", "4", "5"]
    assert all(label.ru and label.en for label in fmt.labels.values())


# --- golden scores ------------------------------------------------------------------


def test_all_fives(instrument: profdiag.Instrument) -> None:
    # A plus-keyed 5 scores 5, a minus-keyed 5 scores 6 - 5 = 1; mean over 10 items:
    # extraversion         5 plus, 5 minus: (5*5 + 1*5) / 10 = 30 / 10 = 3.0
    # agreeableness        6 plus, 4 minus: (5*6 + 1*4) / 10 = 34 / 10 = 3.4
    # conscientiousness    6 plus, 4 minus: (5*6 + 1*4) / 10 = 34 / 10 = 3.4
    # emotional_stability  2 plus, 8 minus: (5*2 + 1*8) / 10 = 18 / 10 = 1.8
    # intellect            7 plus, 3 minus: (5*7 + 1*3) / 10 = 38 / 10 = 3.8
    result = profdiag.score(instrument, respondent(5))
    assert result.scale_ids == SCALE_IDS
    assert result.raw.shape == (1, 5)
    assert result.raw[0] == pytest.approx([3.0, 3.4, 3.4, 1.8, 3.8])
    assert result.answered[0].tolist() == [10, 10, 10, 10, 10]
    assert (result.status == ScaleStatus.OK).all()


def test_all_ones(instrument: profdiag.Instrument) -> None:
    # A plus-keyed 1 scores 1, a minus-keyed 1 scores 6 - 1 = 5:
    # extraversion         (1*5 + 5*5) / 10 = 30 / 10 = 3.0
    # agreeableness        (1*6 + 5*4) / 10 = 26 / 10 = 2.6
    # conscientiousness    (1*6 + 5*4) / 10 = 26 / 10 = 2.6
    # emotional_stability  (1*2 + 5*8) / 10 = 42 / 10 = 4.2
    # intellect            (1*7 + 5*3) / 10 = 22 / 10 = 2.2
    result = profdiag.score(instrument, respondent(1))
    assert result.raw[0] == pytest.approx([3.0, 2.6, 2.6, 4.2, 2.2])


def test_all_threes_score_three_everywhere(instrument: profdiag.Instrument) -> None:
    # 3 keyed either way is 3 (6 - 3 = 3): every mean is 30 / 10 = 3.0
    result = profdiag.score(instrument, respondent(3))
    assert result.raw[0] == pytest.approx([3.0] * 5)


def test_numeric_array_rows_give_the_same_hand_values(instrument: profdiag.Instrument) -> None:
    # The 2-D array path (columns in item order): row 0 all 5s, row 1 all 1s, as above.
    matrix = np.array([[5] * 50, [1] * 50])
    result = profdiag.score(instrument, matrix)
    assert result.raw[0] == pytest.approx([3.0, 3.4, 3.4, 1.8, 3.8])
    assert result.raw[1] == pytest.approx([3.0, 2.6, 2.6, 4.2, 2.2])


def test_mixed_pattern_on_two_scales(instrument: profdiag.Instrument) -> None:
    # Extraversion (item: answer -> keyed):
    #   01+: 5 -> 5    06-: 2 -> 4    11+: 4 -> 4    16-: 1 -> 5    21+: 3 -> 3
    #   26-: 2 -> 4    31+: 5 -> 5    36-: 4 -> 2    41+: 3 -> 3    46-: 1 -> 5
    #   sum = 5+4+4+5+3+4+5+2+3+5 = 40, mean = 40 / 10 = 4.0
    # Emotional Stability:
    #   04-: 2 -> 4    09+: 4 -> 4    14-: 3 -> 3    19+: 5 -> 5    24-: 1 -> 5
    #   29-: 2 -> 4    34-: 4 -> 2    39-: 3 -> 3    44-: 2 -> 4    49-: 1 -> 5
    #   sum = 4+4+3+5+5+4+2+3+4+5 = 39, mean = 39 / 10 = 3.9
    # All other items are answered 3, which keys to 3 either way: those scales are 3.0.
    # fmt: off
    answers = {
        "ipip01": 5, "ipip06": 2, "ipip11": 4, "ipip16": 1, "ipip21": 3,
        "ipip26": 2, "ipip31": 5, "ipip36": 4, "ipip41": 3, "ipip46": 1,
        "ipip04": 2, "ipip09": 4, "ipip14": 3, "ipip19": 5, "ipip24": 1,
        "ipip29": 2, "ipip34": 4, "ipip39": 3, "ipip44": 2, "ipip49": 1,
    }
    # fmt: on
    result = profdiag.score(instrument, respondent(3, **answers))
    assert result.column("extraversion")[0] == pytest.approx(4.0)
    assert result.column("emotional_stability")[0] == pytest.approx(3.9)
    assert result.raw[0] == pytest.approx([4.0, 3.0, 3.0, 3.9, 3.0])
    assert (result.status == ScaleStatus.OK).all()


def test_three_skipped_items_mean_of_the_seven_answered(instrument: profdiag.Instrument) -> None:
    # Agreeableness with 02, 07, 12 unanswered; the 7 answered:
    #   17+: 4 -> 4    22-: 2 -> 4    27+: 5 -> 5    32-: 1 -> 5
    #   37+: 3 -> 3    42+: 4 -> 4    47+: 5 -> 5
    #   sum = 4+4+5+5+3+4+5 = 30, mean = 30 / 7 = 4.285714...
    # fmt: off
    answers = {
        "ipip02": None, "ipip07": None, "ipip12": None,
        "ipip17": 4, "ipip22": 2, "ipip27": 5, "ipip32": 1,
        "ipip37": 3, "ipip42": 4, "ipip47": 5,
    }
    # fmt: on
    result = profdiag.score(instrument, respondent(3, **answers))
    s = SCALE_IDS.index("agreeableness")
    assert result.raw[0, s] == pytest.approx(30 / 7)
    assert result.answered[0, s] == 7
    assert result.status[0, s] == ScaleStatus.OK
    assert result.raw[0] == pytest.approx([3.0, 30 / 7, 3.0, 3.0, 3.0])


def test_four_skipped_items_too_few_answered(instrument: profdiag.Instrument) -> None:
    # Intellect with 05, 10, 15, 20 unanswered: 6 answered < 7 required -> no score.
    answers = {"ipip05": None, "ipip10": None, "ipip15": None, "ipip20": None}
    result = profdiag.score(instrument, respondent(4, **answers))
    s = SCALE_IDS.index("intellect")
    assert math.isnan(result.raw[0, s])
    assert result.answered[0, s] == 6
    assert result.status[0, s] == ScaleStatus.TOO_FEW_ANSWERED
    others = [k for k in range(5) if k != s]
    assert (result.status[0, others] == ScaleStatus.OK).all()
    assert not np.isnan(result.raw[0, others]).any()


# --- the example data ---------------------------------------------------------------


def read_example() -> list[dict[str, Any]]:
    with EXAMPLE_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_sample_csv_scores_25_rows_with_ids_in_order(instrument: profdiag.Instrument) -> None:
    rows = read_example()
    assert len(rows) == 25
    assert list(rows[0]) == ["respondent", *ITEM_IDS]
    result = profdiag.score(instrument, rows, id_column="respondent")
    assert len(result) == 25
    assert result.raw.shape == (25, 5)
    assert list(result.row_ids) == [f"r{k:03d}" for k in range(1, 26)]
    assert result.problems == ()
    assert not result.row_has_problem.any()


def test_sample_csv_hand_checked_rows(instrument: profdiag.Instrument) -> None:
    rows = read_example()
    result = profdiag.score(instrument, rows, id_column="respondent")
    ids = list(result.row_ids)
    # r001 Extraversion, from the CSV: 01+ 3 -> 3, 06- 2 -> 4, 11+ 5 -> 5, 16- 2 -> 4,
    # 21+ 4 -> 4, 26- 2 -> 4, 31+ 2 -> 2, 36- 3 -> 3, 41+ 5 -> 5, 46- 3 -> 3;
    # sum = 3+4+5+4+4+4+2+3+5+3 = 37, mean = 37 / 10 = 3.7
    assert result.raw[ids.index("r001"), 0] == pytest.approx(3.7)
    # r005 answers 3 everywhere: 3.0 on every scale (see test_all_threes...).
    assert result.raw[ids.index("r005")] == pytest.approx([3.0] * 5)
    # r012 left 03, 08, 13, 18, 23 empty: Conscientiousness has 5 answered < 7.
    r = ids.index("r012")
    c = SCALE_IDS.index("conscientiousness")
    assert result.answered[r, c] == 5
    assert result.status[r, c] == ScaleStatus.TOO_FEW_ANSWERED
    assert math.isnan(result.raw[r, c])
    # Every other cell of the sample is scorable (at most one gap per scale elsewhere).
    scorable = np.ones((25, 5), dtype=bool)
    scorable[r, c] = False
    assert ((result.status == ScaleStatus.OK) == scorable).all()
