"""The bundled key of Klimov's differential-diagnostic questionnaire (ДДО).

Only the key and the scoring are shipped: the item texts are the author's copyright and
must not appear here either. Every expected score below is worked out by hand from the key
(one point per chosen option keyed to a type, 0-8 per type), with the arithmetic in a
comment. The key itself is copied from /work/shared/DOMAIN.md into EXPECTED_KEY, so that
any drift between the file and that key fails a test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import profdiag
from profdiag import ScaleStatus

ITEM_IDS = [str(n) for n in range(1, 21)]
SCALE_IDS = ("nature", "technique", "human", "sign", "art")

# DOMAIN.md, "ДДО key (type: item+option)"; the letters are Cyrillic а/б.
EXPECTED_KEY = {
    "nature": "1а 3б 6а 10а 11а 13б 16а 20а",
    "technique": "1б 4а 7б 9а 11б 14а 17б 19а",
    "human": "2а 4б 6б 8а 12а 14б 16б 18а",
    "sign": "2б 5а 9б 10б 12б 15а 19б 20б",
    "art": "3а 5б 7а 8б 13а 15б 17а 18б",
}

# The answers of one mixed sheet (item -> option), used by several tests below.
# fmt: off
MIXED = {
    "1": "а", "2": "а", "3": "б", "4": "б", "5": "а",
    "6": "а", "7": "а", "8": "а", "9": "а", "10": "а",
    "11": "а", "12": "а", "13": "б", "14": "б", "15": "б",
    "16": "а", "17": "а", "18": "а", "19": "а", "20": "б",
}
# fmt: on
# Hand count for MIXED, entry by entry (+ = the sheet chose that keyed option):
#   nature     1а+ 3б+ 6а+ 10а+ 11а+ 13б+ 16а+ 20а-  -> 7
#   technique  1б- 4а- 7б- 9а+  11б- 14а- 17б- 19а+  -> 2
#   human      2а+ 4б+ 6б- 8а+  12а+ 14б+ 16б- 18а+  -> 6
#   sign       2б- 5а+ 9б- 10б- 12б- 15а- 19б- 20б+  -> 2
#   art        3а- 5б- 7а+ 8б-  13а- 15б+ 17а+ 18б-  -> 3
#   check: 7 + 2 + 6 + 2 + 3 = 20 (one point per item)
MIXED_SCORES = [7.0, 2.0, 6.0, 2.0, 3.0]

LATIN = {"а": "a", "б": "b"}
DIGIT = {"а": "1", "б": "2"}
NUMBER = {"а": 1, "б": 2}
UPPER_CYRILLIC = {"а": "А", "б": "Б"}
UPPER_LATIN = {"а": "A", "б": "B"}


@pytest.fixture(scope="module")
def instrument() -> profdiag.Instrument:
    return profdiag.load_instrument("klimov-ddo")


def sheet(default: str | None, **answers: str | None) -> dict[str, Any]:
    """One answer sheet: every item answered `default`, except the given items
    (keyword `i7` for item "7")."""
    record: dict[str, Any] = dict.fromkeys(ITEM_IDS, default)
    for name, value in answers.items():
        item_id = name.removeprefix("i")
        assert item_id in record, name
        record[item_id] = value
    return record


def key_of(scale: Any) -> str:
    """A scale's entries written like DOMAIN.md: '1а 3б ...'."""
    tokens = []
    for entry in scale.items:
        assert entry.scores is not None, (scale.id, entry.item)
        assert entry.weight == 1.0
        ((option, points),) = entry.scores.items()
        assert points == 1
        tokens.append(f"{entry.item}{option}")
    return " ".join(tokens)


# --- the definition -----------------------------------------------------------------


def test_file_loads_with_identity_and_no_texts(instrument: profdiag.Instrument) -> None:
    assert "klimov-ddo" in profdiag.bundled_ids()
    assert instrument.id == "klimov-ddo"
    assert instrument.version == "1.0.0"
    assert instrument.format == "profdiag-instrument/1"
    assert {lang: status.value for lang, status in instrument.text_status.items()} == {
        "ru": "not_shipped",
        "en": "not_shipped",
    }
    assert instrument.norms == ()
    assert instrument.notes is not None
    assert instrument.notes.ru and instrument.notes.en
    assert instrument.title.ru and instrument.title.en
    assert instrument.description.ru and instrument.description.en


