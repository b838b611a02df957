"""A readable plain-text summary of an instrument, for `profdiag describe`."""

from __future__ import annotations

import datetime

from profdiag._instrument.model import Instrument, Item, Language, NormGroup, Scale, Selector


def describe_instrument(
    instrument: Instrument,
    language: Language = "ru",
    *,
    as_of: datetime.date | None = None,
    max_norm_age: int = 10,
) -> str:
    """The summary; with `as_of`, norm groups more than `max_norm_age` years old on that
    date are flagged."""
    lines = [
        f"{instrument.title.get(language)}",
        f"  id {instrument.id}, version {instrument.version}, {instrument.content_hash}",
        f"  {instrument.description.get(language)}",
        f"  authors: {'; '.join(instrument.authors)}",
        f"  source: {instrument.source.citation}",
        f"  licence: {instrument.licence.name}"
        + (f" ({instrument.licence.url})" if instrument.licence.url else ""),
        *(
            [f"  notice: {instrument.licence.notice.get(language)}"]
            if instrument.licence.notice
            else []
        ),
        "  item texts: "
        + ", ".join(
            f"{lang} {status.value.replace('_', ' ')}"
            for lang, status in instrument.text_status.items()
        ),
    ]
    if instrument.audience is not None:
        audience = instrument.audience
        minutes = f", about {audience.minutes} min" if audience.minutes else ""
        lines.append(f"  audience: ages {audience.min_age}-{audience.max_age}{minutes}")
    if instrument.notes is not None:
        lines.append(f"  notes: {instrument.notes.get(language)}")
    formats = ", ".join(f"{name} ({fmt.type})" for name, fmt in instrument.response_formats.items())
    lines.append(f"  {len(instrument.items)} items; response formats: {formats}")
    lines += _irt_lines(instrument)
    survey = [item for item in instrument.items if instrument.is_survey_item(item)]
    if survey:
        lines.append(f"  {len(survey)} items recorded, not scored (group reports only):")
        lines += [_survey_line(instrument, item) for item in survey]
    lines.append(f"  {len(instrument.scales)} scales:")
    lines += [_scale_line(scale, language) for scale in instrument.scales]
    if instrument.norms:
        lines.append(f"  {len(instrument.norms)} norm groups:")
        lines += norm_group_lines(instrument.norms, language, as_of, max_norm_age)
    else:
        lines.append("  no norms: raw scores only")
    return "\n".join(lines)


def _scale_line(scale: Scale, language: Language) -> str:
    reversed_items = [entry.item for entry in scale.items if entry.reverse]
    rule = scale.missing
    needed = (
        f"{rule.min_answered} answered"
        if rule.min_answered is not None
        else f"{rule.min_answered_fraction:.0%} answered"
        if rule.min_answered_fraction is not None
        else "1 answered"
    )
    parts = [
        f"    {scale.id}: {scale.title.get(language)}",
        f"{len(scale.items)} items, {scale.aggregation}",
        f"needs {needed}, gaps: {rule.gaps.value}",
    ]
    if reversed_items:
        parts.append(f"reversed: {' '.join(reversed_items)}")
    if scale.reliability is not None:
        parts.append(f"{scale.reliability.kind} = {scale.reliability.value:.2f}")
    if scale.bands is not None:
        parts.append(f"{len(scale.bands.levels)} bands on {scale.bands.basis}")
    if scale.time_limit_seconds is not None:
        parts.append(f"time limit {scale.time_limit_seconds} s")
    return "; ".join(parts)


def norm_group_lines(
    groups: tuple[NormGroup, ...],
    language: Language,
    as_of: datetime.date | None = None,
    max_age: int = 10,
) -> list[str]:
    """One line per norm group: id, title, selector, size, year and source; a warning line
    after a group whose norms are more than `max_age` years old on `as_of`."""
    from profdiag._norms.ageing import is_outdated, norm_age

    lines = []
    for group in groups:
        year = str(group.year) if group.year is not None else "year unknown"
        lines.append(
            f"    {group.id}: {group.title.get(language)}; for {selector_text(group.selector)}; "
            f"n = {group.sample_size}, {year}; source: {group.source}"
        )
        if as_of is not None and is_outdated(group.year, as_of, max_age):
            lines.append(
                f"      warning: these norms are {norm_age(group.year, as_of)} years old "
                f"(from {group.year}, more than {max_age} years before {as_of.isoformat()}); "
                "scores against them may no longer compare a person with today's peers"
            )
    return lines


def selector_text(selector: Selector) -> str:
    """'sex f, age 14-15, grade 9', or 'everyone' for a selector that matches all."""
    parts = []
    if selector.sex is not None:
        parts.append("sex " + "/".join(selector.sex))
    if selector.age is not None:
        parts.append(f"age {selector.age.min}-{selector.age.max}")
    if selector.grade is not None:
        parts.append("grade " + "/".join(map(str, selector.grade)))
    return ", ".join(parts) or "everyone"


def _irt_lines(instrument: Instrument) -> list[str]:
    """An item bank's IRT items: how many, under which models, the range of a and b."""
    calibrated = [item.irt for item in instrument.items if item.irt is not None]
    if not calibrated:
        return []
    models = sorted({irt.model for irt in calibrated})
    slopes = [irt.a for irt in calibrated]
    thresholds = [b for irt in calibrated for b in irt.thresholds]
    return [
        f"  IRT: {len(calibrated)} of {len(instrument.items)} items calibrated "
        f"({', '.join(models)}); a {min(slopes):.2f} to {max(slopes):.2f}, "
        f"b {min(thresholds):.2f} to {max(thresholds):.2f}"
    ]


def _survey_line(instrument: Instrument, item: Item) -> str:
    fmt = instrument.format_of(item)
    if fmt.type == "text":
        return f"    {item.id}: text, up to {fmt.max_length} characters"
    codes = ", ".join(
        option.code + (" (alone)" if option.exclusive else "") for option in fmt.options
    )
    if fmt.type == "nominal":
        return f"    {item.id}: one of {len(fmt.options)}: {codes}"
    most = f", at most {fmt.max_selected}" if fmt.max_selected is not None else ""
    return (
        f"    {item.id}: any of {len(fmt.options)}{most}: {codes} "
        f"(one cell joined by {fmt.delimiter!r}, or columns {item.id}.<code> of 0/1)"
    )
