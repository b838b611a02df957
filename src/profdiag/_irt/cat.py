"""Computerised adaptive testing: item selection, exposure control, content balancing and
stopping rules, for one examinee (`AdaptiveTest`) and for many at once (`simulate_cat`).

Selection (van der Linden & Glas 2010, ch. 1): the item with the most Fisher information
at the current theta estimate (EAP under N(0, 1)), among items not yet given and, when
content areas are declared, within the area furthest below its target share (Kingsbury &
Zara 1989). Exposure control:

- randomesque (Kingsbury & Zara 1989): a random pick among the `randomesque` most
  informative items;
- Sympson–Hetter (1985): the items are taken in order of information and item i is given
  with probability K_i (else passed over for this examinee); `sympson_hetter` finds K by
  repeated simulation so that no item's exposure rate exceeds a target.

Stopping: the posterior SD at or below `se_target`, or `max_items` given, or no item left
(time limits are the session's). The theta posterior is kept on the quadrature grid and
updated by one multiplication per answer, so selection plus update for a 500-item bank
costs microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._irt.models import TINY, FloatArray, ItemBank, _logistic, bank_probabilities
from profdiag._irt.quadrature import Quadrature, normal_quadrature
from profdiag.errors import ArgumentError


@dataclass(frozen=True)
class CatRules:
    """How an adaptive test selects and stops.

    `content_areas[i]` is item i's area (e.g. its subtest) and `content_targets` the share
    of the test each area should have; `exposure` is K_i per item for Sympson–Hetter (1 =
    no control).
    """

    se_target: float = 0.3
    max_items: int = 30
    min_items: int = 1
    randomesque: int = 1
    exposure: FloatArray | None = None
    content_areas: tuple[str, ...] | None = None
    content_targets: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if self.se_target <= 0:
            raise ArgumentError(f"a standard error target above 0; got {self.se_target!r}")
        if self.max_items < 1 or self.min_items < 0 or self.min_items > self.max_items:
            raise ArgumentError(
                f"1 <= max_items and 0 <= min_items <= max_items; got min_items "
                f"{self.min_items}, max_items {self.max_items}"
            )
        if self.randomesque < 1:
            raise ArgumentError(f"randomesque of 1 or more items; got {self.randomesque}")
        if (self.content_areas is None) != (self.content_targets is None):
            raise ArgumentError("content_areas and content_targets together, or neither")


class BankArrays:
    """The bank's parameters padded into arrays, for information at many thetas at once."""

    def __init__(self, bank: ItemBank) -> None:
        self.bank = bank
        self.a = bank.a[:, None, None]
        self.c = bank.c[:, None, None]
        thresholds = bank.b  # (I, K_max - 1), NaN-padded
        self.valid = ~np.isnan(thresholds)[:, :, None]
        self.b = np.nan_to_num(thresholds)[:, :, None]

    def information(self, theta: FloatArray) -> FloatArray:
        """(I, len(theta)): every item's Fisher information at every theta."""
        star = _logistic(self.a * (theta[None, None, :] - self.b))
        slope = self.a * star * (1 - star)
        star = self.c + (1 - self.c) * star
        slope = (1 - self.c) * slope
        star = np.where(self.valid, star, 0.0)
        slope = np.where(self.valid, slope, 0.0)
        ones = np.ones((star.shape[0], 1, star.shape[2]))
        zeros = np.zeros_like(ones)
        upper = np.concatenate([ones, star], axis=1)
        lower = np.concatenate([star, zeros], axis=1)
        upper_slope = np.concatenate([zeros, slope], axis=1)
        lower_slope = np.concatenate([slope, zeros], axis=1)
        probability = upper - lower
        derivative = upper_slope - lower_slope
        information: FloatArray = (derivative**2 / np.maximum(probability, TINY)).sum(axis=1)
        return information