def test_twenty_pairs_without_texts(instrument: profdiag.Instrument) -> None:
    assert [item.id for item in instrument.items] == ITEM_IDS
    for item in instrument.items:
        assert item.text is None, item.id
        assert not item.option_texts, item.id
        assert item.note is None, item.id
        assert item.format == "pair"


def test_pair_format_cyrillic_codes_with_aliases(instrument: profdiag.Instrument) -> None:
    fmt = instrument.format_of(instrument.items[0])
    assert fmt.type == "forced_choice"
    assert [(option.code, option.aliases) for option in fmt.options] == [
        ("а", ("a", "1", "А", "A")),
        ("б", ("b", "2", "Б", "B")),
    ]
    assert fmt.options[0].code == "\u0430"  # Cyrillic small a, not Latin "a"
    assert fmt.options[1].code == "\u0431"


def test_five_scales_of_eight_entries(instrument: profdiag.Instrument) -> None:
    assert tuple(scale.id for scale in instrument.scales) == SCALE_IDS
    for scale in instrument.scales:
        assert len(scale.items) == 8, scale.id
        assert len({entry.item for entry in scale.items}) == 8, scale.id
        assert scale.aggregation == "sum"
        assert scale.missing.min_answered == 8
        assert scale.missing.gaps.value == "skip"
        assert scale.title.ru and scale.title.en
        assert scale.description is not None
        assert scale.description.ru and scale.description.en
        assert scale.bands is not None
        assert scale.bands.basis == "raw"
        assert [(level.from_, level.code) for level in scale.bands.levels] == [
            (0, "low"),
            (3, "medium"),
            (7, "pronounced"),
        ]


def test_key_equals_the_domain_key(instrument: profdiag.Instrument) -> None:
    assert {scale.id: key_of(scale) for scale in instrument.scales} == EXPECTED_KEY


def test_every_item_feeds_two_types_once_per_option(instrument: profdiag.Instrument) -> None:
    # Derived from the file: item -> [(type, option), ...] over all 40 entries.
    uses: dict[str, list[tuple[str, str]]] = {item_id: [] for item_id in ITEM_IDS}
    for scale in instrument.scales:
        for entry in scale.items:
            assert entry.scores is not None
            uses[entry.item] += [(scale.id, option) for option in entry.scores]
    for item_id, pairs in uses.items():
        assert len(pairs) == 2, (item_id, pairs)
        assert sorted(option for _, option in pairs) == ["а", "б"], (item_id, pairs)
        assert pairs[0][0] != pairs[1][0], (item_id, pairs)
    assert sum(len(pairs) for pairs in uses.values()) == 40


# --- golden scores ------------------------------------------------------------------


def test_all_a(instrument: profdiag.Instrument) -> None:
    # Every item answered «а»: each type scores its а-keyed entries.
    #   nature     1а 6а 10а 11а 16а 20а (3б, 13б not chosen)   -> 6
    #   technique  4а 9а 14а 19а         (1б 7б 11б 17б not)    -> 4
    #   human      2а 8а 12а 18а         (4б 6б 14б 16б not)    -> 4
    #   sign       5а 15а                (2б 9б 10б 12б 19б 20б) -> 2
    #   art        3а 7а 13а 17а         (5б 8б 15б 18б not)    -> 4
    #   check: 6 + 4 + 4 + 2 + 4 = 20
    result = profdiag.score(instrument, sheet("а"))
    assert result.scale_ids == SCALE_IDS
    assert result.raw[0].tolist() == [6.0, 4.0, 4.0, 2.0, 4.0]
    assert result.answered[0].tolist() == [8, 8, 8, 8, 8]
    assert (result.status == ScaleStatus.OK).all()


def test_all_b(instrument: profdiag.Instrument) -> None:
    # Every item answered «б»: the complement of all-«а», 8 - that score per type:
    #   nature     3б 13б                     -> 2  (8 - 6)
    #   technique  1б 7б 11б 17б              -> 4  (8 - 4)
    #   human      4б 6б 14б 16б              -> 4  (8 - 4)
    #   sign       2б 9б 10б 12б 19б 20б      -> 6  (8 - 2)
    #   art        5б 8б 15б 18б              -> 4  (8 - 4)
    #   check: 2 + 4 + 4 + 6 + 4 = 20
    result = profdiag.score(instrument, sheet("б"))
    assert result.raw[0].tolist() == [2.0, 4.0, 4.0, 6.0, 4.0]
    assert (result.status == ScaleStatus.OK).all()


