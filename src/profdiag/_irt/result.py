"""What calibration returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from profdiag._irt.models import FloatArray, IrtModel, ItemBank, test_information


@dataclass(frozen=True)
class ItemFit:
    """Orlando & Thissen's S-X2 for one item: statistic, degrees of freedom, p-value."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class Calibration:
    """The result of `calibrate`: parameters, their standard errors and diagnostics.

    `standard_errors[i]` follows `bank.items[i].as_vector()`: (a, b_1, ..., [c]); NaN where
    the information matrix could not be inverted (or standard errors were not asked for).
    """

    model: IrtModel
    item_ids: tuple[str, ...]
    categories: tuple[tuple[float, ...], ...]  # the response code of each category
    bank: ItemBank
    standard_errors: tuple[FloatArray, ...]
    log_likelihood: float
    cycles: int
    converged: bool
    max_change: float
    n_persons: int
    item_fit: tuple[ItemFit | None, ...] = field(default=())
    quadrature_points: int = 61

    def information(self, theta: Sequence[float] | FloatArray) -> FloatArray:
        """The test information function at `theta`."""
        return test_information(self.bank, np.asarray(theta, dtype=np.float64))

    @property
    def n_parameters(self) -> int:
        return sum(item.n_parameters for item in self.bank.items)

    @property
    def aic(self) -> float:
        return -2 * self.log_likelihood + 2 * self.n_parameters

    @property
    def bic(self) -> float:
        return -2 * self.log_likelihood + float(np.log(self.n_persons)) * self.n_parameters

    def to_definition(self, instrument_id: str, title: str, **options: Any) -> dict[str, Any]:
        """The item bank as an instrument definition (a JSON-ready dict); see
        `to_instrument` for the options."""
        from profdiag._irt.bank import calibration_definition

        return calibration_definition(self, instrument_id=instrument_id, title=title, **options)

    def to_instrument(self, instrument_id: str, title: str, **options: Any) -> Any:
        """The item bank as a validated Instrument: one item per calibrated column (its
        codes as a binary or likert format, its parameters under "irt") and one scale
        "total" summing them. Options: `version`, `licence`, `citation`, `rounding`."""
        from profdiag._irt.bank import calibration_instrument

        return calibration_instrument(self, instrument_id=instrument_id, title=title, **options)
