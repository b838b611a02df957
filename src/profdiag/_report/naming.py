"""File names for report PDFs: one per profile, never two the same within a batch.

A name is ``<id>-<audience>-<language>.pdf``. The id part is the respondent id in NFC,
with every run of characters other than letters, digits, ``_``, ``.`` and ``-`` replaced
by ``_``, and leading or trailing ``.``, ``_`` and ``-`` removed (``respondent`` if
nothing is left). An id part over `MAX_ID_BYTES` bytes of UTF-8 is cut and given a short
hash of the whole id, so that long ids stay distinct and the name stays a valid file
name (at most 255 bytes).

Within a batch, names are compared without regard to case (as macOS and Windows file
systems compare them). When the name of an id is already taken by an earlier profile,
the profile gets the first free ``<id>-2``, ``<id>-3``, ... in input order, skipping
names that any profile of the batch gets on its own: so a profile is renamed only when
its own name collides, and the result depends only on the list of ids.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ID_BYTES = 120
"""The longest id part of a file name, in bytes of UTF-8 (file names may have 255)."""
_CUT_BYTES = 100
_UNSAFE = re.compile(r"[^\w.-]+", flags=re.UNICODE)


@dataclass(frozen=True)
class ReportName:
    """The file name a profile's report gets within a batch."""

    file_name: str
    renamed: bool
    """True when the respondent's own name was taken by an earlier profile of the batch,
    so a suffix (-2, -3, ...) was added."""
    same_as: int | None = None
    """For a renamed report: the index of the earlier profile that has the plain name."""


def id_part(respondent: str) -> str:
    """The file-name-safe form of a respondent id (see the module's docstring)."""
    normal = unicodedata.normalize("NFC", respondent)
    safe = _UNSAFE.sub("_", normal).strip("._-") or "respondent"
    encoded = safe.encode("utf-8")
    if len(encoded) <= MAX_ID_BYTES:
        return safe
    cut = encoded[:_CUT_BYTES].decode("utf-8", errors="ignore").rstrip("._-")
    digest = hashlib.sha256(respondent.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"{cut}~{digest[:12]}"


def report_file_names(respondents: Sequence[str], audience: str, language: str) -> list[ReportName]:
    """A distinct file name for each respondent id of a batch, in order (see above)."""
    suffix = f"-{audience}-{language}.pdf"
    parts = [id_part(respondent) for respondent in respondents]
    own = {part.casefold() for part in parts}
    first: dict[str, int] = {}
    taken: set[str] = set()
    names: list[ReportName] = []
    for index, part in enumerate(parts):
        key = part.casefold()
        if key not in taken:
            taken.add(key)
            first[key] = index
            names.append(ReportName(part + suffix, renamed=False))
            continue
        number = 2
        while (candidate := f"{part}-{number}".casefold()) in taken or candidate in own:
            number += 1
        taken.add(candidate)
        names.append(ReportName(f"{part}-{number}{suffix}", renamed=True, same_as=first[key]))
    return names
