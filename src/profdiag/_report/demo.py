"""`profdiag demo`: bundled sample respondents -> profiles -> PDF reports."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from profdiag._instrument import load_bundled
from profdiag._io.answer_strings import expand_answer_strings
from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._profile.model import Profile, Session
from profdiag._profile.next_steps import load_next_steps
from profdiag._profile.occupations import load_catalogue

DEMO_FILE = "demo-respondents.json"


def demo_respondents() -> dict[str, Any]:
    packaged = resources.files("profdiag") / "examples" / DEMO_FILE
    path = Path(str(packaged))
    if not path.is_file():
        path = Path(__file__).resolve().parents[3] / "examples" / DEMO_FILE
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def demo_profiles(top: int = 8) -> list[Profile]:
    """Profiles of the bundled sample respondents on the RIASEC-72 inventory and the ДДО,
    with the session's facts and the bundled (Tyumen) next steps."""
    document = demo_respondents()
    people = document["respondents"]
    session = Session.model_validate(document.get("session", {}))
    riasec = load_bundled("profdiag-riasec-72")
    ddo = load_bundled("klimov-ddo")
    sheets, problems = expand_answer_strings(ddo, [p["klimov-ddo"] for p in people], "klimov-ddo")
    assert not problems, problems
    attributes = {"sex": [p["sex"] for p in people], "age": [p["age"] for p in people]}
    inputs = [
        ProfileInput(riasec, [p["profdiag-riasec-72"] for p in people], attributes=attributes),
        ProfileInput(ddo, sheets, attributes=attributes),
    ]
    profiles = build_profiles(
        inputs,
        catalogue=load_catalogue(),
        top=top,
        names=[p["name"] for p in people],
        given_names=[p.get("given_name") for p in people],
        stage=[p.get("stage") for p in people],
        sessions=[session.model_copy(update={"date": p.get("date")}) for p in people],
        next_steps=load_next_steps(),
    )
    return [
        profile.model_copy(update={"respondent": person["id"]})
        for profile, person in zip(profiles, people, strict=True)
    ]
