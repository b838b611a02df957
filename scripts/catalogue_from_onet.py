"""Fill the occupation catalogue's O*NET fields from the O*NET data files (authoring time only).

For every occupation with an `onet_soc`, copies from O*NET:

- `onet_title`: the occupation's title in occupation_data.csv;
- `interests`: the six Occupational Interest (OI) ratings in interests.csv, exactly as
  published, as {"R": ..., "I": ..., "A": ..., "S": ..., "E": ..., "C": ...};
- `riasec`, when `riasec_source` is "onet": the Interest High-Points (IH: first, second,
  third; 1 = R ... 6 = C, 0 = none) as letters.

Occupations without an analogue get `onet_title` and `interests` null. The catalogue is then
checked with profdiag's own model and rewritten with a fixed key order, so running the
script twice changes nothing. CI does not run it: the O*NET files are not part of the
repository (see ../shared/data/onet/README.md for their version and licence).

    PYTHONPATH=src python scripts/catalogue_from_onet.py            # rewrite the catalogue
    PYTHONPATH=src python scripts/catalogue_from_onet.py --check    # exit 1 if it would change
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOGUE = ROOT / "occupations" / "profdiag-occupations-ru.json"
DEFAULT_ONET = ROOT.parent / "shared" / "data" / "onet"
LETTERS = "RIASEC"
ELEMENTS = ("Realistic", "Investigative", "Artistic", "Social", "Enterprising", "Conventional")
HIGH_POINTS = (
    "First Interest High-Point",
    "Second Interest High-Point",
    "Third Interest High-Point",
)
TOP_ORDER = ("format", "id", "version", "title", "region", "attribution", "sources")
OCCUPATION_ORDER = (
    "id",
    "title",
    "riasec",
    "riasec_source",
    "ddo",
    "education",
    "programmes",
    "onet_soc",
    "onet_title",
    "onet_match",
    "interests",
    "restrictions",
    "rotational",
    "sources",
    "note",
)


class AuthoringError(Exception):
    """The catalogue and the O*NET files disagree in a way only an author can settle."""


def read_titles(folder: Path) -> dict[str, str]:
    """O*NET-SOC code -> title, from occupation_data.csv."""
    with (folder / "occupation_data.csv").open(encoding="utf-8", newline="") as file:
        return {row["O*NET-SOC Code"]: row["Title"] for row in csv.DictReader(file)}


def read_interests(folder: Path) -> dict[str, tuple[dict[str, float], str]]:
    """O*NET-SOC code -> (the six OI ratings by letter, the IH code), from interests.csv."""
    ratings: dict[str, dict[str, float]] = {}
    high_points: dict[str, dict[str, int]] = {}
    with (folder / "interests.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            code, element, value = row["O*NET-SOC Code"], row["Element Name"], row["Data Value"]
            if row["Scale ID"] == "OI":
                ratings.setdefault(code, {})[LETTERS[ELEMENTS.index(element)]] = float(value)
            elif row["Scale ID"] == "IH":
                high_points.setdefault(code, {})[element] = int(float(value))
    result = {}
    for code, by_letter in ratings.items():
        points = [high_points[code][name] for name in HIGH_POINTS]
        letters = "".join(LETTERS[point - 1] for point in points if point)
        result[code] = ({letter: by_letter[letter] for letter in LETTERS}, letters)
    return result


def fill(
    document: dict[str, Any],
    titles: dict[str, str],
    interests: dict[str, tuple[dict[str, float], str]],
) -> list[str]:
    """Fill the O*NET fields of `document` in place; returns the RIASEC codes it changed."""
    problems = []
    changes = []
    for position, occupation in enumerate(document["occupations"]):
        where = f"$.occupations[{position}] ({occupation['id']})"
        code = occupation.get("onet_soc")
        if code is None:
            occupation["onet_title"] = None
            occupation["interests"] = None
            continue
        if code not in titles:
            problems.append(f"{where}: O*NET-SOC code {code} is not in occupation_data.csv")
            continue
        occupation["onet_title"] = titles[code]
        ratings, high_points = interests.get(code, (None, ""))
        occupation["interests"] = ratings
        if occupation.get("riasec_source") != "onet":
            if ratings is not None:
                problems.append(
                    f"{where}: O*NET has interest data for {code}; set riasec_source to 'onet'"
                )
            continue
        if ratings is None:
            problems.append(
                f"{where}: O*NET has no interest data for {code}; choose an analogue that has "
                "some, or set riasec_source to 'analogy' and explain the code in the note"
            )
            continue
        if occupation.get("riasec") != high_points:
            changes.append(f"{occupation['id']}: {occupation.get('riasec')} -> {high_points}")
            occupation["riasec"] = high_points
    if problems:
        raise AuthoringError("\n".join(problems))
    return changes


def canonical(document: dict[str, Any]) -> str:
    """The catalogue as JSON text with a fixed key order (unknown keys keep their place last)."""
    top = _ordered(document, (*TOP_ORDER, "occupations"))
    top["occupations"] = [_ordered(o, OCCUPATION_ORDER) for o in document["occupations"]]
    return json.dumps(top, ensure_ascii=False, indent=2) + "\n"


def _ordered(mapping: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    known = {key: mapping[key] for key in order if key in mapping}
    return known | {key: value for key, value in mapping.items() if key not in known}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--onet", type=Path, default=DEFAULT_ONET, help="folder of the CSVs")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 on changes")
    arguments = parser.parse_args(argv)

    before = arguments.catalogue.read_text(encoding="utf-8")
    document = json.loads(before)
    try:
        changes = fill(document, read_titles(arguments.onet), read_interests(arguments.onet))
    except (OSError, KeyError) as error:
        print(f"cannot read the O*NET files in {arguments.onet}: {error}", file=sys.stderr)
        return 2
    except AuthoringError as error:
        print(f"{arguments.catalogue}:\n{error}", file=sys.stderr)
        return 2
    after = canonical(document)

    from profdiag._instrument.loading import parse_document, validate
    from profdiag._profile.occupations import OccupationCatalogue
    from profdiag.errors import ProfdiagError

    try:
        source = str(arguments.catalogue)
        validate(OccupationCatalogue, parse_document(after, source), source)
    except ProfdiagError as error:
        print(f"the filled catalogue does not validate:\n{error}", file=sys.stderr)
        return 2

    for change in changes:
        print(f"riasec {change}")
    state = "unchanged" if after == before else "would change" if arguments.check else "rewritten"
    print(f"{len(changes)} RIASEC code(s) changed; {arguments.catalogue.name} {state}")
    if after == before:
        return 0
    if arguments.check:
        return 1
    arguments.catalogue.write_text(after, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
