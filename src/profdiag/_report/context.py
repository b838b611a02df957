"""Profile -> the plain context dict a report template lays out.

Everything a template shows is prepared here: texts in the report's language, chosen for
the person (a minor and their parents, or an adult) and for what each instrument measures
(interests, types, personality, aptitude); numbers, dates and typography of the language;
charts as SVG. Templates make no decisions beyond layout.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Literal

from profdiag._instrument.model import LocalizedText
from profdiag._profile.model import AgeGroup, InstrumentProfile, Profile, ScaleResult
from profdiag._report import charts
from profdiag._report.assets import templates_folder

Audience = Literal["client", "counsellor"]
Language = Literal["ru", "en"]
HOLLAND_LETTERS = "RIASEC"
KINDS = ("interests", "types", "personality", "aptitude", "general")
# Kinds that ask what a person likes or is like: no right or wrong answers.
QUESTIONNAIRE_KINDS = ("interests", "types", "personality", "general")
NBSP = "\u00a0"
_TIE_EPSILON = 1e-9

# ---------- Typography ----------

_DASHES = re.compile(r"[ \u00a0]+[-\u2013\u2014][ \u00a0]+")
_NUMBER_RANGE = re.compile(r"(?<![\w.,])(\d{1,4})-(\d{1,4})(?![\w.,])")
_RU_UNITS = re.compile(r"(\d) (%|мин\b|минут\w*|лет\b|год\w*|г\.|балл\w*)")
_NUMERO = re.compile(r"№ (?=\d)")


def _typeset_ru(text: str) -> str:
    """Russian typography: a dash (not a hyphen) between words, with a non-breaking space
    before it; an en dash in ranges of numbers (0–12); numbers kept with their units."""
    text = _DASHES.sub(NBSP + "\u2014 ", text)
    text = _NUMBER_RANGE.sub("\\1\u2013\\2", text)
    text = _RU_UNITS.sub("\\1" + NBSP + "\\2", text)
    return _NUMERO.sub("№" + NBSP, text)


def _typeset_en(text: str) -> str:
    text = _DASHES.sub(NBSP + "\u2013 ", text)
    return _NUMBER_RANGE.sub("\\1\u2013\\2", text)


TYPESET: dict[str, Callable[[str], str]] = {"ru": _typeset_ru, "en": _typeset_en}


def _typeset_tree(node: Any, typeset: Callable[[str], str]) -> Any:
    if isinstance(node, str):
        return typeset(node)
    if isinstance(node, list):
        return [_typeset_tree(item, typeset) for item in node]
    if isinstance(node, dict):
        return {key: _typeset_tree(value, typeset) for key, value in node.items()}
    return node


# ---------- Numbers, dates, plurals: one function per language ----------


def _plain_number(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_ru(value: float, digits: int = 1) -> str:
    """3,3; −2; 12 500 (thin groups from five digits on, as Russian print has them)."""
    text = _plain_number(abs(value), digits).replace(".", ",")
    whole, _, fraction = text.partition(",")
    if len(whole) > 4:
        whole = f"{int(whole):,}".replace(",", NBSP)
    text = whole + ("," + fraction if fraction else "")
    return ("\u2212" + text) if value < 0 and text.strip("0,") else text


def _number_en(value: float, digits: int = 1) -> str:
    text = _plain_number(abs(value), digits)
    whole, _, fraction = text.partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}"
    text = whole + ("." + fraction if fraction else "")
    return ("-" + text) if value < 0 and text.strip("0.") else text


NUMBER: dict[str, Callable[..., str]] = {"ru": _number_ru, "en": _number_en}


def format_number(value: float | None, language: Language, digits: int = 1) -> str:
    """A number as the report's language prints it ("—" when there is none)."""
    if value is None or math.isnan(value):
        return "—"
    formatted: str = NUMBER[language](value, digits)
    return formatted


