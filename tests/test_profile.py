"""Profiles: validity flags, matching, the Profile object and `profdiag profile`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import profdiag
from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._profile.matching import klimov_fit, klimov_on_fit_scale
from profdiag._profile.model import Profile
from profdiag._profile.occupations import OccupationCatalogue, RegionalDemand
from profdiag._profile.validity import ValidityThresholds, longest_identical_run, validity_flags
from profdiag.cli import main

ONET_BLOCK = "RRIIAASSEECC"  # O*NET IP-SF: each block of 12 items, two per area


def catalogue() -> OccupationCatalogue:
    """Five occupations; nurse, driller and accountant flagged by a demand file."""
    rows = [
        ("nurse", "SIC", ["human", "nature"], True),
        ("teacher", "SAE", ["human"], False),
        ("driller", "RCE", ["technique"], True),
        ("designer", "AER", ["art"], False),
        ("accountant", "CEI", ["sign"], True),
    ]
    plain = OccupationCatalogue.model_validate(
        {
            "format": "profdiag-occupations/1",
            "id": "test",
            "version": "1.0",
            "title": {"en": "t"},
            "region": "test",
            "sources": [{"id": "s", "citation": "tests"}],
            "occupations": [
                {
                    "id": id_,
                    "title": {"ru": id_, "en": id_},
                    "riasec": code,
                    "riasec_source": "analogy",
                    "ddo": ddo,
                    "education": ["college"],
                    "onet_match": "none",
                    "sources": ["s"],
                    "note": "a test occupation",
                }
                for id_, code, ddo, _ in rows
            ],
        }
    )
    demand = RegionalDemand.model_validate(
        {
            "format": "profdiag-demand/1",
            "id": "test-demand",
            "version": "1.0",
            "title": {"en": "t"},
            "region": "test",
            "catalogue": "test",
            "sources": [{"id": "d", "citation": "tests", "date": "2025", "official": True}],
            "flags": [{"occupation": id_, "sources": ["d"]} for id_, *_, flag in rows if flag],
        }
    )
    return plain.with_demand(demand)


def onet_answers(area_values: dict[str, int]) -> dict[str, int]:
    """O*NET answers by area: every item of an area gets that area's value."""
    return {f"ip{k + 1:02d}": area_values[ONET_BLOCK[k % 12]] for k in range(60)}


def test_all_same_ignores_unanswered_items() -> None:
    # the first item unanswered, the rest all 2: still "all the same"
    values = np.array([[np.nan, 2, 2, 2], [2, 2, np.nan, 2], [np.nan, 1, 2, 2]], dtype=float)
    assert validity_flags(values).flags["all_same"].tolist() == [True, True, False]


def test_longest_run_and_flags_by_hand() -> None:
    values = np.array(
        [
            [1, 1, 1, 2, 2, np.nan, 2, 2, 2, 2],  # runs 3, 2, (gap), 4 -> 4; 1 of 10 missing
            [3] * 10,  # all the same: run 10
            [np.nan] * 10,  # nothing answered
        ],
        dtype=float,
    )
    assert longest_identical_run(values).tolist() == [4, 10, 0]
    flags = validity_flags(
        values,
        total_seconds=np.array([90.0, 5.0, np.nan]),
        thresholds=ValidityThresholds(max_identical_run=5),
    )
    assert flags.flags["missing"].tolist() == [False, False, True]  # 0.1 is not above 0.1
    assert flags.flags["identical_run"].tolist() == [False, True, False]
    assert flags.flags["all_same"].tolist() == [False, True, False]
    # 90 s / 9 answered = 10 s per item; 5 s / 10 = 0.5 s (< 1.5): too fast
    assert flags.flags["too_fast"].tolist() == [False, True, False]


def test_riasec_profile_code_indices_and_matches() -> None:
    instrument = profdiag.load_instrument("onet-ip-sf-60")
    # S 4 (40), A and E 3 (30), I 2 (20), C 1 (10), R 0 (0) -> code S(A/E)
    answers = onet_answers({"R": 0, "I": 2, "A": 3, "S": 4, "E": 3, "C": 1})
    profile = build_profiles([ProfileInput(instrument, [answers])], catalogue=catalogue(), top=5)[0]
    section = profile.instruments[0]
    assert section.code == "S(A/E)" and section.leading == ["S"]
    assert section.holland is not None
    assert section.holland.tied and section.holland.consistency == "high"
    assert section.holland.differentiation_holland == 40.0  # 40 - 0
    assert section.holland.differentiation_iachan == 15.0  # 40 - (30 + 20) / 2 ... 2nd 30, 4th 20
    assert section.holland.elevation == 130.0  # 0 + 20 + 30 + 40 + 30 + 10
    # teacher SAE: C averaged over SAE and SEA: SAE 18, SEA (S-S 9, E-A 2*1, A-E 1*1) = 12 -> 15
    teacher = next(m for m in profile.matches if m.id == "teacher")
    assert teacher.brown_gore_c == pytest.approx(15.0)
    assert profile.matches[0].id == "teacher"
    assert profile.catalogue is not None and profile.catalogue.id == "test"
    assert section.content_hash == instrument.content_hash
    # the profile is plain JSON and comes back the same
    assert Profile.model_validate_json(profile.model_dump_json()) == profile


