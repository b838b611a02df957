"""The public doors to IRT: `calibrate` (data -> Calibration -> item bank instrument) and
`score_theta` (an item bank instrument + answers -> theta with its standard error).

scipy is imported on first use only, so `import profdiag` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from profdiag._instrument.model import Instrument, ScaleNorm
from profdiag._irt.models import MODELS, FloatArray, GuessingPrior, IrtModel
from profdiag._irt.quadrature import normal_quadrature
from profdiag._irt.result import Calibration
from profdiag._norms.standard import StandardScores, critical_z
from profdiag._scoring.score import ResponseData
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError

THETA_SCALE = "theta"
THETA_NORM = "irt-theta"


def calibrate(
    data: Any,
    model: IrtModel = "2pl",
    *,
    items: Sequence[str] | None = None,
    id_column: str | None = None,
    quadrature_points: int = 61,
    tolerance: float = 1e-5,
    max_cycles: int = 2000,
    guessing_prior: tuple[float, float] = (5.0, 17.0),
    standard_errors: bool = True,
    source: str = "<data>",
) -> Calibration:
    """Calibrate items by marginal maximum likelihood (Bock-Aitkin EM).

    theta ~ N(0, 1) on `quadrature_points` equally spaced nodes in [-6, 6]. Each EM cycle
    computes every item's expected category counts at every node (E-step) and maximises
    each item's expected log-likelihood (M-step); cycles stop when no parameter moves by
    more than `tolerance`. Standard errors come from the observed information matrix (the
    Hessian of the marginal log-likelihood by central differences of its analytic
    gradient). Models (logistic metric, no 1.7 constant)::

        2PL  P(1 | theta) = 1 / (1 + exp(-a (theta - b)))
        3PL  P(1 | theta) = c + (1 - c) / (1 + exp(-a (theta - b))),  c ~ Beta prior
        GRM  P(x >= k | theta) = 1 / (1 + exp(-a (theta - b_k)))

    Parameters
    ----------
    data
        Numeric answers, one row per respondent: a mapping of column name -> values, a
        pandas DataFrame, or an (N, I) array with `items` naming its columns. NaN or None
        is no answer. Each item's categories are its distinct observed codes, in order.
    model
        "2pl", "3pl" (dichotomous items) or "grm" (ordered categories).
    items
        The columns to calibrate (default: every column but `id_column`).
    id_column
        A column of respondent ids, left out of the calibration.
    quadrature_points, tolerance, max_cycles
        EM settings (mirt's defaults for the grid: 61 points on [-6, 6]).
    guessing_prior
        (alpha, beta) of the Beta prior on the 3PL's c (mean alpha / (alpha + beta)).
    standard_errors
        Compute standard errors (one E-step per parameter and direction).
    source
        How messages name the data.

    Returns
    -------
    Calibration
        Parameters (`bank.items`), `standard_errors`, `log_likelihood`, `cycles`,
        `converged`, `aic`, `bic`, `information(theta)`, and `to_instrument(...)` to write
        the bank as an instrument definition.

    Raises
    ------
    ArgumentError
        For an unknown model, unknown item columns, or an item with fewer than two
        distinct answers (or other than two for 2PL/3PL).
    ResponseDataError
        For a cell that is not a number.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> theta = rng.standard_normal(2000)
    >>> b = np.array([-1.0, 0.0, 1.0])
    >>> answers = (rng.random((2000, 3)) < 1 / (1 + np.exp(-(theta[:, None] - b)))) * 1.0
    >>> fit = calibrate(answers, "2pl", items=["q1", "q2", "q3"], standard_errors=False)
    >>> fit.converged, [round(item.b[0], 1) + 0.0 for item in fit.bank.items]
    (True, [-1.0, 0.0, 1.1])
    """
    if model not in MODELS:
        raise ArgumentError(f"an IRT model among {', '.join(MODELS)}; got {model!r}")
    names, matrix = _numeric_matrix(data, items, id_column, source)
    from profdiag._irt.calibrate import calibrate_indices, category_indices

    indices, categories = category_indices(matrix, names, model)
    return calibrate_indices(
        indices,
        names,
        categories,
        model,
        quadrature=normal_quadrature(quadrature_points),
        tolerance=tolerance,
        max_cycles=max_cycles,
        guessing_prior=GuessingPrior(*guessing_prior),
        standard_errors=standard_errors,
    )


@dataclass(frozen=True)
class ThetaScores:
    """Theta per respondent (rows in input order) from an item bank instrument."""

    instrument_id: str
    method: Literal["eap", "map"]
    row_ids: Sequence[Any]
    theta: FloatArray
    standard_error: FloatArray
    n_answered: np.ndarray

    def standard_scores(self, level: float = 0.90) -> StandardScores:
        """theta as standard scores: z = theta, T = 50 + 10 theta, percentile, stanine and
        sten from z; the band on T is T +- z_crit * 10 * SE, each person's own SEM."""
        from profdiag._norms.standard import norm_scores

        theta = self.theta[:, None]
        scores = norm_scores(ScaleNorm(mean=0.0, sd=1.0), theta)
        half = critical_z(level) * 10.0 * self.standard_error[:, None]
        return StandardScores(
            scale_ids=(THETA_SCALE,),
            norm_group=np.full(theta.shape[0], THETA_NORM, dtype=object),
            z=scores["z"],
            t=scores["t"],
            t_low=scores["t"] - half,
            t_high=scores["t"] + half,
            percentile=scores["percentile"],
            stanine=scores["stanine"],
            sten=scores["sten"],
            band=np.full(theta.shape, None, dtype=object),
            level=level,
        )


def score_theta(
    instrument: Instrument,
    data: ResponseData,
    method: Literal["eap", "map"] = "eap",
    *,
    id_column: str | None = None,
    strict: bool = True,
    quadrature_points: int = 61,
    workers: int | None = None,
    source: str = "<data>",
) -> ThetaScores:
    """Theta for every respondent from the instrument's IRT items, gaps allowed.

    EAP is the posterior mean under N(0, 1) on the quadrature grid, with the posterior SD
    as its standard error (Bock & Mislevy 1982); MAP is the posterior mode by Newton steps,
    with 1 / sqrt(observed information) as its standard error. Answers are read and checked
    exactly as `score` reads them; a respondent with no IRT item answered gets the prior
    (EAP 0, SE 1) and `n_answered` 0.

    Parameters
    ----------
    instrument
        An item bank: an instrument whose items carry "irt" parameters.
    data
        Answers in any shape `score` accepts.
    method
        "eap" or "map".
    id_column, strict, source
        As in `score`.
    quadrature_points
        Nodes on [-6, 6] for EAP (and the MAP's starting point).
    workers
        Threads for blocks of rows (default: one per core).

    Returns
    -------
    ThetaScores
        `theta`, `standard_error`, `n_answered`, `row_ids`; `standard_scores()` turns them
        into T scores with per-person bands.

    Raises
    ------
    ArgumentError
        For an instrument without IRT items or an unknown method.
    ResponseDataError
        For invalid answers (as `score`).

    Examples
    --------
    >>> import json, profdiag
    >>> bank = {"format": "profdiag-instrument/1", "id": "bank", "version": "1.0",
    ...     "title": {"en": "Bank"}, "description": {"en": "Two items."}, "authors": ["us"],
    ...     "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
    ...     "text_status": {"en": "not_shipped"},
    ...     "response_formats": {"yn": {"type": "binary"}},
    ...     "items": [{"id": "q1", "format": "yn", "irt": {"model": "2pl", "a": 1.5, "b": -0.5}},
    ...               {"id": "q2", "format": "yn", "irt": {"model": "2pl", "a": 1.0, "b": 0.5}}],
    ...     "scales": [{"id": "total", "title": {"en": "Total"},
    ...                 "items": [{"item": "q1"}, {"item": "q2"}]}]}
    >>> instrument = profdiag.parse_instrument(json.dumps(bank))
    >>> scores = score_theta(instrument, {"q1": [1, 0, None], "q2": [1, 0, None]})
    >>> [round(float(t), 3) for t in scores.theta], scores.n_answered.tolist()
    ([0.733, -0.839, 0.0], [2, 2, 0])
    """
    if method not in ("eap", "map"):
        raise ArgumentError(f"a theta method, 'eap' or 'map'; got {method!r}")
    from profdiag._irt.bank import instrument_bank
    from profdiag._irt.theta import estimate_theta
    from profdiag._scoring.score import score_with_values

    bank = instrument_bank(instrument)
    result, values = score_with_values(
        instrument, data, strict=strict, id_column=id_column, source=source, workers=workers
    )
    categories = bank.categories(instrument, values)
    estimates = estimate_theta(
        bank.bank, categories, method, normal_quadrature(quadrature_points), workers
    )
    return ThetaScores(
        instrument.id,
        method,
        result.row_ids,
        estimates.theta,
        estimates.standard_error,
        estimates.n_answered,
    )


def _numeric_matrix(
    data: Any, items: Sequence[str] | None, id_column: str | None, source: str
) -> tuple[list[str], FloatArray]:
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ArgumentError(f"{source}: expected a 2-D array (respondents x items)")
        if items is None or len(items) != data.shape[1]:
            raise ArgumentError(
                f"{source}: an array needs `items` naming its {data.shape[1]} columns"
            )
        columns: Mapping[str, Any] = {name: data[:, k] for k, name in enumerate(items)}
    elif hasattr(data, "columns") or isinstance(data, Mapping):
        columns = {
            str(name): data[name] for name in (data.columns if hasattr(data, "columns") else data)
        }
    else:
        raise ArgumentError(
            f"{source}: expected a mapping of columns, a DataFrame or a 2-D array; "
            f"got {type(data).__name__}"
        )
    names = [name for name in columns if name != id_column] if items is None else list(items)
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ArgumentError(f"{source}: no column named {', '.join(map(repr, unknown))}")
    if not names:
        raise ArgumentError(f"{source}: expected at least one item column to calibrate")
    matrix = np.empty((len(np.asarray(columns[names[0]], dtype=object)), len(names)))
    for k, name in enumerate(names):
        matrix[:, k] = _numbers(np.asarray(columns[name], dtype=object), name, source)
    return names, matrix


def _numbers(cells: np.ndarray, column: str, source: str) -> FloatArray:
    """A column as float64 codes, NaN for no answer; every cell that is not a finite
    number is reported (row counted from 0, as `score` counts)."""
    try:
        numbers = np.array([np.nan if cell is None else cell for cell in cells], dtype=np.float64)
    except (TypeError, ValueError):
        numbers = None
    if numbers is not None and not np.isinf(numbers).any():
        return numbers
    out = np.full(cells.size, np.nan)
    problems = []
    for row, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        try:
            out[row] = float(cell)
        except (TypeError, ValueError):
            out[row] = np.inf
        if not np.isfinite(out[row]):
            problems.append(CellProblem(row, column, cell, "a numeric response code or no answer"))
    raise ResponseDataError(source, problems)