def format_percent(share: float | None, language: Language) -> str:
    if share is None or math.isnan(share):
        return "—"
    number = str(round(100 * share))
    return f"{number}{NBSP}%" if language == "ru" else f"{number}%"


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(iso: str | None, language: Language) -> str:
    """2025-03-14 -> 14.03.2025 (ru), 14 March 2025 (en)."""
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    if language == "ru":
        return f"{day:02d}.{month:02d}.{year}"
    return f"{day} {_MONTHS_EN[month - 1]} {year}"


def plural(count: float, forms: Sequence[str], language: Language) -> str:
    """`count` with its noun: 1 балл, 2 балла, 5 баллов, 1,5 балла; 1 point, 2 points."""
    number = format_number(count, language)
    if not float(count).is_integer():
        return f"{number}{NBSP}{forms[1]}"
    n = abs(int(count))
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            form = forms[0]
        elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            form = forms[1]
        else:
            form = forms[2]
    else:
        form = forms[0] if n == 1 else forms[1]
    return f"{number}{NBSP}{form}"


# ---------- Texts ----------


@lru_cache(maxsize=1)
def report_texts() -> dict[str, dict[str, Any]]:
    """Fixed report phrases per language (reports/templates/texts.json), typeset."""
    path = templates_folder() / "texts.json"
    texts: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return {language: _typeset_tree(node, TYPESET[language]) for language, node in texts.items()}


def _text(value: LocalizedText | None, language: Language) -> str:
    return TYPESET[language](value.get(language)) if value is not None else ""


def build_context(
    profile: Profile,
    *,
    audience: Audience,
    language: Language,
    client_name: str | None = None,
    date: str | None = None,
    as_of: datetime.date | None = None,
    norms_max_age: int = 10,
) -> dict[str, Any]:
    """The template context of `profile`'s report.

    `date` is the date of the report, printed as given (None: none, so that output is
    reproducible); the date of testing comes from the profile's session. With `as_of`,
    norms more than `norms_max_age` years old on that date get a warning.
    """
    texts = report_texts()[language]
    group = profile.age_group()
    name = client_name or profile.name or ""
    instruments = [
        _instrument(section, language, texts)
        | _norms_age(section, language, texts, as_of, norms_max_age)
        for section in profile.instruments
    ]
    kinds = [instrument["kind"] for instrument in instruments]
    matches = _matches(profile, language, texts)
    matching = _matching(profile, language, texts)
    return {
        "audience": audience,
        "lang": language,
        "t": texts,
        "client": {"name": name, "id": profile.respondent},
        "person": _person(profile, name, group, language, texts),
        "session": _session(profile, language),
        "date": date or "",
        "profdiag_version": profile.profdiag_version,
        "intro": _intro(kinds, group, texts),
        "parents_note": texts["parents_note"] if group == "minor" else "",
        "not_mean": _not_mean(instruments, group, bool(matches), texts),
        "next_steps": _next_steps(profile, language, texts),
        "prompts": {
            instrument["id"]: _prompts(instrument, group, texts) for instrument in instruments
        },
        "conclusion": _conclusion(profile, instruments, matches, language, texts),
        "instruments": instruments,
        "matches": matches,
        "matching": matching,
        "catalogue": (
            {
                "id": profile.catalogue.id,
                "version": profile.catalogue.version,
                "region": profile.catalogue.region,
            }
            if profile.catalogue is not None
            else None
        ),
    }


# ---------- The person and the session ----------

_PATRONYMIC = re.compile(r"(вич|вна|ична|чна|ич|оглы|кызы)$", re.IGNORECASE)


def greeting_name(profile: Profile, name: str, group: AgeGroup | None) -> str:
    """How the client report addresses the person: the given name when the profile has
    one; from «Фамилия Имя Отчество» or «Имя Отчество Фамилия», a minor's first name or an
    adult's first name and patronymic; otherwise the name as written (no guessing which
    word of "Анна Петрова" or "Петрова Анна" is the first name)."""
    if profile.given_name:
        return profile.given_name
    words = name.split()
    if len(words) == 3:
        if _PATRONYMIC.search(words[1]):
            first, patronymic = words[0], words[1]
        elif _PATRONYMIC.search(words[2]):
            first, patronymic = words[1], words[2]
        else:
            return name
        return first if group == "minor" else f"{first} {patronymic}"
    return name


