"""Profiles built from results already scored equal profiles built from the raw data."""

from __future__ import annotations

import numpy as np
import pytest

import profdiag
from profdiag._profile.build import ProfileInput, ScoredInput, build_profiles
from profdiag._profile.occupations import load_catalogue
from profdiag._scoring.score import score_with_values


def test_scored_results_give_the_same_profiles_as_raw_data() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    rows = np.random.default_rng(7).integers(0, 5, size=(40, 60)).astype(float)
    rows[3, :5] = np.nan
    data = {item.id: rows[:, k] for k, item in enumerate(onet.items)}
    from_raw = build_profiles([ProfileInput(onet, data)], catalogue=load_catalogue())
    result, values = score_with_values(onet, data)
    standard = profdiag.standardize(onet, result)
    from_scores = build_profiles(
        [ScoredInput(onet, result, standard, values)], catalogue=load_catalogue()
    )
    assert [p.model_dump() for p in from_scores] == [p.model_dump() for p in from_raw]


def test_without_item_values_only_profile_level_flags_are_computed() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    same = {item.id: 2 for item in onet.items}  # all the same answer; also a flat profile
    result = profdiag.score(onet, same)
    profile = build_profiles([ScoredInput(onet, result)], catalogue=load_catalogue())[0]
    codes = [flag.code for flag in profile.instruments[0].flags]
    assert codes == ["flat_profile"]  # all_same needs the item values, so it is not claimed
    assert profile.matches == [] and profile.matching is not None
    assert profile.matching.withheld == "flat_profile"


def test_results_of_another_instrument_are_refused() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    riasec = profdiag.load_instrument("profdiag-riasec-72")
    result = profdiag.score(riasec, {item.id: 1 for item in riasec.items})
    with pytest.raises(profdiag.errors.ArgumentError, match="profdiag-riasec-72"):
        build_profiles([ScoredInput(onet, result)])


def test_inputs_of_different_lengths_are_refused() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    one = profdiag.score(onet, {item.id: 1 for item in onet.items})
    two = profdiag.score(onet, [{item.id: 1 for item in onet.items}] * 2)
    with pytest.raises(profdiag.errors.ArgumentError, match="same respondents"):
        build_profiles([ScoredInput(onet, one), ScoredInput(onet, two)])