def test_flat_profile_is_flagged_and_matching_still_defined() -> None:
    instrument = profdiag.load_instrument("onet-ip-sf-60")
    flat = onet_answers(dict.fromkeys("RIASEC", 2))
    profile = build_profiles([ProfileInput(instrument, [flat])], catalogue=catalogue())[0]
    section = profile.instruments[0]
    assert section.code == "(R/I/A/S/E/C)"
    codes = {flag.code for flag in section.flags}
    assert {"flat_profile", "all_same"} <= codes
    assert all(flag.explanation.ru and flag.explanation.en for flag in section.flags)
    assert all(match.similarity is None for match in profile.matches)


def test_klimov_profile_leading_types_and_bands() -> None:
    instrument = profdiag.load_instrument("klimov-ddo")
    # all «а»: nature 6, technique 4, human 4, sign 2, art 4
    sheet = {str(k): "а" for k in range(1, 21)}
    profile = build_profiles([ProfileInput(instrument, [sheet])], catalogue=catalogue())[0]
    section = profile.instruments[0]
    assert section.leading == ["nature"] and section.code == "nature"
    assert [(s.id, s.raw, s.band.code if s.band else None) for s in section.scales] == [
        ("nature", 6.0, "medium"),
        ("technique", 4.0, "medium"),
        ("human", 4.0, "medium"),
        ("sign", 2.0, "low"),
        ("art", 4.0, "medium"),
    ]
    # Every answer is «а»: a response set, so no occupation list is given, and why is said.
    assert profile.matches == []
    assert profile.matching is not None and profile.matching.withheld == "all_same"
    # The fit itself: nurse (human 4 + nature 6 / 2) / 12 = 7/12; accountant sign 2/8.
    ddo = catalogue()
    types = np.array([[6.0, 4.0, 4.0, 2.0, 4.0]])  # nature, technique, human, sign, art
    fits = dict(zip((o.id for o in ddo.occupations), klimov_fit(types, ddo)[0], strict=True))
    assert fits["nurse"] == pytest.approx(7 / 12) and fits["accountant"] == pytest.approx(0.25)


def test_several_instruments_in_one_profile() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    ddo = profdiag.load_instrument("klimov-ddo")
    answers = onet_answers({"R": 0, "I": 2, "A": 3, "S": 4, "E": 3, "C": 1})
    sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
    profile = build_profiles(
        [ProfileInput(onet, [answers]), ProfileInput(ddo, [sheet])], catalogue=catalogue()
    )[0]
    assert [s.instrument_id for s in profile.instruments] == ["onet-ip-sf-60", "klimov-ddo"]
    assert profile.matches
    for match in profile.matches:  # the match score is the mean of the two fits
        assert match.congruence is not None and match.similarity is not None
        assert match.klimov_fit is not None
        holland_part = (match.congruence + (match.similarity + 1) / 2) / 2
        klimov_part = float(klimov_on_fit_scale(np.array([match.klimov_fit]))[0])
        assert match.fit == pytest.approx((holland_part + klimov_part) / 2)


