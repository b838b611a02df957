"""The Profile: one client's results from one or more instruments, ready for reports.

Plain, JSON-serialisable data (pydantic). Report templates get nothing else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from profdiag.instrument.model import LocalizedText

PROFILE_TAG = "profdiag-profile/1"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(_Data):
    code: str
    label: LocalizedText


class ScaleResult(_Data):
    id: str
    title: LocalizedText
    description: LocalizedText | None = None
    minimum: float = Field(description="Lowest possible raw score.")
    maximum: float = Field(description="Highest possible raw score.")
    raw: float | None
    answered: int
    items: int
    status: str
    z: float | None = None
    t: float | None = None
    t_low: float | None = None
    t_high: float | None = None
    percentile: float | None = None
    stanine: int | None = None
    sten: int | None = None
    band: Band | None = None
    band_starts: list[float] = Field(
        default_factory=list, description="Where the raw-score interpretation levels begin."
    )


class Comparison(_Data):
    """Whether `higher` really exceeds `lower`: the T difference against z * SE(difference)."""

    higher: str
    lower: str
    difference_t: float
    se_difference_t: float
    critical_difference_t: float
    distinct: bool = Field(description="False: the two are practically equal at this level.")


class SubtestTiming(_Data):
    """Speed and accuracy on a timed subtest (descriptive; no norms)."""

    scale: str
    attempted: int
    items: int
    accuracy: float | None = Field(description="Correct / attempted.")
    completion: float = Field(description="Attempted / items.")
    items_per_minute: float | None = None
    time_used: float | None = Field(default=None, description="Seconds / time limit.")
    time_limit_seconds: int


class HollandIndices(_Data):
    code: str = Field(description="e.g. 'SAE', or 'S(A/E)' where A and E are tied.")
    scores: dict[str, float] = Field(description="Raw score by RIASEC letter.")
    tied: bool
    consistency: Literal["high", "medium", "low", "undetermined"]
    differentiation_holland: float
    differentiation_iachan: float
    elevation: float
    elevation_mean: float


class ValidityFlag(_Data):
    code: str
    value: float | None
    threshold: float | None
    explanation: LocalizedText


class NormInfo(_Data):
    """The norm group a respondent's standard scores refer to."""

    id: str
    title: LocalizedText
    source: str
    sample_size: int
    year: int | None = None


class InstrumentProfile(_Data):
    instrument_id: str
    instrument_version: str
    content_hash: str
    overlay_hash: str | None = None
    title: LocalizedText
    measures: str = Field(description="interests, types, personality, aptitude or other.")
    notice: LocalizedText | None = Field(
        default=None, description="A licence notice that must be shown with the results."
    )
    norm_group: str | None = None
    norm: NormInfo | None = None
    confidence_level: float
    scales: list[ScaleResult]
    leading: list[str] = Field(description="Scale ids sharing the highest score.")
    code: str | None = Field(default=None, description="Type code per the instrument's code rule.")
    holland: HollandIndices | None = None
    comparisons: list[Comparison] = Field(default_factory=list)
    flags: list[ValidityFlag] = Field(default_factory=list)
    timing: list[SubtestTiming] = Field(default_factory=list)
    row_status: Literal["ok", "problems"] = "ok"


class OccupationMatch(_Data):
    id: str
    title: LocalizedText
    riasec: str
    ddo: list[str]
    education: list[str]
    regional_demand: bool
    fit: float
    brown_gore_c: float | None = None
    iachan_m: float | None = None
    similarity: float | None = None
    klimov_fit: float | None = None


class CatalogueRef(_Data):
    id: str
    version: str
    region: str


class Profile(_Data):
    format: Literal["profdiag-profile/1"] = "profdiag-profile/1"
    respondent: str
    name: str | None = Field(default=None, description="The client's name, for the report.")
    profdiag_version: str
    instruments: list[InstrumentProfile]
    catalogue: CatalogueRef | None = None
    matches: list[OccupationMatch] = Field(default_factory=list)