def test_mixed_sheet(instrument: profdiag.Instrument) -> None:
    # Worked out entry by entry next to MIXED at the top of this file: 7, 2, 6, 2, 3.
    result = profdiag.score(instrument, MIXED)
    assert result.raw[0].tolist() == MIXED_SCORES
    assert (result.status == ScaleStatus.OK).all()


def test_every_nature_option_and_none(instrument: profdiag.Instrument) -> None:
    # Row 0 chooses all 8 nature-keyed options (1а 3б 6а 10а 11а 13б 16а 20а), «а» elsewhere:
    #   nature 8; technique 4а 9а 14а 19а -> 4; human 2а 8а 12а 18а -> 4;
    #   sign 5а 15а -> 2; art 7а 17а -> 2 (3а, 13а not chosen); 8 + 4 + 4 + 2 + 2 = 20
    # Row 1 chooses the other option of those 8 items (1б 3а 6б 10б 11б 13а 16б 20б):
    #   nature 0; technique 1б 4а 9а 11б 14а 19а -> 6; human 2а 6б 8а 12а 16б 18а -> 6;
    #   sign 5а 10б 15а 20б -> 4; art 3а 7а 13а 17а -> 4; 0 + 6 + 6 + 4 + 4 = 20
    every = sheet("а", i3="б", i13="б")
    none = sheet("а", i1="б", i6="б", i10="б", i11="б", i16="б", i20="б")
    result = profdiag.score(instrument, [every, none])
    assert result.raw[0].tolist() == [8.0, 4.0, 4.0, 2.0, 2.0]
    assert result.raw[1].tolist() == [0.0, 6.0, 6.0, 4.0, 4.0]
    bands = profdiag.standardize(instrument, result).band
    assert bands[0].tolist() == ["pronounced", "medium", "medium", "low", "low"]
    assert bands[1].tolist() == ["low", "medium", "medium", "medium", "medium"]


# --- input spellings ----------------------------------------------------------------


def spelled(answers: dict[str, str], spelling: dict[str, Any]) -> dict[str, Any]:
    return {item_id: spelling[option] for item_id, option in answers.items()}


@pytest.mark.parametrize("answers", [MIXED, sheet("а"), sheet("б")], ids=["mixed", "а", "б"])
def test_spellings_give_identical_scores(
    instrument: profdiag.Instrument, answers: dict[str, str]
) -> None:
    # Cyrillic а/б, Latin a/b, digits "1"/"2" and 1/2, capitals А/Б and A/B: one row each.
    rows = [
        answers,
        spelled(answers, LATIN),
        spelled(answers, DIGIT),
        spelled(answers, NUMBER),
        spelled(answers, UPPER_CYRILLIC),
        spelled(answers, UPPER_LATIN),
    ]
    result = profdiag.score(instrument, rows)
    assert result.problems == ()
    assert (result.status == ScaleStatus.OK).all()
    for row in range(1, len(rows)):
        assert result.raw[row].tolist() == result.raw[0].tolist(), row


def test_mixed_spellings_in_one_sheet(instrument: profdiag.Instrument) -> None:
    # MIXED again, with each item spelled differently; still 7, 2, 6, 2, 3.
    styles = [{"а": "а", "б": "б"}, LATIN, DIGIT, NUMBER, UPPER_CYRILLIC, UPPER_LATIN]
    answers = {
        item_id: styles[k % len(styles)][option]
        for k, (item_id, option) in enumerate(MIXED.items())
    }
    result = profdiag.score(instrument, answers)
    assert result.raw[0].tolist() == MIXED_SCORES


def test_latin_a_is_not_accepted_without_the_alias() -> None:
    # The aliases matter: a format with only Cyrillic codes rejects Latin "a" in strict mode.
    from tests.conftest import build

    bare = build(
        text_status={"ru": "not_shipped"},
        response_formats={
            "pair": {"type": "forced_choice", "options": [{"code": "а"}, {"code": "б"}]}
        },
        items=[{"id": "1", "format": "pair"}],
        scales=[{"id": "t", "title": {"en": "t"}, "items": [{"item": "1", "scores": {"а": 1}}]}],
    )
    with pytest.raises(profdiag.ResponseDataError):
        profdiag.score(bare, {"1": "a"})


