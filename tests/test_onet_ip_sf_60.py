"""The bundled O*NET Interest Profiler Short Form, 60 items (USDOL/ETA; Rounds et al., 2010).

Every expected score below is worked out by hand, with the arithmetic in a comment. Each
item is answered 0 (Strongly Dislike) .. 4 (Strongly Like); an area score is the plain sum
of its 10 items (0-40), nothing is reverse-keyed, and an area is scored only when all 10 of
its items are answered (O*NET's own tool requires every answer).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from tests.conftest import answer_sheet

import profdiag
from profdiag import ScaleStatus

ITEM_IDS = [f"ip{n:02d}" for n in range(1, 61)]
SCALE_IDS = ("R", "I", "A", "S", "E", "C")

# The first three words of each item, in administration order (O*NET's computerized Short
# Form: My Next Move / O*NET Web Services question index 1-60). A reorder of the items in
# the file, or a changed wording at the start of an item, fails test_item_order_and_texts.
# fmt: off
FIRST_WORDS = [
    "Build kitchen cabinets", "Lay brick or", "Develop a new", "Study ways to",
    "Write books or", "Play a musical", "Teach an individual", "Help people with",
    "Buy and sell", "Manage a retail", "Develop a spreadsheet", "Proofread records or",
    "Repair household appliances", "Raise fish in", "Conduct chemical experiments",
    "Study the movement", "Compose or arrange", "Draw pictures", "Give career guidance",
    "Perform rehabilitation therapy", "Operate a beauty", "Manage a department",
    "Install software across", "Operate a calculator", "Assemble electronic parts",
    "Drive a truck", "Examine blood samples", "Investigate the cause", "Create special effects",
    "Paint sets for", "Do volunteer work", "Teach children how", "Start your own",
    "Negotiate business contracts", "Keep shipping and", "Calculate the wages",
    "Test the quality", "Repair and install", "Develop a way", "Work in a",
    "Write scripts for", "Perform jazz or", "Teach sign language", "Help conduct a",
    "Represent a client", "Market a new", "Inventory supplies using", "Record rent payments",
    "Set up and", "Put out forest", "Invent a replacement", "Do laboratory tests",
    "Sing in a", "Edit movies", "Take care of", "Teach a high-school",
    "Sell merchandise at", "Manage a clothing", "Keep inventory records", "Stamp, sort, and",
]
# fmt: on

# The area key, written out by item number. It follows a fixed pattern: in each block of
# 12 items, two items per area in the order R, I, A, S, E, C.
# fmt: off
EXPECTED_KEY: dict[str, list[int]] = {
    "R": [1, 2, 13, 14, 25, 26, 37, 38, 49, 50],
    "I": [3, 4, 15, 16, 27, 28, 39, 40, 51, 52],
    "A": [5, 6, 17, 18, 29, 30, 41, 42, 53, 54],
    "S": [7, 8, 19, 20, 31, 32, 43, 44, 55, 56],
    "E": [9, 10, 21, 22, 33, 34, 45, 46, 57, 58],
    "C": [11, 12, 23, 24, 35, 36, 47, 48, 59, 60],
}
# fmt: on


@pytest.fixture(scope="module")
def instrument() -> profdiag.Instrument:
    return profdiag.load_instrument("onet-ip-sf-60")


def respondent(default: int | None, **answers: int | None) -> dict[str, Any]:
    """One respondent: every item answered `default`, except the given item ids."""
    return answer_sheet(ITEM_IDS, default, **answers)


# --- the definition -----------------------------------------------------------------


def test_file_loads_with_identity_and_text_status(instrument: profdiag.Instrument) -> None:
    assert "onet-ip-sf-60" in profdiag.bundled_ids()
    assert instrument.id == "onet-ip-sf-60"
    assert instrument.version == "1.0.0"
    assert instrument.format == "profdiag-instrument/1"
    assert {lang: status.value for lang, status in instrument.text_status.items()} == {
        "en": "original",
        "ru": "not_shipped",
    }
    assert instrument.norms == ()
    assert instrument.audience is not None
    assert (instrument.audience.min_age, instrument.audience.max_age) == (14, 99)
    assert instrument.audience.minutes == 10
    assert instrument.title.ru and instrument.title.en
    assert instrument.description.ru and instrument.description.en
    assert instrument.notes is not None
    assert instrument.notes.ru and instrument.notes.en


def test_licence_notice_carries_the_onet_attribution_and_trademark(
    instrument: profdiag.Instrument,
) -> None:
    notice = instrument.licence.notice
    assert notice is not None
    assert notice.en is not None
    assert "O*NET® is a trademark of USDOL/ETA" in notice.en
    assert (
        "O*NET Career Exploration Tools by the U.S. Department of Labor, "
        "Employment and Training Administration (USDOL/ETA)"
    ) in notice.en
    assert "CC BY-ND 4.0" in notice.en
    # The Russian rendering is our own translation of the notice and says so.
    assert notice.ru is not None
    assert "товарный знак USDOL/ETA" in notice.ru
    assert "profdiag" in notice.ru
    assert instrument.licence.url == "https://www.onetcenter.org/license_tools.html"


def test_sixty_items_english_only(instrument: profdiag.Instrument) -> None:
    assert [item.id for item in instrument.items] == ITEM_IDS
    for item in instrument.items:
        assert item.text is not None, item.id
        assert item.text.en, item.id
        assert item.text.ru is None, item.id  # the O*NET items are never translated
        assert not item.text.en.endswith("."), item.id  # O*NET's items carry no full stop


def test_item_order_and_texts(instrument: profdiag.Instrument) -> None:
    assert len(FIRST_WORDS) == 60
    assert len(set(FIRST_WORDS)) == 60  # every prefix identifies one item
    for item, words in zip(instrument.items, FIRST_WORDS, strict=True):
        assert item.text is not None and item.text.en is not None
        assert item.text.en.startswith(words), (item.id, item.text.en, words)
    texts = {item.id: item.text.en for item in instrument.items if item.text is not None}
    assert texts["ip01"] == "Build kitchen cabinets"
    # The two items whose wording changed over time carry O*NET's current wording.
    assert texts["ip23"] == "Install software across computers on a large network"
    assert texts["ip43"] == "Teach sign language to people who are deaf or hard of hearing"
    assert texts["ip60"] == "Stamp, sort, and distribute mail for an organization"


def test_six_scales_of_ten_cover_every_item_once(instrument: profdiag.Instrument) -> None:
    assert tuple(scale.id for scale in instrument.scales) == SCALE_IDS
    seen: list[str] = []
    for scale in instrument.scales:
        assert len(scale.items) == 10, scale.id
        assert scale.aggregation == "sum"
        assert scale.missing.min_answered == 10
        assert scale.missing.gaps.value == "skip"
        assert scale.reliability is None  # no alpha could be verified in a primary source
        assert scale.title.ru and scale.title.en
        assert scale.description is not None
        assert scale.description.ru and scale.description.en
        seen += [entry.item for entry in scale.items]
    assert sorted(seen) == ITEM_IDS  # 60 entries, each item exactly once


def test_area_key(instrument: profdiag.Instrument) -> None:
    for scale in instrument.scales:
        numbers = [int(entry.item[2:]) for entry in scale.items]
        assert numbers == EXPECTED_KEY[scale.id], scale.id
        assert all(
            not entry.reverse and entry.weight == 1.0 and entry.scores is None
            for entry in scale.items
        )
    for n in range(1, 61):
        area = SCALE_IDS[((n - 1) % 12) // 2]
        assert n in EXPECTED_KEY[area], n


def test_response_format_is_onet_five_point(instrument: profdiag.Instrument) -> None:
    formats = {instrument.format_of(item).model_dump_json() for item in instrument.items}
    assert len(formats) == 1
    fmt = instrument.format_of(instrument.items[0])
    assert fmt.type == "likert"
    assert fmt.codes == (0, 1, 2, 3, 4)
    assert {code: label.en for code, label in fmt.labels.items()} == {
        "0": "Strongly Dislike",
        "1": "Dislike",
        "2": "Unsure",
        "3": "Like",
        "4": "Strongly Like",
    }
    # English labels only: Russian labels would modify the O*NET tool (CC BY-ND)
    assert not any(label.ru for label in fmt.labels.values())


# --- golden scores ------------------------------------------------------------------


def test_all_strongly_like(instrument: profdiag.Instrument) -> None:
    # Strongly Like = 4 on all 10 items of each area: 4 * 10 = 40 in every area.
    result = profdiag.score(instrument, respondent(4))
    assert result.scale_ids == SCALE_IDS
    assert result.raw.shape == (1, 6)
    assert result.raw[0] == pytest.approx([40.0] * 6)
    assert result.answered[0].tolist() == [10] * 6
    assert (result.status == ScaleStatus.OK).all()


def test_all_strongly_dislike(instrument: profdiag.Instrument) -> None:
    # Strongly Dislike = 0 on every item: 0 * 10 = 0 in every area (a score, not missing).
    result = profdiag.score(instrument, respondent(0))
    assert result.raw[0] == pytest.approx([0.0] * 6)
    assert (result.status == ScaleStatus.OK).all()


def test_numeric_array_rows(instrument: profdiag.Instrument) -> None:
    # The 2-D array path (columns in item order): row 0 all 4s (40 each), row 1 all 2s
    # (Unsure: 2 * 10 = 20 each).
    result = profdiag.score(instrument, np.array([[4] * 60, [2] * 60]))
    assert result.raw[0] == pytest.approx([40.0] * 6)
    assert result.raw[1] == pytest.approx([20.0] * 6)


def test_mixed_pattern_on_two_areas(instrument: profdiag.Instrument) -> None:
    # Realistic (item: answer):
    #   01: 4   02: 3   13: 0   14: 1   25: 2   26: 4   37: 4   38: 0   49: 3   50: 2
    #   sum = 4+3+0+1+2+4+4+0+3+2 = 23
    # Social:
    #   07: 0   08: 1   19: 1   20: 2   31: 3   32: 4   43: 0   44: 0   55: 2   56: 1
    #   sum = 0+1+1+2+3+4+0+0+2+1 = 14
    # Every other item is answered 2 (Unsure): I, A, E, C are 2 * 10 = 20 each.
    # fmt: off
    answers = {
        "ip01": 4, "ip02": 3, "ip13": 0, "ip14": 1, "ip25": 2,
        "ip26": 4, "ip37": 4, "ip38": 0, "ip49": 3, "ip50": 2,
        "ip07": 0, "ip08": 1, "ip19": 1, "ip20": 2, "ip31": 3,
        "ip32": 4, "ip43": 0, "ip44": 0, "ip55": 2, "ip56": 1,
    }
    # fmt: on
    result = profdiag.score(instrument, respondent(2, **answers))
    assert result.column("R")[0] == pytest.approx(23.0)
    assert result.column("S")[0] == pytest.approx(14.0)
    assert result.raw[0] == pytest.approx([23.0, 20.0, 20.0, 14.0, 20.0, 20.0])
    assert (result.status == ScaleStatus.OK).all()


def test_one_missing_item_leaves_its_area_unscored(instrument: profdiag.Instrument) -> None:
    # ip23 (Conventional) unanswered: C has 9 answered < 10 required -> no score (NaN).
    # Every other item is answered 3 (Like): the other five areas are 3 * 10 = 30 each.
    result = profdiag.score(instrument, respondent(3, ip23=None))
    c = SCALE_IDS.index("C")
    assert math.isnan(result.raw[0, c])
    assert result.answered[0, c] == 9
    assert result.status[0, c] == ScaleStatus.TOO_FEW_ANSWERED
    others = [k for k in range(6) if k != c]
    assert result.raw[0, others] == pytest.approx([30.0] * 5)
    assert (result.status[0, others] == ScaleStatus.OK).all()
    assert result.answered[0, others].tolist() == [10] * 5


def test_web_services_code_five_is_not_scored(instrument: profdiag.Instrument) -> None:
    # O*NET Web Services codes answers 1-5; a 5 is not a code of this form (0-4), so it is
    # rejected rather than scored: data in that coding must be shifted by -1 first.
    with pytest.raises(profdiag.ResponseDataError):
        profdiag.score(instrument, respondent(4, ip01=5))
    result = profdiag.score(instrument, respondent(4, ip01=5), strict=False)
    r = SCALE_IDS.index("R")
    assert result.status[0, r] == ScaleStatus.TOO_FEW_ANSWERED
    assert result.answered[0, r] == 9
    assert len(result.problems) == 1
    assert bool(result.row_has_problem[0])