def test_cli_profile_batch(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "examples" / "klimov-ddo-sheets.csv"
    out = tmp_path / "profiles.json"
    result = CliRunner().invoke(
        main,
        [
            "profile",
            "klimov-ddo",
            str(data),
            "--id-column",
            "respondent",
            "--answers-column",
            "answers",
            "--top",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    profiles = json.loads(out.read_text(encoding="utf-8"))["profiles"]
    assert len(profiles) == 12 and profiles[0]["respondent"] == "d001"
    # d007 left too many pairs blank to score two types: no list, and the reason is given.
    assert [p["respondent"] for p in profiles if len(p["matches"]) != 3] == ["d007"]
    assert profiles[6]["matching"]["withheld"] == "not_scored" and not profiles[6]["matches"]
    assert profiles[0]["instruments"][0]["instrument_id"] == "klimov-ddo"
    # d007 left one pair blank: its two types are not scored
    d007 = profiles[6]["instruments"][0]["scales"]
    assert sum(scale["status"] == "too_few_answered" for scale in d007) == 2


def test_cli_profile_with_thresholds_and_region_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "answers.csv"
    flat = onet_answers(dict.fromkeys("RIASEC", 2))
    data.write_text(
        "id," + ",".join(flat) + "\nx," + ",".join(map(str, flat.values())) + "\n", encoding="utf-8"
    )
    region = tmp_path / "region.json"
    region.write_text(catalogue().model_dump_json(), encoding="utf-8")
    lax = tmp_path / "lax.json"
    lax.write_text('{"min_differentiation_share": 0}', encoding="utf-8")
    args = ["profile", "onet-ip-sf-60", str(data), "--catalogue", str(region)]
    strict_flags = json.loads(CliRunner().invoke(main, args).stdout)
    lax_flags = json.loads(CliRunner().invoke(main, [*args, "--validity", str(lax)]).stdout)

    def codes(document: dict[str, Any]) -> set[str]:
        return {flag["code"] for flag in document["profiles"][0]["instruments"][0]["flags"]}

    assert "flat_profile" in codes(strict_flags) and "flat_profile" not in codes(lax_flags)
    assert strict_flags["profiles"][0]["catalogue"]["id"] == "test"
    bad = tmp_path / "bad.json"
    bad.write_text('{"max_missing_share": "a lot"}', encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "--validity", str(bad)])
    assert result.exit_code == 1 and "$.max_missing_share" in result.stderr


def test_aptitude_profile_carries_speed_and_accuracy(tmp_path: Path) -> None:
    instrument = profdiag.load_instrument("profdiag-aptitude-sampler")
    keys = {item.id: (item.correct or ("a",))[0] for item in instrument.items}
    # number series: the first 9 items right, the rest unanswered; 180 s of 360
    answers = {
        item_id: (key if item_id < "ns10" else None) if item_id.startswith("ns") else key
        for item_id, key in keys.items()
    }
    data = tmp_path / "answers.json"
    data.write_text(json.dumps([{**answers, "number_series.seconds": 180}]), encoding="utf-8")
    out = tmp_path / "profiles.json"
    result = CliRunner().invoke(
        main, ["profile", "profdiag-aptitude-sampler", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    section = json.loads(out.read_text(encoding="utf-8"))["profiles"][0]["instruments"][0]
    timing = {row["scale"]: row for row in section["timing"]}
    # 9 of 12 attempted, all correct; 9 items in 3 minutes = 3 per minute; 180/360 of the time
    assert timing["number_series"] == {
        "scale": "number_series",
        "attempted": 9,
        "items": 12,
        "accuracy": 1.0,
        "completion": 0.75,
        "items_per_minute": 3.0,
        "time_used": 0.5,
        "time_limit_seconds": 360,
    }
    assert timing["spatial"]["items_per_minute"] is None  # no time given for it
    from profdiag._report.render import ReportOptions, render_html

    profile = Profile.model_validate(json.loads(out.read_text(encoding="utf-8"))["profiles"][0])
    html = render_html(profile, ReportOptions(audience="counsellor", language="ru"))
    assert "Скорость и точность" in html and "9/12" in html


def test_normed_profile_comparisons_and_norm_info() -> None:
    from tests.conftest import build

    scales = [
        {
            "id": name,
            "title": {"en": name},
            "items": [{"item": f"{name}1"}, {"item": f"{name}2"}],
            "reliability": {"value": 0.84, "source": "test"},
        }
        for name in ("X", "Y", "Z")
    ]
    instrument = build(
        response_formats={"lk": {"type": "likert", "codes": [0, 1, 2, 3, 4]}},
        items=[{"id": f"{name}{k}", "format": "lk"} for name in "XYZ" for k in (1, 2)],
        scales=scales,
        norms=[
            {
                "id": "all",
                "title": {"en": "everyone"},
                "source": "test sample",
                "sample_size": 500,
                "year": 2025,
                "scales": {name: {"mean": 4.0, "sd": 2.0} for name in "XYZ"},
            }
        ],
        code_rule={"kind": "leading", "length": 2},
    )
    # raw X 8 -> T 70, Y 7 -> T 65, Z 2 -> T 40
    answers = {"X1": 4, "X2": 4, "Y1": 4, "Y2": 3, "Z1": 1, "Z2": 1}
    section = build_profiles([ProfileInput(instrument, [answers], norm_group="all")])[
        0
    ].instruments[0]
    assert section.norm is not None and section.norm.sample_size == 500
    # SE(diff) = 10 sqrt(0.16 + 0.16) = 5.657; critical at 90 %: 1.645 * 5.657 = 9.305
    first, second = section.comparisons
    assert (first.higher, first.lower, first.difference_t) == ("X", "Y", pytest.approx(5.0))
    assert first.se_difference_t == pytest.approx(10 * np.sqrt(0.32))
    assert first.critical_difference_t == pytest.approx(1.6448536269514722 * 10 * np.sqrt(0.32))
    assert not first.distinct  # 5 < 9.3: X and Y are practically equal
    assert (second.higher, second.lower, second.distinct) == ("Y", "Z", True)  # 25 > 9.3
    from profdiag._report.render import ReportOptions, render_html

    profile = build_profiles([ProfileInput(instrument, [answers], norm_group="all")])[0]
    html = render_html(profile, ReportOptions(audience="counsellor", language="en"))
    assert "everyone (n = 500, 2025; test sample)" in html
