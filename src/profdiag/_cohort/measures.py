"""What a cohort table counts per respondent: one category (or several, for a
multiple-select item) per measure, and the scored scales.

Every measure is a list of per-respondent category indices (or 0/1 indicators) that
`profdiag._cohort.tables` tallies per group; nothing here knows about groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from profdiag._instrument.model import Instrument, LocalizedText
from profdiag._profile import holland
from profdiag._scoring.result import ScoreResult

NO_ANSWER = "no_answer"
TOTAL = "total"
TIE = "tie"
LEADING = "leading_type"
CODE_LETTER = "code_letter"


@dataclass(frozen=True)
class Measure:
    """`kind` single: `chosen` (N,) category index, -1 for no answer. multiple: `chosen`
    (N, K) 0/1, a row of -1 for no answer. scale: `scores` (N,), NaN where unscored."""

    id: str
    kind: Literal["single", "multiple", "scale"]
    categories: tuple[str, ...]
    labels: tuple[LocalizedText | None, ...]
    title: LocalizedText | None
    chosen: NDArray[np.int64] | None = None
    scores: NDArray[np.float64] | None = None


def measures_of(instrument: Instrument, result: ScoreResult) -> list[Measure]:
    """The instrument's nominal and multiple-select items, its type or code letter, and
    its scales, in that order (text items are never tabulated)."""
    measures: list[Measure] = []
    items = {item.id: item for item in instrument.items}
    for item_id, answers in result.categorical.items():
        if answers.kind == "text":
            continue
        item = items[item_id]
        options = instrument.format_of(item).options
        labels = tuple(option.label for option in options)
        if answers.kind == "nominal":
            chosen = np.where(np.isnan(answers.values), -1, answers.values).astype(np.int64)
            measures.append(
                Measure(item_id, "single", answers.codes, labels, item.text, chosen=chosen)
            )
        else:
            chosen = np.where(np.isnan(answers.values), -1, answers.values).astype(np.int64)
            measures.append(
                Measure(item_id, "multiple", answers.codes, labels, item.text, chosen=chosen)
            )
    code = _leading_measure(instrument, result)
    if code is not None:
        measures.append(code)
    for position, scale in enumerate(instrument.scales):
        measures.append(
            Measure(
                f"scale:{scale.id}",
                "scale",
                (),
                (),
                scale.title,
                scores=np.asarray(result.raw[:, position], dtype=float),
            )
        )
    return measures


def _leading_measure(instrument: Instrument, result: ScoreResult) -> Measure | None:
    """Klimov's leading type, or the first letter of the Holland code, from raw scores;
    a respondent whose top scores tie (within the rule's margin) counts as "tie", one
    with an unscored scale as no answer."""
    rule = instrument.code_rule
    if rule is None:
        return None
    titles = {scale.id: scale.title for scale in instrument.scales}
    if rule.kind == "riasec":
        by_letter: dict[str, str] = {letter: scale_id for scale_id, letter in rule.letters.items()}
        scale_ids = [by_letter[letter] for letter in holland.HEXAGON]
        categories = tuple(holland.HEXAGON)
        measure_id = CODE_LETTER
    else:
        scale_ids = [scale.id for scale in instrument.scales]
        categories = tuple(scale_ids)
        measure_id = LEADING
    scores = result.raw[:, [result.scale_ids.index(s) for s in scale_ids]]
    complete = ~np.isnan(scores).any(axis=1)
    ranked = holland.rank(np.where(np.isnan(scores), -np.inf, scores), rule.tie_margin)
    tied = ranked.tie_group[:, 1] == 0
    chosen = np.where(tied, len(categories), ranked.order[:, 0])
    chosen = np.where(complete, chosen, -1).astype(np.int64)
    labels = (*(titles[s] for s in scale_ids), None)
    title = LocalizedText(
        ru="Ведущий тип (ДДО)" if rule.kind == "leading" else "Первая буква кода Холланда",
        en="Leading type" if rule.kind == "leading" else "First letter of the Holland code",
    )
    return Measure(measure_id, "single", (*categories, TIE), labels, title, chosen=chosen)
