"""Profiles as a JSON file ({"profiles": [...]}): the one writer and the one reader."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from profdiag._profile.model import Profile
from profdiag.errors import DefinitionProblem, DocumentError, InstrumentError


def profiles_json(profiles: Sequence[Profile]) -> str:
    """The JSON text of a profiles file: ``{"profiles": [...]}``, UTF-8, one key per line."""
    documents = [profile.model_dump(mode="json") for profile in profiles]
    return json.dumps({"profiles": documents}, ensure_ascii=False, indent=1) + "\n"


def read_profiles(path: str | os.PathLike[str]) -> list[Profile]:
    """Profiles from a file written by :func:`profiles_json` (``profdiag profile``).

    Raises
    ------
    DocumentError
        The file cannot be read, is not JSON, is not ``{"profiles": [...]}``, or a profile
        does not fit the model; each problem names its JSON path.
    """
    from profdiag._instrument.loading import problems_from_validation, read_document

    source = str(path)
    try:
        document = read_document(Path(path))
    except InstrumentError as error:  # the JSON reader's errors are not about an instrument
        raise DocumentError(error.source, error.problems) from None
    if not isinstance(document, dict) or not isinstance(document.get("profiles"), list):
        shape = type(document).__name__ if not isinstance(document, dict) else "object"
        raise DocumentError(
            source,
            [DefinitionProblem("$.profiles", shape, 'an object {"profiles": [...]}')],
        )
    profiles = []
    problems: list[DefinitionProblem] = []
    for position, item in enumerate(document["profiles"]):
        try:
            profiles.append(Profile.model_validate(item))
        except ValidationError as error:
            for problem in problems_from_validation(error):
                problems.append(
                    DefinitionProblem(
                        problem.path.replace("$", f"$.profiles[{position}]", 1),
                        problem.value,
                        problem.expected,
                    )
                )
    if problems:
        raise DocumentError(source, problems)
    return profiles
