"""The bundled occupation catalogue (occupations/profdiag-occupations-ru.json), the bundled
demand file (occupations/demand-tyumen.json), and the checks that a region's own files go
through.

The balance thresholds below are requirements on the catalogue's content: when one fails, fix
the catalogue (add or re-code occupations), do not lower the number.
"""

from __future__ import annotations

import copy
import csv
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from profdiag._profile.occupations import (
    DDO_TYPES,
    RIASEC,
    OccupationCatalogue,
    RegionalDemand,
    load_catalogue,
    load_demand,
)
from profdiag.errors import DocumentError

REPO = Path(__file__).parents[1]
BUNDLED_FILE = REPO / "occupations" / "profdiag-occupations-ru.json"
DEMAND_FILE = REPO / "occupations" / "demand-tyumen.json"
ONET_FOLDERS = (Path("/work/shared/data/onet"), REPO.parent / "shared" / "data" / "onet")
ROUTES = ("short_course", "college", "university")

MIN_OCCUPATIONS = 200
MIN_FIRST_RIASEC_LETTER = 15
MIN_FIRST_DDO_TYPE = 20
MIN_PER_ROUTE = 30
MIN_REGIONAL_DEMAND = 40

ONET_ATTRIBUTION = (
    "This product includes information from the O*NET database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 "
    "license. O*NET® is a trademark of USDOL/ETA. USDOL/ETA has not approved, endorsed, or "
    "tested these modifications."
)
OIL_FIELD_CORE = (
    "oil-gas-production-operator",
    "commodity-operator",
    "reservoir-pressure-operator",
    "oil-gas-driller",
    "assistant-driller",
    "drilling-rig-machinist",
    "well-workover-operator",
    "well-testing-operator",
)


@pytest.fixture(scope="module")
def catalogue() -> OccupationCatalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    return document


def test_bundled_catalogue_loads(catalogue: OccupationCatalogue) -> None:
    assert catalogue.id == "profdiag-occupations-ru"
    assert catalogue.version == "2.0.0"
    assert catalogue.region == "Тюменская область"
    assert catalogue.title.ru and catalogue.title.en


def test_bundled_file_loads_by_path_too() -> None:
    by_path = load_catalogue(BUNDLED_FILE)
    bundled = load_catalogue()
    assert [o.id for o in by_path.occupations] == [o.id for o in bundled.occupations]
    assert [o.regional_demand for o in by_path.occupations] == [
        o.regional_demand for o in bundled.occupations
    ]


def test_catalogue_is_large_enough(catalogue: OccupationCatalogue) -> None:
    assert len(catalogue.occupations) >= MIN_OCCUPATIONS


def test_ids_are_unique_lower_case_latin(
    catalogue: OccupationCatalogue, raw: dict[str, Any]
) -> None:
    ids = [occupation["id"] for occupation in raw["occupations"]]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(i == i.lower() and i.isascii() and " " not in i for i in ids)
    assert len(catalogue.by_id) == len(ids)


def test_every_occupation_has_russian_and_english_titles(catalogue: OccupationCatalogue) -> None:
    missing = [o.id for o in catalogue.occupations if not (o.title.ru and o.title.en)]
    assert missing == []


@pytest.mark.parametrize("letter", list(RIASEC))
def test_riasec_letters_are_balanced(catalogue: OccupationCatalogue, letter: str) -> None:
    first = Counter(o.riasec[0] for o in catalogue.occupations)
    assert first[letter] >= MIN_FIRST_RIASEC_LETTER, dict(first)


@pytest.mark.parametrize("ddo_type", DDO_TYPES)
def test_ddo_types_are_balanced(catalogue: OccupationCatalogue, ddo_type: str) -> None:
    first = Counter(o.ddo[0] for o in catalogue.occupations)
    assert first[ddo_type] >= MIN_FIRST_DDO_TYPE, dict(first)


@pytest.mark.parametrize("route", ROUTES)
def test_every_education_route_is_well_represented(
    catalogue: OccupationCatalogue, route: str
) -> None:
    count = sum(route in o.education for o in catalogue.occupations)
    assert count >= MIN_PER_ROUTE


# --- O*NET analogues and interest profiles ---------------------------------------------------