# --- missing answers ----------------------------------------------------------------


def test_item_one_missing(instrument: profdiag.Instrument) -> None:
    # MIXED without item 1 (it was «а»): item 1 is keyed 1а -> nature, 1б -> technique.
    #   nature: 7 of 8 answered < 8 required -> no score; technique: likewise.
    #   human 6, sign 2, art 3 do not use item 1 and are unchanged.
    answers = dict(MIXED, **{"1": None})
    result = profdiag.score(instrument, answers)
    assert result.answered[0].tolist() == [7, 7, 8, 8, 8]
    assert result.status[0].tolist() == [
        ScaleStatus.TOO_FEW_ANSWERED,
        ScaleStatus.TOO_FEW_ANSWERED,
        ScaleStatus.OK,
        ScaleStatus.OK,
        ScaleStatus.OK,
    ]
    assert math.isnan(result.raw[0, 0])
    assert math.isnan(result.raw[0, 1])
    assert result.raw[0, 2:].tolist() == [6.0, 2.0, 3.0]


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_a_missing_item_unscores_exactly_its_two_types(
    instrument: profdiag.Instrument, item_id: str
) -> None:
    # From the hard-coded key: the two types whose entries name this item.
    expected = {
        type_id
        for type_id, key in EXPECTED_KEY.items()
        if item_id in {token[:-1] for token in key.split()}
    }
    assert len(expected) == 2
    result = profdiag.score(instrument, dict(MIXED, **{item_id: None}))
    unscored = {
        type_id
        for s, type_id in enumerate(SCALE_IDS)
        if result.status[0, s] == ScaleStatus.TOO_FEW_ANSWERED
    }
    assert unscored == expected
    for s, type_id in enumerate(SCALE_IDS):
        if type_id in expected:
            assert math.isnan(result.raw[0, s])
            assert result.answered[0, s] == 7
        else:
            assert result.status[0, s] == ScaleStatus.OK
            assert result.raw[0, s] == MIXED_SCORES[s]


# --- bands --------------------------------------------------------------------------


def test_band_codes_at_the_boundaries(instrument: profdiag.Instrument) -> None:
    # MIXED scores 7, 2, 6, 2, 3 (see above): 0-2 low, 3-6 medium, 7-8 pronounced.
    result = profdiag.score(instrument, MIXED)
    bands = profdiag.standardize(instrument, result).band
    assert bands[0].tolist() == ["pronounced", "low", "medium", "low", "medium"]
    by_score = dict(zip(result.raw[0].tolist(), bands[0].tolist(), strict=True))
    assert by_score == {2.0: "low", 3.0: "medium", 6.0: "medium", 7.0: "pronounced"}


def test_no_band_without_a_score(instrument: profdiag.Instrument) -> None:
    result = profdiag.score(instrument, dict(MIXED, **{"1": None}))
    bands = profdiag.standardize(instrument, result).band
    assert bands[0].tolist() == [None, None, "medium", "low", "medium"]


# --- properties ---------------------------------------------------------------------


@given(
    st.lists(st.sampled_from(["а", "б"]), min_size=20, max_size=20),
    st.sampled_from([{"а": "а", "б": "б"}, LATIN, DIGIT, NUMBER, UPPER_CYRILLIC, UPPER_LATIN]),
)
def test_complete_sheet_sums_to_twenty(choices: list[str], spelling: dict[str, Any]) -> None:
    instrument = profdiag.load_instrument("klimov-ddo")
    answers = {item_id: spelling[option] for item_id, option in zip(ITEM_IDS, choices, strict=True)}
    result = profdiag.score(instrument, answers)
    assert (result.status == ScaleStatus.OK).all()
    raw = result.raw[0]
    assert raw.sum() == 20.0
    assert ((raw >= 0) & (raw <= 8)).all()
    assert np.array_equal(raw, np.round(raw))
    # The same sheet scored by hand from the hard-coded key.
    chosen = {f"{item_id}{option}" for item_id, option in zip(ITEM_IDS, choices, strict=True)}
    by_hand = [len(chosen & set(EXPECTED_KEY[type_id].split())) for type_id in SCALE_IDS]
    assert raw.tolist() == by_hand
