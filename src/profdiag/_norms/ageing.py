"""Norms that age: how old a norm group's data are on a given date, and when to warn.

The reference date is always passed in (reports and `describe` take it from their caller,
who may use today's date), so that what is printed can be tested for any date.
"""

from __future__ import annotations

import datetime

from profdiag.errors import ArgumentError

DEFAULT_MAX_NORM_AGE = 10
"""Years after which norms count as outdated (docs/norms.md: why ten)."""


def norm_age(year: int | None, as_of: datetime.date) -> int | None:
    """Whole years from the norm year to `as_of`'s year; None when the year is unknown."""
    return None if year is None else as_of.year - year


def is_outdated(year: int | None, as_of: datetime.date, max_age: int) -> bool:
    """True when the norms are more than `max_age` years old on `as_of`."""
    age = norm_age(year, as_of)
    return age is not None and age > max_age


def check_max_age(max_age: int) -> int:
    if isinstance(max_age, bool) or not isinstance(max_age, int) or not 0 <= max_age <= 200:
        raise ArgumentError(
            f"the largest norm age: got {max_age!r}; expected a whole number of years, 0 to 200"
        )
    return max_age