def _person(
    profile: Profile, name: str, group: AgeGroup | None, language: Language, texts: dict[str, Any]
) -> dict[str, Any]:
    addressed = greeting_name(profile, name, group)
    greeting = f"{texts['greeting']}, {addressed}!" if addressed else f"{texts['greeting']}!"
    return {
        "greeting": greeting,
        "thanks": texts["greeting_thanks"] if group == "minor" else "",
        "age_group": group or "",
        "age": plural(profile.age, texts["years_forms"], language)
        if profile.age is not None
        else "",
        "stage": texts["stages"][profile.stage] if profile.stage else "",
    }


def _session(profile: Profile, language: Language) -> dict[str, str]:
    session = profile.session
    if session is None:
        return {"date": "", "counsellor": "", "organisation": "", "contacts": "", "any": ""}
    facts = {
        "date": format_date(session.date, language),
        "counsellor": session.counsellor or "",
        "organisation": session.organisation or "",
        "contacts": session.contacts or "",
    }
    typeset = TYPESET[language]
    facts = {key: typeset(value) for key, value in facts.items()}
    return facts | {"any": "yes" if any(facts.values()) else ""}


# ---------- What the client reads around the results ----------


def _intro(kinds: Sequence[str], group: AgeGroup | None, texts: dict[str, Any]) -> list[str]:
    """What was measured and how to read it, for the instruments given, then whom to talk
    the results over with."""
    present = list(dict.fromkeys(kinds))
    what = [texts["intro_what"][kind] for kind in present]
    paragraphs = [texts["intro_opening"].format(what=_join(what, texts))]
    explained = [texts["intro_kind"][kind] for kind in present if texts["intro_kind"][kind]]
    questionnaires = [kind for kind in kinds if kind in QUESTIONNAIRE_KINDS]
    if questionnaires:
        key = "intro_no_right_answers_one" if len(questionnaires) == 1 else "intro_no_right_answers"
        explained.append(texts[key])
    if "aptitude" in present:
        explained.append(texts["intro_aptitude"])
    paragraphs.append(" ".join(explained))
    paragraphs.append(texts["intro_closing"][group or "unknown"])
    return paragraphs


