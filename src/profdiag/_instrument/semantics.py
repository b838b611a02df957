"""Checks that span fields of an instrument: references, duplicates, ranges, overlaps.

Each check yields every problem it finds with its JSON path, so one run of `validate`
shows an author everything to fix.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from profdiag._instrument.model import (
    MAX_MAGNITUDE,
    BinaryFormat,
    CategoricalFormat,
    ForcedChoiceFormat,
    GapHandling,
    Instrument,
    Item,
    LikertFormat,
    LocalizedText,
    MultipleChoiceFormat,
    MultipleSelectFormat,
    NumericFormat,
    Scale,
    Selector,
    SurveyFormat,
    SurveyOption,
    TextFormat,
    TextStatus,
)
from profdiag.errors import DefinitionProblem, json_path


def find_problems(instrument: Instrument) -> list[DefinitionProblem]:
    checks = (
        _code_rule,
        _duplicate_ids,
        _formats,
        _items,
        _survey_items,
        _scales,
        _text_status,
        _norms,
        _irt,
    )
    return [problem for check in checks for problem in check(instrument)]


def _problem(path: tuple[str | int, ...], value: object, expected: str) -> DefinitionProblem:
    return DefinitionProblem(json_path(path), value, expected)


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


def _code_rule(instrument: Instrument) -> Iterator[DefinitionProblem]:
    rule = instrument.code_rule
    if rule is None:
        return
    base = ("code_rule",)
    for scale_id in rule.letters:
        if scale_id not in instrument.scale_index:
            yield _problem((*base, "letters", scale_id), scale_id, "the id of a scale in $.scales")
    if rule.kind == "riasec":
        letters = sorted(rule.letters.values())
        if letters != sorted("RIASEC"):
            yield _problem(
                (*base, "letters"),
                rule.letters,
                "six scales, one for each of the letters R, I, A, S, E, C",
            )
    elif rule.letters:
        yield _problem((*base, "letters"), rule.letters, "no letters: they belong to kind riasec")
    for scale_id in rule.klimov_types:
        if scale_id not in instrument.scale_index:
            yield _problem(
                (*base, "klimov_types", scale_id), scale_id, "the id of a scale in $.scales"
            )
    if rule.klimov_types and (
        rule.kind != "leading"
        or sorted(rule.klimov_types.values())
        != sorted(("nature", "technique", "human", "sign", "art"))
    ):
        yield _problem(
            (*base, "klimov_types"),
            rule.klimov_types,
            "with kind leading: five scales, one for each Klimov type "
            "(nature, technique, human, sign, art)",
        )
    if rule.length > len(instrument.scales):
        yield _problem(
            (*base, "length"),
            rule.length,
            f"at most the number of scales ({len(instrument.scales)})",
        )


def _duplicate_ids(instrument: Instrument) -> Iterator[DefinitionProblem]:
    groups: dict[str, list[str]] = {
        "items": [item.id for item in instrument.items],
        "scales": [scale.id for scale in instrument.scales],
        "norms": [group.id for group in instrument.norms],
    }
    for field, ids in groups.items():
        repeated = _duplicates(ids)
        for position, entry_id in enumerate(ids):
            if entry_id in repeated:
                yield _problem((field, position, "id"), entry_id, f"an id unique among {field}")


def _formats(instrument: Instrument) -> Iterator[DefinitionProblem]:
    for name, fmt in instrument.response_formats.items():
        base: tuple[str | int, ...] = ("response_formats", name)
        if isinstance(fmt, LikertFormat | BinaryFormat):
            codes = {str(code) for code in fmt.codes}
            for label_key in fmt.labels:
                if label_key not in codes:
                    yield _problem(
                        (*base, "labels", label_key),
                        label_key,
                        f"a label keyed by one of the codes {sorted(codes)}",
                    )
            numbers = {float(code) for code in fmt.codes}
            for position, missing in enumerate(fmt.missing_codes):
                if missing in codes or _as_number(missing) in numbers:
                    yield _problem(
                        (*base, "missing_codes", position),
                        missing,
                        "a missing-value code that is not also an answer code",
                    )
        elif hasattr(fmt, "options"):
            spellings: list[str] = []
            for option in fmt.options:
                spellings += [option.code, *option.aliases]
            repeated = _duplicates(spellings) | (set(spellings) & set(fmt.missing_codes))
            option_numbers = {_as_number(spelling) for spelling in spellings} - {None}
            owner: dict[float, int] = {}
            for position, option in enumerate(fmt.options):
                for spelling in (option.code, *option.aliases):
                    number = _as_number(spelling)
                    if number is not None and owner.setdefault(number, position) != position:
                        yield _problem(
                            (*base, "options", position),
                            spelling,
                            f"a spelling that is not the same number as one of option "
                            f"{fmt.options[owner[number]].code!r} (numeric input could not "
                            "tell them apart)",
                        )
            for position, missing in enumerate(fmt.missing_codes):
                if missing not in repeated and _as_number(missing) in option_numbers:
                    yield _problem(
                        (*base, "missing_codes", position),
                        missing,
                        "a missing-value code that is not the same number as an option "
                        "code or alias",
                    )
            for position, option in enumerate(fmt.options):
                for spelling in (option.code, *option.aliases):
                    if spelling in repeated:
                        yield _problem(
                            (*base, "options", position),
                            spelling,
                            "option codes and aliases that are unique within the "
                            "format and distinct from its missing codes",
                        )


def _items(instrument: Instrument) -> Iterator[DefinitionProblem]:
    for position, item in enumerate(instrument.items):
        base: tuple[str | int, ...] = ("items", position)
        fmt = instrument.response_formats.get(item.format)
        if fmt is None:
            yield _problem(
                (*base, "format"),
                item.format,
                f"one of the declared response formats {sorted(instrument.response_formats)}",
            )
            continue
        options = [option.code for option in getattr(fmt, "options", ())]
        for code in item.option_texts:
            if code not in options:
                yield _problem(
                    (*base, "option_texts", code),
                    code,
                    f"one of the option codes {options}"
                    if options
                    else f"no option texts: {item.id!r} is {fmt.type}, without options",
                )
        if isinstance(fmt, MultipleChoiceFormat):
            codes = [option.code for option in fmt.options]
            if item.correct is None:
                yield _problem(
                    (*base, "correct"), None, "the correct option code(s) of a multiple-choice item"
                )
            for k, code in enumerate(item.correct or ()):
                if code not in codes:
                    yield _problem((*base, "correct", k), code, f"one of the option codes {codes}")
            for code in item.partial_credit:
                if code not in codes or code in (item.correct or ()):
                    yield _problem(
                        (*base, "partial_credit", code),
                        code,
                        f"an option code that is not correct, among {codes}",
                    )
        else:
            for key, value in (("correct", item.correct), ("partial_credit", item.partial_credit)):
                if value:
                    yield _problem(
                        (*base, key),
                        value,
                        f"no {key!r}: it belongs to multiple-choice items; {item.id!r} is "
                        f"{fmt.type}",
                    )


def _scales(instrument: Instrument) -> Iterator[DefinitionProblem]:
    for position, scale in enumerate(instrument.scales):
        base = ("scales", position)
        yield from _scale_entries(instrument, scale, base)
        yield from _scale_span(instrument, scale, base)
        yield from _missing_rule(instrument, scale, base)


def _scale_entries(
    instrument: Instrument, scale: Scale, base: tuple[str | int, ...]
) -> Iterator[DefinitionProblem]:
    repeated = _duplicates([entry.item for entry in scale.items])
    for k, entry in enumerate(scale.items):
        path = (*base, "items", k)
        if entry.item in repeated:
            yield _problem((*path, "item"), entry.item, "each item at most once in a scale")
        index = instrument.item_index.get(entry.item)
        if index is None:
            yield _problem((*path, "item"), entry.item, "the id of an item declared in $.items")
            continue
        item = instrument.items[index]
        fmt = instrument.response_formats.get(item.format)
        if fmt is None:
            continue
        if isinstance(fmt, SurveyFormat):
            yield _problem(
                (*path, "item"),
                entry.item,
                f"an item that can be scored; {item.id!r} is {fmt.type}, whose answers are "
                "categories or text: recorded for group reports, never summed into a scale",
            )
            continue
        if entry.reverse and instrument.item_range(item) is None:
            yield _problem(
                (*path, "reverse"),
                True,
                f"reverse keying only on items with a declared range; {item.id!r} "
                f"({fmt.type}) has none",
            )
        if entry.scores is not None:
            if not isinstance(fmt, CategoricalFormat):
                yield _problem(
                    (*path, "scores"),
                    entry.scores,
                    "an option-to-score map only for multiple-choice or forced-choice "
                    f"items; {item.id!r} is {fmt.type}",
                )
            else:
                codes = [option.code for option in fmt.options]
                for code in entry.scores:
                    if code not in codes:
                        yield _problem(
                            (*path, "scores", code), code, f"one of the option codes {codes}"
                        )
            if entry.reverse:
                yield _problem((*path, "reverse"), True, "either reverse or scores, not both")
        elif isinstance(fmt, ForcedChoiceFormat):
            yield _problem(
                (*path, "scores"),
                None,
                f"an option-to-score map: forced-choice item {item.id!r} has no value of its own",
            )


def _survey_items(instrument: Instrument) -> Iterator[DefinitionProblem]:
    """Nominal, multiple-select and text items: option flags that fit the format, links to
    'specify' text items, and indicator column names ("<item>.<code>") that are unique."""
    for name, fmt in instrument.response_formats.items():
        base: tuple[str | int, ...] = ("response_formats", name)
        for position, option in enumerate(getattr(fmt, "options", ())):
            if not isinstance(option, SurveyOption):
                continue
            if option.exclusive and not isinstance(fmt, MultipleSelectFormat):
                yield _problem(
                    (*base, "options", position, "exclusive"),
                    True,
                    "exclusive only in a multiple-select format (a nominal item has one "
                    "answer anyway)",
                )
            if isinstance(fmt, MultipleSelectFormat):
                for spelling in (option.code, *option.aliases):
                    if fmt.delimiter in spelling or spelling != spelling.strip():
                        yield _problem(
                            (*base, "options", position),
                            spelling,
                            f"a code without the delimiter {fmt.delimiter!r} and without "
                            "spaces around it",
                        )
            if option.specify is not None:
                index = instrument.item_index.get(option.specify)
                target = None if index is None else instrument.items[index]
                target_format = (
                    None if target is None else instrument.response_formats.get(target.format)
                )
                if not isinstance(target_format, TextFormat):
                    yield _problem(
                        (*base, "options", position, "specify"),
                        option.specify,
                        "the id of a text item (where the respondent says what 'other' is)",
                    )
        if (
            isinstance(fmt, MultipleSelectFormat)
            and fmt.max_selected is not None
            and fmt.max_selected > len(fmt.options)
        ):
            yield _problem(
                (*base, "max_selected"),
                fmt.max_selected,
                f"at most the number of options ({len(fmt.options)})",
            )
        if isinstance(fmt, MultipleSelectFormat) and fmt.delimiter.isalnum():
            yield _problem(
                (*base, "delimiter"), fmt.delimiter, "a character that is not a letter or digit"
            )
    ids = set(instrument.item_index)
    for position, item in enumerate(instrument.items):
        item_format = instrument.response_formats.get(item.format)
        if isinstance(item_format, MultipleSelectFormat):
            for option in item_format.options:
                column = f"{item.id}.{option.code}"
                if column in ids:
                    yield _problem(
                        ("items", position, "id"),
                        item.id,
                        f"an id whose option columns do not clash with other items: "
                        f"{column!r} is the id of another item",
                    )


def _missing_rule(
    instrument: Instrument, scale: Scale, base: tuple[str | int, ...]
) -> Iterator[DefinitionProblem]:
    n_items = len(scale.items)
    rule = scale.missing
    if rule.min_answered is not None and rule.min_answered > n_items:
        yield _problem(
            (*base, "missing", "min_answered"),
            rule.min_answered,
            f"at most the number of items in the scale ({n_items})",
        )
    scale_items = {entry.item for entry in scale.items}
    if rule.gaps == GapHandling.IMPUTE:
        for entry in scale.items:
            if entry.item not in rule.impute_values:
                yield _problem(
                    (*base, "missing", "impute_values"),
                    sorted(rule.impute_values),
                    f"a stored value for every item of the scale; {entry.item!r} has none",
                )
    elif rule.impute_values:
        yield _problem(
            (*base, "missing", "impute_values"),
            sorted(rule.impute_values),
            "no stored values unless gaps is 'impute'",
        )
    for item_id, value in rule.impute_values.items():
        path = (*base, "missing", "impute_values", item_id)
        if item_id not in scale_items:
            yield _problem(path, item_id, "an item of this scale")
            continue
        index = instrument.item_index.get(item_id)
        if index is None:
            continue
        item = instrument.items[index]
        if item.format not in instrument.response_formats:
            continue  # reported with the item
        value_range = instrument.item_range(item)
        if value_range is None:
            yield _problem(
                path, value, f"imputation only for items with a numeric range; {item_id!r} has none"
            )
        elif not value_range[0] <= value <= value_range[1]:
            yield _problem(path, value, f"a value within the item's range {list(value_range)}")


def parse_number(text: str) -> float | None:
    """The number a text spells ("4", " 4.0 ", "4,0", "-1e3"), NaN for the spellings of
    not-a-number, or None when it is not a number. Digit group separators ("1_000") are not
    accepted; a number too large for a float is infinite. Response cells and the codes of a
    definition are read alike."""
    if "_" in text:
        return None
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _as_number(text: str) -> float | None:
    """The finite number a code or missing-value code spells, as numeric input matches it."""
    number = parse_number(text)
    return number if number is not None and math.isfinite(number) else None


def _entry_span(
    instrument: Instrument, item: Item, scores: dict[str, float] | None
) -> tuple[float, float] | None:
    """The lowest and highest points one scale entry can give (None if it cannot be known)."""
    fmt = instrument.response_formats.get(item.format)
    if fmt is None:
        return None
    if isinstance(fmt, CategoricalFormat):
        if scores is not None:
            points = [scores.get(option.code, 0.0) for option in fmt.options]
        elif isinstance(fmt, MultipleChoiceFormat):
            correct = set(item.correct or ())
            points = [
                1.0 if option.code in correct else item.partial_credit.get(option.code, 0.0)
                for option in fmt.options
            ]
        else:
            return None  # forced choice without scores: reported with the entry
        return min(points), max(points)
    value_range = instrument.item_range(item)
    if value_range is not None:
        return value_range
    if isinstance(fmt, NumericFormat):  # an open bound stands for the largest accepted answer
        low = fmt.min if fmt.min is not None else -MAX_MAGNITUDE
        high = fmt.max if fmt.max is not None else MAX_MAGNITUDE
        return low, high
    return None


def _scale_span(
    instrument: Instrument, scale: Scale, base: tuple[str | int, ...]
) -> Iterator[DefinitionProblem]:
    """A scale's scores must be able to differ (norms, bands, profiles and charts divide by
    its range) and its largest possible score must be a finite number."""
    low = high = largest = 0.0
    for entry in scale.items:
        index = instrument.item_index.get(entry.item)
        if index is None:
            return  # reported with the entry
        span = _entry_span(instrument, instrument.items[index], entry.scores)
        if span is None:
            return
        low += entry.weight * span[0]
        high += entry.weight * span[1]
        largest += entry.weight * max(abs(span[0]), abs(span[1]))
    if not math.isfinite(largest):
        yield _problem(
            (*base, "items"),
            largest,
            "weights and values whose largest possible weighted sum is a finite number",
        )
    elif high <= low:
        yield _problem(
            (*base, "items"),
            [low, high],
            "a scale whose score can vary: every possible answer gives it the same score "
            f"({low:g}), so norms, bands and profiles cannot use it",
        )


def _item_texts(item: Item) -> Iterator[tuple[tuple[str, ...], LocalizedText]]:
    if item.text is not None:
        yield ("text",), item.text
    for code, text in item.option_texts.items():
        yield ("option_texts", code), text


def _text_status(instrument: Instrument) -> Iterator[DefinitionProblem]:
    """Item and option texts appear only in languages whose texts may be shipped."""
    for position, item in enumerate(instrument.items):
        for where, text in _item_texts(item):
            for language in text.languages():
                status = instrument.text_status.get(language)
                if status is None or status == TextStatus.NOT_SHIPPED:
                    yield _problem(
                        ("items", position, *where, language),
                        getattr(text, language),
                        f"no {language} text: $.text_status.{language} is "
                        f"{status.value if status else 'absent'}",
                    )


def _norms(instrument: Instrument) -> Iterator[DefinitionProblem]:
    for position, group in enumerate(instrument.norms):
        base: tuple[str | int, ...] = ("norms", position)
        for scale_id, norm in group.scales.items():
            if scale_id not in instrument.scale_index:
                yield _problem(
                    (*base, "scales", scale_id), scale_id, "the id of a scale declared in $.scales"
                )
            for k, (lower, upper) in enumerate(zip(norm.table, norm.table[1:], strict=False)):
                if upper.raw_min <= lower.raw_max:
                    yield _problem(
                        (*base, "scales", scale_id, "table", k + 1, "raw_min"),
                        upper.raw_min,
                        f"rows in increasing raw order without overlap: above the "
                        f"previous row's raw_max {lower.raw_max}",
                    )
        for other_position in range(position):
            other = instrument.norms[other_position]
            if _overlap(group.selector, other.selector):
                yield _problem(
                    (*base, "selector"),
                    group.selector.model_dump(exclude_none=True),
                    f"a selector that does not overlap norm group {other.id!r} "
                    f"($.norms[{other_position}]): a respondent must match one group",
                )


def _overlap(a: Selector, b: Selector) -> bool:
    if a.sex is not None and b.sex is not None and not set(a.sex) & set(b.sex):
        return False
    if a.grade is not None and b.grade is not None and not set(a.grade) & set(b.grade):
        return False
    return not (
        a.age is not None and b.age is not None and (a.age.max < b.age.min or b.age.max < a.age.min)
    )


def _irt(instrument: Instrument) -> Iterator[DefinitionProblem]:
    """IRT parameters fit their item: a dichotomous item for 2pl/3pl, one threshold fewer
    than the item's codes for grm."""
    for position, item in enumerate(instrument.items):
        if item.irt is None or item.format not in instrument.response_formats:
            continue
        path = ("items", position, "irt")
        n_categories = irt_category_count(instrument, item)
        if item.irt.model == "grm":
            if n_categories is None or n_categories < 2:
                yield _problem(
                    (*path, "model"), "grm", "an item with ordered codes (likert or binary)"
                )
            elif len(item.irt.thresholds) != n_categories - 1:
                yield _problem(
                    (*path, "b"),
                    list(item.irt.thresholds),
                    f"{n_categories - 1} thresholds: one fewer than the item's "
                    f"{n_categories} codes",
                )
        elif n_categories != 2:
            yield _problem(
                (*path, "model"),
                item.irt.model,
                "a dichotomous item (binary, two likert codes, or multiple choice with correct "
                "options and no partial credit) for 2pl/3pl; grm for more categories",
            )


def irt_category_count(instrument: Instrument, item: Item) -> int | None:
    """How many ordered response categories an item has for IRT: its codes (likert,
    binary), or 2 for a multiple-choice item scored right/wrong; None otherwise."""
    fmt = instrument.response_formats[item.format]
    if isinstance(fmt, LikertFormat | BinaryFormat):
        return len(fmt.codes)
    if isinstance(fmt, MultipleChoiceFormat) and item.correct and not item.partial_credit:
        return 2
    return None
