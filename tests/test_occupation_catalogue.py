"""The bundled occupation catalogue (occupations/profdiag-occupations-ru.json) and the checks
that a region's own catalogue file goes through.

The balance thresholds below are requirements on the catalogue's content: when one fails, fix
the catalogue (add or re-code occupations), do not lower the number.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from profdiag.errors import InstrumentError
from profdiag.profile.occupations import (
    DDO_TYPES,
    RIASEC,
    OccupationCatalogue,
    load_catalogue,
)

BUNDLED_FILE = Path(__file__).parents[1] / "occupations" / "profdiag-occupations-ru.json"
ROUTES = ("short_course", "college", "university")
# Sources that say nothing about the regional labour market (titles, codes, education routes).
GENERAL_SOURCES = {"onet", "okz", "okpdtr", "spo-list", "profstandards"}

MIN_OCCUPATIONS = 200
MIN_FIRST_RIASEC_LETTER = 15
MIN_FIRST_DDO_TYPE = 20
MIN_PER_ROUTE = 30
MIN_REGIONAL_DEMAND = 40


@pytest.fixture(scope="module")
def catalogue() -> OccupationCatalogue:
    return load_catalogue()


def test_bundled_catalogue_loads(catalogue: OccupationCatalogue) -> None:
    assert catalogue.id == "profdiag-occupations-ru"
    assert catalogue.version == "1.0.0"
    assert catalogue.region == "Тюменская область (Tyumen region), Russia"
    assert catalogue.title.ru and catalogue.title.en


def test_bundled_file_loads_by_path_too() -> None:
    by_path = load_catalogue(BUNDLED_FILE)
    assert [o.id for o in by_path.occupations] == [o.id for o in load_catalogue().occupations]


def test_catalogue_is_large_enough(catalogue: OccupationCatalogue) -> None:
    assert len(catalogue.occupations) >= MIN_OCCUPATIONS


def test_ids_are_unique_lower_case_latin(catalogue: OccupationCatalogue) -> None:
    raw = json.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
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


def test_ddo_types_are_not_repeated(catalogue: OccupationCatalogue) -> None:
    assert [o.id for o in catalogue.occupations if len(set(o.ddo)) != len(o.ddo)] == []


@pytest.mark.parametrize("route", ROUTES)
def test_every_education_route_is_well_represented(
    catalogue: OccupationCatalogue, route: str
) -> None:
    count = sum(route in o.education for o in catalogue.occupations)
    assert count >= MIN_PER_ROUTE


def test_enough_occupations_in_regional_demand(catalogue: OccupationCatalogue) -> None:
    assert sum(o.regional_demand for o in catalogue.occupations) >= MIN_REGIONAL_DEMAND


def test_demand_flags_are_backed_by_a_regional_source(catalogue: OccupationCatalogue) -> None:
    """A demand flag cites a labour-market source; an occupation without the flag cites none."""
    wrong = [
        o.id
        for o in catalogue.occupations
        if o.regional_demand != bool(set(o.sources) - GENERAL_SOURCES)
    ]
    assert wrong == []


def test_every_riasec_code_says_where_it_comes_from(catalogue: OccupationCatalogue) -> None:
    """Codes are assigned by analogy with O*NET occupations; each note names them."""
    unexplained = [
        o.id
        for o in catalogue.occupations
        if "onet" not in o.sources or not o.note or "by analogy with O*NET" not in o.note
    ]
    assert unexplained == []


def test_onet_counterpart_is_named_in_the_note(catalogue: OccupationCatalogue) -> None:
    wrong = [
        o.id
        for o in catalogue.occupations
        if o.onet_soc is not None and o.onet_soc not in (o.note or "")
    ]
    assert wrong == []


# --- malformed regional catalogues ---------------------------------------------------------

MINIMAL: dict[str, Any] = {
    "format": "profdiag-occupations/1",
    "id": "region-demo",
    "version": "1.0",
    "title": {"ru": "Демо", "en": "Demo"},
    "region": "Demo region",
    "sources": [{"id": "src", "citation": "A test source."}],
    "occupations": [
        {
            "id": "welder",
            "title": {"ru": "Сварщик"},
            "riasec": "RCI",
            "ddo": ["technique"],
            "education": ["short_course", "college"],
            "regional_demand": True,
            "sources": ["src"],
        },
        {
            "id": "nurse",
            "title": {"ru": "Медицинская сестра"},
            "riasec": "SIC",
            "ddo": ["human"],
            "education": ["college"],
            "regional_demand": False,
            "sources": ["src"],
        },
    ],
}


def _set(index: int, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        document["occupations"][index][field] = value

    return mutate


MALFORMED = [
    pytest.param(_set(1, "id", "welder"), "$.occupations[1].id", "unique", id="duplicate-id"),
    pytest.param(
        _set(1, "sources", ["src", "nowhere"]),
        "$.occupations[1].sources[1]",
        "$.sources",
        id="unknown-source-id",
    ),
    pytest.param(_set(0, "riasec", "RRX"), "$.occupations[0].riasec", "RIASEC", id="bad-riasec"),
    pytest.param(
        _set(0, "riasec", "RRI"), "$.occupations[0].riasec", "different", id="repeated-letter"
    ),
    pytest.param(
        _set(1, "ddo", ["people"]), "$.occupations[1].ddo[0]", "'human'", id="unknown-ddo-type"
    ),
]


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "region-catalogue.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_minimal_regional_catalogue_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, MINIMAL))
    assert [o.id for o in catalogue.occupations] == ["welder", "nurse"]


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

    with pytest.raises(InstrumentError) as caught:
        load_catalogue(path)

    error = caught.value
    assert error.source == str(path)
    assert str(path) in str(error)
    matching = [problem for problem in error.problems if problem.path == json_path]
    assert matching, [problem.path for problem in error.problems]
    assert any(expected in problem.expected for problem in matching)
    assert json_path in str(error)