def test_every_occupation_records_its_analogue(raw: dict[str, Any]) -> None:
    """Each entry says onet_match explicitly; 'none' only with a null code and a reason."""
    for occupation in raw["occupations"]:
        assert occupation["onet_match"] in ("close", "broad", "none"), occupation["id"]
        assert "onet_soc" in occupation and "interests" in occupation, occupation["id"]
        if occupation["onet_match"] == "none":
            assert occupation["onet_soc"] is None and occupation["interests"] is None
            assert occupation["riasec_source"] == "analogy" and occupation["note"]
        else:
            assert occupation["onet_soc"] and occupation["onet_title"]


def test_codes_come_from_onet_wherever_there_is_an_analogue(
    catalogue: OccupationCatalogue,
) -> None:
    wrong = [
        o.id
        for o in catalogue.occupations
        if (o.riasec_source == "onet") != (o.onet_match != "none")
        or (o.interests is None) != (o.riasec_source == "analogy")
    ]
    assert wrong == []


def test_occupations_sharing_an_analogue_share_code_and_ratings(
    catalogue: OccupationCatalogue,
) -> None:
    groups: dict[str, list[Any]] = defaultdict(list)
    for occupation in catalogue.occupations:
        if occupation.onet_soc is not None:
            groups[occupation.onet_soc].append(occupation)
    for code, members in groups.items():
        assert len({(m.riasec, m.interests, m.onet_title) for m in members}) == 1, code
    # The case the review found: three petroleum engineers coded IRC, IRE and ICR.
    petroleum = {o.riasec for o in groups["17-2171.00"]}
    assert petroleum == {"IRC"} and len(groups["17-2171.00"]) == 3


def test_interest_ratings_are_six_ratings_between_1_and_7(catalogue: OccupationCatalogue) -> None:
    for occupation in catalogue.occupations:
        if occupation.interests is not None:
            ratings = occupation.interests.as_tuple()
            assert len(ratings) == 6 and all(1 <= r <= 7 for r in ratings), occupation.id


def _onet_folder() -> Path | None:
    return next((f for f in ONET_FOLDERS if (f / "interests.csv").is_file()), None)


