"""Profile -> the plain context dict a report template lays out.

Everything a template shows is prepared here: texts in the report's language, numbers
formatted for print, charts as SVG. Templates make no decisions beyond layout.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any, Literal

from profdiag._instrument.model import LocalizedText
from profdiag._profile.model import InstrumentProfile, Profile, ScaleResult
from profdiag._report import charts
from profdiag._report.assets import templates_folder

Audience = Literal["client", "counsellor"]
Language = Literal["ru", "en"]
HOLLAND_LETTERS = "RIASEC"


@lru_cache(maxsize=1)
def report_texts() -> dict[str, dict[str, Any]]:
    """Fixed report phrases per language (reports/templates/texts.json)."""
    path = templates_folder() / "texts.json"
    texts: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return texts


def build_context(
    profile: Profile,
    *,
    audience: Audience,
    language: Language,
    client_name: str | None = None,
    date: str | None = None,
) -> dict[str, Any]:
    """`date` is printed as given (None: no date, so that output is reproducible)."""
    texts = report_texts()[language]
    return {
        "audience": audience,
        "lang": language,
        "t": texts,
        "client": {"name": client_name or "", "id": profile.respondent},
        "date": date or "",
        "profdiag_version": profile.profdiag_version,
        "instruments": [_instrument(section, language, texts) for section in profile.instruments],
        "matches": _matches(profile, language, texts),
        "matching": _matching(profile, language, texts),
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


def _matches(profile: Profile, language: Language, texts: dict[str, Any]) -> list[dict[str, Any]]:
    """Occupations with their fit level (never a percentage), tied places marked, and the
    route that suits the person's stage."""
    ranks = [match.rank for match in profile.matches]
    tied = {rank for rank in ranks if ranks.count(rank) > 1}
    return [
        {
            "title": match.title.get(language),
            "riasec": match.riasec,
            "ddo": [texts["ddo_types"][t] for t in match.ddo],
            "education": [texts["education"][route] for route in match.education],
            "route": texts["education"][match.route] if match.route else "",
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
    return {
        "withheld": bool(note and note.withheld),
        "explanation": _text(note.explanation, language) if note else "",
        "more_tied": note.more_tied if note else 0,
        "more_tied_text": texts["more_tied"].format(count=note.more_tied)
        if note and note.more_tied
        else "",
        "tie_rule": _text(note.tie_rule, language) if note else "",
        "any_tied": len({m.rank for m in profile.matches}) < len(profile.matches),
        "levels": [
            {"label": texts["fit_levels"][name], "cut": _number(cut, 2)}
            for name, cut in (note.fit_levels.items() if note else [])
        ],
        "attribution": _text(attribution, language) if uses_onet else "",
        "stage": texts["stages"][profile.stage] if profile.stage else "",
    }


def _text(value: LocalizedText | None, language: Language) -> str:
    return value.get(language) if value is not None else ""


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "—"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _instrument(
    section: InstrumentProfile, language: Language, texts: dict[str, Any]
) -> dict[str, Any]:
    normed = any(scale.t is not None for scale in section.scales)
    scales = [_scale(scale, language) for scale in section.scales]
    titles = {scale.id: _text(scale.title, language) for scale in section.scales}
    scored = [scale for scale in section.scales if scale.raw is not None]
    leading = [scale for scale in section.scales if scale.id in section.leading]
    norm_title = _text(section.norm.title, language) if section.norm else ""
    return {
        # Claims the client text may make, decided here from the scores:
        "all_tied": len(scored) >= 2 and len(leading) == len(scored),
        "leading_liked": any(_above_middle(scale) for scale in leading),
        "flat": any(flag.code == "flat_profile" for flag in section.flags),
        "response_flags": [
            {"explanation": _text(flag.explanation, language)}
            for flag in section.flags
            if flag.code != "flat_profile"
        ],
        "tie_margin": _number(section.tie_margin) if section.tie_margin > 0 else "",
        "norm_title": norm_title or section.norm_group or "",
        "id": section.instrument_id,
        "title": _text(section.title, language),
        "kind": section.measures,
        "version": section.instrument_version,
        "content_hash": section.content_hash,
        "overlay_hash": section.overlay_hash or "",
        "notice": _text(section.notice, language),
        "norm_group": _norm_description(section, language),
        "normed": normed,
        "level_percent": round(100 * section.confidence_level),
        "scales": scales,
        "leading": [titles[scale_id] for scale_id in section.leading],
        "code": section.code or "",
        "holland": _holland(section, texts),
        "comparisons": [
            {
                "higher": titles[c.higher],
                "lower": titles[c.lower],
                "difference": _number(c.difference_t),
                "critical": _number(c.critical_difference_t),
                "distinct": c.distinct,
            }
            for c in section.comparisons
        ],
        "flags": [
            {
                "code": flag.code,
                "explanation": _text(flag.explanation, language),
                "value": _number(flag.value, 2) if flag.value is not None else "",
            }
            for flag in section.flags
        ],
        "row_status": section.row_status,
        "timing": [
            {
                "title": titles[item.scale],
                "attempted": f"{item.attempted}/{item.items}",
                "accuracy": _percent(item.accuracy),
                "per_minute": _number(item.items_per_minute),
                "time_used": _percent(item.time_used),
                "limit_minutes": _number(item.time_limit_seconds / 60),
            }
            for item in section.timing
        ],
        "chart": _chart(section, language, texts),
        "hexagon": _hexagon(section, texts),
    }


def _above_middle(scale: ScaleResult) -> bool:
    """The raw score lies above the middle of the scale's possible range."""
    return scale.raw is not None and scale.raw > (scale.minimum + scale.maximum) / 2


def _scale(scale: ScaleResult, language: Language) -> dict[str, Any]:
    return {
        "id": scale.id,
        "title": _text(scale.title, language),
        "description": _text(scale.description, language),
        "raw": _number(scale.raw, 2),
        "range": f"{_number(scale.minimum)}–{_number(scale.maximum)}",
        "answered": f"{scale.answered}/{scale.items}",
        "scored": scale.raw is not None,
        "t": _number(scale.t),
        "band_t": f"{_number(scale.t_low)}–{_number(scale.t_high)}"
        if scale.t_low is not None
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
    return f"{norm.title.get(language)} (n = {norm.sample_size}{year}; {norm.source})"


def _percent(share: float | None) -> str:
    return "—" if share is None or math.isnan(share) else f"{round(100 * share)} %"


def _percentile(value: float | None) -> str:
    """Whole percentiles, but never "0" or "100": a norm sample has people on both sides."""
    if value is None:
        return "—"
    if value < 0.5:
        return "<1"
    if value > 99.5:
        return ">99"
    return str(round(value))


def _holland(section: InstrumentProfile, texts: dict[str, Any]) -> dict[str, Any] | None:
    indices = section.holland
    if indices is None:
        return None
    return {
        "code": indices.code,
        "liked": indices.liked,
        "tied": indices.tied,
        "consistency": texts["consistency"][indices.consistency],
        "differentiation": _number(indices.differentiation_holland),
        "differentiation_iachan": _number(indices.differentiation_iachan),
        "elevation": _number(indices.elevation),
    }


def _chart(section: InstrumentProfile, language: Language, texts: dict[str, Any]) -> Any:
    title = texts["chart_title"].format(instrument=_text(section.title, language))
    if any(scale.t is not None for scale in section.scales):
        bars = [
            charts.Bar(_text(s.title, language), s.t, s.t_low, s.t_high) for s in section.scales
        ]
        return charts.bar_profile(
            bars, minimum=20, maximum=80, shaded=(40, 60), ticks=(30, 40, 50, 60, 70), title=title
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
    return charts.bar_profile(bars, minimum=low, maximum=high, ticks=ticks, title=title)


def _hexagon(section: InstrumentProfile, texts: dict[str, Any]) -> Any:
    if section.holland is None:
        return None
    values = [section.holland.scores.get(letter) for letter in HOLLAND_LETTERS]
    normed = any(scale.t is not None for scale in section.scales)
    maximum = 80.0 if normed else max(scale.maximum for scale in section.scales)
    return charts.hexagon(
        list(HOLLAND_LETTERS), values, maximum=maximum, title=texts["hexagon_title"]
    )
