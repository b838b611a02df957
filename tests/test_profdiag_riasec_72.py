"""The bundled profdiag RIASEC interest inventory, 72 activities (our own research version).

Every expected score below is worked out by hand, with the arithmetic in a comment. The key:
item r01 belongs to R, r02 to I, r03 to A, r04 to S, r05 to E, r06 to C, r07 to R again, and
so on, so the items of area number a (R = 0 .. C = 5) are r{a+1}, r{a+7}, ..., r{a+67}. Each
answer is coded 0..4 and counts as is (no reverse keying). An area score is the sum of its 12
answers (0..48). With 10 or 11 answered the sum is prorated to 12 items:
sum * 12 / answered. With fewer than 10 answered the area is not scored.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from tests.conftest import answer_sheet

import profdiag
from profdiag import ScaleStatus

INSTRUMENT_ID = "profdiag-riasec-72"
ITEM_IDS = [f"r{n:02d}" for n in range(1, 73)]
SCALE_IDS = ("R", "I", "A", "S", "E", "C")


def area_items(area: str) -> list[str]:
    """The 12 item ids of an area, in administration order (the areas cycle R I A S E C)."""
    offset = SCALE_IDS.index(area)
    return [f"r{offset + 1 + 6 * k:02d}" for k in range(12)]


@pytest.fixture(scope="module")
def instrument() -> profdiag.Instrument:
    return profdiag.load_instrument(INSTRUMENT_ID)


def respondent(default: int | None, **answers: int | None) -> dict[str, Any]:
    """One respondent: every item answered `default`, except the given item ids."""
    return answer_sheet(ITEM_IDS, default, **answers)


def area_answers(area: str, values: list[int | None]) -> dict[str, int | None]:
    """Answers for the 12 items of one area, in administration order."""
    assert len(values) == 12
    return dict(zip(area_items(area), values, strict=True))


# --- the definition -----------------------------------------------------------------


def test_file_loads_with_identity_licence_and_text_status(
    instrument: profdiag.Instrument,
) -> None:
    assert INSTRUMENT_ID in profdiag.bundled_ids()
    assert instrument.id == INSTRUMENT_ID
    assert instrument.version == "0.1.0"
    assert instrument.format == "profdiag-instrument/1"
    assert instrument.authors == ("profdiag contributors",)
    assert instrument.licence.name == "CC BY 4.0"
    assert instrument.licence.url == "https://creativecommons.org/licenses/by/4.0/"
    assert "Holland, J. L. (1997)" in instrument.source.citation
    assert "2026" in instrument.source.citation
    assert {lang: status.value for lang, status in instrument.text_status.items()} == {
        "ru": "original",
        "en": "unvalidated_translation",
    }
    assert instrument.audience is not None
    assert (instrument.audience.min_age, instrument.audience.max_age) == (14, 99)
    assert instrument.audience.minutes == 10


def test_unnormed_research_version_says_so(instrument: profdiag.Instrument) -> None:
    # No norms and no reliability anywhere; the notes say so in both languages.
    assert instrument.norms == ()
    assert all(scale.reliability is None for scale in instrument.scales)
    assert all(scale.bands is None for scale in instrument.scales)
    assert instrument.notes is not None
    assert instrument.notes.ru is not None
    assert instrument.notes.en is not None
    assert "Норм нет" in instrument.notes.ru
    assert "профконсультант" in instrument.notes.ru
    assert "no norms" in instrument.notes.en
    assert "counsellor" in instrument.notes.en


def test_seventy_two_items_in_order_with_ru_and_en_texts(
    instrument: profdiag.Instrument,
) -> None:
    assert [item.id for item in instrument.items] == ITEM_IDS
    for item in instrument.items:
        assert item.text is not None, item.id
        assert item.text.ru, item.id
        assert item.text.en, item.id
        assert item.format == "like5", item.id


def test_no_duplicate_texts(instrument: profdiag.Instrument) -> None:
    def norm(text: str | None) -> str:
        assert text is not None
        return " ".join(text.casefold().replace("ё", "е").split())

    ru = [norm(item.text.ru) for item in instrument.items if item.text is not None]
    en = [norm(item.text.en) for item in instrument.items if item.text is not None]
    assert len(ru) == len(set(ru)) == 72
    assert len(en) == len(set(en)) == 72


# An infinitive ends in -ть, -ться, -ти or -чь; no gendered (past-tense or adjective) forms.
INFINITIVE = re.compile(r"^[А-ЯЁ][а-яё]*(ть|ться|ти|чь)$")


def test_russian_texts_start_with_an_infinitive_and_are_plain(
    instrument: profdiag.Instrument,
) -> None:
    for item in instrument.items:
        assert item.text is not None and item.text.ru is not None
        text = item.text.ru
        first_word = text.split()[0].rstrip(",")
        assert INFINITIVE.match(first_word), (item.id, text)
        assert not text.endswith("."), (item.id, text)
        assert not re.search(r"[A-Za-z]", text), (item.id, text)  # Cyrillic only
        assert len(text) <= 70, (item.id, text)


def test_six_scales_of_twelve_cover_every_item_once(instrument: profdiag.Instrument) -> None:
    assert tuple(scale.id for scale in instrument.scales) == SCALE_IDS
    seen: list[str] = []
    for scale in instrument.scales:
        assert len(scale.items) == 12, scale.id
        assert scale.aggregation == "sum"
        assert scale.missing.min_answered == 10
        assert scale.missing.min_answered_fraction is None
        assert scale.missing.gaps.value == "prorate"
        assert scale.title.ru and scale.title.en
        assert scale.description is not None
        assert scale.description.ru and scale.description.en
        for entry in scale.items:
            assert not entry.reverse and entry.weight == 1.0 and entry.scores is None
        seen += [entry.item for entry in scale.items]
    assert sorted(seen) == ITEM_IDS  # 72 entries, each item in exactly one scale


def test_items_cycle_through_the_areas_by_position(instrument: profdiag.Instrument) -> None:
    area_of = {entry.item: scale.id for scale in instrument.scales for entry in scale.items}
    for position, item in enumerate(instrument.items):
        assert area_of[item.id] == "RIASEC"[position % 6], item.id
    for scale in instrument.scales:
        assert [entry.item for entry in scale.items] == area_items(scale.id)


def test_scale_titles(instrument: profdiag.Instrument) -> None:
    titles = {scale.id: (scale.title.ru, scale.title.en) for scale in instrument.scales}
    assert titles == {
        "R": ("Реалистический", "Realistic"),
        "I": ("Исследовательский", "Investigative"),
        "A": ("Артистический", "Artistic"),
        "S": ("Социальный", "Social"),
        "E": ("Предпринимательский", "Enterprising"),
        "C": ("Конвенциональный", "Conventional"),
    }


def test_response_format_is_five_point_like_dislike(instrument: profdiag.Instrument) -> None:
    fmt = instrument.format_of(instrument.items[0])
    assert fmt.type == "likert"
    assert fmt.codes == (0, 1, 2, 3, 4)
    labels = {code: (label.ru, label.en) for code, label in fmt.labels.items()}
    assert labels == {
        "0": ("Совсем не нравится", "Strongly dislike"),
        "1": ("Скорее не нравится", "Dislike"),
        "2": ("Не знаю", "Not sure"),
        "3": ("Скорее нравится", "Like"),
        "4": ("Очень нравится", "Strongly like"),
    }


# --- golden scores ------------------------------------------------------------------


def test_all_fours_score_48_everywhere(instrument: profdiag.Instrument) -> None:
    # 12 items x 4 = 48 in every area.
    result = profdiag.score(instrument, respondent(4))
    assert result.scale_ids == SCALE_IDS
    assert result.raw.shape == (1, 6)
    assert result.raw[0] == pytest.approx([48.0] * 6)
    assert result.answered[0].tolist() == [12] * 6
    assert (result.status == ScaleStatus.OK).all()


def test_all_zeros_and_all_twos(instrument: profdiag.Instrument) -> None:
    # 12 x 0 = 0; 12 x 2 = 24.
    assert profdiag.score(instrument, respondent(0)).raw[0] == pytest.approx([0.0] * 6)
    assert profdiag.score(instrument, respondent(2)).raw[0] == pytest.approx([24.0] * 6)


def test_numeric_array_rows_give_the_same_hand_values(instrument: profdiag.Instrument) -> None:
    # The 2-D array path (columns in item order): row 0 all 4s -> 48, row 1 all 1s -> 12.
    matrix = np.array([[4] * 72, [1] * 72])
    result = profdiag.score(instrument, matrix)
    assert result.raw[0] == pytest.approx([48.0] * 6)
    assert result.raw[1] == pytest.approx([12.0] * 6)


def test_mixed_pattern_on_two_areas(instrument: profdiag.Instrument) -> None:
    # R (r01, r07, ..., r67): 4+3+2+1+0+4+3+2+1+0+4+4 = 28
    # S (r04, r10, ..., r70): 0+1+2+3+4+2+2+3+1+0+4+3 = 25
    # Every other item is answered 2: I, A, E, C = 12 x 2 = 24.
    answers = {
        **area_answers("R", [4, 3, 2, 1, 0, 4, 3, 2, 1, 0, 4, 4]),
        **area_answers("S", [0, 1, 2, 3, 4, 2, 2, 3, 1, 0, 4, 3]),
    }
    result = profdiag.score(instrument, respondent(2, **answers))
    assert result.column("R")[0] == pytest.approx(28.0)
    assert result.column("S")[0] == pytest.approx(25.0)
    assert result.raw[0] == pytest.approx([28.0, 24.0, 24.0, 25.0, 24.0, 24.0])
    assert (result.status == ScaleStatus.OK).all()
    assert result.answered[0].tolist() == [12] * 6


def test_two_missing_in_one_area_are_prorated(instrument: profdiag.Instrument) -> None:
    # E (r05, r11, r17, ..., r71) with r05 and r11 unanswered; the 10 answered:
    #   r17 4, r23 3, r29 4, r35 2, r41 1, r47 0, r53 3, r59 4, r65 2, r71 3
    #   sum = 4+3+4+2+1+0+3+4+2+3 = 26; prorated = 26 * 12 / 10 = 31.2
    # Every other item is answered 1: the other areas are 12 x 1 = 12.
    answers = area_answers("E", [None, None, 4, 3, 4, 2, 1, 0, 3, 4, 2, 3])
    assert answers["r05"] is None and answers["r11"] is None and answers["r17"] == 4
    result = profdiag.score(instrument, respondent(1, **answers))
    e = SCALE_IDS.index("E")
    assert result.raw[0, e] == pytest.approx(31.2)
    assert result.answered[0, e] == 10
    assert result.status[0, e] == ScaleStatus.OK
    assert result.raw[0] == pytest.approx([12.0, 12.0, 12.0, 12.0, 31.2, 12.0])


def test_one_missing_is_prorated_to_twelve(instrument: profdiag.Instrument) -> None:
    # A with r03 unanswered, the other 11 answered 3: 33 * 12 / 11 = 36.
    # I with r02 unanswered, the other 11 answered 3 except r08 = 0: 30 * 12 / 11 = 32.727...
    answers = {"r03": None, "r02": None, "r08": 0}
    result = profdiag.score(instrument, respondent(3, **answers))
    assert result.column("A")[0] == pytest.approx(36.0)
    assert result.column("I")[0] == pytest.approx(360 / 11)
    assert result.answered[0].tolist() == [12, 11, 11, 12, 12, 12]
    assert result.raw[0] == pytest.approx([36.0, 360 / 11, 36.0, 36.0, 36.0, 36.0])


def test_three_missing_too_few_answered(instrument: profdiag.Instrument) -> None:
    # C with r06, r12, r18 unanswered: 9 answered < 10 required -> no score (NaN).
    # The other areas are complete: 12 x 3 = 36.
    answers = {"r06": None, "r12": None, "r18": None}
    result = profdiag.score(instrument, respondent(3, **answers))
    c = SCALE_IDS.index("C")
    assert math.isnan(result.raw[0, c])
    assert result.answered[0, c] == 9
    assert result.status[0, c] == ScaleStatus.TOO_FEW_ANSWERED
    others = [k for k in range(6) if k != c]
    assert (result.status[0, others] == ScaleStatus.OK).all()
    assert result.raw[0, others] == pytest.approx([36.0] * 5)


def test_three_missing_spread_over_areas_still_score(instrument: profdiag.Instrument) -> None:
    # r01 (R), r02 (I), r03 (A) unanswered: one gap per area, each 11 answered x 4 = 44,
    # prorated 44 * 12 / 11 = 48; S, E, C are complete: 48.
    answers = {"r01": None, "r02": None, "r03": None}
    result = profdiag.score(instrument, respondent(4, **answers))
    assert result.raw[0] == pytest.approx([48.0] * 6)
    assert result.answered[0].tolist() == [11, 11, 11, 12, 12, 12]
    assert (result.status == ScaleStatus.OK).all()
