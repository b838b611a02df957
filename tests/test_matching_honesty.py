"""Occupation matching says only what it knows (issue 9): no list without a direction,
fair two-letter codes, ties shown as ties, fit levels, one ordering for codes and T."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.conftest import build

import profdiag
from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._profile.holland import rank
from profdiag._profile.matching import FIT_LEVELS, fit_levels, holland_fit, tie_ranks
from profdiag._profile.occupations import OccupationCatalogue, load_catalogue

ONET_BLOCK = "RRIIAASSEECC"  # O*NET IP-SF: each block of 12 items, two per area


def onet_answers(area_values: dict[str, int]) -> dict[str, int]:
    return {f"ip{k + 1:02d}": area_values[ONET_BLOCK[k % 12]] for k in range(60)}


def catalogue_of(*codes: tuple[str, str]) -> OccupationCatalogue:
    """A catalogue of the given (id, RIASEC code) occupations, built from the bundled one's
    first entry so that it keeps up with the catalogue model; no O*NET ratings."""
    bundled = load_catalogue()
    template = bundled.occupations[0]
    occupations = []
    for occupation_id, code in codes:
        update: dict[str, Any] = {"id": occupation_id, "riasec": code}
        if "interests" in type(template).model_fields:
            update["interests"] = None
        occupations.append(template.model_copy(update=update))
    return bundled.model_copy(update={"occupations": tuple(occupations)})


def profile_for(areas: dict[str, int], catalogue: OccupationCatalogue, top: int = 10) -> Any:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    return build_profiles(
        [ProfileInput(onet, [onet_answers(areas)])], catalogue=catalogue, top=top
    )[0]


def test_all_equal_answers_get_no_ranked_list_and_a_reason() -> None:
    profile = profile_for(dict.fromkeys("RIASEC", 2), load_catalogue())
    assert profile.matches == []
    assert profile.matching.withheld == "all_same"
    assert "профессиональных проб" not in profile.matching.explanation.ru  # the all-same text
    assert "ещё раз" in profile.matching.explanation.ru


def test_a_near_flat_profile_gets_no_confident_list() -> None:
    # Area sums 20..23 of 0..40: a range of 3 is 7.5 % of the possible range (< 15 %).
    onet = profdiag.load_instrument("onet-ip-sf-60")
    answers = onet_answers(dict.fromkeys("RIASEC", 2))
    for item, letter in zip(["ip01", "ip03", "ip05"], "RIA", strict=True):
        answers[item] = 3 if letter != "A" else 4  # R 21, I 21, A 22 ... still flat
    answers["ip13"] = 3  # R 22
    profile = build_profiles([ProfileInput(onet, [answers])], catalogue=load_catalogue())[0]
    scores = profile.instruments[0].holland.scores
    assert max(scores.values()) - min(scores.values()) <= 3
    assert profile.matches == []
    assert profile.matching.withheld == "flat_profile"
    assert "профессиональных проб" in profile.matching.explanation.ru
    assert "flat_profile" in [flag.code for flag in profile.instruments[0].flags]


def test_a_clear_profile_gets_a_list_with_levels() -> None:
    profile = profile_for({"R": 0, "I": 1, "A": 4, "S": 3, "E": 2, "C": 0}, load_catalogue())
    assert profile.matching.withheld is None
    assert profile.matches
    cuts = dict(FIT_LEVELS)
    assert profile.matching.fit_levels == cuts
    for match in profile.matches:
        assert match.fit >= cuts[match.fit_level] - 1e-9
    assert [m.rank for m in profile.matches] == sorted(m.rank for m in profile.matches)


def test_two_letter_codes_can_match_perfectly() -> None:
    # The person's code is RCI (R 40, C 32, I 16): an RC occupation is as congruent as RCI.
    catalogue = catalogue_of(("rc", "RC"), ("rci", "RCI"), ("ric", "RIC"), ("rce", "RCE"))
    scores = np.array([[40.0, 16.0, 0.0, 4.0, 8.0, 32.0]])
    fit = holland_fit(scores, rank(scores), catalogue)
    congruence = dict(zip(["rc", "rci", "ric", "rce"], fit.congruence[0], strict=True))
    assert congruence["rc"] == pytest.approx(1.0)  # C = 15 of an attainable 15
    assert congruence["rci"] == pytest.approx(1.0)  # C = 18 of 18
    assert fit.brown_gore_c[0, 0] == pytest.approx(15.0)
    # R = R: 3 * 3; C vs I and I vs C are alternate letters (distance 2): 2 * 1 + 1 * 1
    assert congruence["ric"] == pytest.approx((9 + 2 + 1) / 18)
    ranks = {
        m.id: m.rank
        for m in profile_for({"R": 4, "I": 2, "A": 0, "S": 0, "E": 1, "C": 3}, catalogue).matches
    }
    assert ranks["rc"] <= 2  # first, or second only to the equally congruent RCI


def test_equal_fits_share_a_rank_and_the_rest_are_counted() -> None:
    codes = [("a1", "SAE"), ("a2", "SAE"), ("a3", "SAE"), ("b1", "SEA"), ("c1", "RIC")]
    catalogue = catalogue_of(*codes)
    profile = profile_for({"R": 0, "I": 1, "A": 3, "S": 4, "E": 2, "C": 0}, catalogue, top=2)
    assert [m.id for m in profile.matches] == ["a1", "a2"]
    assert [m.rank for m in profile.matches] == [1, 1]
    assert profile.matching.more_tied == 1  # a3 has the same fit and was not listed
    assert "=" in profile.matching.tie_rule.ru


def test_tie_ranks_by_hand() -> None:
    fits = np.array([[0.9, 0.9, 0.8, 0.8, 0.8, 0.1], [0.5, 0.4, 0.3, 0.3, 0.3, 0.3]])
    assert tie_ranks(fits).tolist() == [[1, 1, 3, 3, 3, 6], [1, 2, 3, 3, 3, 3]]


def test_fit_levels_by_hand() -> None:
    (strong, s), (good, g), (possible, p) = FIT_LEVELS
    fits = np.array([[s, s - 0.001, g, g - 0.001, p, p - 0.001, np.nan]])
    assert fit_levels(fits).tolist() == [[strong, good, good, possible, possible, None, None]]


def normed_riasec() -> profdiag.Instrument:
    """Six 2-item RIASEC scales with norms under which raw order and T order differ:
    R has the higher raw score, but I is rarer and gets the higher T."""
    letters = "RIASEC"
    means = {"R": 6.0, "I": 2.0, "A": 4.0, "S": 4.0, "E": 4.0, "C": 4.0}
    return build(
        response_formats={"lk": {"type": "likert", "codes": [0, 1, 2, 3, 4]}},
        items=[{"id": f"{x}{k}", "format": "lk"} for x in letters for k in (1, 2)],
        scales=[
            {
                "id": x,
                "title": {"en": x},
                "items": [{"item": f"{x}{k}"} for k in (1, 2)],
                "reliability": {"value": 0.8, "kind": "alpha", "source": "tests"},
            }
            for x in letters
        ],
        norms=[
            {
                "id": "all",
                "title": {"en": "everyone"},
                "source": "tests",
                "sample_size": 100,
                "scales": {x: {"mean": means[x], "sd": 2.0} for x in letters},
            }
        ],
        code_rule={"kind": "riasec", "letters": {x: x for x in letters}, "length": 3},
    )


def test_code_and_comparisons_use_the_same_scores_when_normed() -> None:
    instrument = normed_riasec()
    # raw: R 7, I 5, others 4 -> by raw R leads; by T: R 55, I 65, others 50 -> I leads.
    answers = {"R1": 4, "R2": 3, "I1": 3, "I2": 2}
    answers |= {f"{x}{k}": 2 for x in "ASEC" for k in (1, 2)}
    profile = build_profiles([ProfileInput(instrument, [answers])], catalogue=load_catalogue())[0]
    section = profile.instruments[0]
    assert section.code is not None and section.code.startswith("IR")
    assert section.leading == ["I"]
    assert section.holland.scores["I"] == pytest.approx(65.0)  # indices on T as well
    assert section.comparisons and section.comparisons[0].higher == "I"


def test_stage_names_the_route_and_puts_startable_occupations_first_among_equals() -> None:
    bundled = load_catalogue()
    template = bundled.occupations[0]

    def occupation(occupation_id: str, routes: tuple[str, ...]) -> Any:
        update: dict[str, Any] = {
            "id": occupation_id,
            "riasec": "SAE",
            "education": routes,
        }
        if "interests" in type(template).model_fields:
            update["interests"] = None
        return template.model_copy(update=update)

    catalogue = bundled.model_copy(
        update={
            "occupations": (
                occupation("a-uni", ("university",)),  # the id alone would put it first
                occupation("b-spo", ("college", "university")),
            )
        }
    )
    onet = profdiag.load_instrument("onet-ip-sf-60")
    answers = onet_answers({"R": 0, "I": 1, "A": 3, "S": 4, "E": 2, "C": 0})
    rows = [answers, answers, answers]
    profiles = build_profiles(
        [ProfileInput(onet, rows)],
        catalogue=catalogue,
        stage=["grade9", "grade11", None],
    )
    after_9, after_11, unknown = (
        [(m.id, m.route, m.route_direct, m.rank) for m in p.matches] for p in profiles
    )
    assert after_9 == [("b-spo", "college", True, 1), ("a-uni", "university", False, 1)]
    assert after_11 == [("a-uni", "university", True, 1), ("b-spo", "university", True, 1)]
    assert unknown == [("a-uni", None, None, 1), ("b-spo", None, None, 1)]
    assert [p.stage for p in profiles] == ["grade9", "grade11", None]


def test_an_unknown_stage_is_named() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    answers = onet_answers({"R": 0, "I": 1, "A": 3, "S": 4, "E": 2, "C": 0})
    with pytest.raises(profdiag.ResponseDataError, match="grade10"):
        build_profiles([ProfileInput(onet, [answers])], stage=["grade10"])


def test_klimov_matching_needs_declared_types() -> None:
    ddo = profdiag.load_instrument("klimov-ddo")
    assert ddo.code_rule is not None and set(ddo.code_rule.klimov_types.values()) == {
        "nature",
        "technique",
        "human",
        "sign",
        "art",
    }
    document = ddo.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["code_rule"] = {"kind": "leading"}  # the same scales, types not declared
    undeclared = profdiag.parse_instrument(__import__("json").dumps(document))
    sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
    declared = build_profiles([ProfileInput(ddo, [sheet])], catalogue=load_catalogue())[0]
    plain = build_profiles([ProfileInput(undeclared, [sheet])], catalogue=load_catalogue())[0]
    assert declared.matches and not plain.matches
    document["code_rule"] = {"kind": "leading", "klimov_types": {"nature": "nature"}}
    with pytest.raises(profdiag.InstrumentError, match=r"\$\.code_rule\.klimov_types"):
        profdiag.parse_instrument(__import__("json").dumps(document))
