"""Profiles as a JSON file ({"profiles": [...]}): the one writer and the one reader."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from profdiag._profile.model import Profile
from profdiag.errors import DefinitionProblem, DocumentError


def profiles_json(profiles: Sequence[Profile]) -> str:
    """The JSON text of a profiles file: ``{"profiles": [...]}``.

    Parameters
    ----------
    profiles
        Profiles from `build_profiles`.

    Returns
    -------
    str
        JSON that `read_profiles` reads back into equal profiles (write it with any
        writer; the CLI writes it atomically).

    Raises
    ------
    ValueError
        Never for profiles built by profdiag (their numbers are finite).

    Examples
    --------
    >>> from profdiag import ScoredInput, build_profiles, load_instrument, score
    >>> ddo = load_instrument("klimov-ddo")
    >>> sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
    >>> profiles = build_profiles([ScoredInput(ddo, score(ddo, sheet))])
    >>> import json
    >>> json.loads(profiles_json(profiles))["profiles"][0]["respondent"]
    '0'
    """
    documents = [profile.model_dump(mode="json") for profile in profiles]
    return json.dumps({"profiles": documents}, ensure_ascii=False, indent=1) + "\n"


def read_profiles(path: str | os.PathLike[str]) -> list[Profile]:
    """Profiles from a file written by :func:`profiles_json` (``profdiag profile``).

    Parameters
    ----------
    path
        A profiles file.

    Returns
    -------
    list of Profile
        In file order.

    Raises
    ------
    DocumentError
        The file cannot be read, is not JSON, is not ``{"profiles": [...]}``, or a profile
        does not fit the model; each problem names its JSON path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from profdiag import ScoredInput, build_profiles, load_instrument, score
    >>> ddo = load_instrument("klimov-ddo")
    >>> sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
    >>> profiles = build_profiles([ScoredInput(ddo, score(ddo, sheet))])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "profiles.json"
    >>> _ = path.write_text(profiles_json(profiles), encoding="utf-8")
    >>> read_profiles(path) == profiles
    True
    """
    from profdiag._instrument.loading import problems_from_validation, read_document

    source = str(path)
    document = read_document(Path(path))
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
