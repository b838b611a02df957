"""Which column names look like direct identifiers of a person (152-ФЗ personal data
that names someone by itself: name, birth date, phone, address, document numbers).

A name is normalised before it is compared: lower case, ё read as е, every run of
characters other than letters and digits (spaces, '_', '-', '.', '/') read as one space,
and camelCase split ("birthDate" reads as "birth date"). A name *is* a direct identifier
when the whole normalised name is on the list below; it *looks like* one when any run of
its words is (so "parent_phone" and "Фамилия ученика" look like identifiers). A name
that only looks like one may be a false alarm ("school_name"): callers refuse it until
the user says to keep or drop it, and never drop it silently.
"""

from __future__ import annotations

import re

__all__ = ["DIRECT_IDENTIFIERS", "is_direct_identifier", "looks_like_direct_identifier"]

DIRECT_IDENTIFIERS: frozenset[str] = frozenset(
    {
        # names
        "фио",
        "ф и о",
        "fio",
        "name",
        "full name",
        "fullname",
        "first name",
        "firstname",
        "given name",
        "last name",
        "lastname",
        "family name",
        "surname",
        "middle name",
        "patronymic",
        "фамилия",
        "имя",
        "отчество",
        "фамилия имя отчество",
        # birth date
        "birth date",
        "birthdate",
        "date of birth",
        "dob",
        "birthday",
        "дата рождения",
        "др",
        # contacts
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "tel",
        "телефон",
        "тел",
        "мобильный",
        "address",
        "home address",
        "адрес",
        "адрес проживания",
        "email",
        "e mail",
        "mail",
        "эл почта",
        "электронная почта",
        "почта",
        # documents and numbers that name one person
        "snils",
        "снилс",
        "passport",
        "паспорт",
        "inn",
        "инн",
        "oms",
        "полис",
        "полис омс",
        "birth certificate",
        "свидетельство о рождении",
    }
)

# Words that make a longer name look like an identifier. Short ambiguous words ("mail",
# "tel", "др") count only as whole names or in the phrases above; "name" and "имя" count
# unless the name is one of _NOT_PERSONS (a false alarm is a refusal the user can lift,
# a miss is a name in a research export).
_TELLING_WORDS: frozenset[str] = frozenset(
    {
        "name",
        "имя",
        "почта",
        "мобильный",
        "фио",
        "fio",
        "surname",
        "lastname",
        "firstname",
        "fullname",
        "patronymic",
        "фамилия",
        "отчество",
        "birthdate",
        "birthday",
        "dob",
        "phone",
        "telephone",
        "телефон",
        "address",
        "адрес",
        "email",
        "snils",
        "снилс",
        "passport",
        "паспорт",
        "инн",
    }
)
_NOT_PERSONS: frozenset[str] = frozenset(
    {
        "school name",
        "class name",
        "org name",
        "organisation name",
        "organization name",
        "municipality name",
        "instrument name",
        "scale name",
        "item name",
        "test name",
        "file name",
        "имя файла",
    }
)
_PHRASES = tuple(phrase.split() for phrase in DIRECT_IDENTIFIERS if " " in phrase)

_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
_SEPARATORS = re.compile(r"[^0-9a-zа-я]+")


def normalise_name(name: str) -> str:
    """A column name as it is compared: see the module docstring."""
    split = _CAMEL.sub(" ", name)
    lowered = split.lower().replace("ё", "е")
    return _SEPARATORS.sub(" ", lowered).strip()


def is_direct_identifier(name: str) -> bool:
    """Whether the whole normalised `name` is one of `DIRECT_IDENTIFIERS`."""
    return normalise_name(name) in DIRECT_IDENTIFIERS


def looks_like_direct_identifier(name: str) -> bool:
    """Whether a column called `name` looks like it holds a direct identifier of a person.

    True when the normalised name is on the list of direct identifiers, holds one of its
    telling words (phone, адрес, снилс, ...), or holds one of its phrases ("first name",
    "дата рождения") as consecutive words.

    Parameters
    ----------
    name
        A column name, in any case and spelling of separators.

    Returns
    -------
    bool
        True for names such as "ФИО", "Last_Name", "birthDate", "parent phone",
        "Дата рождения", "СНИЛС ученика", "student_name"; False for "school", "grade",
        "R1", "school_name".

    Raises
    ------
    TypeError
        `name` is not a string.

    Examples
    --------
    >>> from profdiag import looks_like_direct_identifier
    >>> [looks_like_direct_identifier(n) for n in ("ФИО", "birthDate", "parent_phone")]
    [True, True, True]
    >>> [looks_like_direct_identifier(n) for n in ("school", "grade", "R1")]
    [False, False, False]
    """
    if not isinstance(name, str):
        raise TypeError(f"a column name is text, not {type(name).__name__}")
    normalised = normalise_name(name)
    if normalised in DIRECT_IDENTIFIERS:
        return True
    if normalised in _NOT_PERSONS:
        return False
    words = normalised.split()
    if any(word in _TELLING_WORDS for word in words):
        return True
    return any(
        words[start : start + len(phrase)] == phrase
        for phrase in _PHRASES
        for start in range(len(words) - len(phrase) + 1)
    )
