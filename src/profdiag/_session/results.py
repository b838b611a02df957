"""A finished session's results: scores per instrument, the profile, PDF reports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._instrument.model import Instrument
from profdiag._irt.api import score_theta
from profdiag._irt.bank import instrument_bank
from profdiag._norms import StandardScores, standardize
from profdiag._norms.standard import METRICS
from profdiag._profile.build import ScoredInput, build_profiles
from profdiag._profile.model import Profile
from profdiag._scoring.result import ScoreResult
from profdiag._scoring.score import score_with_values
from profdiag._session.engine import ANSWERED
from profdiag._session.model import AdaptiveResult

if TYPE_CHECKING:
    from profdiag._profile.model import Session as SessionFacts
    from profdiag._profile.occupations import OccupationCatalogue
    from profdiag._report.render import ReportOptions
    from profdiag._session.engine import Session


@dataclass(frozen=True)
class SessionResults:
    """What a finished session gives: per instrument its ScoreResult (and item values),
    the person's Profile, and PDF reports of it; for each adaptive section its theta (EAP)
    with SE, T with its band, the items given and why it ended (`adaptive`)."""

    session_id: str
    scores: dict[str, ScoreResult]
    item_values: dict[str, np.ndarray]
    profile: Profile
    adaptive: dict[str, AdaptiveResult] = field(default_factory=dict)

    def pdf(self, options: ReportOptions | None = None) -> bytes:
        """The report as PDF bytes (`render_pdf`; default: the client's report in Russian).

        Parameters
        ----------
        options
            Audience, language, templates (`ReportOptions`).

        Returns
        -------
        bytes
            The PDF.

        Raises
        ------
        ReportError
            A template fails or runs past its limits.
        """
        from profdiag._report.render import ReportOptions, render_pdf

        return render_pdf(self.profile, options or ReportOptions())


def instrument_records(session: Session) -> dict[str, dict[str, Any]]:
    """Instrument id -> item id -> answer (None where not answered)."""
    return session.answers()


def instrument_times(session: Session) -> dict[str, tuple[float | None, dict[str, float | None]]]:
    """Instrument id -> (seconds from its first item served to its last answer, timed
    scale id -> seconds its subtest ran)."""
    battery = session.battery
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for slot, cell in session._slots():
        if cell[3] is not None:
            first[slot.part] = min(first.get(slot.part, math.inf), cell[3])
        if cell[0] == ANSWERED and cell[4] is not None:
            last[slot.part] = max(last.get(slot.part, -math.inf), cell[4])
    times: dict[str, tuple[float | None, dict[str, float | None]]] = {}
    for k, part in enumerate(battery.parts):
        total = last[k] - first[k] if k in first and k in last else None
        subtests: dict[str, float | None] = {}
        for scale in part.instrument.scales:
            if scale.time_limit_seconds is None:
                continue
            run = session._subtest(k, scale.id)
            if run is None or run[0] is None or run[1] is None:
                subtests[scale.id] = None
            else:
                subtests[scale.id] = min(float(scale.time_limit_seconds), run[1] - run[0])
        times[part.id] = (total, subtests)
    return times


def session_results(
    session: Session,
    *,
    catalogue: OccupationCatalogue | None,
    facts: SessionFacts | None,
    level: float,
) -> SessionResults:
    respondent = session.respondent
    records = instrument_records(session)
    times = instrument_times(session)
    scores: dict[str, ScoreResult] = {}
    values: dict[str, np.ndarray] = {}
    inputs: list[ScoredInput] = []
    adaptive: dict[str, AdaptiveResult] = {}
    for k, part in enumerate(session.battery.parts):
        instrument = part.instrument
        id_name = "id"
        while id_name in instrument.item_index:
            id_name += "_"
        record = {id_name: respondent.id, **records[part.id]}
        result, item_values = score_with_values(
            instrument, record, id_column=id_name, source=f"session {session.id}"
        )
        if part.adaptive is not None:
            adaptive[part.id], theta_standard = adaptive_scores(session, k, level)
            standard = _theta_standard(instrument, result, theta_standard)
        else:
            standard = standardize(
                instrument,
                result,
                norm_group=part.norm_group,
                attributes=respondent.attributes() if part.norm_group is None else None,
                level=level,
            )
        total, subtests = times[part.id]
        scores[part.id], values[part.id] = result, item_values
        inputs.append(
            ScoredInput(
                instrument,
                result,
                standard=standard,
                item_values=item_values,
                total_seconds=[total],
                subtest_seconds={scale: [seconds] for scale, seconds in subtests.items()},
            )
        )
    profile = build_profiles(
        inputs,
        catalogue=catalogue,
        level=level,
        stage=respondent.stage,
        given_names=[respondent.given_name],
        ages=[respondent.age],
        sessions=facts,
    )[0]
    return SessionResults(session.id, scores, values, profile, adaptive)


def adaptive_result(session: Session, k: int, level: float = 0.90) -> AdaptiveResult:
    """Theta (EAP) of adaptive section `k` from the answers given, with its SE and T band
    (`score_theta` on the section's answers, the others empty)."""
    return adaptive_scores(session, k, level)[0]


def adaptive_scores(
    session: Session, k: int, level: float
) -> tuple[AdaptiveResult, StandardScores]:
    """`adaptive_result` and theta's standard scores (`ThetaScores.standard_scores`)."""
    part = session.battery.parts[k]
    answers = session.answers()[part.id]
    theta = score_theta(part.instrument, answers, "eap", source=f"session {session.id}")
    standard = theta.standard_scores(level)
    section = session._section(k)
    found = AdaptiveResult(
        instrument=part.id,
        theta=float(theta.theta[0]),
        theta_se=float(theta.standard_error[0]),
        t=float(standard.t[0, 0]),
        t_low=float(standard.t_low[0, 0]),
        t_high=float(standard.t_high[0, 0]),
        level=level,
        n_items=int(theta.n_answered[0]),
        items=tuple(section["items"]),
        end=section["end"],
    )
    return found, standard


def _theta_standard(
    instrument: Instrument, result: ScoreResult, theta: StandardScores
) -> StandardScores:
    """The profile's standard scores for an adaptive section: a scale that holds every
    pool item gets theta's (T = 50 + 10 theta, its band from the person's SE, norm group
    "irt-theta"); the others none, since their raw sums cover different items for each
    person and the instrument's norms do not apply to them."""
    pool = set(instrument_bank(instrument).item_ids)
    covering = [
        s for s, scale in enumerate(instrument.scales) if pool <= {e.item for e in scale.items}
    ]
    shape = result.raw.shape
    metrics = {name: np.full(shape, np.nan) for name in METRICS}
    for name, values in metrics.items():
        values[:, covering] = getattr(theta, name)[:, :1]
    return StandardScores(
        scale_ids=result.scale_ids,
        norm_group=np.full(shape[0], theta.norm_group[0] if covering else None, dtype=object),
        band=np.full(shape, None, dtype=object),
        level=theta.level,
        **metrics,
    )
