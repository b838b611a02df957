"""The bundled profdiag RIASEC interest inventory, 72 activities (our own research version).

Every expected score below is worked out by hand, with the arithmetic in a comment. The key:
item r01 belongs to R, r02 to I, r03 to A, r04 to S, r05 to E, r06 to C, r07 to R again, and
so on, so the items of area number a (R = 0 .. C = 5) are r{a+1}, r{a+7}, ..., r{a+67}. Each
answer is coded 0..4 and counts as is (no reverse keying). An area score is the sum of its 12
answers (0..48). With 10 or 11 answered the sum is prorated to 12 items:
sum * 12 / answered. With fewer than 10 answered the area is not scored. Since 0.2.0 the
answer "I don't know what this work is" has its own code, 9, which counts as unanswered (a
missing code), while the middle answer 2 means indifference ("Всё равно").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
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


def respondent(default: int | str | None, **answers: int | str | None) -> dict[str, Any]:
    """One respondent: every item answered `default`, except the given item ids."""
    return answer_sheet(ITEM_IDS, default, **answers)


def area_answers(area: str, values: Sequence[int | None]) -> dict[str, int | None]:
    """Answers for the 12 items of one area, in administration order."""
    assert len(values) == 12
    return dict(zip(area_items(area), values, strict=True))


# --- the definition -----------------------------------------------------------------


def test_file_loads_with_identity_licence_and_text_status(
    instrument: profdiag.Instrument,
) -> None:
    assert INSTRUMENT_ID in profdiag.bundled_ids()
    assert instrument.id == INSTRUMENT_ID
    assert instrument.version == "0.2.0"
    assert instrument.format == "profdiag-instrument/1"
    assert instrument.authors == ("profdiag contributors",)
    assert instrument.licence.name == "CC BY 4.0"
    assert instrument.licence.url == "https://creativecommons.org/licenses/by/4.0/"
    assert "Holland, J. L. (1997)" in instrument.source.citation
    assert "2026" in instrument.source.citation
    assert "version 0.2.0" in instrument.source.citation
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


# --- the content of 0.2.0: levels, one activity, one type, sex typing ----------------

# Each item's note starts with the authors' tags, then says whether the text is new in 0.2.0.
NOTE = re.compile(
    r"^level=(?P<level>worker|technician|university); sector=(?P<sector>[a-z_]+); "
    r"sex_typing=(?P<typing>neutral|male|female)\. "
    r"(?:Unchanged since 0\.1\.0\.|New in 0\.2\.0; 0\.1\.0 had «(?P<old>[^»]+)» \(.+\): .+\.)$"
)
SECTORS = {
    "oil_gas", "agriculture", "transport", "construction", "industry", "it",
    "health", "education", "services", "culture", "administration", "finance",
}  # fmt: skip


def tags(instrument: profdiag.Instrument) -> dict[str, re.Match[str]]:
    found = {}
    for item in instrument.items:
        assert item.note is not None, item.id
        match = NOTE.match(item.note)
        assert match is not None, (item.id, item.note)
        found[item.id] = match
    return found


def test_every_item_note_records_level_sector_and_sex_typing(
    instrument: profdiag.Instrument,
) -> None:
    found = tags(instrument)
    assert sorted(found) == ITEM_IDS
    assert {match["sector"] for match in found.values()} == SECTORS


def test_each_area_mixes_four_activities_of_each_level(instrument: profdiag.Instrument) -> None:
    # 0.1.0 had 12 worker-level R items and 12 university-level I items.
    found = tags(instrument)
    for area in SCALE_IDS:
        levels = Counter(found[item]["level"] for item in area_items(area))
        assert levels == {"worker": 4, "technician": 4, "university": 4}, (area, levels)


def test_the_level_table_in_the_docs_matches_the_notes(instrument: profdiag.Instrument) -> None:
    found = tags(instrument)
    docs = Path(__file__).resolve().parents[1] / "docs" / "instruments.md"
    rows = re.findall(r"^  \| ([RIASEC]) \| ([r\d ]+) \| ([r\d ]+) \| ([r\d ]+) \|$",
                      docs.read_text(encoding="utf-8"), re.MULTILINE)  # fmt: skip
    assert [row[0] for row in rows] == list(SCALE_IDS)
    for area, *cells in rows:
        for level, cell in zip(("worker", "technician", "university"), cells, strict=True):
            listed = cell.split()
            assert listed == [i for i in area_items(area) if found[i]["level"] == level], (
                area,
                level,
            )


def test_the_regions_sectors_are_all_present_and_none_dominates(
    instrument: profdiag.Instrument,
) -> None:
    sectors = Counter(match["sector"] for match in tags(instrument).values())
    assert sum(sectors.values()) == 72
    assert min(sectors.values()) >= 2, sectors
    assert max(sectors.values()) <= 8, sectors
    assert sectors["oil_gas"] == 7  # r01 r13 (R), r08 r32 (I), r21 (A), r59 (E), r42 (C)
    # no area is built on one industry (A has 4 in culture: theatre, dance, carving, video)
    for area in SCALE_IDS:
        per_area = Counter(tags(instrument)[item]["sector"] for item in area_items(area))
        assert max(per_area.values()) <= 4, (area, per_area)
        assert len(per_area) >= 6, (area, per_area)


def test_no_area_depends_on_sex_typed_activities(instrument: profdiag.Instrument) -> None:
    found = tags(instrument)
    for area in SCALE_IDS:
        typing = Counter(found[item]["typing"] for item in area_items(area))
        assert typing["male"] <= 2 and typing["female"] <= 2, (area, typing)
        assert typing["neutral"] >= 9, (area, typing)
    # the two male-typed R activities kept are welding and driving a bus (in demand in the
    # region); a female-typed R activity stands beside them
    assert [i for i in area_items("R") if found[i]["typing"] == "male"] == ["r13", "r61"]
    assert [i for i in area_items("R") if found[i]["typing"] == "female"] == ["r07"]


# " и " between two verbs or two objects usually means two activities in one item. An item
# may use it only with a reason listed here (checked to be still needed).
JOINED_EXCEPTIONS_RU: dict[str, str] = {}
JOINED_EXCEPTIONS_EN = {"r21": "'oil and gas' names one industry, not two activities"}


def test_one_activity_per_item(instrument: profdiag.Instrument) -> None:
    for language, word, exceptions in (
        ("ru", "и", JOINED_EXCEPTIONS_RU),
        ("en", "and", JOINED_EXCEPTIONS_EN),
    ):
        joined = {
            item.id
            for item in instrument.items
            if item.text is not None
            and re.search(rf"\b{word}\b", getattr(item.text, language), re.IGNORECASE)
        }
        assert joined == set(exceptions), language
    for item in instrument.items:
        assert item.text is not None and item.text.ru is not None
        assert not re.search(r"\b(или|либо|а также)\b", item.text.ru), item.id
        assert ";" not in item.text.ru, item.id


# 0.1.0 texts the review found double-barrelled, pulling toward a second type or sex-typed.
REVIEWED_OUT = {
    "r01": "Бурить скважины на нефтяном месторождении",  # male-typed R
    "r07": "Устанавливать свет и звук для концерта",  # two activities; pulls to A
    "r12": "Подсчитывать, сколько кирпича и бетона нужно для дома",  # pulls to R/I
    "r15": "Придумывать причёски и грим для фотосессий",  # female-typed
    "r19": "Готовить горячие блюда на кухне ресторана",  # pulls to A/S
    "r23": "Руководить строительством жилого квартала",  # pulls to R
    "r24": "Рассчитывать налоги небольшой фирмы и сдавать отчёты в срок",  # two activities
    "r25": "Разгружать фуры на складе с помощью погрузчика",  # male-typed R
    "r33": "Расписывать стены детской больницы яркими рисунками",  # pulls to S
    "r40": "Советовать хозяевам, как ухаживать за питомцем после лечения",  # pulls to R/I
    "r43": "Прокладывать кабели и подключать компьютеры к сети в офисе",  # two activities
    "r46": "Заботиться о пассажирах во время полёта",  # female-typed
    "r47": "Рекламировать частную языковую школу и набирать учеников",  # two activities
    "r49": "Укладывать асфальт на новой дороге",  # male-typed R
    "r51": "Создавать обучающие мультфильмы для младших школьников",  # pulls to S
    "r55": "Ремонтировать банкоматы",  # male-typed R
    "r58": "Встречать гостей гостиницы и помогать им с просьбами",  # two; pulls to C/E
    "r59": "Руководить бригадой на нефтяном месторождении",  # pulls to R
    "r64": "Обучать новичков работе на буровой установке",  # scored S, pulls to R
    "r66": "Вести электронный журнал посещаемости и оценок",  # scored C, pulls to S
    "r67": "Ремонтировать двигатели тракторов",  # male-typed R
    "r70": "Ухаживать за пациентами после операции",  # female-typed
    "r71": "Продвигать молодых музыкантов и организовывать их концерты",  # two activities
}


def test_reviewed_items_were_replaced_and_their_notes_say_so(
    instrument: profdiag.Instrument,
) -> None:
    found = tags(instrument)
    texts = {item.id: item.text.ru for item in instrument.items if item.text is not None}
    for item_id, old in REVIEWED_OUT.items():
        assert texts[item_id] != old, item_id
        assert found[item_id]["old"] == old, item_id
        assert old not in texts.values(), item_id  # not merely moved to another id
    changed = sorted(item for item, match in found.items() if match["old"] is not None)
    assert len(changed) == 32
    assert set(REVIEWED_OUT) <= set(changed)
    # the notes give the same count
    assert instrument.notes is not None and instrument.notes.ru and instrument.notes.en
    assert "изменено 32 дела из 72" in instrument.notes.ru
    assert "32 of the 72 items changed" in instrument.notes.en


def test_response_format_is_five_point_like_dislike_with_a_dont_know_code(
    instrument: profdiag.Instrument,
) -> None:
    fmt = instrument.format_of(instrument.items[0])
    assert fmt.type == "likert"
    assert fmt.codes == (0, 1, 2, 3, 4)
    labels = {code: (label.ru, label.en) for code, label in fmt.labels.items()}
    assert labels == {
        "0": ("Совсем не нравится", "Strongly dislike"),
        "1": ("Скорее не нравится", "Dislike"),
        "2": ("Всё равно", "Neither like nor dislike"),
        "3": ("Скорее нравится", "Like"),
        "4": ("Очень нравится", "Strongly like"),
    }
    # "Don't know" is not an answer code: it is the format's one missing code.
    assert fmt.missing_codes == ("9",)
    assert "Не знаю" not in " ".join(label.ru or "" for label in fmt.labels.values())
    # The format cannot label a missing code, so the description and notes name it for the
    # people (and kiosk software) who lay out the answer sheet.
    assert instrument.description.ru is not None and instrument.description.en is not None
    assert "«Не знаю, что это за работа» (код 9)" in instrument.description.ru
    assert '"I don\'t know what this work is" (code 9)' in instrument.description.en
    assert instrument.notes is not None and instrument.notes.ru and instrument.notes.en
    assert "«Не знаю, что это за работа» с кодом 9" in instrument.notes.ru
    assert "не то же самое, что равнодушие" in instrument.notes.ru
    assert "an unfamiliar activity is not the same as indifference" in instrument.notes.en


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


# --- "I don't know what this work is" (code 9) ---------------------------------------


def test_a_sheet_of_dont_know_is_not_a_flat_profile(instrument: profdiag.Instrument) -> None:
    # 72 x "9": nothing is answered, so no area is scored. Under 0.1.0 the same sheet
    # ("Не знаю" = 2) gave a flat profile of 24 in every area.
    for spelling in ("9", 9, " 9 "):
        result = profdiag.score(instrument, respondent(spelling))
        assert np.isnan(result.raw[0]).all(), spelling
        assert result.answered[0].tolist() == [0] * 6
        assert (result.status[0] == ScaleStatus.TOO_FEW_ANSWERED).all()
    # the middle answer 2 ("Всё равно") is an answer: 12 x 2 = 24
    assert profdiag.score(instrument, respondent(2)).raw[0] == pytest.approx([24.0] * 6)


def test_dont_know_counts_like_a_blank_not_like_a_two(instrument: profdiag.Instrument) -> None:
    # C (r06, r12, ..., r72): ten answers of 4 and two more on r06 and r12.
    #   two "9":   10 answered, 40 * 12 / 10 = 48
    #   two blank: the same, 48
    #   two 2s:    12 answered, 40 + 2 + 2 = 44
    # Every other item is 1: 12 in the other areas.
    c = SCALE_IDS.index("C")
    dont_know = profdiag.score(instrument, respondent(1, **area_answers("C", [9, 9] + [4] * 10)))
    blank = profdiag.score(instrument, respondent(1, **area_answers("C", [None, None] + [4] * 10)))
    twos = profdiag.score(instrument, respondent(1, **area_answers("C", [2, 2] + [4] * 10)))
    assert dont_know.raw[0, c] == pytest.approx(48.0)
    assert dont_know.answered[0, c] == 10
    assert dont_know.raw[0].tolist() == blank.raw[0].tolist()
    assert dont_know.answered[0].tolist() == blank.answered[0].tolist()
    assert twos.raw[0, c] == pytest.approx(44.0)
    assert twos.answered[0, c] == 12
    assert dont_know.raw[0] == pytest.approx([12.0, 12.0, 12.0, 12.0, 12.0, 48.0])


def test_three_dont_knows_leave_an_area_unscored(instrument: profdiag.Instrument) -> None:
    # R: "9" on r01, r07 and a blank on r13 -> 9 answered < 10: R is not scored.
    # I: one "9" on r02 -> 11 answered x 3 = 33, prorated 33 * 12 / 11 = 36.
    # The rest answered 3: 36.
    answers: dict[str, Any] = {"r01": "9", "r07": "9", "r13": None, "r02": "9"}
    result = profdiag.score(instrument, respondent(3, **answers))
    assert math.isnan(result.column("R")[0])
    assert result.status[0, 0] == ScaleStatus.TOO_FEW_ANSWERED
    assert result.answered[0].tolist() == [9, 11, 12, 12, 12, 12]
    assert result.raw[0, 1:] == pytest.approx([36.0] * 5)


def test_dont_know_in_a_numeric_array(instrument: profdiag.Instrument) -> None:
    # The 2-D array path: the number 9 is the missing code too.
    # Row 0: all 3, except r02 = r08 = 9 -> I has 10 answered, 30 * 12 / 10 = 36; others 36.
    # Row 1: all 4, except r05 = 9 and r11 = 0 -> E: 10 x 4 + 0 = 40 over 11, 40 * 12 / 11.
    matrix = np.full((2, 72), 3)
    matrix[0, [1, 7]] = 9
    matrix[1] = 4
    matrix[1, 4], matrix[1, 10] = 9, 0
    result = profdiag.score(instrument, matrix)
    assert result.raw[0] == pytest.approx([36.0] * 6)
    assert result.answered[0].tolist() == [12, 10, 12, 12, 12, 12]
    assert result.raw[1] == pytest.approx([48.0, 48.0, 48.0, 48.0, 480 / 11, 48.0])
    assert result.answered[1].tolist() == [12, 12, 12, 12, 11, 12]


def test_the_label_text_is_not_an_answer(instrument: profdiag.Instrument) -> None:
    # Only the code 9 means "don't know"; a typed label is reported, not guessed.
    with pytest.raises(profdiag.errors.ResponseDataError, match="r01"):
        profdiag.score(instrument, respondent(1, r01="Не знаю"))
