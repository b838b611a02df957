"""Report texts claim no more than the scores support (issue 9 point 7): each sentence is
checked under the condition that makes it true, and its absence where it would be false."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from tests.conftest import build

import profdiag
from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._profile.occupations import load_catalogue
from profdiag._report.context import report_texts
from profdiag._report.render import ReportOptions, render_html

ONET_BLOCK = "RRIIAASSEECC"
RU = report_texts()["ru"]


def onet_answers(area_values: dict[str, int]) -> dict[str, int]:
    return {f"ip{k + 1:02d}": area_values[ONET_BLOCK[k % 12]] for k in range(60)}


def text_of(page: str) -> str:
    """The visible text of a rendered page, whitespace folded."""
    without_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(style|svg)[^>]*>.*?</\1>", " ", page, flags=re.S)
    )
    # Non-breaking spaces are part of the typography (a dash or a unit keeps its word),
    # so only ordinary white space is folded.
    return re.sub(r"[ \t\n\r\f\v]+", " ", html.unescape(without_tags))


def client_text(profile: Any, audience: str = "client") -> str:
    return text_of(render_html(profile, ReportOptions(audience=audience, language="ru")))


def onet_profile(areas: dict[str, int], **answers: int) -> Any:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    sheet = onet_answers(areas) | answers
    return build_profiles([ProfileInput(onet, [sheet])], catalogue=load_catalogue())[0]


def fragment(text: str) -> str:
    return text.split("{", maxsplit=1)[0].strip()[:60]


def test_code_letters_whose_activities_were_disliked_are_not_called_liked() -> None:
    # Everything disliked (0-1 of 4), S a little less disliked: S, A, E lead, none liked.
    profile = onet_profile({"R": 0, "I": 0, "A": 1, "S": 1, "E": 1, "C": 0}, ip07=2, ip08=2)
    page = client_text(profile)
    assert profile.instruments[0].holland.liked == []
    for letter in "SAE":
        assert RU["riasec_letters"][letter]["text"] not in page
    assert RU["letter_not_liked"] in page
    assert RU["no_area_liked"] in page
    liked = client_text(onet_profile({"R": 0, "I": 1, "A": 4, "S": 3, "E": 2, "C": 0}))
    assert RU["riasec_letters"]["A"]["text"] in liked  # control: a liked letter is described
    assert RU["no_area_liked"] not in liked


def test_an_all_zero_sheet_is_not_several_equally_strong_areas() -> None:
    page = client_text(onet_profile(dict.fromkeys("RIASEC", 0)))
    assert RU["leading_many"]["interests"] not in page
    assert RU["all_tied"]["interests"] in page


def test_a_flat_profile_is_not_called_a_mistake() -> None:
    # Answers alternate 1 and 3 (no long runs, not all the same); area sums 20-22 of 40.
    onet = profdiag.load_instrument("onet-ip-sf-60")
    sheet = {f"ip{k + 1:02d}": 1 if k % 2 == 0 else 3 for k in range(60)}
    sheet |= {"ip01": 2, "ip03": 3}  # R 21, I 22
    profile = build_profiles([ProfileInput(onet, [sheet])], catalogue=load_catalogue())[0]
    codes = [flag.code for flag in profile.instruments[0].flags]
    assert codes == ["flat_profile"]
    page = client_text(profile)
    assert RU["validity_intro"] not in page
    assert fragment(RU["flat_intro"]) in page
    assert profile.matching.explanation.ru in page  # the list is withheld, in plain words
    counsellor = client_text(profile, "counsellor")
    assert profile.matching.explanation.ru in counsellor


def normed_riasec(margin: float = 0.0, group_title: str = "учащиеся 9 классов Тюмени") -> Any:
    letters = "RIASEC"
    return build(
        response_formats={"lk": {"type": "likert", "codes": [0, 1, 2, 3, 4]}},
        items=[{"id": f"{x}{k}", "format": "lk"} for x in letters for k in (1, 2)],
        scales=[
            {
                "id": x,
                "title": {"en": x, "ru": x},
                "items": [{"item": f"{x}{k}"} for k in (1, 2)],
                "reliability": {"value": 0.8, "kind": "alpha", "source": "tests"},
            }
            for x in letters
        ],
        norms=[
            {
                "id": "grade9",
                "title": {"en": "grade 9 pupils", "ru": group_title},
                "source": "tests",
                "sample_size": 300,
                "scales": {x: {"mean": 4.0, "sd": 2.0} for x in letters},
            }
        ],
        code_rule={"kind": "riasec", "letters": {x: x for x in letters}, "tie_margin": margin},
        measures="interests",
    )


def normed_profile(instrument: Any, raw: dict[str, int]) -> Any:
    answers = {}
    for letter, total in raw.items():
        answers[f"{letter}1"] = min(total, 4)
        answers[f"{letter}2"] = total - min(total, 4)
    return build_profiles([ProfileInput(instrument, [answers])], catalogue=load_catalogue())[0]


def test_standard_scores_name_their_norm_group_not_an_age() -> None:
    instrument = normed_riasec()
    page = client_text(normed_profile(instrument, {"R": 8, "I": 6, "A": 3, "S": 2, "E": 1, "C": 0}))
    assert "учащиеся 9 классов Тюмени" in page
    assert "вашего возраста" not in page


def test_a_difference_within_error_is_no_reliable_difference() -> None:
    # T: R 70, I 65: a difference of 5 against 1.645 * sqrt(2 * 20) = 10.4 -> not reliable.
    profile = normed_profile(normed_riasec(), {"R": 8, "I": 7, "A": 3, "S": 2, "E": 1, "C": 0})
    comparison = profile.instruments[0].comparisons[0]
    assert (comparison.higher, comparison.lower, comparison.distinct) == ("R", "I", False)
    page = client_text(profile)
    assert RU["practically_equal_client"] in page
    assert "одинаково сильными" not in page
    assert RU["distinct_no"] in client_text(profile, "counsellor")


def test_ties_under_a_margin_are_not_called_the_same_score() -> None:
    instrument = normed_riasec(margin=6.0)
    profile = normed_profile(instrument, {"R": 8, "I": 7, "A": 3, "S": 2, "E": 1, "C": 0})
    assert profile.instruments[0].holland.tied
    page = client_text(profile)
    assert RU["tie_explain"] not in page
    assert RU["tie_explain_margin"].format(margin="6\u00a0баллов") in page
    exact = normed_profile(normed_riasec(), {"R": 8, "I": 8, "A": 3, "S": 2, "E": 1, "C": 0})
    assert RU["tie_explain"] in client_text(exact)  # control: an exact tie says so


def test_matches_show_levels_and_ties_not_percentages() -> None:
    profile = onet_profile({"R": 0, "I": 1, "A": 4, "S": 3, "E": 2, "C": 0})
    assert profile.matches
    for audience in ("client", "counsellor"):
        page = client_text(profile, audience)
        section = page[
            page.index(RU["matches_heading" if audience == "client" else "matches_heading_c"]) :
        ]
        assert RU["fit_levels"][profile.matches[0].fit_level] in section
        assert not re.search(r"\b\d{1,3} ?%", section.split(RU["demand_legend_client"])[0])
        assert "O*NET" in section  # the attribution travels with the O*NET profiles
    ranks = [m.rank for m in profile.matches]
    if len(set(ranks)) < len(ranks):
        assert RU["tie_marker_legend"] in client_text(profile)


def test_texts_json_is_complete_in_both_languages() -> None:
    texts = report_texts()

    def keys(node: Any, prefix: str = "") -> set[str]:
        if isinstance(node, dict):
            return {k for key, v in node.items() for k in keys(v, f"{prefix}.{key}")} | {prefix}
        return {prefix}

    assert keys(texts["ru"]) == keys(texts["en"])
    assert json.dumps(texts["ru"], ensure_ascii=False).count("{") == json.dumps(
        texts["en"], ensure_ascii=False
    ).count("{")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_withheld_lists_render_in_both_languages(language: str) -> None:
    profile = onet_profile(dict.fromkeys("RIASEC", 2))
    page = text_of(render_html(profile, ReportOptions(audience="client", language=language)))
    assert profile.matching.explanation.get(language) in page
