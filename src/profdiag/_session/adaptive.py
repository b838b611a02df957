"""An adaptive section of a battery: its item pool, rules and time limit, and the choice of
each next item by `AdaptiveTest` from a section's saved state.

A section's state is plain JSON, kept in the session's state under ``adaptive``:
``{"items": [chosen item ids, in the order served], "end": None or why it ended,
"cat": AdaptiveTest.to_state()}``. Its seed is drawn from the session's seed, and the
random draws are counted, so a resumed session chooses exactly the same items.

A skipped item counts as not answered: it does not move the estimate, it is not chosen
again, and the selection goes on among the items left. ``max_items`` bounds the items
served (answered or skipped), so a respondent never sees more than that.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from profdiag._instrument.model import (
    BinaryFormat,
    Instrument,
    LikertFormat,
    MultipleChoiceFormat,
)
from profdiag._irt.bank import InstrumentBank, instrument_bank
from profdiag._irt.cat import AdaptiveTest, BankArrays, CatRules
from profdiag._irt.models import TINY, FloatArray, ItemBank, bank_probabilities
from profdiag._irt.quadrature import normal_quadrature
from profdiag.errors import ArgumentError

SECTION_KEY = "adaptive"  # the subtest name of a section timed by max_seconds
ENDS = ("se", "max_items", "pool", "time", "finish")


@dataclass(frozen=True)
class AdaptivePlan:
    """How a battery entry is run adaptively: the pool (the instrument's IRT items), the
    rules (content areas from its scales when the rules declare none), the time limit and
    the key its clock is kept under (a timed scale's id, or "adaptive")."""

    pool: InstrumentBank
    rules: CatRules
    limit: float | None
    timed_key: str | None
    # the pool's arrays and category probabilities on the quadrature grid, computed once
    arrays: BankArrays = field(init=False, repr=False, compare=False)
    probabilities: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes = normal_quadrature().nodes
        object.__setattr__(self, "arrays", BankArrays(self.pool.bank))
        object.__setattr__(self, "probabilities", bank_probabilities(self.pool.bank, nodes))

    @property
    def cap(self) -> int:
        """The most items the section can serve."""
        return min(self.rules.max_items, len(self.pool.item_ids))

    def index(self, item_id: str) -> int:
        return self.pool.item_ids.index(item_id)

    def fingerprint(self) -> dict[str, Any]:
        rules = self.rules
        return {
            "pool": list(self.pool.item_ids),
            "se_target": rules.se_target,
            "max_items": rules.max_items,
            "min_items": rules.min_items,
            "randomesque": rules.randomesque,
            "exposure": None if rules.exposure is None else [float(k) for k in rules.exposure],
            "content_areas": None if rules.content_areas is None else list(rules.content_areas),
            "content_targets": rules.content_targets,
            "limit": self.limit,
            "timed_key": self.timed_key,
        }


def adaptive_plan(instrument: Instrument, rules: Any, max_seconds: Any) -> AdaptivePlan:
    """The plan for an adaptive entry, or an ArgumentError saying why it cannot run."""
    where = f"{instrument.id} (adaptive section)"
    if not isinstance(rules, CatRules):
        raise ArgumentError(
            f"{where}: adaptive is a CatRules (profdiag.CatRules(se_target=..., "
            f"max_items=...)); got {type(rules).__name__}"
        )
    if max_seconds is not None and (
        isinstance(max_seconds, bool)
        or not isinstance(max_seconds, int | float)
        or not math.isfinite(max_seconds)
        or max_seconds <= 0
    ):
        raise ArgumentError(f"{where}: max_seconds is a number above 0; got {max_seconds!r}")
    if not any(item.irt is not None for item in instrument.items):
        raise ArgumentError(
            f"{where}: none of its {len(instrument.items)} items has IRT parameters ('irt'), "
            "so there is no pool to choose from; use a calibrated item bank "
            "(profdiag irt calibrate) or run the instrument in a fixed order"
        )
    test = AdaptiveTest.from_instrument(instrument, rules)
    pool = instrument_bank(instrument)
    for item_id in pool.item_ids:
        item = instrument.items[instrument.item_index[item_id]]
        fmt = instrument.format_of(item)
        if not isinstance(fmt, LikertFormat | BinaryFormat | MultipleChoiceFormat):
            raise ArgumentError(
                f"{where}: item {item_id!r} is a {fmt.type} item; an adaptive section takes "
                "likert, binary and multiple-choice items"
            )
    if rules.exposure is not None and len(rules.exposure) != len(pool.item_ids):
        raise ArgumentError(
            f"{where}: CatRules.exposure has {len(rules.exposure)} values; the pool has "
            f"{len(pool.item_ids)} items"
        )
    if rules.content_areas is not None and len(rules.content_areas) != len(pool.item_ids):
        raise ArgumentError(
            f"{where}: CatRules.content_areas has {len(rules.content_areas)} values; the pool "
            f"has {len(pool.item_ids)} items"
        )
    timed = [scale for scale in instrument.scales if scale.time_limit_seconds is not None]
    if max_seconds is not None:
        return AdaptivePlan(pool, test.rules, float(max_seconds), SECTION_KEY)
    covering = [s for s in timed if set(pool.item_ids) <= {e.item for e in s.items}]
    if covering:
        scale = min(covering, key=lambda s: s.time_limit_seconds or 0)
        assert scale.time_limit_seconds is not None
        return AdaptivePlan(pool, test.rules, float(scale.time_limit_seconds), scale.id)
    if timed:
        raise ArgumentError(
            f"{where}: its timed subtests ({', '.join(s.id for s in timed)}) do not each hold "
            "the whole pool, and an adaptive section is timed as a whole; give the section's "
            "limit as max_seconds"
        )
    return AdaptivePlan(pool, test.rules, None, None)


def section_seed(session_seed: int, part: int) -> int:
    """The section's seed, drawn from the session's (a whole number from 0 to 2**63 - 1)."""
    digest = hashlib.sha256(f"{session_seed}:{part}:adaptive".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def new_section(session_seed: int, part: int) -> dict[str, Any]:
    cat = {"seed": section_seed(session_seed, part), "administered": [], "responses": []}
    return {"items": [], "end": None, "cat": {**cat, "passed_over": [], "draws": 0}}


@dataclass
class _SessionTest(AdaptiveTest):
    """`AdaptiveTest` with the bank's probabilities taken from the plan (computed once)
    rather than at every selection; selection and estimate are AdaptiveTest's."""

    tables: tuple[BankArrays, FloatArray] | None = None

    def __post_init__(self) -> None:
        if self.tables is None:
            super().__post_init__()
            return
        self._arrays, self._probabilities = self.tables
        self._log_posterior = self.quadrature.log_weights.copy()
        for item, category in zip(self.administered, self.responses, strict=True):
            self._log_posterior += np.log(np.maximum(self._probabilities[item, category], TINY))


def category(instrument: Instrument, plan: AdaptivePlan, item_id: str, value: Any) -> int:
    """A checked answer as the item's category index (0 = wrong for right/wrong items)."""
    position = instrument.item_index[item_id]
    item = instrument.items[position]
    fmt = instrument.format_of(item)
    values = np.full((1, len(instrument.items)), np.nan)
    if isinstance(fmt, MultipleChoiceFormat):
        values[0, position] = [option.code for option in fmt.options].index(value)
    else:
        values[0, position] = float(value)
    one = InstrumentBank((position,), (item_id,), plan.pool.bank)  # categories reads positions
    return int(one.categories(instrument, values)[0, 0])


def record_answer(section: dict[str, Any], plan: AdaptivePlan, item_id: str, cat: int) -> None:
    section["cat"]["administered"].append(plan.index(item_id))
    section["cat"]["responses"].append(cat)


def next_step(section: dict[str, Any], plan: AdaptivePlan, skipped: set[str]) -> str | None:
    """Choose the next item (appended to ``section["items"]``, the draws counted in its
    state) and return None, or return why the section ends (leaving the state as it is)."""
    rules = plan.rules
    state = section["cat"]
    removed = {plan.index(item) for item in skipped}
    keep = [i for i in range(len(plan.pool.item_ids)) if i not in removed]
    renumber = {i: j for j, i in enumerate(keep)}
    tables = (plan.arrays, plan.probabilities)
    if removed:
        bank = ItemBank(tuple(plan.pool.bank.items[i] for i in keep))
        tables = (BankArrays(bank), plan.probabilities[keep])
        exposure = None if rules.exposure is None else np.asarray(rules.exposure)[keep]
        areas = rules.content_areas
        rules = replace(
            rules,
            exposure=exposure,
            content_areas=None if areas is None else tuple(areas[i] for i in keep),
        )
    else:
        bank = plan.pool.bank
    test = _SessionTest(
        bank,
        rules,
        int(state["seed"]),
        normal_quadrature(),
        [renumber[i] for i in state["administered"]],
        [int(x) for x in state["responses"]],
        [renumber[i] for i in state["passed_over"] if i in renumber],
        int(state["draws"]),
        tables=tables,
    )
    if len(state["administered"]) >= rules.min_items and test.standard_error <= rules.se_target:
        return "se"
    if len(section["items"]) >= rules.max_items:
        return "max_items"
    if len(section["items"]) >= len(plan.pool.item_ids):
        return "pool"
    chosen = keep[test.next_item()]
    section["items"].append(plan.pool.item_ids[chosen])
    state["passed_over"] = [keep[j] for j in test.passed_over] + [
        i for i in state["passed_over"] if i not in renumber
    ]
    state["draws"] = test.draws
    return None