@dataclass
class AdaptiveTest:
    """One examinee's adaptive test over an item bank.

    Call `next_item()` (an index into the bank; `item_ids[index]` names it for a bank made
    by `from_instrument`), then `answer(index, category)` with the category index 0..K-1
    (for right/wrong items 0 = wrong, 1 = right), until `finished`. `theta` and
    `standard_error` are the EAP estimate and posterior SD under N(0, 1). `to_state()` is
    plain JSON data; `from_state` resumes exactly, the random stream included.

    Examples
    --------
    >>> from profdiag._irt.models import ItemBank, ItemParameters
    >>> bank = ItemBank(tuple(ItemParameters("2pl", 1.5, (b,)) for b in (-1.0, 0.0, 1.0)))
    >>> test = AdaptiveTest(bank, CatRules(se_target=0.5, max_items=2))
    >>> first = test.next_item()
    >>> first  # the most informative item at theta = 0
    1
    >>> test.answer(first, 1)
    >>> test.next_item()  # after a right answer, the harder item
    2
    """

    bank: ItemBank
    rules: CatRules = field(default_factory=CatRules)
    seed: int = 0
    quadrature: Quadrature = field(default_factory=normal_quadrature)
    administered: list[int] = field(default_factory=list)
    responses: list[int] = field(default_factory=list)
    passed_over: list[int] = field(default_factory=list)
    draws: int = 0
    item_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._arrays = BankArrays(self.bank)
        self._probabilities = bank_probabilities(self.bank, self.quadrature.nodes)
        self._log_posterior = self.quadrature.log_weights.copy()
        for item, category in zip(self.administered, self.responses, strict=True):
            self._log_posterior += np.log(np.maximum(self._probabilities[item, category], TINY))

    @property
    def theta(self) -> float:
        weights = self._posterior()
        return float(weights @ self.quadrature.nodes)

    @property
    def standard_error(self) -> float:
        weights = self._posterior()
        mean = float(weights @ self.quadrature.nodes)
        return float(np.sqrt(max(float(weights @ self.quadrature.nodes**2) - mean**2, 0.0)))

    @property
    def finished(self) -> bool:
        given = len(self.administered)
        if given >= min(self.rules.max_items, self.bank.size):
            return True
        return given >= self.rules.min_items and self.standard_error <= self.rules.se_target

    def next_item(self) -> int:
        """The index (in the bank) of the item to give next."""
        if self.finished:
            raise ArgumentError("the adaptive test has finished; no next item")
        available = np.ones(self.bank.size, dtype=bool)
        available[self.administered] = False
        available[self.passed_over] = False
        available &= self._area_mask()
        if not available.any():  # every remaining item was passed over: allow them again
            available = np.ones(self.bank.size, dtype=bool)
            available[self.administered] = False
        information = self._arrays.information(np.array([self.theta]))[:, 0]
        order = np.flatnonzero(available)[np.argsort(-information[available], kind="stable")]
        rng = self._rng()
        if self.rules.randomesque > 1:
            top = order[: self.rules.randomesque]
            order = np.concatenate([rng.permutation(top), order[top.size :]])
        exposure = self.rules.exposure
        if exposure is not None:
            for item in order[:-1]:
                if rng.random() < exposure[item]:
                    return int(item)
                self.passed_over.append(int(item))
        return int(order[0] if exposure is None else order[-1])

    def answer(self, item: int, category: int) -> None:
        if item in self.administered:
            raise ArgumentError(f"item {item} has been answered already")
        k = self.bank.items[item].n_categories
        if not 0 <= category < k:
            raise ArgumentError(f"item {item}: a category from 0 to {k - 1}; got {category}")
        self.administered.append(int(item))
        self.responses.append(int(category))
        self._log_posterior += np.log(np.maximum(self._probabilities[item, category], TINY))

    def to_state(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "administered": list(self.administered),
            "responses": list(self.responses),
            "passed_over": list(self.passed_over),
            "draws": self.draws,
        }

    @classmethod
    def from_instrument(
        cls, instrument: Any, rules: CatRules | None = None, seed: int = 0
    ) -> AdaptiveTest:
        """An adaptive test over the instrument's IRT items; content areas come from its
        scales when they partition those items and `rules` declares none."""
        from profdiag._irt.bank import content_areas, instrument_bank

        items = instrument_bank(instrument)
        rules = rules or CatRules()
        if rules.content_areas is None:
            areas = content_areas(instrument, items)
            if areas:
                rules = CatRules(
                    rules.se_target, rules.max_items, rules.min_items, rules.randomesque,
                    rules.exposure, **areas,  # type: ignore[arg-type]
                )  # fmt: skip
        return cls(items.bank, rules, seed, item_ids=items.item_ids)

    @classmethod
    def from_state(
        cls,
        bank: ItemBank,
        rules: CatRules,
        state: dict[str, Any],
        quadrature: Quadrature | None = None,
    ) -> AdaptiveTest:
        return cls(
            bank,
            rules,
            int(state["seed"]),
            quadrature or normal_quadrature(),
            [int(x) for x in state["administered"]],
            [int(x) for x in state["responses"]],
            [int(x) for x in state["passed_over"]],
            int(state["draws"]),
        )

    def _posterior(self) -> FloatArray:
        weights = np.exp(self._log_posterior - self._log_posterior.max())
        normalised: FloatArray = weights / weights.sum()
        return normalised

    def _rng(self) -> np.random.Generator:
        """A fresh stream per selection, from (seed, selection number): resumable."""
        self.draws += 1
        return np.random.default_rng([self.seed, self.draws])

    def _area_mask(self) -> NDArray[np.bool_]:
        areas, targets = self.rules.content_areas, self.rules.content_targets
        if areas is None or targets is None:
            return np.ones(self.bank.size, dtype=bool)
        given = [areas[item] for item in self.administered]
        n = max(len(given), 1)
        remaining = {areas[i] for i in range(self.bank.size) if i not in self.administered}
        candidates = [area for area in targets if area in remaining]
        if not candidates:
            return np.ones(self.bank.size, dtype=bool)
        neediest = max(candidates, key=lambda area: targets[area] - given.count(area) / n)
        return np.array([area == neediest for area in areas])
