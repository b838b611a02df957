"""Write examples/cohort-intentions.csv: a synthetic cohort (made up, seeded) answering the
profdiag intentions survey, for `profdiag cohort` and docs/samples/cohort-ru.pdf.

Four municipalities of the south of the Tyumen region, eleven schools, two survey years,
grades 9 and 11; two schools have fewer than 5 pupils in a year (they merge into "other"),
and one village school takes part only in 2026. Route and field of work shift between the
years (more college, more IT) so that the trend charts have something to show.

    python examples/make_cohort.py            # writes examples/cohort-intentions.csv
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20261130
OUT = Path(__file__).with_name("cohort-intentions.csv")

SCHOOLS = {  # municipality -> school -> pupils per year (2025, 2026)
    "Тюмень": {"Лицей 1": (60, 64), "Школа 5": (48, 45), "Гимназия 21": (52, 55)},
    "Ишим": {"Школа 2": (40, 38), "Школа 7": (30, 33), "Малая школа": (3, 4)},
    "Тобольск": {"Школа 9": (36, 39), "Школа 13": (28, 26), "Хуторская школа": (2, 3)},
    "Вагай": {"Вагайская школа": (12, 14), "Сельская школа": (0, 6)},
}
ROUTES = ["grade10", "college", "university", "course", "work", "military", "other", "undecided"]
ROUTE_P = {
    "2025": [0.30, 0.22, 0.24, 0.03, 0.04, 0.03, 0.02, 0.12],
    "2026": [0.27, 0.28, 0.23, 0.03, 0.03, 0.03, 0.02, 0.11],
}
FIELDS = [
    "industry",
    "construction",
    "transport",
    "it",
    "science",
    "agriculture",
    "health",
    "education",
    "social",
    "economy",
    "business",
    "law_security",
    "services",
    "arts_media",
    "sport",
    "undecided",
]
PLACES = ["tyumen", "region_town", "north", "yekaterinburg", "other_region", "abroad", "undecided"]
SOURCES = [
    "family",
    "friends",
    "teachers",
    "counsellor",
    "employment_centre",
    "colleges_sites",
    "career_platforms",
    "job_sites",
    "social_media",
    "employers",
]
SOURCE_P = [0.7, 0.4, 0.35, 0.12, 0.04, 0.3, 0.25, 0.1, 0.45, 0.08]
EVENTS = [
    "career_lessons",
    "bilet",
    "work_samples",
    "excursions",
    "open_days",
    "championships",
    "fairs",
    "consultation",
]
EVENT_P = [0.6, 0.35, 0.2, 0.25, 0.3, 0.08, 0.15, 0.1]
HELP = [
    "info_education",
    "info_labour",
    "testing",
    "counselling",
    "try_out",
    "meet_professionals",
    "exams",
    "temporary_work",
]
HELP_P = [0.35, 0.3, 0.25, 0.15, 0.3, 0.2, 0.3, 0.2]
COLUMNS = [
    "id",
    "year",
    "municipality",
    "school",
    "grade",
    "route",
    "route_other",
    "field",
    "field_other",
    "place",
    *(f"d{i}" for i in range(1, 9)),
    "sources",
    "sources_other",
    "events",
    "help",
    "help_other",
]


def choose_some(
    rng: np.random.Generator, codes: list[str], p: list[float], none: str, most: int = 99
) -> str:
    chosen = [code for code, share in zip(codes, p, strict=True) if rng.random() < share]
    return ";".join(chosen[:most]) if chosen else none


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = []
    for y, year in enumerate(("2025", "2026")):
        for municipality, schools in SCHOOLS.items():
            for school, sizes in schools.items():
                for _ in range(sizes[y]):
                    grade = "9" if rng.random() < 0.6 else "11"
                    p = np.array(ROUTE_P[year])
                    if grade == "11":
                        p[0] = 0.0
                    route = ROUTES[int(rng.choice(len(ROUTES), p=p / p.sum()))]
                    field_p = np.ones(len(FIELDS))
                    field_p[FIELDS.index("it")] += 1.0 if year == "2026" else 0.5
                    field = FIELDS[int(rng.choice(len(FIELDS), p=field_p / field_p.sum()))]
                    decided = route != "undecided" and field != "undecided"
                    level = rng.normal(3.6 if decided else 2.6, 0.6)
                    answers = []
                    for item in range(1, 9):
                        value = level if item not in (2, 5, 7) else 6 - level
                        answers.append(str(int(np.clip(round(value + rng.normal(0, 0.7)), 1, 5))))
                    rows.append(
                        {
                            "id": f"{year}-{len(rows) + 1:04d}",
                            "year": year,
                            "municipality": municipality,
                            "school": school,
                            "grade": grade,
                            "route": route,
                            "route_other": "волонтёрство" if route == "other" else "",
                            "field": field,
                            "field_other": "",
                            "place": PLACES[int(rng.integers(len(PLACES)))],
                            **{f"d{i}": a for i, a in enumerate(answers, start=1)},
                            "sources": choose_some(rng, SOURCES, SOURCE_P, "none"),
                            "sources_other": "",
                            "events": choose_some(rng, EVENTS, EVENT_P, "none"),
                            "help": choose_some(rng, HELP, HELP_P, "no_help", most=3),
                            "help_other": "",
                        }
                    )
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} pupils)")


if __name__ == "__main__":
    main()