def test_interests_titles_and_codes_match_onet_files_exactly(
    catalogue: OccupationCatalogue,
) -> None:
    folder = _onet_folder()
    if folder is None:
        pytest.skip("O*NET files not found (../shared/data/onet/interests.csv); CI has no copy")
    with (folder / "occupation_data.csv").open(encoding="utf-8", newline="") as file:
        titles = {row["O*NET-SOC Code"]: row["Title"] for row in csv.DictReader(file)}
    ratings: dict[str, dict[str, float]] = defaultdict(dict)
    high_points: dict[str, dict[str, int]] = defaultdict(dict)
    elements = ["Realistic", "Investigative", "Artistic", "Social", "Enterprising", "Conventional"]
    with (folder / "interests.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            code, name, value = row["O*NET-SOC Code"], row["Element Name"], row["Data Value"]
            if row["Scale ID"] == "OI":
                ratings[code][RIASEC[elements.index(name)]] = float(value)
            else:
                high_points[code][name.split()[0]] = int(float(value))
    checked = 0
    for o in catalogue.occupations:
        if o.onet_soc is None:
            continue
        assert o.onet_title == titles[o.onet_soc], o.id
        assert o.interests is not None and o.interests.model_dump() == ratings[o.onet_soc], o.id
        points = high_points[o.onet_soc]
        code = "".join(
            RIASEC[points[rank] - 1] for rank in ("First", "Second", "Third") if points[rank]
        )
        assert o.riasec == code, o.id
        checked += 1
    assert checked == sum(o.onet_soc is not None for o in catalogue.occupations) > 250


def test_catalogue_carries_onet_attribution_and_version(catalogue: OccupationCatalogue) -> None:
    assert catalogue.attribution is not None
    assert catalogue.attribution.en == ONET_ATTRIBUTION
    assert "O*NET" in catalogue.attribution.ru and "CC BY 4.0" in catalogue.attribution.ru
    onet = next(source for source in catalogue.sources if source.id == "onet")
    assert onet.version is not None and "23" in onet.version and "2008" in onet.version


# --- content fixes ---------------------------------------------------------------------------


def test_a_college_route_never_leads_to_an_engineer_title(catalogue: OccupationCatalogue) -> None:
    wrong = [
        o.id
        for o in catalogue.occupations
        if "college" in o.education and "инженер" in (o.title.ru or "").lower()
    ]
    assert wrong == []


def test_reviewed_entries_are_fixed(catalogue: OccupationCatalogue) -> None:
    by_id = catalogue.by_id
    massage = by_id["massage-therapist"]
    assert massage.education == ("college",)
    assert {p.code for p in massage.programmes if p.level == "spo"} >= {"34.02.02", "34.02.01"}
    assert by_id["physical-therapist"].education == ("university",)
    assert by_id["obstetrician-gynecologist"].title.ru == "Врач-акушер-гинеколог"
    assert by_id["anesthesiologist"].title.ru == "Врач-анестезиолог-реаниматолог"
    assert {p.code for p in by_id["preschool-teacher"].programmes} == {"44.02.01", "44.03.01"}


def test_oil_field_occupations_are_present_and_rotational(catalogue: OccupationCatalogue) -> None:
    for id_ in OIL_FIELD_CORE:
        occupation = catalogue.by_id[id_]
        assert occupation.rotational, id_
        # ТК РФ art. 298: rotational work only from 18 and with a medical clearance
        restrictions = occupation.restrictions
        assert restrictions is not None and restrictions.min_age == 18, id_
        assert restrictions.medical_examination, id_
    assert catalogue.by_id["commodity-operator"].title.ru == "Оператор товарный"
    assert not catalogue.by_id["accountant"].rotational


def test_legal_restrictions_of_drivers(catalogue: OccupationCatalogue) -> None:
    bus = catalogue.by_id["bus-driver"].restrictions
    truck = catalogue.by_id["truck-driver"].restrictions
    assert bus is not None and bus.min_age == 21 and bus.medical_examination
    assert truck is not None and truck.min_age == 18
    assert bus.note is not None and "ст. 26" in bus.note.ru
    assert "fz-196-bdd" in catalogue.by_id["bus-driver"].sources


def test_programmes_match_routes_and_cite_their_list(catalogue: OccupationCatalogue) -> None:
    routes = {"spo": "college", "vo": "university", "po": "short_course"}
    lists = {"spo": "spo-list", "vo": "vo-list"}
    for o in catalogue.occupations:
        for programme in o.programmes:
            if programme.level in routes:
                assert routes[programme.level] in o.education, o.id
            if programme.code is not None:
                assert lists[programme.level] in o.sources, o.id


def test_restriction_and_rotational_claims_cite_a_source(catalogue: OccupationCatalogue) -> None:
    laws = {s.id for s in catalogue.sources} - {"onet", "okz", "okpdtr", "spo-list", "vo-list"}
    for o in catalogue.occupations:
        if o.restrictions is not None:
            assert set(o.sources) & laws, o.id
        if o.rotational:
            assert "tk-rf" in o.sources and "tl-vahta-2025" in o.sources, o.id


# --- demand flags ----------------------------------------------------------------------------


def test_bundled_demand_file_is_separate_and_dated(catalogue: OccupationCatalogue) -> None:
    raw = json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    assert all("regional_demand" not in o for o in raw["occupations"])
    demand = load_demand()
    assert demand.catalogue == catalogue.id and demand.region == "Тюменская область"
    assert catalogue.demand == demand
    flagged = [o for o in catalogue.occupations if o.regional_demand]
    assert len(flagged) >= MIN_REGIONAL_DEMAND
    for occupation in flagged:
        assert occupation.demand is not None and occupation.demand.year >= 2020, occupation.id


def test_a_flag_carries_its_sources_and_latest_date(catalogue: OccupationCatalogue) -> None:
    bus = catalogue.by_id["bus-driver"].demand
    assert bus is not None
    assert {s.id for s in bus.sources} == {"tmn-survey-2024", "tmn-bus-2023"}
    assert bus.date == "2024" and bus.year == 2024  # "2024" sorts after "2023-10-16"
    welder = catalogue.by_id["welder"].demand
    assert welder is not None and welder.date == "2024"


@pytest.mark.parametrize(
    ("group", "matches"),
    [
        ("engineers", lambda title: "инженер" in title.lower()),
        ("doctors", lambda title: title.startswith("Врач")),
        ("teachers", lambda title: title.startswith("Учитель")),
    ],
)
def test_a_group_named_by_a_source_is_flagged_alike(
    catalogue: OccupationCatalogue, group: str, matches: Callable[[str], bool]
) -> None:
    members = [o for o in catalogue.occupations if matches(o.title.ru or "")]
    assert len(members) >= 8, group
    assert {o.regional_demand for o in members} == {True}, [
        o.id for o in members if not o.regional_demand
    ]


def test_contradictions_found_by_the_review_are_gone(catalogue: OccupationCatalogue) -> None:
    # The programmer's only source was undated and its own note reported a surplus; the
    # courier's only source was undated media, unlike the doctors' official, dated ones.
    assert not catalogue.by_id["software-developer"].regional_demand
    assert not catalogue.by_id["courier"].regional_demand
    doctor = catalogue.by_id["district-internist"].demand
    assert doctor is not None and all(source.official for source in doctor.sources)


def test_without_demand_nothing_is_flagged_and_the_catalogue_is_untouched() -> None:
    plain = load_catalogue(demand=False)
    assert not any(o.regional_demand for o in plain.occupations)
    merged = plain.with_demand(load_demand())
    assert merged.by_id["welder"].regional_demand
    assert not plain.by_id["welder"].regional_demand and plain.demand is None
    assert merged.with_demand(None).by_id["welder"].regional_demand is False


# --- a region's own files --------------------------------------------------------------------

MINIMAL: dict[str, Any] = {
    "format": "profdiag-occupations/1",
    "id": "region-demo",
    "version": "1.0",
    "title": {"ru": "Демо", "en": "Demo"},
    "region": "Demo region",
    "attribution": {"ru": "Атрибуция O*NET", "en": "O*NET attribution"},
    "sources": [{"id": "src", "citation": "A test source."}],
    "occupations": [
        {
            "id": "welder",
            "title": {"ru": "Сварщик"},
            "riasec": "RC",
            "riasec_source": "onet",
            "ddo": ["technique"],
            "education": ["short_course", "college"],
            "programmes": [
                {"level": "spo", "code": "15.01.05", "title": {"ru": "Сварщик"}},
                {"level": "po", "code": None, "title": {"ru": "Электрогазосварщик"}},
            ],
            "onet_soc": "51-4121.06",
            "onet_title": "Welders, Cutters, and Welder Fitters",
            "onet_match": "close",
            "interests": {"R": 7.0, "I": 2.33, "A": 1.0, "S": 1.0, "E": 1.67, "C": 3.33},
            "restrictions": {"min_age": None, "medical_examination": True, "note": None},
            "rotational": False,
            "sources": ["src"],
        },
        {
            "id": "nurse",
            "title": {"ru": "Медицинская сестра"},
            "riasec": "SIC",
            "riasec_source": "analogy",
            "ddo": ["human"],
            "education": ["college"],
            "onet_match": "none",
            "sources": ["src"],
            "note": "No analogue in this test.",
        },
    ],
}

DEMAND: dict[str, Any] = {
    "format": "profdiag-demand/1",
    "id": "demo-demand",
    "version": "1.0",
    "title": {"ru": "Спрос"},
    "region": "Demo region",
    "catalogue": "region-demo",
    "sources": [
        {"id": "dept", "citation": "A department's list.", "date": "2025-03", "official": True}
    ],
    "flags": [{"occupation": "nurse", "sources": ["dept"]}],
}


def _occupation(index: int, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        document["occupations"][index][field] = value

    return mutate


def _same(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        twin = copy.deepcopy(document["occupations"][0])
        twin["id"] = "welder-2"
        twin[field] = value
        document["occupations"].append(twin)

    return mutate


MALFORMED = [
    pytest.param(
        _occupation(1, "id", "welder"), "$.occupations[1].id", "unique", id="duplicate-id"
    ),
    pytest.param(
        _occupation(1, "sources", ["src", "nowhere"]),
        "$.occupations[1].sources[1]",
        "$.sources",
        id="unknown-source-id",
    ),
    pytest.param(
        _occupation(0, "riasec", "RRX"), "$.occupations[0].riasec", "RIASEC", id="bad-riasec"
    ),
    pytest.param(
        _occupation(0, "riasec", "RRI"),
        "$.occupations[0].riasec",
        "different",
        id="repeated-letter",
    ),
    pytest.param(
        _occupation(1, "ddo", ["people"]),
        "$.occupations[1].ddo[0]",
        "'human'",
        id="unknown-ddo-type",
    ),
    pytest.param(
        _occupation(0, "restrictions", {"min_age": 200, "medical_examination": True}),
        "$.occupations[0].restrictions.min_age",
        "65",
        id="min-age-200",
    ),
    pytest.param(
        _occupation(0, "restrictions", {"min_age": None, "medical_examination": False}),
        "$.occupations[0].restrictions",
        "a minimum age, a medical examination or a note",
        id="empty-restrictions",
    ),
    pytest.param(
        _occupation(0, "interests", {"R": 8.0, "I": 1, "A": 1, "S": 1, "E": 1, "C": 1}),
        "$.occupations[0].interests.R",
        "7",
        id="rating-above-7",
    ),
    pytest.param(
        _occupation(0, "interests", {"R": 7.0, "I": 1, "A": 1, "S": 1, "E": 1}),
        "$.occupations[0].interests.C",
        "required",
        id="five-ratings",
    ),
    pytest.param(
        _occupation(0, "onet_soc", "51-4121"),
        "$.occupations[0].onet_soc",
        "an O*NET-SOC code such as 17-2171.00",
        id="short-onet-code",
    ),
    pytest.param(
        _occupation(0, "onet_match", "none"),
        "$.occupations[0]",
        "'onet_soc': null exactly when 'onet_match' is 'none'",
        id="none-with-code",
    ),
    pytest.param(
        _occupation(1, "riasec_source", "onet"),
        "$.occupations[1]",
        "'analogy' when there are no O*NET 'interests'",
        id="onet-code-without-ratings",
    ),
    pytest.param(
        _occupation(0, "riasec_source", "analogy"),
        "$.occupations[0]",
        "'riasec_source': 'onet'",
        id="analogy-despite-ratings",
    ),
    pytest.param(
        _occupation(1, "note", None),
        "$.occupations[1]",
        "a 'note' saying why",
        id="none-without-reason",
    ),
    pytest.param(
        _occupation(0, "education", ["short_course"]),
        "$.occupations[0]",
        "'college'",
        id="spo-programme-without-college-route",
    ),
    pytest.param(
        _occupation(0, "programmes", [{"level": "spo", "code": "44.03.01", "title": {"ru": "X"}}]),
        "$.occupations[0].programmes[0]",
        "01 or 02",
        id="vo-code-as-spo",
    ),
    pytest.param(
        _occupation(0, "regional_demand", True),
        "$.occupations[0].regional_demand",
        "demand file",
        id="inline-demand-flag",
    ),
    pytest.param(
        _same("riasec", "RCI"),
        "$.occupations[2].riasec",
        "same O*NET analogue 51-4121.06",
        id="same-analogue-other-code",
    ),
    pytest.param(
        _same("interests", {"R": 6.0, "I": 2.33, "A": 1.0, "S": 1.0, "E": 1.67, "C": 3.33}),
        "$.occupations[2].interests",
        "$.occupations[0] (welder)",
        id="same-analogue-other-ratings",
    ),
]


def _write(tmp_path: Path, document: dict[str, Any], name: str = "region-catalogue.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_minimal_regional_catalogue_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, MINIMAL))
    assert [o.id for o in catalogue.occupations] == ["welder", "nurse"]
    # The bundled demand file is written for the bundled catalogue, not for this one.
    assert catalogue.demand is None and not any(o.regional_demand for o in catalogue.occupations)
    welder = catalogue.by_id["welder"]
    assert welder.interests is not None and welder.interests.as_tuple()[0] == 7.0


@pytest.mark.parametrize(("mutate", "json_path", "expected"), MALFORMED)
def test_malformed_regional_catalogue_is_reported(
    tmp_path: Path,
    mutate: Callable[[dict[str, Any]], None],
    json_path: str,
    expected: str,
) -> None:
    document = copy.deepcopy(MINIMAL)
    mutate(document)
    path = _write(tmp_path, document)

    with pytest.raises(DocumentError) as caught:
        load_catalogue(path)

    _assert_reported(caught.value, path, json_path, expected)


def _assert_reported(error: DocumentError, path: Path, json_path: str, expected: str) -> None:
    assert type(error) is DocumentError  # a catalogue is not an instrument definition
    assert "problem(s) in the document" in str(error)
    assert error.source == str(path)
    assert str(path) in str(error)
    matching = [problem for problem in error.problems if problem.path == json_path]
    assert matching, [problem.describe() for problem in error.problems]
    assert any(expected in problem.expected for problem in matching), [p.expected for p in matching]
    assert json_path in str(error)


def test_catalogue_without_attribution_is_refused_when_it_carries_onet_data(
    tmp_path: Path,
) -> None:
    document = copy.deepcopy(MINIMAL)
    del document["attribution"]
    path = _write(tmp_path, document)
    with pytest.raises(DocumentError) as caught:
        load_catalogue(path)
    _assert_reported(caught.value, path, "$.attribution", "O*NET's attribution")


def test_region_demand_file_is_merged(tmp_path: Path) -> None:
    catalogue_path = _write(tmp_path, MINIMAL)
    demand_path = _write(tmp_path, DEMAND, "demand.json")
    catalogue = load_catalogue(catalogue_path, demand=demand_path)
    nurse = catalogue.by_id["nurse"]
    assert nurse.regional_demand and not catalogue.by_id["welder"].regional_demand
    assert nurse.demand is not None and nurse.demand.date == "2025-03"
    assert nurse.demand.year == 2025 and nurse.demand.sources[0].official
    assert catalogue.demand is not None and catalogue.demand.id == "demo-demand"
    same = load_catalogue(catalogue_path, demand=RegionalDemand.model_validate(DEMAND))
    assert [o.regional_demand for o in same.occupations] == [False, True]


def _flag(index: int, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        document["flags"][index][field] = value

    return mutate


def _source(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        if value is None:
            del document["sources"][0][field]
        else:
            document["sources"][0][field] = value

    return mutate


def _top(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        document[field] = value

    return mutate


MALFORMED_DEMAND = [
    pytest.param(
        _flag(0, "occupation", "nurses"),
        "$.flags[0].occupation",
        "an occupation in catalogue 'region-demo'",
        id="unknown-occupation",
    ),
    pytest.param(
        _top("catalogue", "profdiag-occupations-ru"),
        "$.catalogue",
        "'region-demo'",
        id="other-catalogue",
    ),
    pytest.param(_source("date", None), "$.sources[0].date", "required", id="undated-source"),
    pytest.param(_source("date", "2025-13"), "$.sources[0].date", "real date", id="month-13"),
    pytest.param(_source("date", "March 2025"), "$.sources[0].date", "2024", id="free-date"),
    pytest.param(
        _flag(0, "sources", ["dept", "blog"]),
        "$.flags[0].sources[1]",
        "$.sources",
        id="unknown-source",
    ),
    pytest.param(_flag(0, "sources", []), "$.flags[0].sources", "at least 1", id="no-source"),
    pytest.param(
        _top("flags", [DEMAND["flags"][0], DEMAND["flags"][0]]),
        "$.flags[1].occupation",
        "flagged once",
        id="flagged-twice",
    ),
]


@pytest.mark.parametrize(("mutate", "json_path", "expected"), MALFORMED_DEMAND)
def test_malformed_demand_file_is_reported(
    tmp_path: Path,
    mutate: Callable[[dict[str, Any]], None],
    json_path: str,
    expected: str,
) -> None:
    document = copy.deepcopy(DEMAND)
    mutate(document)
    catalogue_path = _write(tmp_path, MINIMAL)
    demand_path = _write(tmp_path, document, "demand.json")

    with pytest.raises(DocumentError) as caught:
        load_catalogue(catalogue_path, demand=demand_path)

    _assert_reported(caught.value, demand_path, json_path, expected)


def test_unknown_occupation_in_demand_suggests_the_nearest_id(tmp_path: Path) -> None:
    document = copy.deepcopy(DEMAND)
    document["flags"][0]["occupation"] = "bus-drivers"
    path = _write(tmp_path, document | {"catalogue": "profdiag-occupations-ru"}, "demand.json")
    with pytest.raises(DocumentError) as caught:
        load_catalogue(demand=path)
    assert "did you mean 'bus-driver'?" in str(caught.value)