def _join(items: Sequence[str], texts: dict[str, Any]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return str(texts["list_separator"]).join(items[:-1]) + f" {texts['and']} " + items[-1]


def _not_mean(
    instruments: Sequence[dict[str, Any]],
    group: AgeGroup | None,
    listed: bool,
    texts: dict[str, Any],
) -> list[str]:
    """What these results do not mean: only the lines that are true of these instruments
    and this person."""
    lines = texts["not_mean"]
    kinds = {instrument["kind"] for instrument in instruments}
    chosen = [lines["verdict"]]
    if kinds & {"interests", "types"}:
        chosen.append(lines["interests_not_ability"])
        chosen.append(lines["interests_change_adult" if group == "adult" else "interests_change"])
    if "interests" in kinds:
        chosen.append(lines["weak_interest"])
    if "personality" in kinds:
        chosen.append(lines["personality"])
    if "aptitude" in kinds:
        chosen.append(lines["aptitude"])
        if any(not i["normed"] for i in instruments if i["kind"] == "aptitude"):
            chosen.append(lines["aptitude_unnormed"])
    if listed:
        chosen.append(lines["list"])
    return chosen


def _next_steps(profile: Profile, language: Language, texts: dict[str, Any]) -> list[str]:
    if profile.next_steps is None:
        return list(texts["next_steps_fallback"])
    return [_text(step.text, language) for step in profile.next_steps.steps]


def _prompts(
    instrument: dict[str, Any], group: AgeGroup | None, texts: dict[str, Any]
) -> list[str]:
    prompts = texts["prompts"][instrument["kind"]]
    return [*prompts["all"], *(prompts[group] if group else [])]


# ---------- The counsellor's summary conclusion ----------


def _conclusion(
    profile: Profile,
    instruments: Sequence[dict[str, Any]],
    matches: Sequence[dict[str, Any]],
    language: Language,
    texts: dict[str, Any],
) -> list[str]:
    """Zaklyuchenie: per instrument the leading code or types with their levels and the
    validity, then the occupations to discuss (or why there are none)."""
    lines = []
    for instrument in instruments:
        lines.append(f"{instrument['title']}: {instrument['summary']}")
    flagged = [
        f"{instrument['title']} ({instrument['flag_names']})"
        for instrument in instruments
        if instrument["flag_names"]
    ]
    lines.append(
        texts["concl_validity_flags"].format(flags="; ".join(flagged))
        if flagged
        else texts["concl_validity_ok"]
    )
    note = profile.matching
    if note is not None and note.withheld:
        lines.append(texts["concl_withheld"].format(reason=texts["withheld_short"][note.withheld]))
    elif matches:
        shown = [f"{match['title']} ({match['level']})" for match in matches[:3]]
        lines.append(texts["concl_matches"].format(occupations=_join(shown, texts)))
    elif profile.catalogue is not None:
        lines.append(texts["concl_below" if _matched(profile) else "concl_no_matching"])
    return lines


def _matched(profile: Profile) -> bool:
    """An instrument that occupations are matched on was given (a Holland code, or
    Klimov's types): an empty list then means no occupation reached the lowest level."""
    return any(
        section.holland is not None or section.measures == "types"
        for section in profile.instruments
    )


def _instrument_summary(
    section: InstrumentProfile,
    kind: str,
    leading: Sequence[ScaleResult],
    tie: str,
    language: Language,
    texts: dict[str, Any],
) -> str:
    """One line: the Holland code with its letters' scores, or the leading scales with
    their levels; every scale for personality and aptitude (where no scale "leads")."""
    q_open, q_close = texts["q_open"], texts["q_close"]

    def value(scale: ScaleResult) -> str:
        if scale.raw is None:
            return str(texts["concl_not_scored"])
        if scale.t is not None:
            return f"T{NBSP}{format_number(scale.t, language)}"
        shown: str = texts["concl_of"].format(
            value=format_number(scale.raw, language, 2),
            maximum=format_number(scale.maximum, language),
        )
        return shown + (f", {_text(scale.band.label, language)}" if scale.band else "")

    holland = section.holland
    if holland is not None:
        normed = all(scale.t is not None for scale in section.scales)
        maxima = {scale.maximum for scale in section.scales}
        scores = [
            f"{letter}{NBSP}{format_number(holland.scores[letter], language, 2)}"
            for letter in holland.code
            if letter in holland.scores
        ]
        code = f"{texts['concl_code']} {holland.code}" + (f" ({tie})" if tie else "")
        of = " " + texts["concl_t_scores"] if normed else ""
        if not normed and len(maxima) == 1:
            of = " " + texts["concl_of_max"].format(maximum=format_number(maxima.pop(), language))
        return f"{code}: {texts['list_separator'].join(scores)}{of}"
    shown = list(section.scales) if kind in ("personality", "aptitude") else list(leading)
    values = [value(scale) for scale in shown]
    if len(shown) > 2 and len(set(values)) == 1:
        return str(texts["concl_all_equal"]).format(value=values[0])
    parts = [
        f"{q_open}{_text(scale.title, language)}{q_close} {shown_value}"
        for scale, shown_value in zip(shown, values, strict=True)
    ]
    text = _join(parts, texts) or texts["concl_none"]
    return text + (f" ({tie})" if tie else "")


# ---------- Occupations ----------


def _matches(profile: Profile, language: Language, texts: dict[str, Any]) -> list[dict[str, Any]]:
    """Occupations with their fit level (never a percentage), tied places marked, and the
    route that suits the person's stage."""
    ranks = [match.rank for match in profile.matches]
    tied = {rank for rank in ranks if ranks.count(rank) > 1}
    return [
        {
            "title": _text(match.title, language),
            "riasec": match.riasec,
            "ddo": [texts["ddo_types"][t] for t in match.ddo],
            "education": [texts["education"][route] for route in match.education],
            "route": texts["education"][match.route] if match.route else "",
            "other_routes": [
                texts["education"][route] for route in match.education if route != match.route
            ],
            "route_needs_step": match.route_direct is False,
            "regional_demand": match.regional_demand,
            "demand_year": match.demand_year or "",
            "level": texts["fit_levels"][match.fit_level],
            "level_code": match.fit_level,
            "rank": f"={match.rank}" if match.rank in tied else str(match.rank),
            "tied": match.rank in tied,
        }
        for match in profile.matches
    ]


def _matching(profile: Profile, language: Language, texts: dict[str, Any]) -> dict[str, Any]:
    note = profile.matching
    uses_onet = any(match.interests_from_onet for match in profile.matches)
    attribution = profile.catalogue.attribution if profile.catalogue else None
    more = note.more_tied if note else 0
    return {
        "withheld": bool(note and note.withheld),
        "explanation": _text(note.explanation, language) if note else "",
        # No list although nothing was withheld: no interest inventory or ДДО was given,
        # or no occupation reached the lowest fit level.
        "not_attempted": not (note and note.withheld) and not profile.matches,
        "matched_on": _matched(profile),
        "more_tied": more,
        "more_tied_text": texts["more_tied"].format(
            count=plural(more, texts["occupation_forms"], language)
        )
        if more
        else "",
        "tie_rule": _text(note.tie_rule, language) if note else "",
        "any_tied": len({m.rank for m in profile.matches}) < len(profile.matches),
        "levels": [
            {"label": texts["fit_levels"][name], "cut": format_number(cut, language, 2)}
            for name, cut in (note.fit_levels.items() if note else [])
        ],
        "attribution": _text(attribution, language) if uses_onet else "",
        "stage": texts["stages"][profile.stage] if profile.stage else "",
        "demand_year": _shared_demand_year(profile),
    }


def _shared_demand_year(profile: Profile) -> str:
    """The year of the regional demand marks when every marked occupation has the same one
    (said once under the table instead of on every row), else ""."""
    years = {match.demand_year for match in profile.matches if match.regional_demand}
    if len(years) != 1 or None in years:
        return ""
    return str(years.pop())


# ---------- One instrument ----------


def _kind(section: InstrumentProfile) -> str:
    """interests, types, personality, aptitude or general (an "other" instrument with a
    Holland code reads as interests)."""
    if section.measures in KINDS:
        return section.measures
    return "interests" if section.holland is not None else "general"


def _comparable(section: InstrumentProfile) -> dict[str, float | None]:
    """The scores the profile ranks scales by: T where every scale has one, else raw."""
    normed = all(scale.t is not None for scale in section.scales)
    return {scale.id: scale.t if normed else scale.raw for scale in section.scales}


def _spread(scores: Sequence[float | None]) -> float:
    values = [score for score in scores if score is not None]
    return max(values) - min(values) if values else 0.0


def _code_groups(code: str) -> list[str]:
    """'(A/S)E' -> ['AS', 'E']."""
    return [
        group.replace("/", "") or single
        for group, single in re.findall(r"\(([A-Z/]+)\)|([A-Z])", code)
    ]


def _instrument(
    section: InstrumentProfile, language: Language, texts: dict[str, Any]
) -> dict[str, Any]:
    kind = _kind(section)
    normed = any(scale.t is not None for scale in section.scales)
    number = NUMBER[language]
    titles = {scale.id: _text(scale.title, language) for scale in section.scales}
    scored = [scale for scale in section.scales if scale.raw is not None]
    leading = [scale for scale in section.scales if scale.id in section.leading]
    scores = _comparable(section)
    margin = plural(section.tie_margin, texts["points_forms"], language)
    # Ties: exact (equal scores) or within the instrument's margin ("about equally strong").
    leading_exact = _spread([scores[s.id] for s in leading]) <= _TIE_EPSILON
    all_tied = len(scored) >= 2 and len(leading) == len(scored)
    code_near = section.holland is not None and any(
        _spread([section.holland.scores.get(letter) for letter in group]) > _TIE_EPSILON
        for group in _code_groups(section.holland.code)
        if len(group) > 1
    )
    has_bands = any(scale.band is not None for scale in section.scales)
    scales = [_scale(scale, language) for scale in section.scales]
    ranges = {scale["range"] for scale in scales}
    problems = [texts["flag_names"].get(flag.code, flag.code) for flag in section.flags]
    if section.row_status != "ok":
        problems.append(texts["concl_row_problems"])
    flag_names = texts["list_separator"].join(problems)
    tie_note = ""
    if len(leading) > 1 and section.holland is None:
        tie_note = (
            texts["leading_tied_note"]
            if leading_exact
            else texts["leading_near_note_c"].format(margin=margin)
        )
    elif section.holland is not None and section.holland.tied:
        tie_note = (
            texts["leading_near_note_c"].format(margin=margin)
            if code_near
            else texts["leading_tied_note"]
        )
    return {
        "kind": kind,
        "lead": _lead(kind, leading, all_tied, leading_exact, margin, section, texts, language),
        "all_tied": all_tied,
        "leading_liked": any(_above_middle(scale) for scale in leading),
        "flat": any(flag.code == "flat_profile" for flag in section.flags),
        # The flat-profile note, unless the lead already says every score is the same.
        "flat_note": any(flag.code == "flat_profile" for flag in section.flags)
        and not (all_tied and leading_exact),
        "response_flags": [
            {"explanation": _text(flag.explanation, language)}
            for flag in section.flags
            if flag.code != "flat_profile"
        ],
        "validity_outro": texts["validity_outro"][kind],
        "tie_margin": format_number(section.tie_margin, language) if section.tie_margin else "",
        "tie_text": (
            texts["tie_explain_margin"].format(margin=margin) if code_near else texts["tie_explain"]
        ),
        "tie_text_c": (
            texts["holland_tied_explain_margin"].format(margin=margin)
            if code_near
            else texts["holland_tied_explain"]
        ),
        "tie_note": tie_note,
        "margin_note_c": texts["tie_margin_note_c"].format(margin=margin)
        if section.tie_margin
        else "",
        "summary": _instrument_summary(section, kind, leading, tie_note, language, texts),
        "flag_names": flag_names,
        "norm_title": _text(section.norm.title, language) if section.norm else "",
        "id": section.instrument_id,
        "title": _text(section.title, language),
        "version": section.instrument_version,
        "content_hash": section.content_hash,
        "overlay_hash": section.overlay_hash or "",
        "notice": _text(section.notice, language),
        "norm_group": _norm_description(section, language),
        "normed": normed,
        "has_bands": has_bands,
        "level_percent": format_percent(section.confidence_level, language),
        "scales": scales,
        # Columns that would repeat one value on every row are left out of the scale table:
        # a range shared by all scales goes into the raw score's heading, the answered
        # counts are shown when some item was left unanswered (else a note says none was),
        # and the status column when some scale could not be scored.
        "shared_range": next(iter(ranges)) if len(ranges) == 1 else "",
        "all_scored": len(scored) == len(section.scales),
        "all_answered": all(scale.answered == scale.items for scale in section.scales),
        "leading": [titles[scale_id] for scale_id in section.leading],
        "code": section.code or "",
        "holland": _holland(section, language, texts),
        "comparisons": [
            {
                "higher": titles[c.higher],
                "lower": titles[c.lower],
                "difference": number(c.difference_t),
                "critical": number(c.critical_difference_t),
                "distinct": c.distinct,
            }
            for c in section.comparisons
        ],
        "flags": [
            {
                "code": flag.code,
                "name": texts["flag_names"].get(flag.code, flag.code),
                "explanation": _text(flag.explanation, language),
                "value": format_number(flag.value, language, 2) if flag.value is not None else "",
            }
            for flag in section.flags
        ],
        "row_status": section.row_status,
        "timing": [
            {
                "title": titles[item.scale],
                "attempted": texts["of_items"].format(attempted=item.attempted, items=item.items),
                "accuracy": format_percent(item.accuracy, language),
                "per_minute": format_number(item.items_per_minute, language),
                "time_used": format_percent(item.time_used, language),
                "limit": plural(item.time_limit_seconds / 60, texts["minute_forms"], language),
            }
            for item in section.timing
        ],
        "scales_heading": texts["scales_heading"][kind],
        "chart_caption": texts["chart_caption"][kind],
        "chart_note": " ".join(
            [
                texts["chart_lead"][kind],
                texts["chart_normed_tail"].format(group=_norm_short(section, language))
                if normed and section.norm
                else texts["chart_number"][kind]
                + " "
                + texts["chart_levels_tail" if has_bands else "chart_lines_tail"],
            ]
        ),
        "chart_note_c": texts["chart_explain_c_normed"]
        if normed
        else texts["chart_explain_c_bands" if has_bands else "chart_explain_c_raw"],
        "not_normed_c": texts["not_normed_bands" if has_bands else "not_normed_plain"]
        + " "
        + texts["not_normed_tail"],
        "chart": _chart(section, language, texts),
        "hexagon": _hexagon(section, texts),
    }


def _lead(
    kind: str,
    leading: Sequence[ScaleResult],
    all_tied: bool,
    exact: bool,
    margin: str,
    section: InstrumentProfile,
    texts: dict[str, Any],
    language: Language,
) -> dict[str, Any]:
    """The first sentence about an instrument: text before the names, the names (printed
    in bold and quotes), text after."""
    names = [_text(scale.title, language) for scale in leading]

    def sentence(before: str, after: str = ".", shown: Sequence[str] = ()) -> dict[str, Any]:
        return {"before": before, "names": list(shown), "after": after}

    if all_tied:
        key = "all_tied" if exact else "all_near"
        return sentence(texts[key][kind].format(margin=margin), "")
    if kind == "interests" and leading and not any(_above_middle(s) for s in leading):
        return sentence(texts["no_area_liked"], "")
    if len(leading) == 1:
        return sentence(texts["leading_one"][kind], ".", names)
    if len(leading) > 1 and exact:
        return sentence(texts["leading_many"][kind], ". " + texts["leading_many_note"], names)
    if len(leading) > 1:
        return sentence(
            texts["leading_near"][kind],
            ". " + texts["leading_near_note"].format(margin=margin),
            names,
        )
    return sentence(texts["no_leading"], "")


def _above_middle(scale: ScaleResult) -> bool:
    """The raw score lies above the middle of the scale's possible range."""
    return scale.raw is not None and scale.raw > (scale.minimum + scale.maximum) / 2


def _scale(scale: ScaleResult, language: Language) -> dict[str, Any]:
    number = NUMBER[language]
    return {
        "id": scale.id,
        "title": _text(scale.title, language),
        "description": _text(scale.description, language),
        "raw": format_number(scale.raw, language, 2),
        "range": f"{number(scale.minimum)}\u2013{number(scale.maximum)}",
        "maximum": number(scale.maximum),
        "answered": f"{scale.answered}/{scale.items}",
        "scored": scale.raw is not None,
        "t": format_number(scale.t, language),
        "band_t": f"{number(scale.t_low)}\u2013{number(scale.t_high)}"
        if scale.t_low is not None and scale.t_high is not None
        else "",
        "percentile": _percentile(scale.percentile),
        "status": scale.status,
        "stanine": "" if scale.stanine is None else str(scale.stanine),
        "sten": "" if scale.sten is None else str(scale.sten),
        "band": _text(scale.band.label, language) if scale.band else "",
        "band_code": scale.band.code if scale.band else "",
    }


def _norm_description(section: InstrumentProfile, language: Language) -> str:
    """'title (n = 1200, 2021; source)' of the norm group, or '' without one."""
    norm = section.norm
    if norm is None:
        return section.norm_group or ""
    year = f", {norm.year}" if norm.year else ""
    size = format_number(norm.sample_size, language, 0)
    return f"{_text(norm.title, language)} (n = {size}{year}; {norm.source})"


def _norm_short(section: InstrumentProfile, language: Language) -> str:
    """'title (n = 1200, 2021)' of the norm group, for the client report."""
    norm = section.norm
    assert norm is not None
    year = f", {norm.year}" if norm.year else ""
    size = format_number(norm.sample_size, language, 0)
    return f"{_text(norm.title, language)} (n = {size}{year})"


def _norms_age(
    section: InstrumentProfile,
    language: Language,
    texts: dict[str, Any],
    as_of: datetime.date | None,
    max_age: int,
) -> dict[str, str]:
    """The counsellor's warning about norms more than `max_age` years old on `as_of`."""
    from profdiag._norms.ageing import is_outdated, norm_age

    norm = section.norm
    if as_of is None or norm is None or not is_outdated(norm.year, as_of, max_age):
        return {"norms_outdated": ""}
    age = norm_age(norm.year, as_of)
    assert age is not None
    return {
        "norms_outdated": texts["norms_outdated_c"].format(
            year=norm.year,
            age=plural(age, texts["years_forms"], language),
            limit=plural(max_age, texts["years_forms"], language),
        )
    }


def _percentile(value: float | None) -> str:
    """Whole percentiles, but never "0" or "100": a norm sample has people on both sides."""
    if value is None:
        return "—"
    if value < 0.5:
        return "<1"
    if value > 99.5:
        return ">99"
    return str(round(value))


def _holland(
    section: InstrumentProfile, language: Language, texts: dict[str, Any]
) -> dict[str, Any] | None:
    indices = section.holland
    if indices is None:
        return None
    return {
        "code": indices.code,
        "liked": indices.liked,
        "tied": indices.tied,
        "consistency": texts["consistency"][indices.consistency],
        "differentiation": format_number(indices.differentiation_holland, language),
        "differentiation_iachan": format_number(indices.differentiation_iachan, language),
        "elevation": format_number(indices.elevation, language),
    }


def _chart(section: InstrumentProfile, language: Language, texts: dict[str, Any]) -> Any:
    title = texts["chart_title"].format(instrument=_text(section.title, language))
    number = NUMBER[language]
    if any(scale.t is not None for scale in section.scales):
        bars = [
            charts.Bar(_text(s.title, language), s.t, s.t_low, s.t_high) for s in section.scales
        ]
        return charts.bar_profile(
            bars,
            minimum=20,
            maximum=80,
            shaded=(40, 60),
            ticks=(30, 40, 50, 60, 70),
            title=title,
            number=number,
        )
    low = min(scale.minimum for scale in section.scales)
    high = max(scale.maximum for scale in section.scales)
    bars = [
        charts.Bar(
            _text(s.title, language), s.raw, note=_text(s.band.label, language) if s.band else ""
        )
        for s in section.scales
    ]
    starts = section.scales[0].band_starts
    shared = all(scale.band_starts == starts for scale in section.scales)
    ticks = (
        [s for s in starts if s > low]
        if starts and shared
        else [low + (high - low) * k / 4 for k in range(5)]
    )
    return charts.bar_profile(
        bars, minimum=low, maximum=high, ticks=ticks, title=title, number=number
    )


def _hexagon(section: InstrumentProfile, texts: dict[str, Any]) -> Any:
    if section.holland is None:
        return None
    values = [section.holland.scores.get(letter) for letter in HOLLAND_LETTERS]
    normed = any(scale.t is not None for scale in section.scales)
    maximum = 80.0 if normed else max(scale.maximum for scale in section.scales)
    return charts.hexagon(
        list(HOLLAND_LETTERS), values, maximum=maximum, title=texts["hexagon_title"]
    )
